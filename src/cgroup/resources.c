/* OCI linux.resources -> (controller, file, value) for cgroup v1 and v2. Pure: no syscalls, so every
 * conversion is unit tested value by value. The conversions follow crun and runc;
 * the few places where they differ are commented. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/internal.h"
#include "core/cleanup.h"

static const char *const ctrl_names[CG_CTRL_COUNT][2] = {
    [CG_CPU] = {"cpu", "cpu"},        [CG_CPUSET] = {"cpuset", "cpuset"}, [CG_MEMORY] = {"memory", "memory"},
    [CG_PIDS] = {"pids", "pids"},     [CG_BLKIO] = {"blkio", "io"},       [CG_HUGETLB] = {"hugetlb", "hugetlb"},
    [CG_NET_CLS] = {"net_cls", NULL}, [CG_NET_PRIO] = {"net_prio", NULL}, [CG_RDMA] = {"rdma", "rdma"},
    [CG_DEVICES] = {"devices", NULL},
};

const char *cgroup_ctrl_name(enum cgroup_ctrl c, int version)
{
        if ((unsigned)c >= CG_CTRL_COUNT)
                return NULL;
        return ctrl_names[c][version == 2];
}

const struct oci_device_rule cgroup_default_device_rules[] = {
    {true, 'c', -1, -1, "m"},    {true, 'b', -1, -1, "m"}, {true, 'c', 1, 3, "rwm"},    {true, 'c', 1, 8, "rwm"},
    {true, 'c', 1, 7, "rwm"},    {true, 'c', 5, 0, "rwm"}, {true, 'c', 1, 5, "rwm"},    {true, 'c', 1, 9, "rwm"},
    {true, 'c', 136, -1, "rwm"}, {true, 'c', 5, 2, "rwm"}, {true, 'c', 10, 200, "rwm"}, {true, 'c', 5, 1, "rwm"},
};
const size_t cgroup_n_default_device_rules = ARRAY_SIZE(cgroup_default_device_rules);

uint64_t cgroup_shares_to_weight(uint64_t shares)
{
        /* The quadratic fit crun (>= 1.23) and runc (>= 1.3) use: it maps the v1 default 1024 to the v2
         * default 100 and the ends 2 -> 1 and 262144 -> 10000 (the older linear formula mapped 1024 to 39). */
        if (shares == 0)
                return 0;
        if (shares <= 2)
                return 1;
        if (shares >= 262144)
                return 10000;
        double l = log2((double)shares);
        double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
        return (uint64_t)ceil(pow(10, exponent));
}

uint64_t cgroup_blkio_to_io_weight(uint64_t w)
{
        if (w == 0)
                return 0;
        return 1 + (w - 10) * 9999 / 990;
}

int cgroup_hugepage_size(const char *s, uint64_t *bytes)
{
        if (!s || *s < '1' || *s > '9')
                return -1;
        uint64_t v = 0;
        const char *p = s;
        for (; *p >= '0' && *p <= '9'; p++) {
                if (v > (UINT64_MAX - 9) / 10)
                        return -1;
                v = v * 10 + (uint64_t)(*p - '0');
        }
        int shift = p[0] == 'K' ? 10 : p[0] == 'M' ? 20 : p[0] == 'G' ? 30 : -1;
        if (shift < 0 || p[1] != 'B' || p[2] != '\0' || v > (UINT64_MAX >> shift))
                return -1;
        *bytes = v << shift;
        return 0;
}

/* The kernel names hugetlb files after the page size as it prints it (mm/hugetlb_cgroup.c mem_fmt). */
static void hugepage_label(uint64_t bytes, char *buf, size_t n)
{
        if (bytes >= (1ULL << 30))
                snprintf(buf, n, "%" PRIu64 "GB", bytes >> 30);
        else if (bytes >= (1ULL << 20))
                snprintf(buf, n, "%" PRIu64 "MB", bytes >> 20);
        else
                snprintf(buf, n, "%" PRIu64 "KB", bytes >> 10);
}

