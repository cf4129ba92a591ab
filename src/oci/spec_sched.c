/* Scheduling-related fields of config.json: process.scheduler, process.ioPriority,
 * process.execCPUAffinity, linux.timeOffsets and linux.memoryPolicy. Pure: names become kernel numbers
 * here so that the code applying them is a plain syscall. */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/cpulist.h"
#include "oci/spec_sections.h"

struct name_value {
        const char *name;
        uint64_t value;
};

/* Values from <linux/sched.h>, <linux/sched/types.h>, <linux/ioprio.h>, <linux/mempolicy.h>: fixed ABI. */
static const struct name_value sched_policies[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},       {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};
static const struct name_value sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},     {"SCHED_FLAG_DL_OVERRUN", 0x04},
    {"SCHED_FLAG_KEEP_POLICY", 0x08},    {"SCHED_FLAG_KEEP_PARAMS", 0x10}, {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};
static const struct name_value ioprio_classes[] = {
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
};
static const struct name_value mpol_modes[] = {
    {"MPOL_DEFAULT", 0},
    {"MPOL_PREFERRED", 1},
    {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3},
    {"MPOL_LOCAL", 4},
    {"MPOL_PREFERRED_MANY", 5},
    {"MPOL_WEIGHTED_INTERLEAVE", 6},
};
static const struct name_value mpol_flags[] = {
    {"MPOL_F_NUMA_BALANCING", 1 << 13},
    {"MPOL_F_RELATIVE_NODES", 1 << 14},
    {"MPOL_F_STATIC_NODES", 1 << 15},
};

/* The largest CPU and node numbers a list may name (the kernel's NR_CPUS / MAX_NUMNODES ceilings). */
#define MAX_CPUS 8192
#define MAX_NODES 1024

static int lookup(const struct name_value *t, size_t n, const char *name, uint64_t *out)
{
        for (size_t i = 0; i < n; i++)
                if (!strcmp(t[i].name, name)) {
                        *out = t[i].value;
                        return 0;
                }
        return -1;
}

static int parse_name(struct json_object *obj, const char *parent, const char *key, const struct name_value *t,
                      size_t n, const char *expect, uint64_t *out, struct error **err)
{
        _cleanup_free_ char *s = NULL;
        int r = json_require_string(obj, parent, key, &s, err);
        if (r < 0)
                return r;
        if (lookup(t, n, s, out) < 0)
                return json_error(err, parent, key, "unknown value `%s` (expected one of: %s)", s, expect);
        return 1;
}

static int parse_flag_list(struct json_object *obj, const char *parent, const char *key, const struct name_value *t,
                           size_t n, uint64_t *out, struct error **err)
{
        _cleanup_strv_ char **names = NULL;
        int r = json_get_strv(obj, parent, key, false, &names, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, key);
        if (!base)
                return json_error_oom(err);
        for (size_t i = 0; names[i]; i++) {
                uint64_t v;
                if (lookup(t, n, names[i], &v) < 0) {
                        _cleanup_free_ char *ip = json_path_index(base, i);
                        return json_error(err, ip ? ip : base, NULL, "unknown flag `%s`", names[i]);
                }
                *out |= v;
        }
        return 1;
}

static int parse_scheduler(struct json_object *obj, const char *parent, struct oci_process *p, struct error **err)
{
        struct json_object *s = NULL;
        int r = json_get_object(obj, parent, "scheduler", &s, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, "scheduler");
        if (!base)
                return json_error_oom(err);
        struct oci_scheduler *sc = &p->scheduler;
        uint64_t policy = 0;
        if ((r = parse_name(s, base, "policy", sched_policies, ARRAY_SIZE(sched_policies),
                            "SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE",
                            &policy, err)) < 0)
                return r;
        sc->policy = (uint32_t)policy;
        int64_t v = 0;
        if ((r = json_get_int_range(s, base, "nice", -20, 19, &v, err)) < 0)
                return r;
        sc->nice = (int32_t)v;
        v = 0;
        if ((r = json_get_int_range(s, base, "priority", 0, 99, &v, err)) < 0)
                return r;
        sc->priority = (uint32_t)v;
        if ((r = parse_flag_list(s, base, "flags", sched_flags, ARRAY_SIZE(sched_flags), &sc->flags, err)) < 0)
                return r;
        if ((r = json_get_uint64(s, base, "runtime", &sc->runtime, err)) < 0 ||
            (r = json_get_uint64(s, base, "deadline", &sc->deadline, err)) < 0 ||
            (r = json_get_uint64(s, base, "period", &sc->period, err)) < 0)
                return r;
        bool realtime = sc->policy == 1 || sc->policy == 2;
        if (!realtime && sc->priority != 0)
                return json_error(err, base, "priority", "must be 0 unless policy is SCHED_FIFO or SCHED_RR");
        if (realtime && sc->priority == 0)
                return json_error(err, base, "priority", "must be 1..99 with SCHED_FIFO and SCHED_RR");
        if (sc->policy == 6 && (sc->runtime == 0 || sc->deadline == 0))
                return json_error(err, base, "runtime", "SCHED_DEADLINE needs runtime and deadline (nanoseconds)");
        p->has_scheduler = true;
        return 0;
}

static int parse_io_priority(struct json_object *obj, const char *parent, struct oci_process *p, struct error **err)
{
        struct json_object *io = NULL;
        int r = json_get_object(obj, parent, "ioPriority", &io, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, "ioPriority");
        if (!base)
                return json_error_oom(err);
        uint64_t cls = 0;
        if ((r = parse_name(io, base, "class", ioprio_classes, ARRAY_SIZE(ioprio_classes),
                            "IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE", &cls, err)) < 0)
                return r;
        int64_t prio = 0;
        if ((r = json_get_int_range(io, base, "priority", 0, 7, &prio, err)) < 0)
                return r;
        p->io_priority_class = (int)cls;
        p->io_priority = (int)prio;
        p->has_io_priority = true;
        return 0;
}

