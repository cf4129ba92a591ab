/* `update [OPTION...] ID`: change the resources of a container, from a linux.resources JSON
 * (`-r FILE`, `-r -` for stdin: podman, CRI-O, containerd) or from individual flags (runc/crun CLI). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/cleanup.h"
#include "core/log.h"

enum {
        KEY_BLKIO_WEIGHT = CMD_KEY_LONG,
        KEY_CPU_PERIOD,
        KEY_CPU_QUOTA,
        KEY_CPU_BURST,
        KEY_CPU_SHARES,
        KEY_CPU_RT_PERIOD,
        KEY_CPU_RT_RUNTIME,
        KEY_CPU_IDLE,
        KEY_CPUSET_CPUS,
        KEY_CPUSET_MEMS,
        KEY_MEMORY,
        KEY_MEMORY_RESERVATION,
        KEY_MEMORY_SWAP,
        KEY_KERNEL_MEMORY,
        KEY_KERNEL_MEMORY_TCP,
        KEY_PIDS_LIMIT,
        KEY_L3_CACHE_SCHEMA,
        KEY_MEM_BW_SCHEMA,
};

static const struct cmd_option update_options[] = {
    {"resources", 'r', CMD_ARG_REQUIRED, "FILE",
     "linux.resources JSON (`-` = stdin); the other options are then ignored"},
    {"blkio-weight", KEY_BLKIO_WEIGHT, CMD_ARG_REQUIRED, "N", "block IO weight (10-1000)"},
    {"cpu-period", KEY_CPU_PERIOD, CMD_ARG_REQUIRED, "US", "CPU CFS period"},
    {"cpu-quota", KEY_CPU_QUOTA, CMD_ARG_REQUIRED, "US", "CPU CFS quota (-1: unlimited)"},
    {"cpu-burst", KEY_CPU_BURST, CMD_ARG_REQUIRED, "US", "CPU CFS burst"},
    {"cpu-share", KEY_CPU_SHARES, CMD_ARG_REQUIRED, "N", "CPU shares (relative weight)"},
    {"cpu-shares", KEY_CPU_SHARES, CMD_ARG_REQUIRED, "N", NULL},
    {"cpu-rt-period", KEY_CPU_RT_PERIOD, CMD_ARG_REQUIRED, "US", "CPU realtime period"},
    {"cpu-rt-runtime", KEY_CPU_RT_RUNTIME, CMD_ARG_REQUIRED, "US", "CPU realtime runtime"},
    {"cpu-idle", KEY_CPU_IDLE, CMD_ARG_REQUIRED, "0|1", "SCHED_IDLE for the cgroup (cgroup v2)"},
    {"cpuset-cpus", KEY_CPUSET_CPUS, CMD_ARG_REQUIRED, "LIST", "CPUs the container may use (e.g. 0-3,7)"},
    {"cpuset-mems", KEY_CPUSET_MEMS, CMD_ARG_REQUIRED, "LIST", "memory nodes the container may use"},
    {"memory", KEY_MEMORY, CMD_ARG_REQUIRED, "BYTES", "memory limit (suffixes k, m, g; -1: unlimited)"},
    {"memory-reservation", KEY_MEMORY_RESERVATION, CMD_ARG_REQUIRED, "BYTES", "memory soft limit"},
    {"memory-swap", KEY_MEMORY_SWAP, CMD_ARG_REQUIRED, "BYTES", "memory plus swap limit (-1: unlimited)"},
    {"kernel-memory", KEY_KERNEL_MEMORY, CMD_ARG_REQUIRED, "BYTES", "kernel memory limit (obsolete)"},
    {"kernel-memory-tcp", KEY_KERNEL_MEMORY_TCP, CMD_ARG_REQUIRED, "BYTES", "kernel TCP memory limit (obsolete)"},
    {"pids-limit", KEY_PIDS_LIMIT, CMD_ARG_REQUIRED, "N", "maximum number of processes (-1: unlimited)"},
    {"l3-cache-schema", KEY_L3_CACHE_SCHEMA, CMD_ARG_REQUIRED, "SCHEMA", "Intel RDT L3 cache schema"},
    {"mem-bw-schema", KEY_MEM_BW_SCHEMA, CMD_ARG_REQUIRED, "SCHEMA", "Intel RDT memory bandwidth schema"},
    {0},
};

/* Decimal integer in [min, max] with an error naming the option. */
static int parse_int(const char *opt, const char *value, long long min, long long max, long long *out,
                     struct error **err)
{
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (!*value || *end || errno || v < min || v > max || (value[0] != '-' && (value[0] < '0' || value[0] > '9')))
                return error_set(err, 0, "update: --%s: invalid value `%s` (expected an integer between %lld and %lld)",
                                 opt, value, min, max);
        *out = v;
        return 0;
}

