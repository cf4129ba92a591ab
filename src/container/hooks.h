/* OCI hooks (oci-runtime.md §5). Where each kind runs is decided by the create/start/delete flow:
 *   prestart, createRuntime  runtime, create, after the init's mounts (create.c supervise_setup)
 *   createContainer          init, after mounts, before pivot_root (init.c)
 *   startContainer           init, after `start`, just before execve (init.c)
 *   poststart                runtime, after the execve (control.c start; create.c foreground run)
 *   poststop                 runtime, delete, after the container is gone (control.c; warnings only)
 * A hook gets the state JSON on stdin, cwd = bundle, stdout/stderr on /dev/null unless the annotations
 * run.oci.hooks.stdout / run.oci.hooks.stderr name files (append, created 0700). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"
#include "oci/spec.h"

/* What a hook sees on stdin (oci-runtime.md §3). */
struct hook_state {
        const char *id;
        pid_t pid; /* host pid for runtime-namespace hooks, in-container pid for container ones, 0 when gone */
        const char *bundle;
        const char *rootfs; /* may be NULL */
        const struct oci_kv *annotations;
        size_t n_annotations;
};

/* The state of container `id` as its hooks see it, the annotations from its spec; `pid` is what the
 * caller's pid namespace calls the init (see struct hook_state). Every hook_state is made here. */
struct hook_state hook_state_for(const struct oci_spec *spec, const char *id, pid_t pid, const char *bundle,
                                 const char *rootfs);

/* "prestart", "createRuntime", ... (the config.json names). */
const char *hook_kind_name(enum oci_hook_kind kind);
/* runc's `status` values: creating for the create-time hooks, created for startContainer, running for
 * poststart, stopped for poststop. */
const char *hook_kind_status(enum oci_hook_kind kind);
/* The stdin JSON for a kind (compact). Caller frees; NULL on ENOMEM. Pure. */
char *hook_state_json(const struct hook_state *st, enum oci_hook_kind kind);
/* Why a hook failed, from its wait status: "exited with status 1", "killed by signal 9". Caller frees. */
char *hook_describe_status(int wait_status);

/* Run the hooks of `kind` in array order; the first failure stops and is returned as
 * "createRuntime hook #0 `/bin/false`: exited with status 1" (or "...: hook ran past specified timeout").
 * With `warn_only` (poststop), failures are logged as warnings (shown at every log level, as the spec
 * requires), the rest still run, and 0 is returned.
 * `cwd` (the bundle) may be unreachable after pivot_root: a failed chdir is then tolerated when
 * `tolerate_cwd` is set. */
struct hooks_run_opts {
        const char *cwd;
        bool tolerate_cwd;
        bool warn_only;
};
int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const struct hook_state *st,
              const struct hooks_run_opts *opts, struct error **err);
/* Same, with the stdin JSON already built (what hooks_run does per hook). */
int hook_run_one(const struct oci_hook *hook, enum oci_hook_kind kind, size_t index, const char *stdin_json,
                 const struct hooks_run_opts *opts, const char *stdout_path, const char *stderr_path,
                 struct error **err);
