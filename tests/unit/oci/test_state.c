/* The state store's texts (src/oci/state_json.c): what is written reads back the same, and every damaged
 * or hostile state.json / teardown.json / annotations.json is refused by name instead of crashing a
 * reader or pointing `delete` somewhere else. JSON texts use ' for ". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "oci/state.h"

static char *dq(const char *s)
{
        char *t = strdup(s);
        for (char *p = t; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return t;
}

static struct container_state *parse_ok(const char *text)
{
        _cleanup_free_ char *t = dq(text);
        _cleanup_error_ struct error *err = NULL;
        struct container_state *st = NULL;
        if (state_parse("c1", t, &st, &err) < 0)
                fail_msg("%s: %s", t, err->msg);
        return st;
}

static void expect_refused(int (*parse)(const char *, const char *, struct container_state **, struct error **),
                           const char *text, const char *msg)
{
        _cleanup_free_ char *t = dq(text);
        _cleanup_error_ struct error *err = NULL;
        struct container_state *st = NULL;
        if (parse("c1", t, &st, &err) >= 0) {
                container_state_free(st);
                fail_msg("accepted: %s", t);
        }
        assert_null(st);
        if (!strstr(err->msg, msg))
                fail_msg("%s: got `%s`, expected `%s`", t, err->msg, msg);
}

static void test_round_trip(void **state)
{
        (void)state;
        char *keys[] = {"a", "b", NULL}, *values[] = {"1", "", NULL};
        struct container_state st = {.id = "c1",
                                     .pid = 42,
                                     .start_time = 123456789012ULL,
                                     .bundle = "/b",
                                     .rootfs = "/b/rootfs",
                                     .created = "2026-01-01T00:00:00.000000000Z",
                                     .owner = "root",
                                     .cgroup_manager = "cgroupfs",
                                     .cgroup_path = "/krun/c1",
                                     .executor = "krun",
                                     .has_pidns = true,
                                     .annotation_keys = keys,
                                     .annotation_values = values};
        _cleanup_free_ char *text = state_format(&st);
        assert_null(strstr(text, "annotations")); /* kept apart: state.json stays small */
        _cleanup_error_ struct error *err = NULL;
        struct container_state *back = NULL;
        assert_int_equal(state_parse("c1", text, &back, &err), 0);
        assert_int_equal(back->pid, 42);
        assert_true(back->start_time == 123456789012ULL);
        assert_string_equal(back->cgroup_path, "/krun/c1");
        assert_string_equal(back->executor, "krun");
        assert_string_equal(back->bundle, "/b");
        assert_true(back->has_pidns);
        _cleanup_free_ char *ann = state_annotations_format(&st);
        assert_int_equal(state_annotations_parse("c1", ann, back, &err), 0);
        assert_string_equal(back->annotation_keys[1], "b");
        assert_string_equal(back->annotation_values[1], "");
        assert_null(back->annotation_keys[2]);
        container_state_free(back);

        _cleanup_free_ char *td = state_teardown_format(&st);
        assert_null(strstr(td, "bundle"));
        assert_int_equal(state_teardown_parse("c1", td, &back, &err), 0);
        assert_int_equal(back->pid, 42);
        assert_string_equal(back->rootfs, "/b/rootfs");
        container_state_free(back);
}

static void test_absent_fields_are_absent(void **state)
{
        (void)state;
        struct container_state *st = parse_ok("{}");
        assert_int_equal(st->pid, 0);
        assert_null(st->cgroup_path);
        assert_null(st->annotation_keys);
        container_state_free(st);
        /* state.json of older versions carried the annotations: still read, values that are not strings
         * left out (the container must stay readable to be deleted) */
        st = parse_ok("{'pid': 7, 'annotations': {'a': null, 'b': 'c', 'd': 1}}");
        assert_int_equal(st->pid, 7);
        assert_string_equal(st->annotation_keys[0], "b");
        assert_string_equal(st->annotation_values[0], "c");
        assert_null(st->annotation_keys[1]);
        container_state_free(st);
}

