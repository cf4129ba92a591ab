#include "init/exec_attrs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/cpulist.h"

int exec_attrs_apply_personality(const struct oci_linux *l, struct error **err)
{
        if (!l->has_personality)
                return 0;
        unsigned long persona = strcmp(l->personality_domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
        if (personality(persona) < 0)
                return error_sys(err, "linux.personality: set domain %s", l->personality_domain);
        return 0;
}

#define MAX_NODES 1024

int exec_attrs_apply_memory_policy(const struct oci_linux *l, struct error **err)
{
        if (!l->has_memory_policy)
                return 0;
        unsigned long mask[MAX_NODES / (sizeof(unsigned long) * CHAR_BIT)] = {0};
        int n = l->memory_policy_nodes ? cpulist_parse(l->memory_policy_nodes, mask, MAX_NODES) : 0;
        unsigned long maxnode = n > 0 ? MAX_NODES + 1 : 0;
        if (syscall(SYS_set_mempolicy, l->memory_policy_mode | (int)l->memory_policy_flags, n > 0 ? mask : NULL,
                    maxnode) < 0)
                return error_sys(err, "linux.memoryPolicy: set_mempolicy(mode %d, nodes `%s`)", l->memory_policy_mode,
                                 l->memory_policy_nodes ? l->memory_policy_nodes : "");
        return 0;
}

/* struct sched_attr of sched_setattr(2), SCHED_ATTR_SIZE_VER0 (no utilization clamps). */
struct sched_attr_v0 {
        uint32_t size, sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime, sched_deadline, sched_period;
};

int exec_attrs_apply_scheduler(const struct oci_process *p, struct error **err)
{
        if (!p->has_scheduler)
                return 0;
        const struct oci_scheduler *s = &p->scheduler;
        struct sched_attr_v0 attr = {
            .size = sizeof(attr),
            .sched_policy = s->policy,
            .sched_flags = s->flags,
            .sched_nice = s->nice,
            .sched_priority = s->priority,
            .sched_runtime = s->runtime,
            .sched_deadline = s->deadline,
            .sched_period = s->period,
        };
        if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
                return error_sys(err, "process.scheduler: sched_setattr(policy %u, priority %u, nice %d)", s->policy,
                                 s->priority, s->nice);
        return 0;
}

int exec_attrs_apply_io_priority(const struct oci_process *p, struct error **err)
{
        if (!p->has_io_priority)
                return 0;
        /* IOPRIO_PRIO_VALUE(class, data) with IOPRIO_CLASS_SHIFT 13, for IOPRIO_WHO_PROCESS 1, ourselves. */
        int value = (p->io_priority_class << 13) | p->io_priority;
        if (syscall(SYS_ioprio_set, 1, 0, value) < 0)
                return error_sys(err, "process.ioPriority: ioprio_set(class %d, priority %d)", p->io_priority_class,
                                 p->io_priority);
        return 0;
}

int exec_attrs_apply_cpu_affinity(const char *list, const char *which, struct error **err)
{
        if (!list)
                return 0;
        cpu_set_t set;
        CPU_ZERO(&set);
        if (cpulist_parse(list, (unsigned long *)&set, CPU_SETSIZE) <= 0)
                return error_set(err, EINVAL, "%s: invalid CPU list `%s`", which, list);
        if (sched_setaffinity(0, sizeof(set), &set) < 0)
                return error_sys(err, "%s: sched_setaffinity(`%s`)", which, list);
        return 0;
}

int exec_attrs_apply_before_identity(const struct oci_process *p, struct error **err)
{
        int r = exec_attrs_apply_cpu_affinity(p->cpu_affinity_final, "process.execCPUAffinity.final", err);
        if (r >= 0)
                r = exec_attrs_apply_io_priority(p, err);
        if (r >= 0)
                r = exec_attrs_apply_scheduler(p, err);
        return r;
}
