/* Process attributes the init applies to itself before exec (scheduler, I/O priority, CPU affinity,
 * memory policy, personality) and the time namespace offsets the runtime writes before the init exists.
 * The values come validated from the parser (oci/spec_sched.c); these are the syscalls. */
#pragma once
#include "core/error.h"
#include "oci/spec.h"

/* Pure: the text for /proc/PID/timens_offsets ("monotonic S N\nboottime S N\n"); NULL when no offset is
 * set (or on ENOMEM, with *oom set). */
char *timens_offsets_text(const struct oci_linux *l, bool *oom);
/* Right after unshare(CLONE_NEWTIME), before any process enters the namespace (the init's clone). */
int timens_write_offsets(const struct oci_linux *l, struct error **err);

int exec_attrs_apply_personality(const struct oci_linux *l, struct error **err);
int exec_attrs_apply_memory_policy(const struct oci_linux *l, struct error **err);
int exec_attrs_apply_scheduler(const struct oci_process *p, struct error **err);
int exec_attrs_apply_io_priority(const struct oci_process *p, struct error **err);
/* `which` names the field in errors ("process.execCPUAffinity.initial"); NULL list = nothing to do. */
int exec_attrs_apply_cpu_affinity(const char *list, const char *which, struct error **err);
/* The final CPU affinity, I/O priority and scheduler of a process about to exec (init or exec): while it
 * still has CAP_SYS_NICE (real-time classes, IOPRIO_CLASS_RT) and before a seccomp filter, which may deny
 * these syscalls. */
int exec_attrs_apply_before_identity(const struct oci_process *p, struct error **err);
