/* The namespace table (src/oci/namespaces.c): the config.json names, the kernel's flags and /proc entries,
 * and the join order every namespace user reads from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sched.h>

#include <cmocka.h>

#include "oci/namespaces.h"

static void test_names_round_trip(void **state)
{
        (void)state;
        static const char *const names[NS_COUNT] = {
            [NS_MOUNT] = "mount", [NS_PID] = "pid",   [NS_NET] = "network",   [NS_IPC] = "ipc",
            [NS_UTS] = "uts",     [NS_USER] = "user", [NS_CGROUP] = "cgroup", [NS_TIME] = "time",
        };
        for (int t = 0; t < NS_COUNT; t++) {
                assert_string_equal(oci_ns_type_name((enum oci_ns_type)t), names[t]);
                assert_int_equal(oci_ns_type_from_name(names[t]), t);
        }
        assert_null(oci_ns_type_name(NS_COUNT));
        assert_null(oci_ns_type_name((enum oci_ns_type) - 1));
        assert_null(oci_ns_info(NS_COUNT));
        /* The /proc names are not config.json names. */
        assert_int_equal(oci_ns_type_from_name("net"), -1);
        assert_int_equal(oci_ns_type_from_name("mnt"), -1);
        assert_int_equal(oci_ns_type_from_name(""), -1);
        assert_int_equal(oci_ns_type_from_name(NULL), -1);
}

static void test_kernel_facts(void **state)
{
        (void)state;
        static const struct {
                enum oci_ns_type type;
                unsigned long flag;
                const char *proc, *proc_children;
        } want[] = {
            {NS_MOUNT, CLONE_NEWNS, "mnt", "mnt"},
            {NS_PID, CLONE_NEWPID, "pid", "pid_for_children"},
            {NS_NET, CLONE_NEWNET, "net", "net"},
            {NS_IPC, CLONE_NEWIPC, "ipc", "ipc"},
            {NS_UTS, CLONE_NEWUTS, "uts", "uts"},
            {NS_USER, CLONE_NEWUSER, "user", "user"},
            {NS_CGROUP, CLONE_NEWCGROUP, "cgroup", "cgroup"},
            {NS_TIME, 0x00000080, "time", "time_for_children"}, /* CLONE_NEWTIME, Linux 5.6 */
        };
        assert_int_equal(sizeof(want) / sizeof(want[0]), NS_COUNT);
        unsigned long seen = 0;
        for (size_t i = 0; i < NS_COUNT; i++) {
                const struct oci_ns_info *info = oci_ns_info(want[i].type);
                assert_non_null(info);
                assert_int_equal(info->flag, want[i].flag);
                assert_string_equal(info->proc_name, want[i].proc);
                assert_string_equal(info->proc_children_name, want[i].proc_children);
                /* one bit each, no two types alike: the flags are OR-ed into one clone/unshare mask */
                assert_int_equal(__builtin_popcountl(info->flag), 1);
                assert_int_equal(seen & info->flag, 0);
                seen |= info->flag;
        }
}

static void test_join_order(void **state)
{
        (void)state;
        bool seen[NS_COUNT] = {false};
        for (int i = 0; i < NS_COUNT; i++) {
                enum oci_ns_type t = oci_ns_join_order[i];
                assert_in_range(t, 0, NS_COUNT - 1);
                assert_false(seen[t]);
                seen[t] = true;
        }
        /* Entering the mount namespace changes root and cwd: it must come after every other one. */
        assert_int_equal(oci_ns_join_order[NS_COUNT - 1], NS_MOUNT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_names_round_trip),
            cmocka_unit_test(test_kernel_facts),
            cmocka_unit_test(test_join_order),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
