/* The process title text: prefix and args joined by spaces, truncated to the argv area. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/proctitle.h"

static void test_joins_prefix_and_args(void **state)
{
        (void)state;
        char buf[64];
        char *args[] = {"sleep", "600", NULL};
        assert_int_equal(proctitle_format(buf, sizeof(buf), "[krun]", args), strlen("[krun] sleep 600"));
        assert_string_equal(buf, "[krun] sleep 600");
}

static void test_truncates_to_the_area(void **state)
{
        (void)state;
        char buf[10];
        char *args[] = {"sleep", "600", NULL};
        assert_int_equal(proctitle_format(buf, sizeof(buf), "[krun]", args), 9);
        assert_string_equal(buf, "[krun] sl");
        char tiny[1];
        assert_int_equal(proctitle_format(tiny, sizeof(tiny), "[krun]", args), 0);
        assert_string_equal(tiny, "");
}

static void test_no_args(void **state)
{
        (void)state;
        char buf[16];
        proctitle_format(buf, sizeof(buf), "[krun]", NULL);
        assert_string_equal(buf, "[krun]");
}

static void test_set_rewrites_argv_in_place(void **state)
{
        (void)state;
        char area[] = "crun\0create\0--bundle\0/some/where\0c1";
        char *argv[] = {area, area + 5, area + 12, area + 21, area + 33, NULL};
        proctitle_init(5, argv);
        char *args[] = {"true", NULL};
        proctitle_set("[krun]", args);
        assert_string_equal(area, "[krun] true");
        for (size_t i = strlen("[krun] true"); i < sizeof(area) - 1; i++)
                assert_int_equal(area[i], 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_joins_prefix_and_args),
            cmocka_unit_test(test_truncates_to_the_area),
            cmocka_unit_test(test_no_args),
            cmocka_unit_test(test_set_rewrites_argv_in_place),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
