/* OCI resources -> cgroup files, value by value, for v1 and v2; every refusal; the v1 device lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgroup/internal.h"
#include "core/cleanup.h"

#define ALL 0xFFFFu

/* The writes as "file=value[|alt_file=alt_value][!flags]" lines joined by '\n'. */
static char *render(const struct oci_resources *r, int version, unsigned mask)
{
        struct cgroup_writes w;
        _cleanup_error_ struct error *err = NULL;
        if (cgroup_resources_translate(r, version, mask, &w, &err) < 0)
                fail_msg("translate v%d: %s", version, err->msg);
        size_t cap = 4096, len = 0;
        char *s = calloc(1, cap);
        for (size_t i = 0; i < w.n; i++) {
                len += (size_t)snprintf(s + len, cap - len, "%s%s=%s", i ? "\n" : "", w.w[i].file, w.w[i].value);
                if (w.w[i].alt_file)
                        len += (size_t)snprintf(s + len, cap - len, "|%s=%s", w.w[i].alt_file, w.w[i].alt_value);
                if (w.w[i].flags)
                        len += (size_t)snprintf(s + len, cap - len, "!%u", w.w[i].flags);
                assert_non_null(w.w[i].what);
        }
        cgroup_writes_clear(&w);
        return s;
}

static void expect(const struct oci_resources *r, int version, const char *want)
{
        _cleanup_free_ char *got = render(r, version, ALL);
        assert_string_equal(got, want);
}

static void refused(const struct oci_resources *r, int version, const char *needle)
{
        struct cgroup_writes w;
        _cleanup_error_ struct error *err = NULL;
        assert_true(cgroup_resources_translate(r, version, ALL, &w, &err) < 0);
        assert_non_null(err);
        if (!strstr(err->msg, needle))
                fail_msg("error `%s` does not contain `%s`", err->msg, needle);
        assert_null(w.w);
        assert_int_equal(w.n, 0);
}

static void test_empty(void **state)
{
        (void)state;
        struct oci_resources r = {0};
        expect(&r, 1, "");
        expect(&r, 2, "");
        expect(NULL, 2, "");
        assert_int_equal(cgroup_resources_controllers(&r), 0);
        assert_int_equal(cgroup_resources_controllers(NULL), 0);
}

static void test_memory(void **state)
{
        (void)state;
        struct oci_resources r = {.has_memory_limit = true,
                                  .memory_limit = 1048576,
                                  .has_memory_reservation = true,
                                  .memory_reservation = 524288,
                                  .has_memory_swap = true,
                                  .memory_swap = 3145728};
        expect(&r, 1,
               "memory.limit_in_bytes=1048576!2\nmemory.memsw.limit_in_bytes=3145728\n"
               "memory.soft_limit_in_bytes=524288");
        expect(&r, 2, "memory.max=1048576\nmemory.low=524288\nmemory.swap.max=2097152");

        /* -1 = unlimited: "max" on v2, -1 on v1; unlimited limit without swap => swap max (runc) */
        r = (struct oci_resources){.has_memory_limit = true, .memory_limit = -1};
        expect(&r, 1, "memory.limit_in_bytes=-1");
        expect(&r, 2, "memory.max=max\nmemory.swap.max=max!1");
        r.has_memory_swap = true;
        r.memory_swap = -1;
        expect(&r, 1, "memory.limit_in_bytes=-1!2\nmemory.memsw.limit_in_bytes=-1");
        expect(&r, 2, "memory.max=max\nmemory.swap.max=max");

        /* swap 0: unset on v1 (runc), "no swap" on v2 (crun) */
        r = (struct oci_resources){.has_memory_limit = true, .memory_limit = 4096, .has_memory_swap = true};
        expect(&r, 1, "memory.limit_in_bytes=4096");
        expect(&r, 2, "memory.max=4096\nmemory.swap.max=0");
        /* swap == limit: no swap at all on v2 */
        r.memory_swap = 4096;
        expect(&r, 2, "memory.max=4096\nmemory.swap.max=0");

        r = (struct oci_resources){.has_memory_reservation = true, .memory_reservation = -1};
        expect(&r, 1, "memory.soft_limit_in_bytes=-1");
        expect(&r, 2, "memory.low=max");

        r = (struct oci_resources){.has_memory_swappiness = true,
                                   .memory_swappiness = 60,
                                   .has_disable_oom_killer = true,
                                   .disable_oom_killer = true,
                                   .has_use_hierarchy = true,
                                   .use_hierarchy = true};
        expect(&r, 1, "memory.swappiness=60\nmemory.oom_control=1\nmemory.use_hierarchy=1");
        expect(&r, 2, ""); /* no v2 file: ignored, as runc does */
        r.disable_oom_killer = false;
        r.use_hierarchy = false;
        expect(&r, 2, "");
        r.has_memory_swappiness = false;
        expect(&r, 1, "memory.oom_control=0\nmemory.use_hierarchy=0");

        r = (struct oci_resources){.has_memory_swappiness = true, .memory_swappiness = 101};
        refused(&r, 1, "memory.swappiness: 101 is out of range");

        /* the kernel memory limit is ignored (runc), never written; kernelTCP goes to v1's file where the
         * kernel still has it (CGW_IF_EXISTS), and v2 has none */
        r = (struct oci_resources){.has_memory_kernel = true, .memory_kernel = 1 << 20};
        expect(&r, 1, "");
        expect(&r, 2, "");
        r = (struct oci_resources){.has_memory_kernel_tcp = true, .memory_kernel_tcp = 1 << 20};
        expect(&r, 1, "memory.kmem.tcp.limit_in_bytes=1048576!1");
        expect(&r, 2, "");
        r.memory_kernel_tcp = -1;
        expect(&r, 1, "memory.kmem.tcp.limit_in_bytes=-1!1");

        r = (struct oci_resources){.has_memory_limit = true,
                                   .memory_limit = 8192,
                                   .has_check_before_update = true,
                                   .check_before_update = true};
        expect(&r, 1, "memory.limit_in_bytes=8192!4");
        expect(&r, 2, "memory.max=8192!4");
}