static int parse_uint64(const char *opt, const char *value, uint64_t *out, struct error **err)
{
        char *end;
        errno = 0;
        unsigned long long v = strtoull(value, &end, 10);
        if (value[0] < '0' || value[0] > '9' || *end || errno)
                return error_set(err, 0, "update: --%s: invalid value `%s` (expected a non-negative integer)", opt,
                                 value);
        *out = v;
        return 0;
}

struct unit {
        const char *letter;
        int shift;
};
static const struct unit units[] = {{"", 0}, {"k", 10}, {"m", 20}, {"g", 30}, {"t", 40}, {"p", 50}};

/* The suffix after the number: "", "k", "kb", "kib", " m", ... (case-insensitive). */
static int unit_shift(const char *s)
{
        bool spaced = *s == ' ';
        if (spaced)
                s++;
        char u = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
        int shift = -1;
        for (size_t i = 1; i < ARRAY_SIZE(units); i++)
                if (u == units[i].letter[0])
                        shift = units[i].shift;
        if (shift < 0 && spaced)
                return -1; /* "1 " */
        if (shift < 0)
                shift = 0;
        else
                s++;
        if (*s == 'i' || *s == 'I') {
                if (shift == 0)
                        return -1; /* "ib" alone */
                s++;
        }
        if (*s == 'b' || *s == 'B')
                s++;
        return *s ? -1 : shift;
}

int cmd_parse_bytes(const char *opt, const char *value, int64_t *out, struct error **err)
{
        if (!strcmp(value, "-1")) {
                *out = -1;
                return 0;
        }
        const char *p = value;
        if (*p < '0' || *p > '9')
                goto bad;
        /* Integer and (up to 9) fractional digits, kept exact: "1.5g" is 1610612736. */
        unsigned long long whole = 0, frac = 0, frac_scale = 1;
        for (; *p >= '0' && *p <= '9'; p++) {
                if (whole > (unsigned long long)INT64_MAX / 10)
                        goto bad;
                whole = whole * 10 + (unsigned long long)(*p - '0');
        }
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        goto bad;
                for (; *p >= '0' && *p <= '9'; p++)
                        if (frac_scale < 1000000000ULL) {
                                frac = frac * 10 + (unsigned long long)(*p - '0');
                                frac_scale *= 10;
                        }
        }
        int shift = unit_shift(p);
        if (shift < 0)
                goto bad;
        if (shift > 0 && whole > ((unsigned long long)INT64_MAX >> shift))
                goto bad;
        unsigned long long bytes = (whole << shift) + ((frac << shift) / frac_scale);
        if (bytes > (unsigned long long)INT64_MAX)
                goto bad;
        *out = (int64_t)bytes;
        return 0;
bad:
        return error_set(err, 0,
                         "update: --%s: invalid size `%s` (expected bytes with an optional unit k, m, g, t, p, or -1)",
                         opt, value);
}