int cgroup_unified_check(const char *key, struct error **err)
{
        if (!key || !*key || strchr(key, '/') || !strchr(key, '.') || *key == '.' || strcmp(key, "..") == 0)
                return error_set(err, EINVAL,
                                 "linux.resources.unified: invalid key `%s` (expected a cgroup file name like "
                                 "`memory.high`)",
                                 key ? key : "");
        return 0;
}

void cgroup_writes_clear(struct cgroup_writes *w)
{
        for (size_t i = 0; i < w->n; i++) {
                free(w->w[i].file);
                free(w->w[i].value);
                free(w->w[i].alt_file);
                free(w->w[i].alt_value);
        }
        free(w->w);
        memset(w, 0, sizeof(*w));
}

struct builder {
        struct cgroup_writes *out;
        bool failed;
};

static char *vfmt(const char *fmt, va_list ap)
{
        char *s = NULL;
        if (vasprintf(&s, fmt, ap) < 0)
                return NULL;
        return s;
}

/* Append one write; `alt` (file + value) may be NULL. Formats the value. */
static struct cgroup_write *add(struct builder *b, enum cgroup_ctrl c, const char *what, const char *file,
                                unsigned flags, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static struct cgroup_write *add(struct builder *b, enum cgroup_ctrl c, const char *what, const char *file,
                                unsigned flags, const char *fmt, ...)
{
        if (b->failed)
                return NULL;
        struct cgroup_write *w = realloc(b->out->w, (b->out->n + 1) * sizeof(*w));
        if (!w) {
                b->failed = true;
                return NULL;
        }
        b->out->w = w;
        va_list ap;
        va_start(ap, fmt);
        char *value = vfmt(fmt, ap);
        va_end(ap);
        char *f = strdup(file);
        if (!value || !f) {
                free(value);
                free(f);
                b->failed = true;
                return NULL;
        }
        w = &b->out->w[b->out->n++];
        *w = (struct cgroup_write){.ctrl = c, .file = f, .value = value, .what = what, .flags = flags};
        return w;
}

static void set_alt(struct builder *b, struct cgroup_write *w, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void set_alt(struct builder *b, struct cgroup_write *w, const char *file, const char *fmt, ...)
{
        if (!w)
                return;
        va_list ap;
        va_start(ap, fmt);
        w->alt_value = vfmt(fmt, ap);
        va_end(ap);
        w->alt_file = strdup(file);
        if (!w->alt_value || !w->alt_file)
                b->failed = true;
}

/* "max" for -1 (and any negative value, which cgroup v2 cannot express otherwise). */
static void limit_str(int64_t v, char *buf, size_t n)
{
        if (v < 0)
                snprintf(buf, n, "max");
        else
                snprintf(buf, n, "%" PRId64, v);
}

static int memory(struct builder *b, const struct oci_resources *r, int version, struct error **err)
{
        char buf[32];
        unsigned check = r->has_check_before_update && r->check_before_update ? CGW_CHECK_USAGE : 0;
        if (r->has_memory_swap && r->memory_swap > 0 && r->has_memory_limit && r->memory_limit >= 0 &&
            r->memory_swap < r->memory_limit)
                return error_set(err, EINVAL,
                                 "linux.resources.memory.swap: %" PRId64 " is below memory.limit %" PRId64
                                 " (swap is the limit of memory plus swap)",
                                 r->memory_swap, r->memory_limit);
        if (version == 1) {
                /* runc: swap 0 means unset on v1 (the kernel would refuse memsw below the limit anyway). */
                bool swap = r->has_memory_swap && r->memory_swap != 0;
                if (r->has_memory_limit)
                        add(b, CG_MEMORY, "memory.limit", "memory.limit_in_bytes", (swap ? CGW_SWAP_ORDER : 0) | check,
                            "%" PRId64, r->memory_limit < 0 ? -1 : r->memory_limit);
                if (swap)
                        add(b, CG_MEMORY, "memory.swap", "memory.memsw.limit_in_bytes", 0, "%" PRId64,
                            r->memory_swap < 0 ? -1 : r->memory_swap);
                if (r->has_memory_reservation)
                        add(b, CG_MEMORY, "memory.reservation", "memory.soft_limit_in_bytes", 0, "%" PRId64,
                            r->memory_reservation < 0 ? -1 : r->memory_reservation);
                if (r->has_memory_swappiness) {
                        if (r->memory_swappiness > 100)
                                return error_set(err, EINVAL,
                                                 "linux.resources.memory.swappiness: %" PRIu64
                                                 " is out of range (expected 0..100)",
                                                 r->memory_swappiness);
                        add(b, CG_MEMORY, "memory.swappiness", "memory.swappiness", 0, "%" PRIu64,
                            r->memory_swappiness);
                }
                if (r->has_disable_oom_killer)
                        add(b, CG_MEMORY, "memory.disableOOMKiller", "memory.oom_control", 0, "%d",
                            r->disable_oom_killer ? 1 : 0);
                if (r->has_use_hierarchy)
                        add(b, CG_MEMORY, "memory.useHierarchy", "memory.use_hierarchy", 0, "%d",
                            r->use_hierarchy ? 1 : 0);
                /* Still in v1 kernels (unlike memory.kmem.limit_in_bytes, a no-op since 5.x); v2 has none. */
                if (r->has_memory_kernel_tcp)
                        add(b, CG_MEMORY, "memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes", CGW_IF_EXISTS,
                            "%" PRId64, r->memory_kernel_tcp < 0 ? -1 : r->memory_kernel_tcp);
                return 0;
        }
        /* swappiness, disableOOMKiller and useHierarchy have no v2 file: runc ignores them there (crun refuses),
         * and a config written for a v1 host must still run on a v2 one. */
        if (r->has_memory_limit) {
                limit_str(r->memory_limit, buf, sizeof(buf));
                add(b, CG_MEMORY, "memory.limit", "memory.max", check, "%s", buf);
        }
        if (r->has_memory_reservation) {
                limit_str(r->memory_reservation, buf, sizeof(buf));
                add(b, CG_MEMORY, "memory.reservation", "memory.low", 0, "%s", buf);
        }
        if (r->has_memory_swap) {
                int64_t swap = r->memory_swap;
                if (swap > 0) {
                        if (!r->has_memory_limit || r->memory_limit <= 0)
                                return error_set(err, EINVAL,
                                                 "linux.resources.memory.swap: cannot set a swap limit without "
                                                 "memory.limit on cgroup v2 (memory.swap.max = swap - limit)");
                        swap -= r->memory_limit;
                }
                /* crun: an explicit 0 means "no swap" (runc would leave it unset). */
                limit_str(swap, buf, sizeof(buf));
                add(b, CG_MEMORY, "memory.swap", "memory.swap.max", 0, "%s", buf);
        } else if (r->has_memory_limit && r->memory_limit < 0) {
                /* runc: an unlimited memory limit without a swap value means unlimited swap too, as on v1. */
                add(b, CG_MEMORY, "memory.swap", "memory.swap.max", CGW_IF_EXISTS, "max");
        }
        return 0;
}

static void cpu(struct builder *b, const struct oci_resources *r, int version)
{
        if (version == 1) {
                if (r->has_cpu_shares)
                        add(b, CG_CPU, "cpu.shares", "cpu.shares", 0, "%" PRIu64, r->cpu_shares);
                /* Period before quota: the kernel checks quota against the current period. */
                if (r->has_cpu_period)
                        add(b, CG_CPU, "cpu.period", "cpu.cfs_period_us", 0, "%" PRIu64, r->cpu_period);
                if (r->has_cpu_quota)
                        add(b, CG_CPU, "cpu.quota", "cpu.cfs_quota_us", 0, "%" PRId64,
                            r->cpu_quota < 0 ? -1 : r->cpu_quota);
                if (r->has_cpu_burst)
                        add(b, CG_CPU, "cpu.burst", "cpu.cfs_burst_us", 0, "%" PRIu64, r->cpu_burst);
                if (r->has_cpu_rt_period)
                        add(b, CG_CPU, "cpu.realtimePeriod", "cpu.rt_period_us", 0, "%" PRIu64, r->cpu_rt_period);
                if (r->has_cpu_rt_runtime)
                        add(b, CG_CPU, "cpu.realtimeRuntime", "cpu.rt_runtime_us", 0, "%" PRId64, r->cpu_rt_runtime);
        } else {
                /* The realtime budget has no v2 file: runc ignores it there (crun refuses). */
                if (r->has_cpu_shares && r->cpu_shares != 0)
                        add(b, CG_CPU, "cpu.shares", "cpu.weight", 0, "%" PRIu64,
                            cgroup_shares_to_weight(r->cpu_shares));
                if (r->has_cpu_quota || r->has_cpu_period) {
                        char q[32];
                        limit_str(r->has_cpu_quota && r->cpu_quota > 0 ? r->cpu_quota : -1, q, sizeof(q));
                        add(b, CG_CPU, r->has_cpu_quota ? "cpu.quota" : "cpu.period", "cpu.max", 0, "%s %" PRIu64, q,
                            r->has_cpu_period && r->cpu_period ? r->cpu_period : 100000);
                }
                if (r->has_cpu_burst)
                        add(b, CG_CPU, "cpu.burst", "cpu.max.burst", 0, "%" PRIu64, r->cpu_burst);
        }
        if (r->has_cpu_idle)
                add(b, CG_CPU, "cpu.idle", "cpu.idle", 0, "%" PRId64, r->cpu_idle);
}

static void cpuset(struct builder *b, const struct oci_resources *r)
{
        if (r->cpu_cpus && *r->cpu_cpus)
                add(b, CG_CPUSET, "cpu.cpus", "cpuset.cpus", 0, "%s", r->cpu_cpus);
        if (r->cpu_mems && *r->cpu_mems)
                add(b, CG_CPUSET, "cpu.mems", "cpuset.mems", 0, "%s", r->cpu_mems);
}

static int pids(struct builder *b, const struct oci_resources *r, struct error **err)
{
        if (!r->has_pids_limit)
                return 0;
        if (r->pids_limit < -1)
                return error_set(err, EINVAL,
                                 "linux.resources.pids.limit: %" PRId64 " is invalid (expected -1 or >= 0)",
                                 r->pids_limit);
        /* 0 is a valid limit (spec); crun skips it, we do not. */
        char buf[32];
        limit_str(r->pids_limit, buf, sizeof(buf));
        add(b, CG_PIDS, "pids.limit", "pids.max", 0, "%s", buf);
        return 0;
}

static const struct {
        const char *what, *v1, *v2key;
} throttles[4] = {
    {"blockIO.throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps"},
    {"blockIO.throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps"},
    {"blockIO.throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops"},
    {"blockIO.throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops"},
};

static int blkio(struct builder *b, const struct oci_resources *r, int version, struct error **err)
{
        const struct oci_throttle_device *t[4] = {r->throttle_read_bps, r->throttle_write_bps, r->throttle_read_iops,
                                                  r->throttle_write_iops};
        size_t nt[4] = {r->n_throttle_read_bps, r->n_throttle_write_bps, r->n_throttle_read_iops,
                        r->n_throttle_write_iops};
        if (r->has_blkio_weight && (r->blkio_weight < 10 || r->blkio_weight > 1000))
                return error_set(err, EINVAL, "linux.resources.blockIO.weight: %u is out of range (expected 10..1000)",
                                 r->blkio_weight);
        if (version == 1) {
                /* blkio.weight exists with CFQ (gone since 5.0); with BFQ the file is blkio.bfq.weight. */
                if (r->has_blkio_weight)
                        set_alt(b, add(b, CG_BLKIO, "blockIO.weight", "blkio.weight", 0, "%u", r->blkio_weight),
                                "blkio.bfq.weight", "%u", r->blkio_weight);
                if (r->has_blkio_leaf_weight)
                        add(b, CG_BLKIO, "blockIO.leafWeight", "blkio.leaf_weight", 0, "%u", r->blkio_leaf_weight);
                for (size_t i = 0; i < r->n_blkio_weight_devices; i++) {
                        const struct oci_weight_device *d = &r->blkio_weight_devices[i];
                        if (d->has_weight)
                                set_alt(b,
                                        add(b, CG_BLKIO, "blockIO.weightDevice", "blkio.weight_device", 0,
                                            "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight),
                                        "blkio.bfq.weight_device", "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
                                        d->weight);
                        if (d->has_leaf_weight)
                                add(b, CG_BLKIO, "blockIO.weightDevice", "blkio.leaf_weight_device", 0,
                                    "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->leaf_weight);
                }
                for (int k = 0; k < 4; k++)
                        for (size_t i = 0; i < nt[k]; i++)
                                add(b, CG_BLKIO, throttles[k].what, throttles[k].v1, 0,
                                    "%" PRId64 ":%" PRId64 " %" PRIu64, t[k][i].major, t[k][i].minor, t[k][i].rate);
                return 0;
        }
        /* leafWeight has no v2 file (io.weight has no leaf/children split): runc ignores it (crun refuses). */
        /* io.bfq.weight takes the blkio scale as is; io.weight (iocost) needs the 1..10000 scale. */
        if (r->has_blkio_weight)
                set_alt(b, add(b, CG_BLKIO, "blockIO.weight", "io.bfq.weight", 0, "%u", r->blkio_weight), "io.weight",
                        "%" PRIu64, cgroup_blkio_to_io_weight(r->blkio_weight));
        for (size_t i = 0; i < r->n_blkio_weight_devices; i++) {
                const struct oci_weight_device *d = &r->blkio_weight_devices[i];
                if (d->has_weight)
                        set_alt(b,
                                add(b, CG_BLKIO, "blockIO.weightDevice", "io.bfq.weight", 0,
                                    "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight),
                                "io.weight", "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                                cgroup_blkio_to_io_weight(d->weight));
        }
        for (int k = 0; k < 4; k++)
                for (size_t i = 0; i < nt[k]; i++)
                        add(b, CG_BLKIO, throttles[k].what, "io.max", 0, "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
                            t[k][i].major, t[k][i].minor, throttles[k].v2key, t[k][i].rate);
        return 0;
}

static int hugetlb(struct builder *b, const struct oci_resources *r, int version, struct error **err)
{
        for (size_t i = 0; i < r->n_hugepage_limits; i++) {
                const struct oci_hugepage_limit *h = &r->hugepage_limits[i];
                uint64_t bytes;
                if (cgroup_hugepage_size(h->page_size, &bytes) < 0)
                        return error_set(err, EINVAL,
                                         "linux.resources.hugepageLimits[%zu].pageSize: invalid `%s` (expected "
                                         "<number>KB|MB|GB, e.g. 2MB)",
                                         i, h->page_size ? h->page_size : "");
                char label[32], file[64], rsvd[64];
                hugepage_label(bytes, label, sizeof(label));
                const char *suffix = version == 1 ? "limit_in_bytes" : "max";
                snprintf(file, sizeof(file), "hugetlb.%s.%s", label, suffix);
                snprintf(rsvd, sizeof(rsvd), "hugetlb.%s.rsvd.%s", label, suffix);
                add(b, CG_HUGETLB, "hugepageLimits", file, 0, "%" PRIu64, h->limit);
                /* Reservation accounting (5.7+) must follow, or reserved-but-unfaulted pages escape the limit. */
                add(b, CG_HUGETLB, "hugepageLimits", rsvd, CGW_IF_EXISTS, "%" PRIu64, h->limit);
        }
        return 0;
}

static void network(struct builder *b, const struct oci_resources *r, int version, unsigned mask)
{
        /* net_cls and net_prio do not exist on v2: runc ignores the fields there (crun refuses). */
        if (version == 2)
                return;
        if (r->has_net_class_id && (mask & (1u << CG_NET_CLS)))
                add(b, CG_NET_CLS, "network.classID", "net_cls.classid", 0, "%u", r->net_class_id);
        for (size_t i = 0; i < r->n_net_priorities && (mask & (1u << CG_NET_PRIO)); i++)
                add(b, CG_NET_PRIO, "network.priorities", "net_prio.ifpriomap", 0, "%s %u", r->net_priorities[i].name,
                    r->net_priorities[i].priority);
}

static int rdma(struct builder *b, const struct oci_resources *r, struct error **err)
{
        for (size_t i = 0; i < r->n_rdma; i++) {
                const struct oci_rdma_limit *l = &r->rdma[i];
                if (!l->has_hca_handles && !l->has_hca_objects)
                        return error_set(err, EINVAL, "linux.resources.rdma.%s: expected hcaHandles and/or hcaObjects",
                                         l->device);
                char h[40] = "", o[40] = "";
                if (l->has_hca_handles)
                        snprintf(h, sizeof(h), " hca_handle=%u", l->hca_handles);
                if (l->has_hca_objects)
                        snprintf(o, sizeof(o), " hca_object=%u", l->hca_objects);
                add(b, CG_RDMA, "rdma", "rdma.max", 0, "%s%s%s", l->device, h, o);
        }
        return 0;
}

unsigned cgroup_resources_controllers(const struct oci_resources *r)
{
        unsigned m = 0;
        if (!r)
                return 0;
        if (r->has_memory_limit || r->has_memory_reservation || r->has_memory_swap || r->has_memory_swappiness ||
            r->has_disable_oom_killer || r->has_use_hierarchy || r->has_memory_kernel_tcp)
                m |= 1u << CG_MEMORY;
        if (r->has_cpu_shares || r->has_cpu_quota || r->has_cpu_period || r->has_cpu_burst || r->has_cpu_rt_runtime ||
            r->has_cpu_rt_period || r->has_cpu_idle)
                m |= 1u << CG_CPU;
        if ((r->cpu_cpus && *r->cpu_cpus) || (r->cpu_mems && *r->cpu_mems))
                m |= 1u << CG_CPUSET;
        if (r->has_pids_limit)
                m |= 1u << CG_PIDS;
        if (r->has_blkio_weight || r->has_blkio_leaf_weight || r->n_blkio_weight_devices || r->n_throttle_read_bps ||
            r->n_throttle_write_bps || r->n_throttle_read_iops || r->n_throttle_write_iops)
                m |= 1u << CG_BLKIO;
        if (r->n_hugepage_limits)
                m |= 1u << CG_HUGETLB;
        if (r->has_net_class_id)
                m |= 1u << CG_NET_CLS;
        if (r->n_net_priorities)
                m |= 1u << CG_NET_PRIO;
        if (r->n_rdma)
                m |= 1u << CG_RDMA;
        if (r->n_devices)
                m |= 1u << CG_DEVICES;
        return m;
}

int cgroup_resources_translate(const struct oci_resources *r, int version, unsigned mask, struct cgroup_writes *out,
                               struct error **err)
{
        memset(out, 0, sizeof(*out));
        if (!r)
                return 0;
        struct builder b = {.out = out};
        int ret = 0;
        if (mask & (1u << CG_MEMORY))
                ret = memory(&b, r, version, err);
        if (ret >= 0 && (mask & (1u << CG_CPU)))
                cpu(&b, r, version);
        if (ret >= 0 && (mask & (1u << CG_CPUSET)))
                cpuset(&b, r);
        if (ret >= 0 && (mask & (1u << CG_PIDS)))
                ret = pids(&b, r, err);
        if (ret >= 0 && (mask & (1u << CG_BLKIO)))
                ret = blkio(&b, r, version, err);
        if (ret >= 0 && (mask & (1u << CG_HUGETLB)))
                ret = hugetlb(&b, r, version, err);
        if (ret >= 0 && (mask & ((1u << CG_NET_CLS) | (1u << CG_NET_PRIO))))
                network(&b, r, version, mask);
        if (ret >= 0 && (mask & (1u << CG_RDMA)))
                ret = rdma(&b, r, err);
        if (ret >= 0 && b.failed)
                ret = error_set(err, ENOMEM, "linux.resources");
        if (ret < 0)
                cgroup_writes_clear(out);
        return ret;
}

static int check_rule(const struct oci_device_rule *d, size_t i, struct error **err)
{
        if (d->type != 'a' && d->type != 'b' && d->type != 'c')
                return error_set(err, EINVAL, "linux.resources.devices[%zu].type: invalid `%c` (expected a, b or c)", i,
                                 d->type);
        if (!d->access[0] || strspn(d->access, "rwm") != strlen(d->access))
                return error_set(err, EINVAL,
                                 "linux.resources.devices[%zu].access: invalid `%s` (expected a non-empty subset "
                                 "of rwm)",
                                 i, d->access);
        return 0;
}

static char *rule_line(const struct oci_device_rule *d)
{
        char maj[24] = "*", min[24] = "*";
        if (d->major >= 0)
                snprintf(maj, sizeof(maj), "%" PRId64, d->major);
        if (d->minor >= 0)
                snprintf(min, sizeof(min), "%" PRId64, d->minor);
        char *s = NULL;
        if (asprintf(&s, "%c %s:%s %s", d->type, maj, min, d->access) < 0)
                return NULL;
        return s;
}

/* "a *:* rwm" denied: the whole list cleared. */
static bool is_deny_all(const struct oci_device_rule *d)
{
        return !d->allow && d->type == 'a' && d->major < 0 && d->minor < 0 && strchr(d->access, 'r') &&
               strchr(d->access, 'w') && strchr(d->access, 'm');
}

int cgroup_devices_v1(const struct oci_device_rule *rules, size_t n, char ***files, char ***lines, struct error **err)
{
        for (size_t i = 0; i < n; i++)
                if (check_rule(&rules[i], i, err) < 0)
                        return -EINVAL;
        /* Start from nothing: v1 children inherit the parent's list, which is "allow all" at the root.
         * Configs usually begin with that very rule (`spec`, Docker, podman): then it is written once. */
        size_t prefix = n > 0 && is_deny_all(&rules[0]) ? 0 : 1;
        size_t total = prefix + n + cgroup_n_default_device_rules;
        _cleanup_strv_ char **f = calloc(total + 1, sizeof(char *));
        _cleanup_strv_ char **l = calloc(total + 1, sizeof(char *));
        if (!f || !l)
                return error_set(err, ENOMEM, "devices");
        if (prefix) {
                f[0] = strdup("devices.deny");
                l[0] = strdup("a *:* rwm");
        }
        for (size_t i = 0; i < total - prefix; i++) {
                const struct oci_device_rule *d = i < n ? &rules[i] : &cgroup_default_device_rules[i - n];
                f[i + prefix] = strdup(d->allow ? "devices.allow" : "devices.deny");
                l[i + prefix] = rule_line(d);
        }
        for (size_t i = 0; i < total; i++)
                if (!f[i] || !l[i])
                        return error_set(err, ENOMEM, "devices");
        *files = TAKE_PTR(f);
        *lines = TAKE_PTR(l);
        return 0;
}

int cgroup_devices_check(const struct oci_device_rule *rules, size_t n, struct error **err)
{
        for (size_t i = 0; i < n; i++)
                if (check_rule(&rules[i], i, err) < 0)
                        return -EINVAL;
        return 0;
}
