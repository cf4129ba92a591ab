/* cpulist_parse: kernel list syntax into bits, and every malformed form refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/cpulist.h"

static void test_valid(void **state)
{
        (void)state;
        unsigned long m[2];
        assert_int_equal(cpulist_parse("0", m, 128), 1);
        assert_int_equal(m[0], 1);
        assert_int_equal(cpulist_parse("0-3,7", m, 128), 5);
        assert_int_equal(m[0], 0x8f);
        assert_int_equal(cpulist_parse("1,1,0-1", m, 128), 2); /* duplicates counted once */
        assert_int_equal(m[0], 3);
        assert_int_equal(cpulist_parse("64,127", m, 128), 2);
        assert_int_equal(m[0], 0);
        assert_int_equal(m[1], (1UL << 63) | 1);
}

static void test_invalid(void **state)
{
        (void)state;
        unsigned long m[2];
        const char *bad[] = {"",  ",",  "1,", ",1",   "3-1", "1-",    "-1",
                             "a", "1 ", " 1", "1--2", "128", "0-128", "99999999999999999999999"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (cpulist_parse(bad[i], m, 128) != -1)
                        fail_msg("`%s` accepted", bad[i]);
}

int main(void)
{
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_valid), cmocka_unit_test(test_invalid)};
        return cmocka_run_group_tests(tests, NULL, NULL);
}
