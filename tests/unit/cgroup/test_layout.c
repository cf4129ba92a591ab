/* Layout detection from mountinfo fixtures (pure v1, pure v2, hybrid), /proc/<pid>/cgroup parsing,
 * cgroupsPath resolution and the systemd "slice:prefix:name" form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "core/cleanup.h"

/* This development host, verbatim. */
static const char hybrid[] = "22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
                             "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
                             "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
                             "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
                             "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
                             "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                             "35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
                             "36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
                             "37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
                             "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
                             "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
                             "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* A systemd v1 host (Debian 10 style): combined hierarchies, optional fields, extra options, no cgroup2. */
static const char v1[] =
    "25 18 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
    "27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup "
    "rw,xattr,name=systemd,release_agent=/lib/systemd/systemd-cgroups-agent\n"
    "31 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "32 25 0:30 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid shared:15 - cgroup cgroup rw,net_cls,net_prio\n"
    "33 25 0:31 / /sys/fs/cgroup/memory rw,nosuid shared:16 - cgroup cgroup rw,memory\n"
    "34 25 0:32 / /sys/fs/cgroup/cpuset rw,nosuid shared:17 - cgroup cgroup rw,cpuset,clone_children\n"
    /* the same memory hierarchy bind-mounted somewhere else: the first mount wins */
    "90 60 0:31 /x /mnt/mem rw,nosuid shared:16 - cgroup cgroup rw,memory\n";

static const char v2[] = "24 18 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
                         "rw,nsdelegate,memory_recursiveprot\n"
                         /* a stray v1 mount elsewhere does not make it hybrid */
                         "80 24 0:40 / /mnt/cg1 rw - cgroup cgroup rw,name=test\n";

static void parse(const char *text, struct cgroup_layout *l)
{
        _cleanup_error_ struct error *err = NULL;
        int r = cgroup_layout_parse(text, "/sys/fs/cgroup", l, &err);
        if (r < 0)
                fail_msg("cgroup_layout_parse: %s", err->msg);
}

static void test_hybrid(void **state)
{
        (void)state;
        struct cgroup_layout l;
        parse(hybrid, &l);
        assert_int_equal(l.mode, CGROUP_MODE_HYBRID);
        assert_string_equal(l.unified, "/sys/fs/cgroup/unified");
        assert_int_equal(l.n_v1, 9);
        assert_string_equal(l.v1[0].mount, "/sys/fs/cgroup/cpu");
        assert_string_equal(l.v1[0].controllers, "cpu");
        assert_string_equal(cgroup_layout_v1(&l, "memory")->mount, "/sys/fs/cgroup/memory");
        assert_string_equal(cgroup_layout_v1(&l, "name=systemd")->mount, "/sys/fs/cgroup/systemd");
        assert_string_equal(cgroup_layout_v1(&l, "freezer")->mount, "/sys/fs/cgroup/freezer");
        assert_null(cgroup_layout_v1(&l, "hugetlb"));
        assert_null(cgroup_layout_v1(&l, "net_cls"));
        cgroup_layout_clear(&l);
        assert_null(l.v1);
}

/* A layout kept from create for the delete of `run`: an independent deep copy, controllers list included. */
static void test_layout_copy(void **state)
{
        (void)state;
        struct cgroup_layout l, c;
        parse(hybrid, &l);
        l.unified_controllers = strdup("hugetlb rdma\n");
        assert_int_equal(cgroup_layout_copy(&l, &c), 0);
        cgroup_layout_clear(&l);
        assert_int_equal(c.mode, CGROUP_MODE_HYBRID);
        assert_string_equal(c.unified, "/sys/fs/cgroup/unified");
        assert_string_equal(c.unified_controllers, "hugetlb rdma\n");
        assert_int_equal(c.n_v1, 9);
        assert_string_equal(cgroup_layout_v1(&c, "name=systemd")->mount, "/sys/fs/cgroup/systemd");
        cgroup_layout_clear(&c);

        parse(v1, &l);
        assert_int_equal(cgroup_layout_copy(&l, &c), 0);
        assert_null(c.unified);
        assert_null(c.unified_controllers);
        assert_int_equal(c.n_v1, 5);
        assert_string_equal(c.v1[1].controllers, l.v1[1].controllers);
        assert_ptr_not_equal(c.v1[1].controllers, l.v1[1].controllers);
        cgroup_layout_clear(&l);
        cgroup_layout_clear(&c);
}

