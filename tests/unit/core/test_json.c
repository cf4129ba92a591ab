/* core/json: document parsing errors (with line and column), path building, and the typed getters at
 * the edges of their ranges. JSON texts use ' for " to stay readable. */
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

static char *q(const char *s)
{
        char *d = strdup(s);
        for (char *p = d; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return d;
}

static struct json_object *parse(const char *text)
{
        _cleanup_free_ char *t = q(text);
        _cleanup_error_ struct error *err = NULL;
        struct json_object *o = NULL;
        if (json_parse_object(t, strlen(t), &o, &err) < 0)
                fail_msg("parse %s: %s", text, err->msg);
        return o;
}

static void parse_fails(const char *text, size_t len, const char *want)
{
        _cleanup_error_ struct error *err = NULL;
        struct json_object *o = (struct json_object *)0x1;
        assert_true(json_parse_object(text, len, &o, &err) < 0);
        assert_null(o);
        assert_non_null(err);
        if (strcmp(err->msg, want) != 0)
                fail_msg("%s: got \"%s\", want \"%s\"", text, err->msg, want);
}

static void test_parse_errors(void **state)
{
        (void)state;
        parse_fails("", 0, "invalid JSON at line 1, column 1: unexpected end of input");
        parse_fails("{", 1, "invalid JSON at line 1, column 2: unexpected end of input");
        parse_fails("{\n  \"a\": [1,2,}", 15, "invalid JSON at line 2, column 13: unexpected character");
        parse_fails("{} x", 4, "invalid JSON at line 1, column 4: unexpected character");
        parse_fails("{\"a\": 'x'}", 10, "invalid JSON at line 1, column 7: unexpected character");
        parse_fails("{\"a\": 1,}", 9, "invalid JSON at line 1, column 9: unexpected character");
        parse_fails("[]", 2, "expected a JSON object at the top level");
        parse_fails("\"x\"", 3, "expected a JSON object at the top level");
        /* Bytes after an embedded NUL are not ignored. */
        parse_fails("{}\0x", 4, "invalid JSON at line 1, column 3: unexpected data after the document");
}

#define UTF8_FAILS(text, want) parse_fails(text, sizeof(text) - 1, want)

/* Invalid UTF-8 anywhere (a value, an array element, a nested member name) names its JSON path; the bad
 * bytes themselves never reach the message. Valid multi-byte text and \u escapes pass. */
static void test_parse_utf8(void **state)
{
        (void)state;
        UTF8_FAILS("{\"a\": \"\xff\"}", "a: invalid UTF-8 (JSON strings must be UTF-8)");
        UTF8_FAILS("{\"p\": {\"env\": [\"A=1\", \"B=\xc3\x28\"]}}",
                   "p.env[1]: invalid UTF-8 (JSON strings must be UTF-8)");
        UTF8_FAILS("{\"ann\": {\"k\xed\xa0\x80\": \"v\"}}", "ann: a member name is invalid UTF-8 (JSON must be UTF-8)");
        UTF8_FAILS("{\"\xc0\x80\": 1}", "a member name is invalid UTF-8 (JSON must be UTF-8)");
        UTF8_FAILS("{\"a\": [[{\"b\": [\"ok\", \"\xf4\x90\x80\x80\"]}]]}",
                   "a[0][0].b[1]: invalid UTF-8 (JSON strings must be UTF-8)");
        _cleanup_json_ struct json_object *o = parse("{'\xe2\x82\xac': ['\xf0\x9f\x98\x80', '\\u00e9\\ud83d\\ude00']}");
        assert_non_null(json_member(o, "\xe2\x82\xac"));
}

static void test_parse_ok(void **state)
{
        (void)state;
        _cleanup_json_ struct json_object *o = parse(" {'a': 1} \n\t");
        assert_non_null(json_member(o, "a"));
        assert_null(json_member(o, "b"));
        _cleanup_json_ struct json_object *n = parse("{'a': null}");
        assert_null(json_member(n, "a"));
        assert_null(json_member(NULL, "a"));
}

static void test_paths(void **state)
{
        (void)state;
        _cleanup_free_ char *a = json_path_key(NULL, "x");
        _cleanup_free_ char *b = json_path_key("", "x");
        _cleanup_free_ char *c = json_path_key("a.b", "x");
        _cleanup_free_ char *d = json_path_key("a", NULL);
        _cleanup_free_ char *e = json_path_index("a.b", 3);
        assert_string_equal(a, "x");
        assert_string_equal(b, "x");
        assert_string_equal(c, "a.b.x");
        assert_string_equal(d, "a");
        assert_string_equal(e, "a.b[3]");

        _cleanup_error_ struct error *err = NULL;
        assert_true(json_error(&err, "a", "b", "bad %d", 7) < 0);
        assert_string_equal(err->msg, "a.b: bad 7");
        assert_true(json_error(&err, "", NULL, "top") < 0);
        assert_string_equal(err->msg, "top");
        assert_true(json_error_missing(&err, "p", "k") < 0);
        assert_string_equal(err->msg, "p.k: required field is missing");
}

/* Runs one getter on {'v': <value>} and checks success or the exact message. */
enum kind { K_I64, K_U64, K_U32, K_U16, K_RANGE, K_BOOL, K_STRING, K_STRV, K_STRV_NE, K_OBJECT, K_ARRAY };

static int get(struct json_object *o, enum kind k, struct error **err)
{
        int64_t i64;
        uint64_t u64;
        uint32_t u32;
        uint16_t u16;
        bool b;
        struct json_object *sub;
        size_t n;
        _cleanup_free_ char *s = NULL;
        _cleanup_strv_ char **v = NULL;
        switch (k) {
        case K_I64:
                return json_get_int64(o, "p", "v", &i64, err);
        case K_U64:
                return json_get_uint64(o, "p", "v", &u64, err);
        case K_U32:
                return json_get_uint32(o, "p", "v", &u32, err);
        case K_U16:
                return json_get_uint16(o, "p", "v", &u16, err);
        case K_RANGE:
                return json_get_int_range(o, "p", "v", -5, 5, &i64, err);
        case K_BOOL:
                return json_get_bool(o, "p", "v", &b, err);
        case K_STRING:
                return json_get_string(o, "p", "v", &s, err);
        case K_STRV:
                return json_get_strv(o, "p", "v", false, &v, err);
        case K_STRV_NE:
                return json_get_strv(o, "p", "v", true, &v, err);
        case K_OBJECT:
                return json_get_object(o, "p", "v", &sub, err);
        case K_ARRAY:
                return json_get_array(o, "p", "v", &sub, &n, err);
        }
        return -1;
}

static void check(enum kind k, const char *value, const char *want_error)
{
        char text[256];
        snprintf(text, sizeof(text), "{'v': %s}", value);
        _cleanup_json_ struct json_object *o = parse(text);
        _cleanup_error_ struct error *err = NULL;
        int r = get(o, k, &err);
        if (!want_error) {
                if (r != 1)
                        fail_msg("kind %d value %s: %s", k, value, err ? err->msg : "absent");
                return;
        }
        if (r >= 0)
                fail_msg("kind %d value %s accepted", k, value);
        char want[256];
        snprintf(want, sizeof(want), "p.v: %s", want_error);
        if (strcmp(err->msg, want) != 0)
                fail_msg("kind %d value %s: got \"%s\", want \"%s\"", k, value, err->msg, want);
}

static void test_getters(void **state)
{
        (void)state;
        check(K_I64, "-9223372036854775808", NULL);
        check(K_I64, "9223372036854775807", NULL);
        check(K_I64, "9223372036854775808", "expected a 64-bit integer");
        check(K_I64, "1.5", "expected a 64-bit integer");
        check(K_I64, "'1'", "expected a 64-bit integer");
        check(K_U64, "18446744073709551615", NULL);
        check(K_U64, "0", NULL);
        check(K_U64, "-1", "expected an unsigned 64-bit integer");
        check(K_U64, "true", "expected an unsigned 64-bit integer");
        check(K_U32, "4294967295", NULL);
        check(K_U32, "4294967296", "expected an unsigned 32-bit integer");
        check(K_U32, "-1", "expected an unsigned 32-bit integer");
        check(K_U16, "65535", NULL);
        check(K_U16, "65536", "expected an unsigned 16-bit integer");
        check(K_RANGE, "-5", NULL);
        check(K_RANGE, "5", NULL);
        check(K_RANGE, "6", "expected an integer between -5 and 5");
        check(K_RANGE, "-6", "expected an integer between -5 and 5");
        check(K_RANGE, "18446744073709551615", "expected an integer between -5 and 5");
        check(K_BOOL, "false", NULL);
        check(K_BOOL, "0", "expected a boolean");
        check(K_STRING, "''", NULL);
        check(K_STRING, "1", "expected a string");
        check(K_STRING, "'a\\u0000b'", "expected a string without NUL characters");
        check(K_STRV, "[]", NULL);
        check(K_STRV, "['a', 'b']", NULL);
        check(K_STRV, "'a'", "expected an array of strings");
        check(K_STRV_NE, "[]", "expected a non-empty array of strings");
        check(K_STRV_NE, "{}", "expected a non-empty array of strings");
        check(K_OBJECT, "{}", NULL);
        check(K_OBJECT, "[]", "expected an object");
        check(K_ARRAY, "[]", NULL);
        check(K_ARRAY, "{}", "expected an array");

        /* Element errors name the index. */
        _cleanup_json_ struct json_object *o = parse("{'v': ['a', 2]}");
        _cleanup_error_ struct error *err = NULL;
        assert_true(get(o, K_STRV, &err) < 0);
        assert_string_equal(err->msg, "p.v[1]: expected a string");
        error_free(&err);
        _cleanup_json_ struct json_object *nul = parse("{'v': ['a\\u0000']}");
        assert_true(get(nul, K_STRV, &err) < 0);
        assert_string_equal(err->msg, "p.v[0]: expected a string");
}

static void test_absent_and_values(void **state)
{
        (void)state;
        _cleanup_json_ struct json_object *o = parse("{'v': null, 's': 'x', 'l': ['a','b'], 'n': 42}");
        for (enum kind k = K_I64; k <= K_ARRAY; k++) {
                _cleanup_error_ struct error *err = NULL;
                assert_int_equal(get(o, k, &err), 0);
                assert_null(err);
        }
        _cleanup_error_ struct error *err = NULL;
        _cleanup_free_ char *s = NULL;
        _cleanup_strv_ char **l = NULL;
        uint32_t n = 0;
        assert_int_equal(json_get_string(o, "", "s", &s, &err), 1);
        assert_string_equal(s, "x");
        /* A second read replaces (and frees) the previous value. */
        assert_int_equal(json_get_string(o, "", "s", &s, &err), 1);
        assert_int_equal(json_get_strv(o, "", "l", true, &l, &err), 1);
        assert_string_equal(l[0], "a");
        assert_string_equal(l[1], "b");
        assert_null(l[2]);
        assert_int_equal(json_get_uint32(o, "", "n", &n, &err), 1);
        assert_int_equal(n, 42);
        /* Top-level paths have no leading dot. */
        assert_true(json_get_bool(o, "", "s", &(bool){false}, &err) < 0);
        assert_string_equal(err->msg, "s: expected a boolean");
}

/* A required string: copied, missing (absent or null) named with its path, a wrong type passed through. */
static void test_require_string(void **state)
{
        (void)state;
        _cleanup_json_ struct json_object *o = parse("{'s': 'x', 'z': null, 'n': 1}");
        _cleanup_error_ struct error *err = NULL;
        _cleanup_free_ char *s = NULL;
        assert_int_equal(json_require_string(o, "p", "s", &s, &err), 0);
        assert_string_equal(s, "x");
        assert_null(err);
        assert_true(json_require_string(o, "p", "z", &s, &err) < 0);
        assert_string_equal(err->msg, "p.z: required field is missing");
        assert_string_equal(s, "x");
        error_free(&err);
        assert_true(json_require_string(o, "p", "n", &s, &err) < 0);
        assert_string_equal(err->msg, "p.n: expected a string");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_parse_errors),   cmocka_unit_test(test_parse_utf8),
            cmocka_unit_test(test_parse_ok),       cmocka_unit_test(test_paths),
            cmocka_unit_test(test_getters),        cmocka_unit_test(test_absent_and_values),
            cmocka_unit_test(test_require_string),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
