/* `linux.resources` (also the body of `update --resources`) → struct oci_resources. Pure: values are
 * checked against the ranges of the spec; translating them to cgroup files is src/cgroup's job. */
#include "oci/spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "oci/spec_parse.h"

void oci_resources_free(struct oci_resources *r)
{
        if (!r)
                return;
        free(r->devices);
        free(r->cpu_cpus);
        free(r->cpu_mems);
        free(r->blkio_weight_devices);
        free(r->throttle_read_bps);
        free(r->throttle_write_bps);
        free(r->throttle_read_iops);
        free(r->throttle_write_iops);
        for (size_t i = 0; i < r->n_hugepage_limits; i++)
                free(r->hugepage_limits[i].page_size);
        free(r->hugepage_limits);
        for (size_t i = 0; i < r->n_net_priorities; i++)
                free(r->net_priorities[i].name);
        free(r->net_priorities);
        for (size_t i = 0; i < r->n_rdma; i++)
                free(r->rdma[i].device);
        free(r->rdma);
        spec_kv_free(r->unified, r->n_unified);
        free(r);
}

static void resources_freep(struct oci_resources **r)
{
        oci_resources_free(*r);
}

/* Counts/limits where -1 means "unlimited" (memory, cpu realtime runtime): anything below -1 is an error,
 * as the kernel refuses it in the memory files. */
static int get_limit(struct json_object *obj, const char *parent, const char *key, bool *has, int64_t *out,
                     struct error **err)
{
        int r = json_get_int64(obj, parent, key, out, err);
        if (r < 0)
                return r;
        if (r > 0 && *out < -1)
                return json_error(err, parent, key, "expected -1 (unlimited) or a non-negative integer");
        *has = r > 0;
        return r;
}

/* cpu.quota and pids.limit: crun and runc write any negative value as "max" (and the v1 kernel files take
 * any negative quota as unlimited), so every negative value reads as -1. */
static int get_negative_is_unlimited(struct json_object *obj, const char *parent, const char *key, bool *has,
                                     int64_t *out, struct error **err)
{
        int r = json_get_int64(obj, parent, key, out, err);
        if (r < 0)
                return r;
        if (r > 0 && *out < 0)
                *out = -1;
        *has = r > 0;
        return r;
}

/* Docker writes swappiness only when set, but Go clients that copy a runc config carry -1 ("unset"), which
 * Go serialises into the uint64 field as 18446744073709551615: runc skips both, as we do. */
static int get_swappiness(struct json_object *obj, const char *parent, struct oci_resources *res, struct error **err)
{
        struct json_object *v = json_member(obj, "swappiness");
        if (v && json_object_is_type(v, json_type_int) &&
            (json_object_get_int64(v) == -1 || json_object_get_uint64(v) == UINT64_MAX))
                return 0;
        int64_t swappiness = 0;
        int r = json_get_int_range(obj, parent, "swappiness", 0, 100, &swappiness, err);
        if (r < 0)
                return r;
        res->has_memory_swappiness = r > 0;
        res->memory_swappiness = r > 0 ? (uint64_t)swappiness : 0;
        return 0;
}

/* Real clients write 0 for what they leave to the kernel: Docker puts `cpu.shares: 0` and
 * `blockIO.weight: 0` in every container, and Go clients that fill the spec's structs write 0 for the
 * fields they do not use. crun and runc write none of
 * these (the kernel would clamp shares 0 to 2, refuse weight 0 and a 0 period); runc also skips a 0 memory
 * limit, reservation and net_cls class id. So here 0 means unset. pids.limit 0 stays a limit (spec). */
static void unset_zero_values(struct oci_resources *res)
{
        res->has_memory_limit &= res->memory_limit != 0;
        res->has_memory_reservation &= res->memory_reservation != 0;
        res->has_cpu_shares &= res->cpu_shares != 0;
        res->has_cpu_quota &= res->cpu_quota != 0;
        res->has_cpu_period &= res->cpu_period != 0;
        res->has_cpu_rt_runtime &= res->cpu_rt_runtime != 0;
        res->has_cpu_rt_period &= res->cpu_rt_period != 0;
        res->has_blkio_weight &= res->blkio_weight != 0;
        res->has_blkio_leaf_weight &= res->blkio_leaf_weight != 0;
        for (size_t i = 0; i < res->n_blkio_weight_devices; i++) {
                struct oci_weight_device *d = &res->blkio_weight_devices[i];
                d->has_weight &= d->weight != 0;
                d->has_leaf_weight &= d->leaf_weight != 0;
        }
        res->has_net_class_id &= res->net_class_id != 0;
}

