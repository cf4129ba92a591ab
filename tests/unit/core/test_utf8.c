/* utf8_is_valid against the RFC 3629 table: each boundary of each row, on both sides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
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

int main(void)
{
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_table)};
        return cmocka_run_group_tests(tests, NULL, NULL);
}
