/* The pure half of idmapped mounts: which mounts are idmapped and with what mapping (the mount's own
 * uidMappings/gidMappings, crun's idmap=uids=…;gids=… with `@` relative entries, or the container's user
 * namespace), every parse error, and the uid_map text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "linux/idmap.h"

/* Container mappings: uid 0 -> 0 (1), 1.. -> 2.. (1000); gid 0 -> 100000 (65536). */
static struct oci_id_mapping c_uids[] = {{0, 0, 1}, {1, 2, 1000}};
static struct oci_id_mapping c_gids[] = {{0, 100000, 65536}};
static const struct oci_linux container = {
    .uid_mappings = c_uids, .n_uid_mappings = 2, .gid_mappings = c_gids, .n_gid_mappings = 1};
static const struct oci_linux no_userns = {0};

static void expect_mapping(const struct oci_id_mapping *got, size_t n_got, const struct oci_id_mapping *want,
                           size_t n_want)
{
        assert_int_equal(n_got, n_want);
        for (size_t i = 0; i < n_want; i++) {
                assert_int_equal(got[i].container_id, want[i].container_id);
                assert_int_equal(got[i].host_id, want[i].host_id);
                assert_int_equal(got[i].size, want[i].size);
        }
}

/* Resolve a mount with `options` (NULL-terminated) and optional own mappings. */
static int resolve(char **options, const struct oci_linux *c, bool has_userns, struct oci_mount *m,
                   struct idmap_request *req, struct error **err)
{
        m->destination = "/data";
        m->source = "/src";
        m->options = options;
        _cleanup_mount_options_ struct mount_options o = {0};
        int r = mount_options_parse(options, &o, err);
        if (r < 0)
                return r;
        return idmap_request_resolve(m, &o, c, has_userns, req, err);
}

static void test_not_idmapped(void **state)
{
        (void)state;
        char *opts[] = {"rbind", "ro", NULL};
        struct oci_mount m = {0};
        struct idmap_request req;
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(resolve(opts, &container, true, &m, &req, &err), 0);
        assert_null(err);
        assert_null(req.uids);
}

static void test_container_userns(void **state)
{
        (void)state;
        struct oci_mount m = {0};
        struct idmap_request req;
        _cleanup_error_ struct error *err = NULL;

        char *idmap[] = {"bind", "idmap", NULL};
        assert_int_equal(resolve(idmap, &container, true, &m, &req, &err), 1);
        assert_true(req.use_container_userns);
        assert_false(req.clone_recursive);
        assert_false(req.idmap_recursive);
        assert_null(req.uids);

        char *ridmap[] = {"rbind", "ridmap", NULL};
        assert_int_equal(resolve(ridmap, &container, true, &m, &req, &err), 1);
        assert_true(req.clone_recursive);
        assert_true(req.idmap_recursive);

        /* idmap on an rbind: the submounts come along, but only the top is idmapped. */
        char *rbind_idmap[] = {"rbind", "idmap", NULL};
        assert_int_equal(resolve(rbind_idmap, &container, true, &m, &req, &err), 1);
        assert_true(req.clone_recursive);
        assert_false(req.idmap_recursive);
}

static void test_own_mappings(void **state)
{
        (void)state;
        struct oci_id_mapping u[] = {{0, 1000, 10}}, g[] = {{0, 2000, 10}, {10, 3000, 5}};
        struct oci_mount m = {.uid_mappings = u, .n_uid_mappings = 1, .gid_mappings = g, .n_gid_mappings = 2};
        struct idmap_request req;
        _cleanup_error_ struct error *err = NULL;

        /* runc's form: the mappings alone make a bind idmapped, recursively with rbind. */
        char *rbind[] = {"rbind", NULL};
        assert_int_equal(resolve(rbind, &no_userns, false, &m, &req, &err), 1);
        assert_false(req.use_container_userns);
        assert_true(req.idmap_recursive);
        expect_mapping(req.uids, req.n_uids, u, 1);
        expect_mapping(req.gids, req.n_gids, g, 2);
        idmap_request_free(&req);

        char *idmap[] = {"rbind", "idmap", NULL};
        assert_int_equal(resolve(idmap, &no_userns, false, &m, &req, &err), 1);
        assert_false(req.idmap_recursive);
        idmap_request_free(&req);

        char *both[] = {"bind", "idmap=uids=0-1-1", NULL};
        assert_true(resolve(both, &container, true, &m, &req, &err) < 0);
        assert_non_null(strstr(err->msg, "both give a mapping"));
}

