/* oci_resources_parse_json (linux.resources and the body of `update --resources`): every field lands,
 * defaults for absent fields, and the caller's path prefixes errors. Error paths of each field are in
 * test_spec.c's table. JSON texts use ' for ". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "oci/spec.h"

static char *q(const char *s)
{
        char *d = strdup(s);
        for (char *p = d; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return d;
}

static struct json_object *obj_of(const char *text)
{
        _cleanup_free_ char *t = q(text);
        _cleanup_error_ struct error *err = NULL;
        struct json_object *o = NULL;
        if (json_parse_object(t, strlen(t), &o, &err) < 0)
                fail_msg("%s: %s", text, err->msg);
        return o;
}

static void test_resources_parse(void **state)
{
        (void)state;
        _cleanup_json_ struct json_object *o = obj_of(
            "{'devices': [{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c', 'major': 1,"
            "   'minor': 3, 'access': 'mwr'}, {'allow': true, 'type': 'b', 'access': 'mm'}, {'allow': true}],"
            " 'memory': {'limit': 1073741824, 'reservation': 536870912, 'swap': -1, 'kernel': 5, 'kernelTCP': 6,"
            "   'swappiness': 60, 'disableOOMKiller': true, 'useHierarchy': false, 'checkBeforeUpdate': true},"
            " 'cpu': {'shares': 1024, 'quota': -1, 'period': 100000, 'burst': 5, 'realtimeRuntime': 950,"
            "   'realtimePeriod': 1000, 'idle': 1, 'cpus': '0-3', 'mems': '0'},"
            " 'pids': {'limit': -1},"
            " 'blockIO': {'weight': 500, 'leafWeight': 300,"
            "   'weightDevice': [{'major': 8, 'minor': 0, 'weight': 200}, {'major': 8, 'minor': 16, 'leafWeight': 9}],"
            "   'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 1048576}],"
            "   'throttleWriteBpsDevice': [{'major': 8, 'minor': 1, 'rate': 2}],"
            "   'throttleReadIOPSDevice': [{'major': 8, 'minor': 2, 'rate': 3}],"
            "   'throttleWriteIOPSDevice': [{'major': 8, 'minor': 3, 'rate': 4}, {'major': 8, 'minor': 4, 'rate': 5}]},"
            " 'hugepageLimits': [{'pageSize': '2MB', 'limit': 209715200}, {'pageSize': '1GB', 'limit': 0}],"
            " 'network': {'classID': 1048577, 'priorities': [{'name': 'eth0', 'priority': 500}]},"
            " 'rdma': {'mlx5_1': {'hcaHandles': 3, 'hcaObjects': 10000}, 'mlx4_0': {'hcaObjects': 7}},"
            " 'unified': {'memory.high': '1G', 'io.max': '8:0 rbps=1\\n8:16 wbps=2'}}");
        _cleanup_error_ struct error *err = NULL;
        struct oci_resources *r = NULL;
        assert_int_equal(oci_resources_parse_json(o, "resources", &r, &err), 0);
        assert_int_equal(r->n_devices, 4);
        assert_false(r->devices[0].allow);
        assert_int_equal(r->devices[0].type, 'a');
        assert_int_equal(r->devices[0].major, -1);
        assert_int_equal(r->devices[0].minor, -1);
        assert_string_equal(r->devices[0].access, "rwm");
        assert_true(r->devices[1].allow);
        assert_int_equal(r->devices[1].type, 'c');
        assert_int_equal(r->devices[1].major, 1);
        assert_int_equal(r->devices[1].minor, 3);
        assert_string_equal(r->devices[1].access, "rwm"); /* normalised order */
        assert_string_equal(r->devices[2].access, "m");
        assert_string_equal(r->devices[3].access, "rwm"); /* absent = all */

        assert_true(r->has_memory_limit && r->has_memory_reservation && r->has_memory_swap && r->has_memory_kernel &&
                    r->has_memory_kernel_tcp && r->has_memory_swappiness && r->has_disable_oom_killer &&
                    r->has_use_hierarchy && r->has_check_before_update);
        assert_int_equal(r->memory_limit, 1073741824);
        assert_int_equal(r->memory_reservation, 536870912);
        assert_int_equal(r->memory_swap, -1);
        assert_int_equal(r->memory_kernel, 5);
        assert_int_equal(r->memory_kernel_tcp, 6);
        assert_int_equal(r->memory_swappiness, 60);
        assert_true(r->disable_oom_killer);
        assert_false(r->use_hierarchy);
        assert_true(r->check_before_update);

        assert_true(r->has_cpu_shares && r->has_cpu_quota && r->has_cpu_period && r->has_cpu_burst &&
                    r->has_cpu_rt_runtime && r->has_cpu_rt_period && r->has_cpu_idle);
        assert_int_equal(r->cpu_shares, 1024);
        assert_int_equal(r->cpu_quota, -1);
        assert_int_equal(r->cpu_period, 100000);
        assert_int_equal(r->cpu_burst, 5);
        assert_int_equal(r->cpu_rt_runtime, 950);
        assert_int_equal(r->cpu_rt_period, 1000);
        assert_int_equal(r->cpu_idle, 1);
        assert_string_equal(r->cpu_cpus, "0-3");
        assert_string_equal(r->cpu_mems, "0");

        assert_true(r->has_pids_limit);
        assert_int_equal(r->pids_limit, -1);

        assert_true(r->has_blkio_weight && r->has_blkio_leaf_weight);
        assert_int_equal(r->blkio_weight, 500);
        assert_int_equal(r->blkio_leaf_weight, 300);
        assert_int_equal(r->n_blkio_weight_devices, 2);
        assert_true(r->blkio_weight_devices[0].has_weight);
        assert_false(r->blkio_weight_devices[0].has_leaf_weight);
        assert_int_equal(r->blkio_weight_devices[0].weight, 200);
        assert_int_equal(r->blkio_weight_devices[1].minor, 16);
        assert_int_equal(r->blkio_weight_devices[1].leaf_weight, 9);
        assert_int_equal(r->n_throttle_read_bps, 1);
        assert_int_equal(r->throttle_read_bps[0].rate, 1048576);
        assert_int_equal(r->throttle_write_bps[0].minor, 1);
        assert_int_equal(r->throttle_read_iops[0].rate, 3);
        assert_int_equal(r->n_throttle_write_iops, 2);
        assert_int_equal(r->throttle_write_iops[1].rate, 5);

        assert_int_equal(r->n_hugepage_limits, 2);
        assert_string_equal(r->hugepage_limits[0].page_size, "2MB");
        assert_int_equal(r->hugepage_limits[0].limit, 209715200);
        assert_string_equal(r->hugepage_limits[1].page_size, "1GB");

        assert_true(r->has_net_class_id);
        assert_int_equal(r->net_class_id, 1048577);
        assert_int_equal(r->n_net_priorities, 1);
        assert_string_equal(r->net_priorities[0].name, "eth0");
        assert_int_equal(r->net_priorities[0].priority, 500);

        assert_int_equal(r->n_rdma, 2);
        for (size_t i = 0; i < 2; i++) {
                if (strcmp(r->rdma[i].device, "mlx5_1") == 0) {
                        assert_true(r->rdma[i].has_hca_handles && r->rdma[i].has_hca_objects);
                        assert_int_equal(r->rdma[i].hca_handles, 3);
                        assert_int_equal(r->rdma[i].hca_objects, 10000);
                } else {
                        assert_string_equal(r->rdma[i].device, "mlx4_0");
                        assert_false(r->rdma[i].has_hca_handles);
                        assert_int_equal(r->rdma[i].hca_objects, 7);
                }
        }
        assert_int_equal(r->n_unified, 2);
        for (size_t i = 0; i < 2; i++)
                if (strcmp(r->unified[i].key, "io.max") == 0)
                        assert_string_equal(r->unified[i].value, "8:0 rbps=1\n8:16 wbps=2");
        oci_resources_free(r);

        /* Empty object: nothing set. */
        _cleanup_json_ struct json_object *empty = obj_of("{}");
        assert_int_equal(oci_resources_parse_json(empty, "", &r, &err), 0);
        assert_false(r->has_memory_limit || r->has_pids_limit || r->has_cpu_shares || r->has_blkio_weight);
        assert_int_equal(r->n_devices + r->n_unified + r->n_rdma, 0);
        oci_resources_free(r);
}