/* A tmpfs mounted over the unified hierarchy hides it (how bench/start_latency.py shows Debian's crun a
 * pure v1 host): the layout must be v1, not hybrid with a mount point that holds no cgroup2. */
static void test_overmounted_unified(void **state)
{
        (void)state;
        char text[sizeof(hybrid) + 128];
        snprintf(text, sizeof(text), "%s%s", hybrid,
                 "99 40 0:50 / /sys/fs/cgroup/unified rw - tmpfs bench rw,size=4k\n");
        struct cgroup_layout l;
        parse(text, &l);
        assert_int_equal(l.mode, CGROUP_MODE_V1);
        assert_null(l.unified);
        assert_int_equal(l.n_v1, 9);
        cgroup_layout_clear(&l);
}

static void test_v1(void **state)
{
        (void)state;
        struct cgroup_layout l;
        parse(v1, &l);
        assert_int_equal(l.mode, CGROUP_MODE_V1);
        assert_null(l.unified);
        assert_int_equal(l.n_v1, 5);
        assert_string_equal(l.v1[0].controllers, "name=systemd");
        assert_string_equal(cgroup_layout_v1(&l, "cpu")->mount, "/sys/fs/cgroup/cpu,cpuacct");
        assert_string_equal(cgroup_layout_v1(&l, "cpuacct")->controllers, "cpu,cpuacct");
        assert_string_equal(cgroup_layout_v1(&l, "net_prio")->mount, "/sys/fs/cgroup/net_cls,net_prio");
        assert_string_equal(cgroup_layout_v1(&l, "cpuset")->controllers, "cpuset");
        assert_string_equal(cgroup_layout_v1(&l, "memory")->mount, "/sys/fs/cgroup/memory");
        assert_null(cgroup_layout_v1(&l, "cpu,cpuacct"));
        cgroup_layout_clear(&l);
}

static void test_v2(void **state)
{
        (void)state;
        struct cgroup_layout l;
        parse(v2, &l);
        assert_int_equal(l.mode, CGROUP_MODE_V2);
        assert_string_equal(l.unified, "/sys/fs/cgroup");
        assert_int_equal(l.n_v1, 0);
        cgroup_layout_clear(&l);

        /* cgroup2 only somewhere else, no v1: still a v2 host. */
        parse("1 0 0:1 / /mnt/cg rw - cgroup2 none rw\n", &l);
        assert_int_equal(l.mode, CGROUP_MODE_V2);
        assert_string_equal(l.unified, "/mnt/cg");
        cgroup_layout_clear(&l);
}

static void test_escaped_and_malformed(void **state)
{
        (void)state;
        struct cgroup_layout l;
        parse("garbage line\n\n1 0 0:1 / /mnt/a\\040b rw - cgroup cgroup rw,pids\nshort - cgroup\n", &l);
        assert_int_equal(l.mode, CGROUP_MODE_V1);
        assert_int_equal(l.n_v1, 1);
        assert_string_equal(l.v1[0].mount, "/mnt/a b");
        cgroup_layout_clear(&l);

        _cleanup_error_ struct error *err = NULL;
        assert_true(cgroup_layout_parse("1 0 0:1 / /proc rw - proc proc rw\n", "/sys/fs/cgroup", &l, &err) < 0);
        assert_non_null(strstr(err->msg, "no cgroup"));
        error_free(&err);
        assert_true(cgroup_layout_parse("", "/sys/fs/cgroup", &l, &err) < 0);
}

static void test_detect_this_host(void **state)
{
        (void)state;
        struct cgroup_layout l;
        _cleanup_error_ struct error *err = NULL;
        if (cgroup_layout_detect(&l, &err) < 0)
                skip();
        assert_true(l.mode == CGROUP_MODE_V1 || l.mode == CGROUP_MODE_V2 || l.mode == CGROUP_MODE_HYBRID);
        cgroup_layout_clear(&l);
}

static void test_lists(void **state)
{
        (void)state;
        assert_true(cgroup_list_has("cpu,cpuacct", "cpu"));
        assert_true(cgroup_list_has("cpu,cpuacct", "cpuacct"));
        assert_false(cgroup_list_has("cpuacct", "cpu"));
        assert_false(cgroup_list_has("", "cpu"));
        assert_true(cgroup_word_has("cpuset cpu io memory hugetlb pids\n", "hugetlb"));
        assert_true(cgroup_word_has("cpuset cpu io memory hugetlb pids\n", "pids"));
        assert_false(cgroup_word_has("cpuset cpu", "cpus"));
        assert_false(cgroup_word_has(NULL, "cpu"));
}

