/* `exec`: the process to start in an existing container, built from the container's config (or a
 * --process file) and the command-line overrides. */
#pragma once
#include "container/lifecycle.h"
#include "oci/spec.h"
#include "oci/state.h"

/* Apply the command-line overrides to `proc` (the container's process, or the --process one): args,
 * cwd, env (K=V replaces an existing K, otherwise appended), user, additional gids, added caps
 * (bounding, effective, permitted; ambient too when the inheritable set is not empty, as runc),
 * noNewPrivileges, LSM labels and, for the command-line form, the terminal. Pure. */
int exec_apply_overrides(struct oci_process *proc, const struct exec_options *opts, struct error **err);
/* Refusals that do not need the process: stopped, paused, or an executor without EXECUTOR_CAN_EXEC. Pure. */
int exec_check_container(const char *id, enum container_status status, const char *executor, struct error **err);