/* What Docker 20.10 writes into every container (daemon/oci_linux.go: shares and weight always present),
 * byte for byte the resources of `docker run busybox`: 0 means unset, as in crun and runc. */
static void test_docker_defaults_unset(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct oci_resources *r = NULL;
        _cleanup_json_ struct json_object *o =
            obj_of("{'devices': [{'allow': false, 'access': 'rwm'}], 'memory': {'disableOOMKiller': false},"
                   " 'cpu': {'shares': 0}, 'pids': {'limit': 0}, 'blockIO': {'weight': 0}}");
        assert_int_equal(oci_resources_parse_json(o, "linux.resources", &r, &err), 0);
        assert_false(r->has_cpu_shares);
        assert_false(r->has_blkio_weight);
        assert_true(r->has_disable_oom_killer);
        assert_false(r->disable_oom_killer);
        /* pids.limit 0 is a limit (spec), not "unset": Docker never writes it (it maps <= 0 to -1). */
        assert_true(r->has_pids_limit);
        assert_int_equal(r->pids_limit, 0);
        assert_int_equal(r->n_devices, 1);
        oci_resources_free(r);
}

/* Field by field: the value a client writes for "leave it to the kernel" parses as unset. */
static void test_zero_means_unset(void **state)
{
        (void)state;
        static const struct {
                const char *json;
                size_t offset; /* of the has_ flag that must stay false */
        } cases[] = {
            {"{'memory': {'limit': 0}}", offsetof(struct oci_resources, has_memory_limit)},
            {"{'memory': {'reservation': 0}}", offsetof(struct oci_resources, has_memory_reservation)},
            {"{'memory': {'swappiness': -1}}", offsetof(struct oci_resources, has_memory_swappiness)},
            {"{'memory': {'swappiness': 18446744073709551615}}", offsetof(struct oci_resources, has_memory_swappiness)},
            {"{'cpu': {'shares': 0}}", offsetof(struct oci_resources, has_cpu_shares)},
            {"{'cpu': {'quota': 0}}", offsetof(struct oci_resources, has_cpu_quota)},
            {"{'cpu': {'period': 0}}", offsetof(struct oci_resources, has_cpu_period)},
            {"{'cpu': {'realtimeRuntime': 0}}", offsetof(struct oci_resources, has_cpu_rt_runtime)},
            {"{'cpu': {'realtimePeriod': 0}}", offsetof(struct oci_resources, has_cpu_rt_period)},
            {"{'blockIO': {'weight': 0}}", offsetof(struct oci_resources, has_blkio_weight)},
            {"{'blockIO': {'leafWeight': 0}}", offsetof(struct oci_resources, has_blkio_leaf_weight)},
            {"{'network': {'classID': 0}}", offsetof(struct oci_resources, has_net_class_id)},
            {"{'pids': {}}", offsetof(struct oci_resources, has_pids_limit)},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_error_ struct error *err = NULL;
                struct oci_resources *r = NULL;
                _cleanup_json_ struct json_object *o = obj_of(cases[i].json);
                if (oci_resources_parse_json(o, "linux.resources", &r, &err) < 0)
                        fail_msg("%s: %s", cases[i].json, err->msg);
                if (*(bool *)((char *)r + cases[i].offset))
                        fail_msg("%s: parsed as set", cases[i].json);
                oci_resources_free(r);
        }
}