static void test_memory_swap_errors(void **state)
{
        (void)state;
        struct oci_resources r = {
            .has_memory_limit = true, .memory_limit = 8192, .has_memory_swap = true, .memory_swap = 4096};
        refused(&r, 1, "memory.swap: 4096 is below memory.limit 8192");
        refused(&r, 2, "memory.swap: 4096 is below memory.limit 8192");
        r = (struct oci_resources){.has_memory_swap = true, .memory_swap = 4096};
        refused(&r, 2, "without memory.limit");
        expect(&r, 1, "memory.memsw.limit_in_bytes=4096");
        r.has_memory_limit = true;
        r.memory_limit = -1;
        refused(&r, 2, "without memory.limit");
}

static void test_cpu(void **state)
{
        (void)state;
        struct oci_resources r = {.has_cpu_shares = true,
                                  .cpu_shares = 1024,
                                  .has_cpu_quota = true,
                                  .cpu_quota = 50000,
                                  .has_cpu_period = true,
                                  .cpu_period = 200000,
                                  .has_cpu_burst = true,
                                  .cpu_burst = 1000,
                                  .has_cpu_idle = true,
                                  .cpu_idle = 1};
        expect(&r, 1,
               "cpu.shares=1024\ncpu.cfs_period_us=200000\ncpu.cfs_quota_us=50000\ncpu.cfs_burst_us=1000\n"
               "cpu.idle=1");
        expect(&r, 2, "cpu.weight=100\ncpu.max=50000 200000\ncpu.max.burst=1000\ncpu.idle=1");

        r = (struct oci_resources){.has_cpu_quota = true, .cpu_quota = -1};
        expect(&r, 1, "cpu.cfs_quota_us=-1");
        expect(&r, 2, "cpu.max=max 100000");
        r = (struct oci_resources){.has_cpu_quota = true, .cpu_quota = 25000};
        expect(&r, 2, "cpu.max=25000 100000");
        r = (struct oci_resources){.has_cpu_period = true, .cpu_period = 50000};
        expect(&r, 1, "cpu.cfs_period_us=50000");
        expect(&r, 2, "cpu.max=max 50000");
        /* shares 0 = unset on v2 */
        r = (struct oci_resources){.has_cpu_shares = true, .cpu_shares = 0};
        expect(&r, 2, "");
        r.cpu_shares = 2;
        expect(&r, 2, "cpu.weight=1");
        expect(&r, 1, "cpu.shares=2");

        r = (struct oci_resources){
            .has_cpu_rt_period = true, .cpu_rt_period = 1000000, .has_cpu_rt_runtime = true, .cpu_rt_runtime = 950000};
        expect(&r, 1, "cpu.rt_period_us=1000000\ncpu.rt_runtime_us=950000");
        expect(&r, 2, ""); /* no v2 file: ignored, as runc does */

        r = (struct oci_resources){.cpu_cpus = "0-1", .cpu_mems = "0"};
        expect(&r, 1, "cpuset.cpus=0-1\ncpuset.mems=0");
        expect(&r, 2, "cpuset.cpus=0-1\ncpuset.mems=0");
        r.cpu_cpus = "";
        expect(&r, 2, "cpuset.mems=0");
}