static int update_option(void *data, int key, const char *value, struct error **err)
{
        struct update_options *o = data;
        struct oci_resources *res = &o->res;
        long long v = 0;
        int r;
        switch (key) {
        case 'r':
                o->resources_file = value;
                return 0;
        case KEY_BLKIO_WEIGHT:
                r = parse_int("blkio-weight", value, 10, 1000, &v, err);
                res->blkio_weight = (uint16_t)v;
                res->has_blkio_weight = true;
                return r;
        case KEY_CPU_PERIOD:
                res->has_cpu_period = true;
                return parse_uint64("cpu-period", value, &res->cpu_period, err);
        case KEY_CPU_QUOTA:
                r = parse_int("cpu-quota", value, -1, INT64_MAX, &v, err);
                res->cpu_quota = v;
                res->has_cpu_quota = true;
                return r;
        case KEY_CPU_BURST:
                res->has_cpu_burst = true;
                return parse_uint64("cpu-burst", value, &res->cpu_burst, err);
        case KEY_CPU_SHARES:
                res->has_cpu_shares = true;
                return parse_uint64("cpu-share", value, &res->cpu_shares, err);
        case KEY_CPU_RT_PERIOD:
                res->has_cpu_rt_period = true;
                return parse_uint64("cpu-rt-period", value, &res->cpu_rt_period, err);
        case KEY_CPU_RT_RUNTIME:
                r = parse_int("cpu-rt-runtime", value, -1, INT64_MAX, &v, err);
                res->cpu_rt_runtime = v;
                res->has_cpu_rt_runtime = true;
                return r;
        case KEY_CPU_IDLE:
                r = parse_int("cpu-idle", value, 0, 1, &v, err);
                res->cpu_idle = v;
                res->has_cpu_idle = true;
                return r;
        case KEY_CPUSET_CPUS:
                res->cpu_cpus = (char *)value;
                return 0;
        case KEY_CPUSET_MEMS:
                res->cpu_mems = (char *)value;
                return 0;
        case KEY_MEMORY:
                res->has_memory_limit = true;
                return cmd_parse_bytes("memory", value, &res->memory_limit, err);
        case KEY_MEMORY_RESERVATION:
                res->has_memory_reservation = true;
                return cmd_parse_bytes("memory-reservation", value, &res->memory_reservation, err);
        case KEY_MEMORY_SWAP:
                res->has_memory_swap = true;
                return cmd_parse_bytes("memory-swap", value, &res->memory_swap, err);
        case KEY_KERNEL_MEMORY:
                res->has_memory_kernel = true;
                return cmd_parse_bytes("kernel-memory", value, &res->memory_kernel, err);
        case KEY_KERNEL_MEMORY_TCP:
                res->has_memory_kernel_tcp = true;
                return cmd_parse_bytes("kernel-memory-tcp", value, &res->memory_kernel_tcp, err);
        case KEY_PIDS_LIMIT:
                r = parse_int("pids-limit", value, -1, INT64_MAX, &v, err);
                res->pids_limit = v;
                res->has_pids_limit = true;
                return r;
        case KEY_L3_CACHE_SCHEMA:
                o->l3_cache_schema = value;
                return 0;
        case KEY_MEM_BW_SCHEMA:
                o->mem_bw_schema = value;
                return 0;
        }
        return error_set(err, 0, "update: unhandled option %d", key);
}

int cmd_update_parse(int argc, char **argv, struct update_options *out, struct error **err)
{
        *out = (struct update_options){0};
        int first;
        int r = cmd_parse(&cmd_update_desc, argc, argv, update_option, out, &first, err);
        if (r != 0)
                return r;
        out->id = argv[first];
        /* runc: lifting the memory limit without saying anything about swap lifts swap too. */
        if (out->res.has_memory_limit && out->res.memory_limit == -1 && !out->res.has_memory_swap) {
                out->res.has_memory_swap = true;
                out->res.memory_swap = -1;
        }
        return 0;
}

static int update_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct update_options opts;
        int r = cmd_update_parse(argc, argv, &opts, err);
        if (r == CMD_HELP) {
                cmd_print_help(stdout, rt->argv0_name, &cmd_update_desc);
                return 0;
        }
        if (r < 0)
                return r;
        if (!opts.resources_file && (opts.l3_cache_schema || opts.mem_bw_schema))
                return error_set(err, EOPNOTSUPP,
                                 "update `%s`: Intel RDT (--l3-cache-schema, --mem-bw-schema) is "
                                 "not supported by this runtime",
                                 opts.id);
        if (!opts.resources_file && (opts.res.has_memory_kernel || opts.res.has_memory_kernel_tcp))
                log_warning("update: --kernel-memory and --kernel-memory-tcp are obsolete; the kernel may ignore them");
        r = container_update(rt, opts.id, opts.resources_file, opts.resources_file ? NULL : &opts.res, err);
        return r < 0 ? r : 0;
}

const struct cmd_desc cmd_update_desc = {
    .name = "update",
    .synopsis = "ID",
    .summary = "change the resource limits of a container",
    .options = update_options,
    .min_args = 1,
    .max_args = 1,
    .run = update_run,
};