static void test_proc_cgroup(void **state)
{
        (void)state;
        const char *text = "9:name=systemd:/user.slice\n4:memory:/process_api/4a3f\n2:cpu,cpuacct:/a\n0::/x/y\n";
        char *p = cgroup_proc_path(text, "memory");
        assert_string_equal(p, "/process_api/4a3f");
        free(p);
        p = cgroup_proc_path(text, "cpuacct");
        assert_string_equal(p, "/a");
        free(p);
        p = cgroup_proc_path(text, "name=systemd");
        assert_string_equal(p, "/user.slice");
        free(p);
        p = cgroup_proc_path(text, "");
        assert_string_equal(p, "/x/y");
        free(p);
        assert_null(cgroup_proc_path(text, "pids"));
        assert_null(cgroup_proc_path("4:memory:/m\n", ""));
}

static void resolves(const char *id, const char *in, const char *want)
{
        _cleanup_error_ struct error *err = NULL;
        _cleanup_free_ char *out = NULL;
        if (cgroup_resolve_path(id, in, &out, &err) < 0)
                fail_msg("resolve %s: %s", in ? in : "(null)", err->msg);
        assert_string_equal(out, want);
}

/* Flat keyed files: cgroup.events (freezer), memory.oom_control and memory.events (OOM kills). */
static void test_keyed_value(void **state)
{
        (void)state;
        unsigned long long v = 99;
        assert_int_equal(cgroup_keyed_value("populated 1\nfrozen 1\n", "frozen", &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(cgroup_keyed_value("populated 1\nfrozen 0\n", "frozen", &v), 0);
        assert_int_equal(v, 0);
        /* v1 memory.oom_control; "oom_kill_disable" must not match "oom_kill". */
        const char *oom = "oom_kill_disable 1\nunder_oom 0\noom_kill 3\n";
        assert_int_equal(cgroup_keyed_value(oom, "oom_kill", &v), 0);
        assert_int_equal(v, 3);
        /* v2 memory.events: "oom_kill" next to "oom" and "oom_group_kill"; no trailing newline. */
        const char *ev = "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0";
        assert_int_equal(cgroup_keyed_value(ev, "oom_kill", &v), 0);
        assert_int_equal(v, 2);
        assert_int_equal(cgroup_keyed_value(ev, "oom", &v), 0);
        assert_int_equal(v, 2);
        assert_int_equal(cgroup_keyed_value(ev, "frozen", &v), -1);
        assert_int_equal(cgroup_keyed_value("frozen x\n", "frozen", &v), -1);
        assert_int_equal(cgroup_keyed_value("frozen 1x\n", "frozen", &v), -1);
        assert_int_equal(cgroup_keyed_value("frozen\n", "frozen", &v), -1);
        assert_int_equal(cgroup_keyed_value("", "frozen", &v), -1);
}

static void test_resolve_path(void **state)
{
        (void)state;
        resolves("c1", NULL, "/c1");
        resolves("c1", "", "/c1");
        resolves("c1", "/krun/c1", "/krun/c1");
        resolves("c1", "relative/x", "/relative/x");
        resolves("c1", "//a///b/./c/", "/a/b/c");
        resolves("c1", "machine.slice:libpod:c1", "/machine.slice:libpod:c1");

        _cleanup_error_ struct error *err = NULL;
        char *out = NULL;
        assert_true(cgroup_resolve_path("c1", "/a/../../etc", &out, &err) < 0);
        assert_non_null(strstr(err->msg, "linux.cgroupsPath"));
        assert_non_null(strstr(err->msg, ".."));
        error_free(&err);
        assert_true(cgroup_resolve_path("c1", "/", &out, &err) < 0);
        assert_non_null(strstr(err->msg, "root cgroup"));
        error_free(&err);
        assert_true(cgroup_resolve_path("..", NULL, &out, &err) < 0);
        assert_null(out);
}

static void test_systemd_split(void **state)
{
        (void)state;
        char *s, *p, *n;
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(cgroup_systemd_split("machine.slice:libpod:abc", &s, &p, &n, &err), 0);
        assert_string_equal(s, "machine.slice");
        assert_string_equal(p, "libpod");
        assert_string_equal(n, "abc");
        free(s), free(p), free(n);
        assert_int_equal(cgroup_systemd_split(":krun:abc", &s, &p, &n, &err), 0);
        assert_string_equal(s, "");
        free(s), free(p), free(n);
        static const char *const bad[] = {"abc", "a:b", "a:b:c:d", "/a/b:c:d", "a:b:", NULL};
        for (size_t i = 0; bad[i]; i++) {
                assert_true(cgroup_systemd_split(bad[i], &s, &p, &n, &err) < 0);
                assert_non_null(strstr(err->msg, "slice:prefix:name"));
                error_free(&err);
        }
}

static void test_driver_names(void **state)
{
        (void)state;
        assert_string_equal(cgroup_driver_name(CGROUP_DRIVER_CGROUPFS), "cgroupfs");
        assert_string_equal(cgroup_driver_name(CGROUP_DRIVER_SYSTEMD), "systemd");
        assert_string_equal(cgroup_driver_name(CGROUP_DRIVER_DISABLED), "disabled");
        assert_int_equal(cgroup_driver_from_name("cgroupfs"), CGROUP_DRIVER_CGROUPFS);
        assert_int_equal(cgroup_driver_from_name("systemd"), CGROUP_DRIVER_SYSTEMD);
        assert_int_equal(cgroup_driver_from_name("disabled"), CGROUP_DRIVER_DISABLED);
        assert_int_equal(cgroup_driver_from_name("cgroupfs2"), -1);
        assert_int_equal(cgroup_driver_from_name(NULL), -1);

        struct cgroup_handle h = {CGROUP_DRIVER_SYSTEMD, strdup("/a"), strdup("x.scope")};
        cgroup_handle_clear(&h);
        assert_null(h.path);
        assert_null(h.scope);
        cgroup_handle_clear(&h);
}

static void test_disabled_driver(void **state)
{
        (void)state;
        struct cgroup_create_args a = {.driver = CGROUP_DRIVER_DISABLED, .id = "c1", .pid = 1};
        struct cgroup_handle h;
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(cgroup_create(&a, &h, &err), 0);
        assert_null(h.path);
        assert_int_equal(h.driver, CGROUP_DRIVER_DISABLED);
        assert_int_equal(cgroup_destroy(&h, &err), 0);
        assert_int_equal(cgroup_is_frozen(&h), -1);
        assert_int_equal(cgroup_enter(&h, 1, NULL, &err), 0);
        assert_true(cgroup_freeze(&h, true, &err) < 0);
        error_free(&err);
        assert_true(cgroup_update(&h, NULL, &err) < 0);
        assert_non_null(strstr(err->msg, "without cgroups"));
        error_free(&err);
        pid_t *pids;
        size_t n;
        assert_true(cgroup_pids(&h, &pids, &n, &err) < 0);
        assert_int_equal(n, 0);
}

static void test_systemd_not_pid1(void **state)
{
        (void)state;
        if (access("/run/systemd/system", F_OK) == 0)
                skip();
        struct cgroup_create_args a = {.driver = CGROUP_DRIVER_SYSTEMD, .id = "c1", .pid = 1};
        struct cgroup_handle h;
        _cleanup_error_ struct error *err = NULL;
        assert_true(cgroup_create(&a, &h, &err) < 0);
        assert_string_equal(err->msg,
                            "systemd cgroup driver: systemd is not running as PID 1 (use --cgroup-manager=cgroupfs)");
        assert_null(h.path);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_hybrid),
            cmocka_unit_test(test_overmounted_unified),
            cmocka_unit_test(test_v1),
            cmocka_unit_test(test_v2),
            cmocka_unit_test(test_escaped_and_malformed),
            cmocka_unit_test(test_detect_this_host),
            cmocka_unit_test(test_layout_copy),
            cmocka_unit_test(test_lists),
            cmocka_unit_test(test_proc_cgroup),
            cmocka_unit_test(test_keyed_value),
            cmocka_unit_test(test_resolve_path),
            cmocka_unit_test(test_systemd_split),
            cmocka_unit_test(test_driver_names),
            cmocka_unit_test(test_disabled_driver),
            cmocka_unit_test(test_systemd_not_pid1),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