static void test_shares_to_weight(void **state)
{
        (void)state;
        static const uint64_t table[][2] = {
            /* reference values from the formula in Python: ceil(10 ** ((l*l + 125*l) / 612 - 7/34)) */
            {0, 0},      {1, 1},      {2, 1},          {3, 2},          {512, 59},        {1024, 100},
            {2048, 174}, {4096, 303}, {262143, 10000}, {262144, 10000}, {1000000, 10000},
        };
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
                if (cgroup_shares_to_weight(table[i][0]) != table[i][1])
                        fail_msg("shares %" PRIu64 ": weight %" PRIu64 ", expected %" PRIu64, table[i][0],
                                 cgroup_shares_to_weight(table[i][0]), table[i][1]);
}

static void test_pids(void **state)
{
        (void)state;
        struct oci_resources r = {.has_pids_limit = true, .pids_limit = 42};
        expect(&r, 1, "pids.max=42");
        expect(&r, 2, "pids.max=42");
        r.pids_limit = -1;
        expect(&r, 1, "pids.max=max");
        expect(&r, 2, "pids.max=max");
        r.pids_limit = 0; /* valid per spec (crun skips it) */
        expect(&r, 1, "pids.max=0");
        expect(&r, 2, "pids.max=0");
        r.pids_limit = -2;
        refused(&r, 2, "pids.limit: -2 is invalid");
}

static void test_blkio(void **state)
{
        (void)state;
        struct oci_weight_device wd[] = {{8, 0, true, true, 300, 200}};
        struct oci_throttle_device rb[] = {{8, 0, 1048576}}, wb[] = {{8, 16, 2097152}}, ri[] = {{8, 0, 100}},
                                   wi[] = {{8, 0, 200}};
        struct oci_resources r = {.has_blkio_weight = true,
                                  .blkio_weight = 500,
                                  .has_blkio_leaf_weight = true,
                                  .blkio_leaf_weight = 400,
                                  .blkio_weight_devices = wd,
                                  .n_blkio_weight_devices = 1,
                                  .throttle_read_bps = rb,
                                  .n_throttle_read_bps = 1,
                                  .throttle_write_bps = wb,
                                  .n_throttle_write_bps = 1,
                                  .throttle_read_iops = ri,
                                  .n_throttle_read_iops = 1,
                                  .throttle_write_iops = wi,
                                  .n_throttle_write_iops = 1};
        expect(&r, 1,
               "blkio.weight=500|blkio.bfq.weight=500\nblkio.leaf_weight=400\n"
               "blkio.weight_device=8:0 300|blkio.bfq.weight_device=8:0 300\nblkio.leaf_weight_device=8:0 200\n"
               "blkio.throttle.read_bps_device=8:0 1048576\nblkio.throttle.write_bps_device=8:16 2097152\n"
               "blkio.throttle.read_iops_device=8:0 100\nblkio.throttle.write_iops_device=8:0 200");
        /* leaf weights have no v2 file: ignored, as runc does */
        expect(&r, 2,
               "io.bfq.weight=500|io.weight=4950\nio.bfq.weight=8:0 300|io.weight=8:0 2930\n"
               "io.max=8:0 rbps=1048576\nio.max=8:16 wbps=2097152\nio.max=8:0 riops=100\nio.max=8:0 wiops=200");

        r = (struct oci_resources){.has_blkio_weight = true, .blkio_weight = 5};
        refused(&r, 1, "blockIO.weight: 5 is out of range");
        r.blkio_weight = 1001;
        refused(&r, 2, "blockIO.weight: 1001 is out of range");

        assert_int_equal(cgroup_blkio_to_io_weight(10), 1);
        assert_int_equal(cgroup_blkio_to_io_weight(1000), 10000);
        assert_int_equal(cgroup_blkio_to_io_weight(500), 4950);
        assert_int_equal(cgroup_blkio_to_io_weight(100), 910); /* 1 + 90*9999/990 */
        assert_int_equal(cgroup_blkio_to_io_weight(0), 0);
}

