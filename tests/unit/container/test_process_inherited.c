/* container/process_inherited.c against the real kernel, in forked children (../child_check.h): rlimits
 * and oomScoreAdj must not leak into the test runner. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "child_check.h"
#include "container/process_inherited.h"
#include "core/cleanup.h"

/* --- rlimits and oomScoreAdj --- */

static void child_rlimits_apply(void)
{
        struct oci_rlimit l[] = {{RLIMIT_NOFILE, 100, 200}, {RLIMIT_CORE, 0, 0}};
        struct oci_process p = {.rlimits = l, .n_rlimits = 2};
        _cleanup_error_ struct error *err = NULL;
        expect_ok(process_apply_inherited(&p, &err), &err, "apply");
        struct rlimit rl;
        getrlimit(RLIMIT_NOFILE, &rl);
        EXPECT(rl.rlim_cur == 100 && rl.rlim_max == 200, "NOFILE is %llu/%llu", (unsigned long long)rl.rlim_cur,
               (unsigned long long)rl.rlim_max);
        getrlimit(RLIMIT_CORE, &rl);
        EXPECT(rl.rlim_cur == 0 && rl.rlim_max == 0, "CORE is %llu/%llu", (unsigned long long)rl.rlim_cur,
               (unsigned long long)rl.rlim_max);
}

static void test_rlimits_apply(void **state)
{
        (void)state;
        run_in_child(child_rlimits_apply);
}

static void child_rlimits_raise_hard(void)
{
        struct rlimit low = {512, 512};
        EXPECT(setrlimit(RLIMIT_NOFILE, &low) == 0, "lower NOFILE: %m");
        struct oci_rlimit l[] = {{RLIMIT_NOFILE, 1024, 4096}};
        struct oci_process p = {.rlimits = l, .n_rlimits = 1};
        _cleanup_error_ struct error *err = NULL;
        int r = process_apply_inherited(&p, &err);
        expect_error(r, &err, EPERM, "process.rlimits: RLIMIT_NOFILE: cannot raise the hard limit from 512 to 4096");

        struct oci_rlimit inf[] = {{RLIMIT_CORE, 0, RLIM_INFINITY}};
        struct rlimit core = {0, 0};
        EXPECT(setrlimit(RLIMIT_CORE, &core) == 0, "lower CORE: %m");
        struct oci_process q = {.rlimits = inf, .n_rlimits = 1};
        _cleanup_error_ struct error *err2 = NULL;
        r = process_apply_inherited(&q, &err2);
        expect_error(r, &err2, EPERM, "process.rlimits: RLIMIT_CORE: cannot raise the hard limit from 0 to unlimited");
}

static void test_rlimits_raise_hard_needs_cap(void **state)
{
        (void)state;
        if (has_cap_sys_resource())
                skip();
        run_in_child(child_rlimits_raise_hard);
}

static void child_rlimits_soft_above_hard(void)
{
        struct oci_rlimit l[] = {{RLIMIT_STACK, 20000000, 10000000}};
        struct oci_process p = {.rlimits = l, .n_rlimits = 1};
        _cleanup_error_ struct error *err = NULL;
        int r = process_apply_inherited(&p, &err);
        expect_error(r, &err, EINVAL, "process.rlimits: RLIMIT_STACK: set soft 20000000 hard 10000000");
}

static void test_rlimits_soft_above_hard(void **state)
{
        (void)state;
        run_in_child(child_rlimits_soft_above_hard);
}

static void child_oom_score_adj(void)
{
        struct oci_process p = {.has_oom_score_adj = true, .oom_score_adj = 123};
        _cleanup_error_ struct error *err = NULL;
        expect_ok(process_apply_inherited(&p, &err), &err, "oom");
        char buf[16] = "";
        int fd = open("/proc/self/oom_score_adj", O_RDONLY);
        EXPECT(fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0, "read oom_score_adj: %m");
        close(fd);
        EXPECT(strcmp(buf, "123\n") == 0, "oom_score_adj is `%s`", buf);
        struct oci_process bad = {.has_oom_score_adj = true, .oom_score_adj = 5000};
        _cleanup_error_ struct error *err2 = NULL;
        expect_error(process_apply_inherited(&bad, &err2), &err2, EINVAL,
                     "process.oomScoreAdj: write 5000 to /proc/self/oom_score_adj");
}

static void test_oom_score_adj(void **state)
{
        (void)state;
        run_in_child(child_oom_score_adj);
}

static void test_apply_inherited_null(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(process_apply_inherited(NULL, &err), 0);
        struct oci_process empty = {0};
        assert_int_equal(process_apply_inherited(&empty, &err), 0);
        assert_null(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_rlimits_apply),           cmocka_unit_test(test_rlimits_raise_hard_needs_cap),
            cmocka_unit_test(test_rlimits_soft_above_hard), cmocka_unit_test(test_oom_score_adj),
            cmocka_unit_test(test_apply_inherited_null),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