static void test_damaged_text(void **state)
{
        (void)state;
        expect_refused(state_parse, "", "state.json is corrupt: empty");
        expect_refused(state_parse, "{'pid': 1, 'start_ti", "state.json is corrupt");
        expect_refused(state_parse, "[1, 2]", "state.json is corrupt: expected a JSON object");
        expect_refused(state_parse, "null", "state.json is corrupt");
        expect_refused(state_parse, "'x'", "expected a JSON object");
        expect_refused(state_teardown_parse, "\x01\x02garbage", "teardown.json is corrupt");
}

static void test_wrong_types_and_ranges(void **state)
{
        (void)state;
        expect_refused(state_parse, "{'pid': '1'}", "state.json: pid: expected an integer between 0 and 2147483647");
        expect_refused(state_parse, "{'pid': -1}", "pid: expected an integer");
        expect_refused(state_parse, "{'pid': 4294967297}", "pid: expected an integer");
        expect_refused(state_parse, "{'pid': 1.5}", "pid: expected an integer");
        expect_refused(state_parse, "{'start_time': -3}", "start_time: expected an integer");
        expect_refused(state_parse, "{'has_pidns': 'yes'}", "has_pidns: expected true or false");
        expect_refused(state_parse, "{'rootfs': null}", "rootfs: expected a string");
        expect_refused(state_parse, "{'bundle': ['x']}", "bundle: expected a string");
        expect_refused(state_parse, "{'owner': 3}", "owner: expected a string");
        expect_refused(state_parse, "{'executor': 'kr\\u0000un'}", "executor: contains a NUL byte");
        expect_refused(state_parse, "{'id': 'c2'}", "id: names another container");
        expect_refused(state_teardown_parse, "{'cgroup_manager': 'mine'}",
                       "teardown.json: cgroup_manager: expected cgroupfs, systemd or disabled");
}

static void test_paths_that_would_point_elsewhere(void **state)
{
        (void)state;
        expect_refused(state_parse, "{'rootfs': 'rel/rootfs'}", "rootfs: expected an absolute path");
        expect_refused(state_parse, "{'bundle': 'b'}", "bundle: expected an absolute path");
        const char *bad[] = {"/", "", "x/y", "/a/../../b", "/..", "//..//", "/a/.."};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char text[128];
                snprintf(text, sizeof(text), "{'cgroup_path': '%s'}", bad[i]);
                expect_refused(state_teardown_parse, text, "cgroup_path: expected an absolute path below");
        }
        struct container_state *st = parse_ok("{'cgroup_path': '/a/..b/c..'}");
        assert_string_equal(st->cgroup_path, "/a/..b/c..");
        container_state_free(st);
}

static void test_annotations(void **state)
{
        (void)state;
        struct container_state *st = parse_ok("{}");
        _cleanup_error_ struct error *err = NULL;
        const char *bad[][2] = {
            {"{'a': null}", "annotations.json: `a`: expected a string"},
            {"{'a': 'b', 'c': 1}", "`c`: expected a string"},
            {"{'a': {}}", "`a`: expected a string"},
            {"['a']", "annotations.json is corrupt: expected a JSON object"},
            {"", "annotations.json is corrupt: empty"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                _cleanup_free_ char *t = dq(bad[i][0]);
                assert_true(state_annotations_parse("c1", t, st, &err) < 0);
                if (!strstr(err->msg, bad[i][1]))
                        fail_msg("%s: %s", t, err->msg);
                assert_null(st->annotation_keys); /* nothing half-filled */
        }
        _cleanup_free_ char *ok = dq("{'x': 'y', 'z': ''}");
        assert_int_equal(state_annotations_parse("c1", ok, st, &err), 0);
        _cleanup_free_ char *json = state_to_json(st, STATUS_RUNNING, false);
        assert_non_null(strstr(json, "\"annotations\":{\"x\":\"y\",\"z\":\"\"}"));
        assert_non_null(strstr(json, "\"status\":\"running\""));
        container_state_free(st);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_round_trip),
            cmocka_unit_test(test_absent_fields_are_absent),
            cmocka_unit_test(test_damaged_text),
            cmocka_unit_test(test_wrong_types_and_ranges),
            cmocka_unit_test(test_paths_that_would_point_elsewhere),
            cmocka_unit_test(test_annotations),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
