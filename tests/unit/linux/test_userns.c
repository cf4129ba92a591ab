/* The pure half of src/linux/userns.h: rootless detection from the uid_map text, the default mapping a
 * user namespace gets when the config has none, which maps need newuidmap, and the helper's argv. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "linux/userns.h"

static void test_initial_map(void **state)
{
        (void)state;
        /* The kernel pads the columns; the initial namespace has exactly this one line. */
        assert_true(userns_map_is_initial("         0          0 4294967295\n"));
        assert_true(userns_map_is_initial("0 0 4294967295"));
        /* podman's namespace: root is the user, the rest from /etc/subuid. */
        assert_false(userns_map_is_initial("         0       1000          1\n         1     100000      65536\n"));
        assert_false(userns_map_is_initial("0 0 4294967295\n1 1 1\n"));
        assert_false(userns_map_is_initial("0 0 4294967294\n"));
        assert_false(userns_map_is_initial("0 1000 4294967295\n"));
        assert_false(userns_map_is_initial(""));
        assert_false(userns_map_is_initial("garbage"));
}

static void test_is_rootless(void **state)
{
        (void)state;
        const char *initial = "         0          0 4294967295\n";
        const char *podman = "         0       1000          1\n         1     100000      65536\n";
        assert_false(userns_is_rootless(0, initial));
        /* euid 0 inside podman's user namespace is rootless: host root is out of reach. */
        assert_true(userns_is_rootless(0, podman));
        assert_true(userns_is_rootless(1000, initial));
        assert_true(userns_is_rootless(1000, podman));
        /* Without /proc, the euid decides. */
        assert_false(userns_is_rootless(0, NULL));
        assert_true(userns_is_rootless(1000, NULL));
}

static struct oci_namespace ns_new_user[] = {{.type = NS_MOUNT}, {.type = NS_USER}};
static struct oci_namespace ns_joined_user[] = {{.type = NS_MOUNT}, {.type = NS_USER, .path = "/proc/1/ns/user"}};
static struct oci_namespace ns_no_user[] = {{.type = NS_MOUNT}, {.type = NS_PID}};

static void free_maps(struct oci_linux *l)
{
        free(l->uid_mappings);
        free(l->gid_mappings);
}

static void test_default_mappings_filled(void **state)
{
        (void)state;
        struct oci_linux l = {.namespaces = ns_new_user, .n_namespaces = 2};
        struct error *err = NULL;
        assert_int_equal(userns_fill_default_mappings(&l, 1001, 1002, &err), 1);
        assert_int_equal(l.n_uid_mappings, 1);
        assert_int_equal(l.uid_mappings[0].container_id, 0);
        assert_int_equal(l.uid_mappings[0].host_id, 1001);
        assert_int_equal(l.uid_mappings[0].size, 1);
        assert_int_equal(l.n_gid_mappings, 1);
        assert_int_equal(l.gid_mappings[0].container_id, 0);
        assert_int_equal(l.gid_mappings[0].host_id, 1002);
        assert_int_equal(l.gid_mappings[0].size, 1);
        free_maps(&l);
}

static void test_default_mappings_left_alone(void **state)
{
        (void)state;
        struct error *err = NULL;
        /* The config's own mappings win. */
        struct oci_id_mapping uids[] = {{0, 100000, 65536}}, gids[] = {{0, 100000, 65536}};
        struct oci_linux given = {.namespaces = ns_new_user,
                                  .n_namespaces = 2,
                                  .uid_mappings = uids,
                                  .n_uid_mappings = 1,
                                  .gid_mappings = gids,
                                  .n_gid_mappings = 1};
        assert_int_equal(userns_fill_default_mappings(&given, 1001, 1001, &err), 0);
        assert_ptr_equal(given.uid_mappings, uids);
        assert_int_equal(given.uid_mappings[0].host_id, 100000);
        /* A joined user namespace already has its maps; no user namespace needs none. */
        struct oci_linux joined = {.namespaces = ns_joined_user, .n_namespaces = 2};
        assert_int_equal(userns_fill_default_mappings(&joined, 1001, 1001, &err), 0);
        assert_null(joined.uid_mappings);
        struct oci_linux none = {.namespaces = ns_no_user, .n_namespaces = 2};
        assert_int_equal(userns_fill_default_mappings(&none, 1001, 1001, &err), 0);
        assert_null(none.uid_mappings);
        assert_int_equal(none.n_gid_mappings, 0);
}

static void test_own_id(void **state)
{
        (void)state;
        struct oci_id_mapping own[] = {{0, 1001, 1}};
        struct oci_id_mapping other[] = {{0, 1002, 1}};
        struct oci_id_mapping wide[] = {{0, 1001, 2}};
        struct oci_id_mapping two[] = {{0, 1001, 1}, {1, 100000, 65536}};
        assert_true(userns_map_is_own_id(own, 1, 1001));
        assert_false(userns_map_is_own_id(other, 1, 1001));
        assert_false(userns_map_is_own_id(wide, 1, 1001));
        assert_false(userns_map_is_own_id(two, 2, 1001));
        assert_false(userns_map_is_own_id(own, 0, 1001));
        /* Which container id the own id appears as does not matter to the kernel. */
        struct oci_id_mapping shifted[] = {{1000, 1001, 1}};
        assert_true(userns_map_is_own_id(shifted, 1, 1001));
}

static void test_helper_argv(void **state)
{
        (void)state;
        struct oci_id_mapping m[] = {{0, 1001, 1}, {1, 100000, 65536}};
        _cleanup_strv_ char **argv = userns_helper_argv("newuidmap", 4242, m, 2);
        assert_non_null(argv);
        const char *want[] = {"newuidmap", "4242", "0", "1001", "1", "1", "100000", "65536", NULL};
        for (size_t i = 0; want[i]; i++)
                assert_string_equal(argv[i], want[i]);
        assert_null(argv[8]);
        _cleanup_strv_ char **empty = userns_helper_argv("newgidmap", 1, NULL, 0);
        assert_non_null(empty);
        assert_string_equal(empty[0], "newgidmap");
        assert_string_equal(empty[1], "1");
        assert_null(empty[2]);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_initial_map),
            cmocka_unit_test(test_is_rootless),
            cmocka_unit_test(test_default_mappings_filled),
            cmocka_unit_test(test_default_mappings_left_alone),
            cmocka_unit_test(test_own_id),
            cmocka_unit_test(test_helper_argv),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
