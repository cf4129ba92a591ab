/* rlimits and oomScoreAdj: set by the runtime on itself, before the clone (or in exec's first child, before
 * it joins the container), while it still has the host's capabilities; the init inherits them. */
#include "container/process_inherited.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/cleanup.h"

static const struct {
        int resource;
        const char *name;
} rlimit_names[] = {
    {RLIMIT_AS, "RLIMIT_AS"},           {RLIMIT_CORE, "RLIMIT_CORE"},         {RLIMIT_CPU, "RLIMIT_CPU"},
    {RLIMIT_DATA, "RLIMIT_DATA"},       {RLIMIT_FSIZE, "RLIMIT_FSIZE"},       {RLIMIT_LOCKS, "RLIMIT_LOCKS"},
    {RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK"}, {RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE"}, {RLIMIT_NICE, "RLIMIT_NICE"},
    {RLIMIT_NOFILE, "RLIMIT_NOFILE"},   {RLIMIT_NPROC, "RLIMIT_NPROC"},       {RLIMIT_RSS, "RLIMIT_RSS"},
    {RLIMIT_RTPRIO, "RLIMIT_RTPRIO"},   {RLIMIT_RTTIME, "RLIMIT_RTTIME"},     {RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING"},
    {RLIMIT_STACK, "RLIMIT_STACK"},
};

static const char *rlimit_name(int resource)
{
        for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
                if (rlimit_names[i].resource == resource)
                        return rlimit_names[i].name;
        return "RLIMIT_?";
}

static const char *rlim_text(rlim_t v, char *buf, size_t size)
{
        if (v == RLIM_INFINITY)
                return "unlimited";
        snprintf(buf, size, "%llu", (unsigned long long)v);
        return buf;
}

static int apply_rlimit(const struct oci_rlimit *l, struct error **err)
{
        const char *name = rlimit_name(l->resource);
        struct rlimit cur, want = {.rlim_cur = (rlim_t)l->soft, .rlim_max = (rlim_t)l->hard};
        char a[32], b[32];
        if (getrlimit((__rlimit_resource_t)l->resource, &cur) < 0)
                return error_sys(err, "process.rlimits: %s: getrlimit", name);
        if (setrlimit((__rlimit_resource_t)l->resource, &want) < 0) {
                int e = errno;
                /* The usual failure, spelled out: raising a hard limit needs CAP_SYS_RESOURCE in the host. */
                if (e == EPERM && want.rlim_max > cur.rlim_max)
                        return error_set(err, e, "process.rlimits: %s: cannot raise the hard limit from %s to %s", name,
                                         rlim_text(cur.rlim_max, a, sizeof(a)), rlim_text(want.rlim_max, b, sizeof(b)));
                return error_set(err, e, "process.rlimits: %s: set soft %s hard %s", name,
                                 rlim_text(want.rlim_cur, a, sizeof(a)), rlim_text(want.rlim_max, b, sizeof(b)));
        }
        /* The runtime spec requires the values to be exactly what was asked for. */
        if (getrlimit((__rlimit_resource_t)l->resource, &cur) < 0)
                return error_sys(err, "process.rlimits: %s: getrlimit", name);
        if (cur.rlim_cur != want.rlim_cur || cur.rlim_max != want.rlim_max)
                return error_set(err, EINVAL, "process.rlimits: %s: the kernel set soft %s hard %s instead", name,
                                 rlim_text(cur.rlim_cur, a, sizeof(a)), rlim_text(cur.rlim_max, b, sizeof(b)));
        return 0;
}

int process_apply_inherited(const struct oci_process *proc, struct error **err)
{
        if (!proc)
                return 0;
        for (size_t i = 0; i < proc->n_rlimits; i++) {
                int r = apply_rlimit(&proc->rlimits[i], err);
                if (r < 0)
                        return r;
        }
        if (proc->has_oom_score_adj) {
                /* Written on the runtime itself while it is privileged (lowering needs CAP_SYS_RESOURCE);
                 * the init inherits it across clone. */
                _cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
                char buf[16];
                int n = snprintf(buf, sizeof(buf), "%d", proc->oom_score_adj);
                if (fd < 0 || write(fd, buf, (size_t)n) != n)
                        return error_sys(err, "process.oomScoreAdj: write %d to /proc/self/oom_score_adj",
                                         proc->oom_score_adj);
        }
        return 0;
}