static void test_option_mappings(void **state)
{
        (void)state;
        struct oci_mount m = {0};
        struct idmap_request req;
        _cleanup_error_ struct error *err = NULL;

        char *opts[] = {"bind", "idmap=uids=0-1000-10#10-5000-2;gids=0-2000-10", NULL};
        assert_int_equal(resolve(opts, &no_userns, false, &m, &req, &err), 1);
        assert_false(req.use_container_userns);
        struct oci_id_mapping wu[] = {{0, 1000, 10}, {10, 5000, 2}}, wg[] = {{0, 2000, 10}};
        expect_mapping(req.uids, req.n_uids, wu, 2);
        expect_mapping(req.gids, req.n_gids, wg, 1);
        idmap_request_free(&req);

        /* ridmap=…: recursive, custom mapping. */
        char *ropts[] = {"rbind", "ridmap=gids=0-7-1;uids=0-8-1", NULL};
        assert_int_equal(resolve(ropts, &no_userns, false, &m, &req, &err), 1);
        assert_true(req.idmap_recursive);
        assert_int_equal(req.uids[0].host_id, 8);
        assert_int_equal(req.gids[0].host_id, 7);
        idmap_request_free(&req);

        /* A missing side comes from the container's mapping. */
        char *only_uids[] = {"bind", "idmap=uids=0-1000-10", NULL};
        assert_int_equal(resolve(only_uids, &container, true, &m, &req, &err), 1);
        expect_mapping(req.gids, req.n_gids, c_gids, 1);
        idmap_request_free(&req);
}

static void test_relative(void **state)
{
        (void)state;
        struct idmap_request req = {0};
        _cleanup_error_ struct error *err = NULL;
        /* crun's example: @1-3-10 with container uid 1.. at host 2.. becomes 1-4-10. */
        assert_int_equal(idmap_parse_option("uids=@1-3-10;gids=@0-0-65536", &container, &req, &err), 0);
        struct oci_id_mapping wu[] = {{1, 4, 10}}, wg[] = {{0, 100000, 65536}};
        expect_mapping(req.uids, req.n_uids, wu, 1);
        expect_mapping(req.gids, req.n_gids, wg, 1);
        idmap_request_free(&req);

        /* Per entry: only the `@` ones are translated. */
        assert_int_equal(idmap_parse_option("uids=0-0-1#@1-1-5", &container, &req, &err), 0);
        struct oci_id_mapping wmix[] = {{0, 0, 1}, {1, 2, 5}};
        expect_mapping(req.uids, req.n_uids, wmix, 2);
        idmap_request_free(&req);
}

static void expect_parse_error(const char *value, const struct oci_linux *c, const char *needle)
{
        struct idmap_request req = {0};
        _cleanup_error_ struct error *err = NULL;
        int r = idmap_parse_option(value, c, &req, &err);
        idmap_request_free(&req);
        if (r >= 0)
                fail_msg("`%s` parsed", value);
        assert_non_null(err);
        if (!strstr(err->msg, needle))
                fail_msg("`%s`: message `%s` lacks `%s`", value, err->msg, needle);
}

