/* Process attributes the init (and exec's process) applies to itself before exec: scheduler, I/O priority,
 * CPU affinity, memory policy, personality. The kernel keeps them per task across execve; who the process
 * is and where it runs (user, capabilities, env, cwd) is process.h's. The values come validated from the
 * parser (oci/spec_sched.c); these are the syscalls. */
#pragma once
#include "core/error.h"
#include "oci/spec.h"

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