static int parse_cpu_list(struct json_object *obj, const char *parent, const char *key, char **out, struct error **err)
{
        int r = json_get_string(obj, parent, key, out, err);
        if (r <= 0)
                return r;
        unsigned long mask[MAX_CPUS / (sizeof(unsigned long) * CHAR_BIT)];
        if (cpulist_parse(*out, mask, MAX_CPUS) <= 0)
                return json_error(err, parent, key, "invalid CPU list `%s` (expected e.g. \"0-3,7\")", *out);
        return 1;
}

static int parse_exec_cpu_affinity(struct json_object *obj, const char *parent, struct oci_process *p,
                                   struct error **err)
{
        struct json_object *a = NULL;
        int r = json_get_object(obj, parent, "execCPUAffinity", &a, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, "execCPUAffinity");
        if (!base)
                return json_error_oom(err);
        if ((r = parse_cpu_list(a, base, "initial", &p->cpu_affinity_initial, err)) < 0)
                return r;
        return parse_cpu_list(a, base, "final", &p->cpu_affinity_final, err);
}

int spec_parse_process_sched(struct json_object *obj, const char *path, struct oci_process *p, struct error **err)
{
        int r = parse_scheduler(obj, path, p, err);
        if (r >= 0)
                r = parse_io_priority(obj, path, p, err);
        if (r >= 0)
                r = parse_exec_cpu_affinity(obj, path, p, err);
        return r < 0 ? r : 0;
}

void spec_process_sched_clear(struct oci_process *p)
{
        free(p->cpu_affinity_initial);
        free(p->cpu_affinity_final);
        p->cpu_affinity_initial = p->cpu_affinity_final = NULL;
}

static int parse_time_offsets(struct json_object *obj, const char *parent, struct oci_linux *l, struct error **err)
{
        static const char *const clocks[] = {"monotonic", "boottime"};
        struct json_object *t = NULL;
        int r = json_get_object(obj, parent, "timeOffsets", &t, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, "timeOffsets");
        if (!base)
                return json_error_oom(err);
        json_object_object_foreach(t, key, val)
        {
                size_t i = 0;
                while (i < ARRAY_SIZE(clocks) && strcmp(clocks[i], key) != 0)
                        i++;
                if (i == ARRAY_SIZE(clocks))
                        return json_error(err, base, key, "unknown clock (expected \"monotonic\" or \"boottime\")");
                _cleanup_free_ char *cp = json_path_key(base, key);
                if (!cp)
                        return json_error_oom(err);
                if ((r = json_as_object(val, cp, err)) < 0)
                        return r;
                if ((r = json_get_int64(val, cp, "secs", &l->time_offsets[i].secs, err)) < 0)
                        return r;
                int64_t ns = 0;
                if ((r = json_get_int_range(val, cp, "nanosecs", 0, 999999999, &ns, err)) < 0)
                        return r;
                l->time_offsets[i].nanosecs = (uint32_t)ns;
                l->time_offsets[i].set = true;
        }
        return 0;
}

static int parse_memory_policy(struct json_object *obj, const char *parent, struct oci_linux *l, struct error **err)
{
        struct json_object *m = NULL;
        int r = json_get_object(obj, parent, "memoryPolicy", &m, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, "memoryPolicy");
        if (!base)
                return json_error_oom(err);
        uint64_t mode = 0, flags = 0;
        if ((r = parse_name(m, base, "mode", mpol_modes, ARRAY_SIZE(mpol_modes),
                            "MPOL_DEFAULT, MPOL_BIND, MPOL_INTERLEAVE, MPOL_WEIGHTED_INTERLEAVE, MPOL_PREFERRED, "
                            "MPOL_PREFERRED_MANY, MPOL_LOCAL",
                            &mode, err)) < 0)
                return r;
        if ((r = parse_flag_list(m, base, "flags", mpol_flags, ARRAY_SIZE(mpol_flags), &flags, err)) < 0)
                return r;
        if ((r = json_get_string(m, base, "nodes", &l->memory_policy_nodes, err)) < 0)
                return r;
        unsigned long mask[MAX_NODES / (sizeof(unsigned long) * CHAR_BIT)];
        int n = r > 0 ? cpulist_parse(l->memory_policy_nodes, mask, MAX_NODES) : 0;
        if (n < 0)
                return json_error(err, base, "nodes", "invalid node list `%s` (expected e.g. \"0-1,3\")",
                                  l->memory_policy_nodes);
        /* set_mempolicy(2): these two take no nodes, the others need at least one. */
        bool takes_nodes = mode != 0 && mode != 4;
        if (takes_nodes && n == 0 && mode != 1)
                return json_error(err, base, "nodes", "required with mode %s", mpol_modes[mode].name);
        if (!takes_nodes && n > 0)
                return json_error(err, base, "nodes", "must be empty with mode %s", mpol_modes[mode].name);
        l->memory_policy_mode = (int)mode;
        l->memory_policy_flags = (unsigned)flags;
        l->has_memory_policy = true;
        return 0;
}

int spec_parse_linux_sched(struct json_object *obj, const char *path, struct oci_linux *l, struct error **err)
{
        int r = parse_time_offsets(obj, path, l, err);
        if (r >= 0)
                r = parse_memory_policy(obj, path, l, err);
        return r < 0 ? r : 0;
}
