/* The pure choices of rt_budget.c: who wants real-time CPU time and how much each cgroup gets. */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cgroup/internal.h"

static void test_wanted(void **state)
{
        (void)state;
        struct oci_process p = {0};
        struct oci_spec spec = {.process = &p};
        assert_false(cgroup_rt_budget_wanted(NULL));
        assert_false(cgroup_rt_budget_wanted(&spec));
        p.has_scheduler = true;
        p.scheduler.policy = SCHED_OTHER;
        assert_false(cgroup_rt_budget_wanted(&spec));
        p.scheduler.policy = SCHED_BATCH;
        assert_false(cgroup_rt_budget_wanted(&spec));
        p.scheduler.policy = SCHED_FIFO;
        assert_true(cgroup_rt_budget_wanted(&spec));
        p.scheduler.policy = SCHED_RR;
        assert_true(cgroup_rt_budget_wanted(&spec));
        spec.process = NULL;
        assert_false(cgroup_rt_budget_wanted(&spec));
}

static void test_choose(void **state)
{
        (void)state;
        struct cgroup_rt_budget b;
        cgroup_rt_budget_choose(NULL, false, &b);
        assert_true(b.runtime_us <= 0);
        cgroup_rt_budget_choose(NULL, true, &b);
        assert_false(b.is_explicit);
        assert_int_equal(b.runtime_us, CGROUP_RT_DEFAULT_RUNTIME_US);
        assert_int_equal(b.period_us, CGROUP_RT_DEFAULT_PERIOD_US);

        struct oci_resources res = {.has_cpu_rt_runtime = true, .cpu_rt_runtime = 30000};
        cgroup_rt_budget_choose(&res, false, &b);
        assert_true(b.is_explicit);
        assert_int_equal(b.runtime_us, 30000);
        assert_int_equal(b.period_us, CGROUP_RT_DEFAULT_PERIOD_US);
        res.has_cpu_rt_period = true;
        res.cpu_rt_period = 500000;
        cgroup_rt_budget_choose(&res, true, &b);
        assert_true(b.is_explicit);
        assert_int_equal(b.period_us, 500000);

        /* realtimeRuntime 0 (or -1, "unlimited" on the root only) is not a budget to hand down. */
        res.cpu_rt_runtime = 0;
        cgroup_rt_budget_choose(&res, true, &b);
        assert_false(b.is_explicit);
        assert_int_equal(b.runtime_us, CGROUP_RT_DEFAULT_RUNTIME_US);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_wanted),
            cmocka_unit_test(test_choose),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