static void test_parse_errors(void **state)
{
        (void)state;
        expect_parse_error("uids=0-1", &container, "expected [@]FROM-TO-SIZE");
        expect_parse_error("uids=0-1-", &container, "expected [@]FROM-TO-SIZE");
        expect_parse_error("uids=a-1-1", &container, "expected [@]FROM-TO-SIZE");
        expect_parse_error("uids=-1-1-1", &container, "expected [@]FROM-TO-SIZE");
        expect_parse_error("uids=0-1-1x", &container, "expected [@]FROM-TO-SIZE");
        expect_parse_error("uids=0:1:1", &container, "expected [@]FROM-TO-SIZE");
        expect_parse_error("uids=4294967296-1-1", &container, "expected [@]FROM-TO-SIZE");
        expect_parse_error("uids=0-1-0", &container, "at least 1");
        expect_parse_error("uids=4294967290-1-10", &container, "past the largest id");
        expect_parse_error("uids=0-4294967295-1", &container, "past the largest id");
        expect_parse_error("uids=", &container, "no entries");
        expect_parse_error("uids=#", &container, "no entries");
        expect_parse_error("users=0-1-1", &container, "expected uids=… or gids=…");
        expect_parse_error("uids=0-1-1;", &container, "expected uids=… or gids=…");
        expect_parse_error("uids=0-1-1;uids=0-2-1", &container, "uids= given twice");
        expect_parse_error("gids=0-1-1;gids=0-2-1", &container, "gids= given twice");
        /* `@`: outside every container entry, straddling two, or no container mapping at all. */
        expect_parse_error("uids=@0-2000-1", &container, "inside one entry of linux.uidMappings");
        expect_parse_error("uids=@0-0-2", &container, "inside one entry of linux.uidMappings");
        expect_parse_error("gids=@0-0-1", &no_userns, "inside one entry of linux.gidMappings");
}

static void test_entry_limit(void **state)
{
        (void)state;
        char value[341 * 24] = "uids=";
        size_t len = strlen(value);
        for (int i = 0; i < 341; i++)
                len += (size_t)snprintf(value + len, sizeof(value) - len, "%s%d-%d-1", i ? "#" : "", i, i + 1000);
        expect_parse_error(value, &container, "more than 340 entries");
        /* Exactly 340 are fine. */
        *strrchr(value, '#') = '\0';
        struct idmap_request req = {0};
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(idmap_parse_option(value, &container, &req, &err), 0);
        assert_int_equal(req.n_uids, 340);
        idmap_request_free(&req);
}

static void test_resolve_errors(void **state)
{
        (void)state;
        struct oci_mount m = {0};
        struct idmap_request req;
        _cleanup_error_ struct error *err = NULL;

        char *no_userns_opts[] = {"bind", "idmap", NULL};
        assert_true(resolve(no_userns_opts, &no_userns, false, &m, &req, &err) < 0);
        assert_non_null(strstr(err->msg, "linux.namespaces has no `user`"));

        char *not_bind[] = {"ridmap", NULL};
        assert_true(resolve(not_bind, &container, true, &m, &req, &err) < 0);
        assert_non_null(strstr(err->msg, "must be a bind mount"));

        char *no_gids[] = {"bind", "idmap=uids=0-1-1", NULL};
        assert_true(resolve(no_gids, &no_userns, false, &m, &req, &err) < 0);
        assert_non_null(strstr(err->msg, "no gids= and no linux.gidMappings"));

        char *bad[] = {"bind", "idmap=uids=0-1", NULL};
        assert_true(resolve(bad, &container, true, &m, &req, &err) < 0);
        assert_non_null(strstr(err->msg, "option `idmap=uids=0-1`: uids=: entry `0-1`"));
}

static void test_format_map(void **state)
{
        (void)state;
        struct oci_id_mapping m[] = {{0, 100000, 65536}, {65536, 4294967294u, 1}};
        char buf[64];
        assert_int_equal(idmap_format_map(m, 2, buf, sizeof(buf)), (int)strlen("0 100000 65536\n65536 4294967294 1\n"));
        assert_string_equal(buf, "0 100000 65536\n65536 4294967294 1\n");
        assert_int_equal(idmap_format_map(m, 0, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "");
        char small[16];
        assert_int_equal(idmap_format_map(m, 2, small, sizeof(small)), -E2BIG);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_not_idmapped), cmocka_unit_test(test_container_userns),
            cmocka_unit_test(test_own_mappings), cmocka_unit_test(test_option_mappings),
            cmocka_unit_test(test_relative),     cmocka_unit_test(test_parse_errors),
            cmocka_unit_test(test_entry_limit),  cmocka_unit_test(test_resolve_errors),
            cmocka_unit_test(test_format_map),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