/* Weight devices with 0 weights (runc skips them) parse without writing anything; negative quota and
 * pids limits are "unlimited" (crun and runc write "max"). */
static void test_lenient_values(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct oci_resources *r = NULL;
        _cleanup_json_ struct json_object *o =
            obj_of("{'blockIO': {'weightDevice': [{'major': 8, 'minor': 0}, {'major': 8, 'minor': 16, 'weight': 0,"
                   " 'leafWeight': 0}, {'major': 8, 'minor': 32, 'weight': 0, 'leafWeight': 7}]},"
                   " 'cpu': {'quota': -5}, 'pids': {'limit': -3}, 'devices': [], 'hugepageLimits': [],"
                   " 'unified': {}, 'rdma': {}, 'network': {'priorities': []}}");
        assert_int_equal(oci_resources_parse_json(o, "linux.resources", &r, &err), 0);
        assert_int_equal(r->n_blkio_weight_devices, 3);
        assert_false(r->blkio_weight_devices[0].has_weight || r->blkio_weight_devices[0].has_leaf_weight);
        assert_false(r->blkio_weight_devices[1].has_weight || r->blkio_weight_devices[1].has_leaf_weight);
        assert_false(r->blkio_weight_devices[2].has_weight);
        assert_true(r->blkio_weight_devices[2].has_leaf_weight);
        assert_true(r->has_cpu_quota);
        assert_int_equal(r->cpu_quota, -1);
        assert_true(r->has_pids_limit);
        assert_int_equal(r->pids_limit, -1);
        assert_int_equal(r->n_devices + r->n_hugepage_limits + r->n_unified + r->n_rdma + r->n_net_priorities, 0);
        oci_resources_free(r);
}

static void test_resources_errors(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct oci_resources *r = (struct oci_resources *)0x1;
        /* The caller's path is the prefix; an empty path means the value is the document itself. */
        _cleanup_json_ struct json_object *o = obj_of("{'pids': {'limit': 'x'}}");
        assert_true(oci_resources_parse_json(o, "", &r, &err) < 0);
        assert_null(r);
        assert_string_equal(err->msg, "pids.limit: expected a 64-bit integer");
        assert_true(oci_resources_parse_json(o, "update", &r, &err) < 0);
        assert_string_equal(err->msg, "update.pids.limit: expected a 64-bit integer");
        assert_true(oci_resources_parse_json(NULL, "resources", &r, &err) < 0);
        assert_string_equal(err->msg, "resources: expected an object");
        _cleanup_json_ struct json_object *arr = json_object_new_array();
        assert_true(oci_resources_parse_json(arr, "resources", &r, &err) < 0);
        assert_string_equal(err->msg, "resources: expected an object");
        /* Partially parsed heap fields are freed on failure (checked under valgrind). */
        _cleanup_json_ struct json_object *late =
            obj_of("{'cpu': {'cpus': '0', 'mems': '0'}, 'hugepageLimits': [{'pageSize': '2MB', 'limit': 1}],"
                   " 'network': {'priorities': [{'name': 'a', 'priority': 1}]}, 'rdma': {'x': {'hcaHandles': 1}},"
                   " 'unified': {'a/b': 'x'}}");
        assert_true(oci_resources_parse_json(late, "r", &r, &err) < 0);
        assert_string_equal(err->msg, "r.unified.a/b: expected a cgroup file name (no \"/\")");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_resources_parse),       cmocka_unit_test(test_resources_errors),
            cmocka_unit_test(test_docker_defaults_unset), cmocka_unit_test(test_zero_means_unset),
            cmocka_unit_test(test_lenient_values),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