static void test_hugetlb(void **state)
{
        (void)state;
        struct oci_hugepage_limit h[] = {{"2MB", 4194304}, {"1GB", 0}, {"2048KB", 1}, {"64KB", 65536}};
        struct oci_resources r = {.hugepage_limits = h, .n_hugepage_limits = 4};
        expect(&r, 1,
               "hugetlb.2MB.limit_in_bytes=4194304\nhugetlb.2MB.rsvd.limit_in_bytes=4194304!1\n"
               "hugetlb.1GB.limit_in_bytes=0\nhugetlb.1GB.rsvd.limit_in_bytes=0!1\n"
               "hugetlb.2MB.limit_in_bytes=1\nhugetlb.2MB.rsvd.limit_in_bytes=1!1\n"
               "hugetlb.64KB.limit_in_bytes=65536\nhugetlb.64KB.rsvd.limit_in_bytes=65536!1");
        r.n_hugepage_limits = 1;
        expect(&r, 2, "hugetlb.2MB.max=4194304\nhugetlb.2MB.rsvd.max=4194304!1");

        static const char *const bad[] = {"2M", "02MB", "2mb", "MB", "2TB", "2MBB", "", "99999999999999999999GB"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct oci_hugepage_limit b = {(char *)bad[i], 1};
                r = (struct oci_resources){.hugepage_limits = &b, .n_hugepage_limits = 1};
                refused(&r, 2, "hugepageLimits[0].pageSize: invalid");
        }
        uint64_t bytes;
        assert_int_equal(cgroup_hugepage_size("2MB", &bytes), 0);
        assert_int_equal(bytes, 2u << 20);
        assert_int_equal(cgroup_hugepage_size("1GB", &bytes), 0);
        assert_int_equal(bytes, 1u << 30);
        assert_int_equal(cgroup_hugepage_size(NULL, &bytes), -1);
}

static void test_network_rdma(void **state)
{
        (void)state;
        struct oci_net_priority p[] = {{"eth0", 5}, {"lo", 2}};
        struct oci_resources r = {
            .has_net_class_id = true, .net_class_id = 0x100001, .net_priorities = p, .n_net_priorities = 2};
        expect(&r, 1, "net_cls.classid=1048577\nnet_prio.ifpriomap=eth0 5\nnet_prio.ifpriomap=lo 2");
        expect(&r, 2, ""); /* no net_cls/net_prio on v2: ignored, as runc does */
        /* only the controllers asked for */
        _cleanup_free_ char *s = render(&r, 1, 1u << CG_NET_PRIO);
        assert_string_equal(s, "net_prio.ifpriomap=eth0 5\nnet_prio.ifpriomap=lo 2");

        struct oci_rdma_limit l[] = {{"mlx5_0", true, true, 3, 10}, {"mlx4_0", false, true, 0, 7}};
        r = (struct oci_resources){.rdma = l, .n_rdma = 2};
        expect(&r, 1, "rdma.max=mlx5_0 hca_handle=3 hca_object=10\nrdma.max=mlx4_0 hca_object=7");
        expect(&r, 2, "rdma.max=mlx5_0 hca_handle=3 hca_object=10\nrdma.max=mlx4_0 hca_object=7");
        l[1].has_hca_objects = false;
        refused(&r, 2, "rdma.mlx4_0: expected hcaHandles");
}

static void test_mask_and_controllers(void **state)
{
        (void)state;
        struct oci_hugepage_limit h[] = {{"2MB", 1}};
        struct oci_device_rule d[] = {{false, 'a', -1, -1, "rwm"}};
        struct oci_resources r = {.has_memory_limit = true,
                                  .memory_limit = 1,
                                  .has_pids_limit = true,
                                  .pids_limit = 1,
                                  .hugepage_limits = h,
                                  .n_hugepage_limits = 1,
                                  .devices = d,
                                  .n_devices = 1,
                                  .cpu_mems = "0"};
        assert_int_equal(cgroup_resources_controllers(&r), (1u << CG_MEMORY) | (1u << CG_PIDS) | (1u << CG_HUGETLB) |
                                                               (1u << CG_DEVICES) | (1u << CG_CPUSET));
        /* hybrid: memory and pids on v1, hugetlb in the unified hierarchy */
        _cleanup_free_ char *a = render(&r, 1, (1u << CG_MEMORY) | (1u << CG_PIDS));
        assert_string_equal(a, "memory.limit_in_bytes=1\npids.max=1");
        _cleanup_free_ char *b = render(&r, 2, 1u << CG_HUGETLB);
        assert_string_equal(b, "hugetlb.2MB.max=1\nhugetlb.2MB.rsvd.max=1!1");
        /* v2 refusals only matter for the controllers v2 handles */
        r.has_cpu_rt_runtime = true;
        _cleanup_free_ char *c = render(&r, 2, 1u << CG_PIDS);
        assert_string_equal(c, "pids.max=1");
        assert_string_equal(cgroup_ctrl_name(CG_BLKIO, 1), "blkio");
        assert_string_equal(cgroup_ctrl_name(CG_BLKIO, 2), "io");
        assert_null(cgroup_ctrl_name(CG_NET_CLS, 2));
        assert_null(cgroup_ctrl_name(CG_CTRL_COUNT, 1));
}

