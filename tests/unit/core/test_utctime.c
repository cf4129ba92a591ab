/* utctime_format against fixed instants and against gmtime_r over a sweep of days (leap years, century
 * rules, end of months). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/utctime.h"

static void test_fixed(void **state)
{
        (void)state;
        static const struct {
                time_t sec;
                long nsec;
                const char *want;
        } cases[] = {
            {0, 0, "1970-01-01T00:00:00.000000000Z"},
            {951782400, 5, "2000-02-29T00:00:00.000000005Z"},          /* leap day of a 400-year century */
            {4107542399, 999999999, "2100-02-28T23:59:59.999999999Z"}, /* 2100 is not a leap year */
            {4107542400, 0, "2100-03-01T00:00:00.000000000Z"},
            {1796601600, 123456789, "2026-12-07T00:00:00.123456789Z"},
            {253402300799, 0, "9999-12-31T23:59:59.000000000Z"},
        };
        char buf[64];
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct timespec ts = {cases[i].sec, cases[i].nsec};
                assert_int_equal(utctime_format(&ts, buf, sizeof(buf)), strlen(cases[i].want));
                assert_string_equal(buf, cases[i].want);
        }
}

static void test_matches_gmtime(void **state)
{
        (void)state;
        char buf[64], want[64];
        /* Every 7th day and an odd second from 1970 to about 2170. */
        for (time_t t = 3723; t < (time_t)6311390400LL; t += 7 * 86400 + 1) {
                struct tm tm;
                gmtime_r(&t, &tm);
                snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.000000000Z", tm.tm_year + 1900,
                         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
                struct timespec ts = {t, 0};
                assert_true(utctime_format(&ts, buf, sizeof(buf)) > 0);
                assert_string_equal(buf, want);
        }
}

static void test_too_small(void **state)
{
        (void)state;
        char buf[31];
        struct timespec ts = {0, 0};
        assert_int_equal(utctime_format(&ts, buf, sizeof(buf)), 30);
        assert_int_equal(utctime_format(&ts, buf, 30), -1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_fixed),
            cmocka_unit_test(test_matches_gmtime),
            cmocka_unit_test(test_too_small),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