static int parse_device_rule(struct json_object *e, const char *p, size_t i, void *array, struct error **err)
{
        struct oci_device_rule *d = &((struct oci_device_rule *)array)[i];
        _cleanup_free_ char *type = NULL, *access = NULL;
        int r;
        if ((r = json_get_bool(e, p, "allow", &d->allow, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, p, "allow");
        if ((r = json_get_string(e, p, "type", &type, err)) < 0)
                return r;
        /* Absent type, major or minor mean "all". */
        d->type = 'a';
        if (r > 0) {
                if (strlen(type) != 1 || !strchr("acb", type[0]))
                        return json_error(err, p, "type", "expected one of \"a\", \"c\", \"b\"");
                d->type = type[0];
        }
        d->major = d->minor = -1;
        if ((r = json_get_int64(e, p, "major", &d->major, err)) < 0)
                return r;
        if ((r = json_get_int64(e, p, "minor", &d->minor, err)) < 0)
                return r;
        if ((r = json_get_string(e, p, "access", &access, err)) < 0)
                return r;
        if (r == 0) {
                strcpy(d->access, "rwm");
                return 0;
        }
        if (!*access || strspn(access, "rwm") != strlen(access))
                return json_error(err, p, "access", "expected a non-empty combination of \"r\", \"w\", \"m\"");
        /* Normalised to the canonical order, once per letter. */
        size_t k = 0;
        for (const char *c = "rwm"; *c; c++)
                if (strchr(access, *c))
                        d->access[k++] = *c;
        d->access[k] = '\0';
        return 0;
}

static int parse_memory(struct json_object *obj, const char *parent, struct oci_resources *res, struct error **err)
{
        struct json_object *mem = NULL;
        int r = json_get_object(obj, parent, "memory", &mem, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *p = json_path_key(parent, "memory");
        if (!p)
                return json_error_oom(err);
        if ((r = get_limit(mem, p, "limit", &res->has_memory_limit, &res->memory_limit, err)) < 0 ||
            (r = get_limit(mem, p, "reservation", &res->has_memory_reservation, &res->memory_reservation, err)) < 0 ||
            (r = get_limit(mem, p, "swap", &res->has_memory_swap, &res->memory_swap, err)) < 0 ||
            (r = get_limit(mem, p, "kernel", &res->has_memory_kernel, &res->memory_kernel, err)) < 0 ||
            (r = get_limit(mem, p, "kernelTCP", &res->has_memory_kernel_tcp, &res->memory_kernel_tcp, err)) < 0)
                return r;
        if ((r = get_swappiness(mem, p, res, err)) < 0)
                return r;
        if ((r = json_get_bool(mem, p, "disableOOMKiller", &res->disable_oom_killer, err)) < 0)
                return r;
        res->has_disable_oom_killer = r > 0;
        if ((r = json_get_bool(mem, p, "useHierarchy", &res->use_hierarchy, err)) < 0)
                return r;
        res->has_use_hierarchy = r > 0;
        if ((r = json_get_bool(mem, p, "checkBeforeUpdate", &res->check_before_update, err)) < 0)
                return r;
        res->has_check_before_update = r > 0;
        return 0;
}

static int parse_cpu(struct json_object *obj, const char *parent, struct oci_resources *res, struct error **err)
{
        struct json_object *cpu = NULL;
        int r = json_get_object(obj, parent, "cpu", &cpu, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *p = json_path_key(parent, "cpu");
        if (!p)
                return json_error_oom(err);
        if ((r = json_get_uint64(cpu, p, "shares", &res->cpu_shares, err)) < 0)
                return r;
        res->has_cpu_shares = r > 0;
        if ((r = get_negative_is_unlimited(cpu, p, "quota", &res->has_cpu_quota, &res->cpu_quota, err)) < 0)
                return r;
        if ((r = json_get_uint64(cpu, p, "period", &res->cpu_period, err)) < 0)
                return r;
        res->has_cpu_period = r > 0;
        if ((r = json_get_uint64(cpu, p, "burst", &res->cpu_burst, err)) < 0)
                return r;
        res->has_cpu_burst = r > 0;
        if ((r = get_limit(cpu, p, "realtimeRuntime", &res->has_cpu_rt_runtime, &res->cpu_rt_runtime, err)) < 0)
                return r;
        if ((r = json_get_uint64(cpu, p, "realtimePeriod", &res->cpu_rt_period, err)) < 0)
                return r;
        res->has_cpu_rt_period = r > 0;
        /* cpu.idle is a boolean in the kernel (0 or 1) despite the int64 type in the schema. */
        if ((r = json_get_int_range(cpu, p, "idle", 0, 1, &res->cpu_idle, err)) < 0)
                return r;
        res->has_cpu_idle = r > 0;
        if ((r = json_get_string(cpu, p, "cpus", &res->cpu_cpus, err)) < 0)
                return r;
        if ((r = json_get_string(cpu, p, "mems", &res->cpu_mems, err)) < 0)
                return r;
        return 0;
}

static int parse_pids(struct json_object *obj, const char *parent, struct oci_resources *res, struct error **err)
{
        struct json_object *pids = NULL;
        int r = json_get_object(obj, parent, "pids", &pids, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *p = json_path_key(parent, "pids");
        if (!p)
                return json_error_oom(err);
        /* 0 is a valid limit (no new process at all), unlike in crun. An empty object sets nothing, as in
         * runc. */
        r = get_negative_is_unlimited(pids, p, "limit", &res->has_pids_limit, &res->pids_limit, err);
        return r < 0 ? r : 0;
}

static int get_major_minor(struct json_object *e, const char *p, int64_t *major, int64_t *minor, struct error **err)
{
        int r;
        if ((r = json_get_int64(e, p, "major", major, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, p, "major");
        if ((r = json_get_int64(e, p, "minor", minor, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, p, "minor");
        return 0;
}

static int parse_weight_device(struct json_object *e, const char *p, size_t i, void *array, struct error **err)
{
        struct oci_weight_device *d = &((struct oci_weight_device *)array)[i];
        int r;
        if ((r = get_major_minor(e, p, &d->major, &d->minor, err)) < 0)
                return r;
        if ((r = json_get_uint16(e, p, "weight", &d->weight, err)) < 0)
                return r;
        d->has_weight = r > 0;
        if ((r = json_get_uint16(e, p, "leafWeight", &d->leaf_weight, err)) < 0)
                return r;
        d->has_leaf_weight = r > 0;
        return 0;
}

static int parse_throttle_device(struct json_object *e, const char *p, size_t i, void *array, struct error **err)
{
        struct oci_throttle_device *d = &((struct oci_throttle_device *)array)[i];
        int r;
        if ((r = get_major_minor(e, p, &d->major, &d->minor, err)) < 0)
                return r;
        if ((r = json_get_uint64(e, p, "rate", &d->rate, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, p, "rate");
        return 0;
}

static int parse_block_io(struct json_object *obj, const char *parent, struct oci_resources *res, struct error **err)
{
        struct json_object *bio = NULL;
        int r = json_get_object(obj, parent, "blockIO", &bio, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *p = json_path_key(parent, "blockIO");
        if (!p)
                return json_error_oom(err);
        if ((r = json_get_uint16(bio, p, "weight", &res->blkio_weight, err)) < 0)
                return r;
        res->has_blkio_weight = r > 0;
        if ((r = json_get_uint16(bio, p, "leafWeight", &res->blkio_leaf_weight, err)) < 0)
                return r;
        res->has_blkio_leaf_weight = r > 0;
        if ((r = spec_parse_object_array(bio, p, "weightDevice", sizeof(struct oci_weight_device),
                                         &res->blkio_weight_devices, &res->n_blkio_weight_devices, parse_weight_device,
                                         err)) < 0)
                return r;
        static const char *const keys[] = {"throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice",
                                           "throttleWriteIOPSDevice"};
        struct oci_throttle_device **lists[] = {&res->throttle_read_bps, &res->throttle_write_bps,
                                                &res->throttle_read_iops, &res->throttle_write_iops};
        size_t *counts[] = {&res->n_throttle_read_bps, &res->n_throttle_write_bps, &res->n_throttle_read_iops,
                            &res->n_throttle_write_iops};
        for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
                if ((r = spec_parse_object_array(bio, p, keys[k], sizeof(struct oci_throttle_device), lists[k],
                                                 counts[k], parse_throttle_device, err)) < 0)
                        return r;
        return 0;
}

/* "^[1-9][0-9]*[KMG]B$", as in the schema: the cgroup file names are built from it. */
static bool page_size_is_valid(const char *s)
{
        size_t digits = strspn(s, "0123456789");
        return digits > 0 && s[0] != '0' && s[digits] && strchr("KMG", s[digits]) && s[digits + 1] == 'B' &&
               s[digits + 2] == '\0';
}

static int parse_hugepage(struct json_object *e, const char *p, size_t i, void *array, struct error **err)
{
        struct oci_hugepage_limit *h = &((struct oci_hugepage_limit *)array)[i];
        int r;
        if ((r = json_get_string(e, p, "pageSize", &h->page_size, err)) < 0)
                return r;
        if (r == 0 || !page_size_is_valid(h->page_size))
                return json_error(err, p, "pageSize", "expected a size such as \"2MB\" or \"1GB\"");
        if ((r = json_get_uint64(e, p, "limit", &h->limit, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, p, "limit");
        return 0;
}

static int parse_net_priority(struct json_object *e, const char *p, size_t i, void *array, struct error **err)
{
        struct oci_net_priority *np = &((struct oci_net_priority *)array)[i];
        int r;
        if ((r = json_require_string(e, p, "name", &np->name, err)) < 0)
                return r;
        if ((r = json_get_uint32(e, p, "priority", &np->priority, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, p, "priority");
        return 0;
}

static int parse_network(struct json_object *obj, const char *parent, struct oci_resources *res, struct error **err)
{
        struct json_object *net = NULL;
        int r = json_get_object(obj, parent, "network", &net, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *p = json_path_key(parent, "network");
        if (!p)
                return json_error_oom(err);
        if ((r = json_get_uint32(net, p, "classID", &res->net_class_id, err)) < 0)
                return r;
        res->has_net_class_id = r > 0;
        r = spec_parse_object_array(net, p, "priorities", sizeof(struct oci_net_priority), &res->net_priorities,
                                    &res->n_net_priorities, parse_net_priority, err);
        return r < 0 ? r : 0;
}

static int parse_rdma_limit(struct json_object *v, const char *p, const char *name, size_t i, void *array,
                            struct error **err)
{
        struct oci_rdma_limit *l = &((struct oci_rdma_limit *)array)[i];
        int r;
        if (!(l->device = strdup(name)))
                return json_error_oom(err);
        if ((r = json_get_uint32(v, p, "hcaHandles", &l->hca_handles, err)) < 0)
                return r;
        l->has_hca_handles = r > 0;
        if ((r = json_get_uint32(v, p, "hcaObjects", &l->hca_objects, err)) < 0)
                return r;
        l->has_hca_objects = r > 0;
        if (!l->has_hca_handles && !l->has_hca_objects)
                return json_error(err, p, NULL, "expected hcaHandles or hcaObjects");
        return 0;
}

static int parse_unified(struct json_object *obj, const char *parent, struct oci_resources *res, struct error **err)
{
        int r = spec_parse_kv_map(obj, parent, "unified", &res->unified, &res->n_unified, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, "unified");
        if (!base)
                return json_error_oom(err);
        /* Keys become file names inside the container's cgroup: never let one walk out of it. */
        for (size_t i = 0; i < res->n_unified; i++) {
                const char *k = res->unified[i].key;
                if (strchr(k, '/') || strcmp(k, ".") == 0 || strcmp(k, "..") == 0)
                        return json_error(err, base, k, "expected a cgroup file name (no \"/\")");
        }
        return 0;
}

int oci_resources_parse_json(struct json_object *obj, const char *path, struct oci_resources **out, struct error **err)
{
        _cleanup_(resources_freep) struct oci_resources *res = NULL;
        int r;
        *out = NULL;
        if (!obj)
                return json_error(err, path, NULL, "expected an object");
        if ((r = json_as_object(obj, path, err)) < 0)
                return r;
        if (!(res = calloc(1, sizeof(*res))))
                return json_error_oom(err);
        if ((r = spec_parse_object_array(obj, path, "devices", sizeof(struct oci_device_rule), &res->devices,
                                         &res->n_devices, parse_device_rule, err)) < 0)
                return r;
        if ((r = parse_memory(obj, path, res, err)) < 0)
                return r;
        if ((r = parse_cpu(obj, path, res, err)) < 0)
                return r;
        if ((r = parse_pids(obj, path, res, err)) < 0)
                return r;
        if ((r = parse_block_io(obj, path, res, err)) < 0)
                return r;
        if ((r = spec_parse_object_array(obj, path, "hugepageLimits", sizeof(struct oci_hugepage_limit),
                                         &res->hugepage_limits, &res->n_hugepage_limits, parse_hugepage, err)) < 0)
                return r;
        if ((r = parse_network(obj, path, res, err)) < 0)
                return r;
        if ((r = spec_parse_object_map(obj, path, "rdma", sizeof(struct oci_rdma_limit), &res->rdma, &res->n_rdma,
                                       parse_rdma_limit, err)) < 0)
                return r;
        if ((r = parse_unified(obj, path, res, err)) < 0)
                return r;
        unset_zero_values(res);
        *out = TAKE_PTR(res);
        return 0;
}
