/* linux.sysctl namespace rules (oci-config.md §9) and key -> /proc/sys path translation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "linux/sysctl.h"

static void expect_path(const char *key, const char *want)
{
        _cleanup_free_ char *p = sysctl_key_to_path(key);
        if (!want) {
                assert_null(p);
                return;
        }
        assert_non_null(p);
        assert_string_equal(p, want);
}

static void test_paths(void **state)
{
        (void)state;
        expect_path("net.ipv4.ip_forward", "net/ipv4/ip_forward");
        expect_path("kernel.shmmax", "kernel/shmmax");
        expect_path("net/ipv4/conf/eth0.100/forwarding", "net/ipv4/conf/eth0.100/forwarding");
        expect_path("fs.mqueue.msg_max", "fs/mqueue/msg_max");
        expect_path("", NULL);
        expect_path(NULL, NULL);
        expect_path("/net/ipv4/ip_forward", NULL);
        expect_path(".net", NULL);
        expect_path("net..ipv4", NULL);
        expect_path("net/../../etc/passwd", NULL);
        expect_path("net/./ipv4", NULL);
        expect_path("net.ipv4.", NULL);
        expect_path("net/ipv4/", NULL);
}

static void expect_ok(const char *key, const char *value, const struct sysctl_namespaces *ns)
{
        _cleanup_error_ struct error *err = NULL;
        if (sysctl_check(key, value, ns, &err) < 0)
                fail_msg("%s refused: %s", key, err->msg);
}

static void expect_refused(const char *key, const char *value, const struct sysctl_namespaces *ns,
                           const char *substring)
{
        _cleanup_error_ struct error *err = NULL;
        assert_true(sysctl_check(key, value, ns, &err) < 0);
        assert_int_equal(err->errnum, EINVAL);
        if (!strstr(err->msg, substring))
                fail_msg("error `%s` lacks `%s`", err->msg, substring);
}

static void test_ipc(void **state)
{
        (void)state;
        static const char *const keys[] = {"kernel.msgmax",        "kernel.msgmnb",          "kernel.msgmni",
                                           "kernel.sem",           "kernel.shmall",          "kernel.shmmax",
                                           "kernel.shmmni",        "kernel.shm_rmid_forced", "fs.mqueue.msg_max",
                                           "fs/mqueue/queues_max", "kernel/shmmax"};
        struct sysctl_namespaces with = {.has_ipcns = true},
                                 without = {.has_netns = true, .has_utsns = true, .has_userns = true};
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                expect_ok(keys[i], "1", &with);
                expect_refused(keys[i], "1", &without, "no IPC namespace of its own");
        }
        expect_refused("kernel.shmmax", "1", &without, "linux.sysctl.kernel.shmmax: ");
        /* Look-alikes are not IPC keys. */
        expect_refused("kernel.shm", "1", &with, "is not namespaced");
        expect_refused("fs.mqueue", "1", &with, "is not namespaced");
}

static void test_net(void **state)
{
        (void)state;
        struct sysctl_namespaces with = {.has_netns = true}, without = {.has_ipcns = true, .has_utsns = true};
        expect_ok("net.ipv4.ip_forward", "1", &with);
        expect_ok("net/ipv4/conf/eth0.100/forwarding", "1", &with);
        expect_refused("net.ipv4.ip_forward", "1", &without,
                       "linux.sysctl.net.ipv4.ip_forward: the container has no network namespace of its own");
        expect_refused("network.x", "1", &with, "is not namespaced");
}

static void test_uts_and_user(void **state)
{
        (void)state;
        struct sysctl_namespaces uts = {.has_utsns = true}, none = {0};
        expect_ok("kernel.domainname", "example.org", &uts);
        expect_refused("kernel.domainname", "example.org", &none, "no UTS namespace of its own");
        struct sysctl_namespaces uts_named = {.has_utsns = true, .domainname = "other.org"};
        expect_refused("kernel.domainname", "example.org", &uts_named, "conflicts with domainname `other.org`");
        expect_ok("kernel.domainname", "other.org", &uts_named);
        expect_refused("kernel.hostname", "h", &uts, "conflicts with `hostname`");
        expect_refused("kernel/hostname", "h", &uts, "conflicts with `hostname`");

        struct sysctl_namespaces user = {.has_userns = true};
        expect_ok("user.max_user_namespaces", "10", &user);
        expect_refused("user.max_user_namespaces", "10", &none, "no user namespace of its own");
}

static void test_not_namespaced(void **state)
{
        (void)state;
        struct sysctl_namespaces all = {.has_ipcns = true, .has_netns = true, .has_utsns = true, .has_userns = true};
        expect_refused("kernel.pid_max", "1", &all, "linux.sysctl.kernel.pid_max: is not namespaced");
        expect_refused("vm.swappiness", "1", &all, "is not namespaced");
        expect_refused("fs.file-max", "1", &all, "is not namespaced");
        expect_refused("net/../kernel/pid_max", "1", &all, "linux.sysctl: invalid key `net/../kernel/pid_max`");
}

static void test_apply_checks_all_first(void **state)
{
        (void)state;
        /* The second entry is refused: nothing may be written, so the first (which would need a real
         * /proc/sys write) must never be attempted. An unwritable first key proves it. */
        struct oci_kv kv[2] = {{"net.ipv4.no_such_key_krun", "1"}, {"kernel.pid_max", "1"}};
        struct sysctl_namespaces ns = {.has_netns = true};
        _cleanup_error_ struct error *err = NULL;
        assert_true(sysctl_apply(kv, 2, &ns, &err) < 0);
        assert_non_null(strstr(err->msg, "kernel.pid_max: is not namespaced"));
        error_free(&err);
        assert_true(sysctl_apply(kv, 1, &ns, &err) < 0);
        assert_non_null(
            strstr(err->msg, "linux.sysctl.net.ipv4.no_such_key_krun: open `/proc/sys/net/ipv4/no_such_key_krun`"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_paths),
            cmocka_unit_test(test_ipc),
            cmocka_unit_test(test_net),
            cmocka_unit_test(test_uts_and_user),
            cmocka_unit_test(test_not_namespaced),
            cmocka_unit_test(test_apply_checks_all_first),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
