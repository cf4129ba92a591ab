/* mount_entry: the options of a mounts[] entry (its own, or crun's defaults for its destination when it
 * has none) and its bind source as a host path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "linux/mount_entry.h"

static void test_own_options(void **state)
{
        (void)state;
        char *opts[] = {"rbind", "ro", "size=1k", NULL};
        struct oci_mount m = {.destination = "/dev/shm", .options = opts};
        _cleanup_mount_options_ struct mount_options o = {0};
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(mount_entry_options(&m, &o, &err), 0);
        /* The entry's own options replace the defaults of its destination, they are not added to them. */
        assert_true(o.is_bind && o.is_rbind);
        assert_true(o.flags & MS_RDONLY);
        assert_false(o.flags & MS_NOEXEC);
        assert_string_equal(o.data, "size=1k");
}

static void test_default_options(void **state)
{
        (void)state;
        struct oci_mount m = {.destination = "/dev/shm", .type = "tmpfs"};
        _cleanup_mount_options_ struct mount_options o = {0};
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(mount_entry_options(&m, &o, &err), 0);
        assert_true((o.flags & (MS_NOEXEC | MS_NOSUID | MS_NODEV)) == (MS_NOEXEC | MS_NOSUID | MS_NODEV));
        assert_string_equal(o.data, "mode=1777,size=65536k");

        struct oci_mount plain = {.destination = "/data"};
        _cleanup_mount_options_ struct mount_options none = {0};
        assert_int_equal(mount_entry_options(&plain, &none, &err), 0);
        assert_int_equal(none.flags, 0);
        assert_null(none.data);
        assert_false(none.is_bind);
}

static void test_bad_option(void **state)
{
        (void)state;
        char *opts[] = {"idmap=", NULL};
        struct oci_mount m = {.destination = "/data", .options = opts};
        _cleanup_mount_options_ struct mount_options o = {0};
        _cleanup_error_ struct error *err = NULL;
        assert_true(mount_entry_options(&m, &o, &err) < 0);
        assert_non_null(err);
}

static void test_bind_source(void **state)
{
        (void)state;
        const struct {
                const char *source, *want;
        } cases[] = {
            {"/host/dir", "/host/dir"},
            {"rel/dir", "/bundle/rel/dir"},
            {"./x", "/bundle/./x"},
            {"../up", "/bundle/../up"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *p = mount_bind_source("/bundle", cases[i].source);
                assert_non_null(p);
                assert_string_equal(p, cases[i].want);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_own_options),
            cmocka_unit_test(test_default_options),
            cmocka_unit_test(test_bad_option),
            cmocka_unit_test(test_bind_source),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
