/* The pure part of the LSM labels: the text and the attr files for "on exec" (the container's execve) and
 * "now" (the krun VMM, which never execs). This host has no LSM: the writes themselves are not tested. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "linux/lsm.h"

static void test_commands(void **state)
{
        (void)state;
        _cleanup_free_ char *a = lsm_attr_command(LSM_APPARMOR, LSM_ON_EXEC, "krun-default");
        _cleanup_free_ char *b = lsm_attr_command(LSM_APPARMOR, LSM_NOW, "krun-default");
        _cleanup_free_ char *c = lsm_attr_command(LSM_SELINUX, LSM_NOW, "system_u:system_r:container_t:s0");
        _cleanup_free_ char *d = lsm_apparmor_exec_command("p");
        assert_string_equal(a, "exec krun-default");
        assert_string_equal(b, "changeprofile krun-default");
        assert_string_equal(c, "system_u:system_r:container_t:s0");
        assert_string_equal(d, "exec p");
}

static void test_paths(void **state)
{
        (void)state;
        const char *const *p = lsm_attr_paths(LSM_APPARMOR, LSM_NOW);
        assert_string_equal(p[0], "/proc/thread-self/attr/apparmor/current");
        assert_string_equal(p[1], "/proc/thread-self/attr/current");
        assert_null(p[2]);
        p = lsm_attr_paths(LSM_APPARMOR, LSM_ON_EXEC);
        assert_string_equal(p[0], "/proc/thread-self/attr/apparmor/exec");
        assert_string_equal(p[1], "/proc/thread-self/attr/exec");
        p = lsm_attr_paths(LSM_SELINUX, LSM_NOW);
        assert_string_equal(p[0], "/proc/thread-self/attr/current");
        assert_null(p[1]);
        p = lsm_attr_paths(LSM_SELINUX, LSM_ON_EXEC);
        assert_string_equal(p[0], "/proc/thread-self/attr/exec");
        assert_null(p[1]);
}

int main(void)
{
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_commands), cmocka_unit_test(test_paths)};
        return cmocka_run_group_tests(tests, NULL, NULL);
}