static void test_unified_keys(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(cgroup_unified_check("memory.high", &err), 0);
        assert_int_equal(cgroup_unified_check("cgroup.max.depth", &err), 0);
        assert_int_equal(cgroup_unified_check("io.max", &err), 0);
        static const char *const bad[] = {"memoryhigh", "../memory.max", "a/b.c", ".hidden", "", NULL};
        for (size_t i = 0; bad[i]; i++) {
                assert_true(cgroup_unified_check(bad[i], &err) < 0);
                assert_non_null(strstr(err->msg, "linux.resources.unified: invalid key"));
                error_free(&err);
        }
        assert_true(cgroup_unified_check(NULL, &err) < 0);
}

static void test_devices_v1(void **state)
{
        (void)state;
        struct oci_device_rule d[] = {{false, 'a', -1, -1, "rwm"}, {true, 'c', 10, 229, "rw"}, {true, 'b', 8, -1, "r"}};
        _cleanup_strv_ char **files = NULL, **lines = NULL;
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(cgroup_devices_v1(d, 3, &files, &lines, &err), 0);
        static const char *const want[][2] = {
            {"devices.deny", "a *:* rwm"},  {"devices.allow", "c 10:229 rw"},  {"devices.allow", "b 8:* r"},
            {"devices.allow", "c *:* m"},   {"devices.allow", "b *:* m"},      {"devices.allow", "c 1:3 rwm"},
            {"devices.allow", "c 1:8 rwm"}, {"devices.allow", "c 1:7 rwm"},    {"devices.allow", "c 5:0 rwm"},
            {"devices.allow", "c 1:5 rwm"}, {"devices.allow", "c 1:9 rwm"},    {"devices.allow", "c 136:* rwm"},
            {"devices.allow", "c 5:2 rwm"}, {"devices.allow", "c 10:200 rwm"}, {"devices.allow", "c 5:1 rwm"},
        };
        size_t n = 0;
        for (; files[n]; n++) {
                assert_true(n < sizeof(want) / sizeof(want[0]));
                assert_string_equal(files[n], want[n][0]);
                assert_string_equal(lines[n], want[n][1]);
        }
        assert_int_equal(n, sizeof(want) / sizeof(want[0]));
        assert_null(lines[n]);

        /* Without a leading deny-all of its own, the list is still cleared first. */
        _cleanup_strv_ char **f2 = NULL, **l2 = NULL;
        assert_int_equal(cgroup_devices_v1(&d[1], 1, &f2, &l2, &err), 0);
        assert_string_equal(f2[0], "devices.deny");
        assert_string_equal(l2[0], "a *:* rwm");
        assert_string_equal(l2[1], "c 10:229 rw");
        assert_string_equal(l2[2], "c *:* m");

        struct oci_device_rule bad1 = {true, 'x', 1, 1, "r"}, bad2 = {true, 'c', 1, 1, ""},
                               bad3 = {true, 'c', 1, 1, "rx"};
        char **f = NULL, **l = NULL;
        assert_true(cgroup_devices_v1(&bad1, 1, &f, &l, &err) < 0);
        assert_non_null(strstr(err->msg, "devices[0].type: invalid `x`"));
        assert_true(cgroup_devices_v1(&bad2, 1, &f, &l, &err) < 0);
        assert_non_null(strstr(err->msg, "devices[0].access"));
        assert_true(cgroup_devices_v1(&bad3, 1, &f, &l, &err) < 0);
        assert_non_null(strstr(err->msg, "`rx`"));
        assert_null(f);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_empty),
            cmocka_unit_test(test_memory),
            cmocka_unit_test(test_memory_swap_errors),
            cmocka_unit_test(test_cpu),
            cmocka_unit_test(test_shares_to_weight),
            cmocka_unit_test(test_pids),
            cmocka_unit_test(test_blkio),
            cmocka_unit_test(test_hugetlb),
            cmocka_unit_test(test_network_rdma),
            cmocka_unit_test(test_mask_and_controllers),
            cmocka_unit_test(test_unified_keys),
            cmocka_unit_test(test_devices_v1),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
