/* utf8_is_valid against the RFC 3629 table: each boundary of each row, on both sides; utf8_sequence_len and
 * the JSON log record that uses it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"

static const struct {
        const char *bytes;
        size_t len;
        bool is_valid;
        const char *why;
} cases[] = {
    {"", 0, true, "empty"},
    {"plain ascii", 11, true, "ASCII"},
    {"a\0b", 3, true, "NUL is UTF-8 (rejected elsewhere)"},
    {"\x7f", 1, true, "last ASCII"},
    {"\x80", 1, false, "lone continuation byte"},
    {"\xbf", 1, false, "lone continuation byte"},
    {"\xc0\x80", 2, false, "overlong NUL (C0)"},
    {"\xc1\xbf", 2, false, "overlong (C1)"},
    {"\xc2\x80", 2, true, "U+0080"},
    {"\xdf\xbf", 2, true, "U+07FF"},
    {"\xc3", 1, false, "truncated 2-byte"},
    {"\xc3\x28", 2, false, "bad continuation"},
    {"\xe0\x9f\xbf", 3, false, "overlong 3-byte"},
    {"\xe0\xa0\x80", 3, true, "U+0800"},
    {"\xe2\x82\xac", 3, true, "euro sign"},
    {"\xe2\x82", 2, false, "truncated 3-byte"},
    {"\xed\x9f\xbf", 3, true, "U+D7FF"},
    {"\xed\xa0\x80", 3, false, "surrogate U+D800"},
    {"\xed\xbf\xbf", 3, false, "surrogate U+DFFF"},
    {"\xee\x80\x80", 3, true, "U+E000"},
    {"\xef\xbf\xbf", 3, true, "U+FFFF"},
    {"\xf0\x8f\xbf\xbf", 4, false, "overlong 4-byte"},
    {"\xf0\x90\x80\x80", 4, true, "U+10000"},
    {"\xf0\x9f\x98\x80", 4, true, "emoji"},
    {"\xf4\x8f\xbf\xbf", 4, true, "U+10FFFF"},
    {"\xf4\x90\x80\x80", 4, false, "above U+10FFFF"},
    {"\xf5\x80\x80\x80", 4, false, "F5 lead"},
    {"\xff", 1, false, "FF"},
    {"\xf0\x9f\x98", 3, false, "truncated 4-byte"},
    {"ok\xe2\x82\xac\xe2", 6, false, "valid then truncated"},
};

static void test_table(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
                if (utf8_is_valid(cases[i].bytes, cases[i].len) != cases[i].is_valid)
                        fail_msg("case %zu (%s): expected %s", i, cases[i].why,
                                 cases[i].is_valid ? "valid" : "invalid");
}

static void test_sequence_len(void **state)
{
        (void)state;
        assert_int_equal(utf8_sequence_len("a", 1), 1);
        assert_int_equal(utf8_sequence_len("\xc3\xa9x", 3), 2);
        assert_int_equal(utf8_sequence_len("\xe2\x82\xac", 3), 3);
        assert_int_equal(utf8_sequence_len("\xf0\x9f\x98\x80", 4), 4);
        assert_int_equal(utf8_sequence_len("\xf0\x9f\x98\x80", 3), 0); /* cut short */
        assert_int_equal(utf8_sequence_len("\xff", 1), 0);
        assert_int_equal(utf8_sequence_len("", 0), 0);
}

/* A JSON log record stays JSON whatever bytes the message quotes: bad ones become U+FFFD, good
 * multi-byte characters pass as they are. */
static void test_log_record_is_json(void **state)
{
        (void)state;
        _cleanup_free_ char *rec =
            log_format_json_record("error", "bundle `/tmp/\xff\xc3(\xe2\x82`: caf\xc3\xa9 \"q\"\n", 1, 2);
        assert_non_null(rec);
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_error_ struct error *err = NULL;
        if (json_parse_object(rec, strlen(rec), &o, &err) < 0)
                fail_msg("%s: %s", rec, err->msg);
        assert_string_equal(json_object_get_string(json_member(o, "msg")),
                            "bundle `/tmp/\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd`: caf\xc3\xa9 \"q\"\n");
}

int main(void)
{
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_table), cmocka_unit_test(test_sequence_len),
                                           cmocka_unit_test(test_log_record_is_json)};
        return cmocka_run_group_tests(tests, NULL, NULL);
}
