/* Real-time CPU time on cgroup v1 (CONFIG_RT_GROUP_SCHED). A new cpu cgroup gets 0 µs of it, so a
 * SCHED_FIFO/SCHED_RR process in it fails with EPERM, and a child of such a cgroup cannot be given any
 * either. The cgroups we make on the way to the container's own get the container's budget; the
 * container's cgroup gets a small default when the process asks for a real-time policy and the config
 * sets no linux.resources.cpu.realtimeRuntime. The kernel checks each write against what the parent
 * has free, so a refusal names the cgroup and what to change. */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "core/cleanup.h"

bool cgroup_rt_budget_wanted(const struct oci_spec *spec)
{
        const struct oci_process *p = spec ? spec->process : NULL;
        return p && p->has_scheduler && (p->scheduler.policy == SCHED_FIFO || p->scheduler.policy == SCHED_RR);
}

void cgroup_rt_budget_choose(const struct oci_resources *res, bool wants_rt, struct cgroup_rt_budget *b)
{
        b->is_explicit = res && res->has_cpu_rt_runtime && res->cpu_rt_runtime > 0;
        b->runtime_us = b->is_explicit ? res->cpu_rt_runtime : (wants_rt ? CGROUP_RT_DEFAULT_RUNTIME_US : 0);
        b->period_us = res && res->has_cpu_rt_period ? res->cpu_rt_period : CGROUP_RT_DEFAULT_PERIOD_US;
}

static int give(const char *dir, const struct cgroup_rt_budget *b, struct error **err)
{
        char period[32], runtime[32];
        snprintf(period, sizeof(period), "%" PRIu64, b->period_us);
        snprintf(runtime, sizeof(runtime), "%" PRId64, b->runtime_us);
        int r = cgroup_write_file(dir, "cpu.rt_period_us", period, err);
        if (r >= 0)
                r = cgroup_write_file(dir, "cpu.rt_runtime_us", runtime, err);
        if (r < 0)
                return error_prefix(err,
                                    "%s: %" PRId64 " µs of real-time CPU time every %" PRIu64
                                    " µs do not fit in what the parent cgroup has free (set "
                                    "linux.resources.cpu.realtimeRuntime and realtimePeriod, or raise the "
                                    "parent's cpu.rt_runtime_us)",
                                    b->is_explicit ? "linux.resources.cpu.realtimeRuntime"
                                                   : "process.scheduler: a real-time policy needs real-time CPU "
                                                     "time in the container's cgroup (cgroup v1)",
                                    b->runtime_us, b->period_us);
        return 0;
}

int cgroup_v1_rt_budget(const char *leaf, char *const *made, size_t n_made, const struct oci_resources *res,
                        bool wants_rt, struct error **err)
{
        struct cgroup_rt_budget b;
        cgroup_rt_budget_choose(res, wants_rt, &b);
        if (b.runtime_us <= 0)
                return 0;
        _cleanup_free_ char *probe = NULL;
        if (asprintf(&probe, "%s/cpu.rt_runtime_us", leaf) < 0)
                return error_set(err, ENOMEM, "cgroup");
        if (access(probe, F_OK) < 0)
                return 0; /* no RT group scheduling: real-time policies need no budget */
        size_t leaf_len = strlen(leaf);
        /* Parents first (made[] is in creation order); the explicit leaf values are cgroup_apply's. */
        for (size_t i = 0; i < n_made; i++) {
                size_t len = strlen(made[i]);
                if (len >= leaf_len || strncmp(made[i], leaf, len) != 0 || leaf[len] != '/')
                        continue;
                int r = give(made[i], &b, err);
                if (r < 0)
                        return r;
        }
        return b.is_explicit ? 0 : give(leaf, &b, err);
}
