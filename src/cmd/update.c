/* `update [OPTION...] ID`: change the resources of a container, from a linux.resources JSON
 * (`-r FILE`, `-r -` for stdin: podman, CRI-O, containerd) or from individual flags (runc/crun CLI). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/cleanup.h"
#include "core/log.h"

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

/* An int64_t in [opt->min, opt->max]. */
static int set_int64(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        (void)what;
        long long v = 0;
        int r = parse_int(opt->name, value, opt->min, opt->max, &v, err);
        if (r >= 0)
                *(int64_t *)cmd_option_field(opt, out) = v;
        return r;
}

/* A uint16_t in [opt->min, opt->max]. */
static int set_uint16(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        (void)what;
        long long v = 0;
        int r = parse_int(opt->name, value, opt->min, opt->max, &v, err);
        if (r >= 0)
                *(uint16_t *)cmd_option_field(opt, out) = (uint16_t)v;
        return r;
}

static int set_uint64(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        (void)what;
        return parse_uint64(opt->name, value, cmd_option_field(opt, out), err);
}

static int set_bytes(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        (void)what;
        return cmd_parse_bytes(opt->name, value, cmd_option_field(opt, out), err);
}

/* A linux.resources value: its member and the has_ flag that says it was given. */
#define RES(member, has) offsetof(struct update_options, res.member), offsetof(struct update_options, res.has)

/* Each flag of runc's and crun's `update` and the linux.resources value it sets; the cgroup files are
 * chosen from those values by the cgroup layer, as for a -r document. */
static const struct cmd_option update_options[] = {
    {"resources", 'r', CMD_ARG_REQUIRED, "FILE",
     "linux.resources JSON (`-` = stdin); the other options are then ignored", cmd_set_string,
     offsetof(struct update_options, resources_file)},
    {"blkio-weight", 0, CMD_ARG_REQUIRED, "N", "block IO weight (10-1000)", set_uint16,
     RES(blkio_weight, has_blkio_weight), 10, 1000},
    {"cpu-period", 0, CMD_ARG_REQUIRED, "US", "CPU CFS period", set_uint64, RES(cpu_period, has_cpu_period)},
    {"cpu-quota", 0, CMD_ARG_REQUIRED, "US", "CPU CFS quota (-1: unlimited)", set_int64, RES(cpu_quota, has_cpu_quota),
     -1, INT64_MAX},
    {"cpu-burst", 0, CMD_ARG_REQUIRED, "US", "CPU CFS burst", set_uint64, RES(cpu_burst, has_cpu_burst)},
    {"cpu-share", 0, CMD_ARG_REQUIRED, "N", "CPU shares (relative weight)", set_uint64,
     RES(cpu_shares, has_cpu_shares)},
    {"cpu-shares", 0, CMD_ARG_REQUIRED, "N", NULL, set_uint64, RES(cpu_shares, has_cpu_shares)},
    {"cpu-rt-period", 0, CMD_ARG_REQUIRED, "US", "CPU realtime period", set_uint64,
     RES(cpu_rt_period, has_cpu_rt_period)},
    {"cpu-rt-runtime", 0, CMD_ARG_REQUIRED, "US", "CPU realtime runtime", set_int64,
     RES(cpu_rt_runtime, has_cpu_rt_runtime), -1, INT64_MAX},
    {"cpu-idle", 0, CMD_ARG_REQUIRED, "0|1", "SCHED_IDLE for the cgroup (cgroup v2)", set_int64,
     RES(cpu_idle, has_cpu_idle), 0, 1},
    {"cpuset-cpus", 0, CMD_ARG_REQUIRED, "LIST", "CPUs the container may use (e.g. 0-3,7)", cmd_set_string,
     offsetof(struct update_options, res.cpu_cpus)},
    {"cpuset-mems", 0, CMD_ARG_REQUIRED, "LIST", "memory nodes the container may use", cmd_set_string,
     offsetof(struct update_options, res.cpu_mems)},
    {"memory", 0, CMD_ARG_REQUIRED, "BYTES", "memory limit (suffixes k, m, g; -1: unlimited)", set_bytes,
     RES(memory_limit, has_memory_limit)},
    {"memory-reservation", 0, CMD_ARG_REQUIRED, "BYTES", "memory soft limit", set_bytes,
     RES(memory_reservation, has_memory_reservation)},
    {"memory-swap", 0, CMD_ARG_REQUIRED, "BYTES", "memory plus swap limit (-1: unlimited)", set_bytes,
     RES(memory_swap, has_memory_swap)},
    {"kernel-memory", 0, CMD_ARG_REQUIRED, "BYTES", "kernel memory limit (obsolete)", set_bytes,
     RES(memory_kernel, has_memory_kernel)},
    {"kernel-memory-tcp", 0, CMD_ARG_REQUIRED, "BYTES", "kernel TCP memory limit (obsolete)", set_bytes,
     RES(memory_kernel_tcp, has_memory_kernel_tcp)},
    {"pids-limit", 0, CMD_ARG_REQUIRED, "N", "maximum number of processes (-1: unlimited)", set_int64,
     RES(pids_limit, has_pids_limit), -1, INT64_MAX},
    /* linux.intelRdt: not supported, refused by update_run */
    {"l3-cache-schema", 0, CMD_ARG_REQUIRED, "SCHEMA", "Intel RDT L3 cache schema", cmd_set_string,
     offsetof(struct update_options, l3_cache_schema)},
    {"mem-bw-schema", 0, CMD_ARG_REQUIRED, "SCHEMA", "Intel RDT memory bandwidth schema", cmd_set_string,
     offsetof(struct update_options, mem_bw_schema)},
    {0},
};

int cmd_update_parse(int argc, char **argv, struct update_options *out, struct error **err)
{
        *out = (struct update_options){0};
        int r = cmd_parse_id(&cmd_update_desc, argc, argv, out, &out->id, err);
        if (r != 0)
                return r;
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
        if (r != 0)
                return cmd_help_or_error(rt, &cmd_update_desc, r);
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
