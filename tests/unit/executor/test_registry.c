/* The executor registry (src/executor/registry.c) against the real table: lookups, capabilities, and the
 * facts every entry must carry for the callers that ask instead of naming an executor. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "executor/executor.h"

static void test_table_order_and_bounds(void **state)
{
        (void)state;
        assert_true(executor_count() >= 2);
        assert_ptr_equal(executor_at(0), &executor_native); /* the default comes first */
        assert_null(executor_at(executor_count()));
        for (size_t i = 0; i < executor_count(); i++)
                assert_non_null(executor_at(i));
}

static void test_names_are_unique_and_found(void **state)
{
        (void)state;
        for (size_t i = 0; i < executor_count(); i++) {
                const struct executor *ex = executor_at(i);
                assert_non_null(ex->name);
                assert_ptr_equal(executor_by_name(ex->name), ex);
        }
        assert_ptr_equal(executor_by_name("krun"), &executor_krun);
        assert_null(executor_by_name("wasm"));
        assert_null(executor_by_name(""));
        assert_null(executor_by_name(NULL));
}

static void test_handlers_exclude_the_default(void **state)
{
        (void)state;
        assert_null(executor_handler("native"));
        assert_ptr_equal(executor_handler("krun"), &executor_krun);
        assert_null(executor_handler("KRUN"));
        assert_null(executor_handler(NULL));
        _cleanup_free_ char *names = executor_handler_names();
        assert_string_equal(names, "krun");
}

static void test_capabilities(void **state)
{
        (void)state;
        unsigned all = EXECUTOR_CAN_EXEC | EXECUTOR_CAN_PAUSE | EXECUTOR_CAN_UPDATE | EXECUTOR_CAN_CHECKPOINT;
        assert_true(executor_can(&executor_native, all));
        assert_true(executor_can(&executor_krun, EXECUTOR_CAN_EXEC | EXECUTOR_CAN_PAUSE | EXECUTOR_CAN_UPDATE));
        /* CRIU would dump the VMM, not the guest. */
        assert_false(executor_can(&executor_krun, EXECUTOR_CAN_CHECKPOINT));
        assert_false(executor_can(&executor_krun, EXECUTOR_CAN_EXEC | EXECUTOR_CAN_CHECKPOINT));
        assert_true(executor_can(&executor_krun, 0));
}

/* What callers print and decide from an entry, so that they never need its name. */
static void test_every_entry_carries_what_callers_ask(void **state)
{
        (void)state;
        for (size_t i = 0; i < executor_count(); i++) {
                const struct executor *ex = executor_at(i);
                /* checkpoint and restore explain a refusal with these. */
                if (!executor_can(ex, EXECUTOR_CAN_CHECKPOINT)) {
                        assert_non_null(ex->workload_place);
                        assert_non_null(ex->checkpoint_refusal);
                }
                /* Out of reach of setns: exec, kill and ps need the executor's own way in. */
                if (ex->workload_place && executor_can(ex, EXECUTOR_CAN_EXEC))
                        assert_non_null(ex->exec_process);
                /* --version prints the feature as crun does: upper case, no spaces. */
                for (const char *p = ex->feature; p && *p; p++)
                        assert_true((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_');
                if (ex->is_available)
                        assert_non_null(ex->feature); /* a probe nobody shows is a probe nobody needs */
                /* `features` lists it as a prefix: it ends in a dot. */
                if (ex->annotation_prefix)
                        assert_int_equal(ex->annotation_prefix[strlen(ex->annotation_prefix) - 1], '.');
        }
        assert_null(executor_native.feature);
        assert_null(executor_native.workload_place);
        assert_string_equal(executor_krun.feature, "LIBKRUN");
        assert_non_null(strstr(executor_krun.workload_place, "microVM"));
        assert_string_equal(executor_krun.annotation_prefix, "krun.");
}

static void test_require(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(executor_require("native", EXECUTOR_CAN_CHECKPOINT, "checkpoint", "c1", &err), 0);
        assert_int_equal(executor_require("krun", EXECUTOR_CAN_EXEC, "exec", "c1", &err), 0);
        /* A state file without the field, or from a runtime that knew another executor: as native. */
        assert_int_equal(executor_require(NULL, EXECUTOR_CAN_PAUSE, "pause", "c1", &err), 0);
        assert_int_equal(executor_require("wasm", EXECUTOR_CAN_UPDATE, "update", "c1", &err), 0);
        assert_null(err);
        assert_int_equal(executor_require("krun", EXECUTOR_CAN_CHECKPOINT, "checkpoint", "c1", &err), -EOPNOTSUPP);
        assert_non_null(err);
        assert_int_equal(err->errnum, EOPNOTSUPP);
        assert_string_equal(err->msg, "checkpoint `c1`: not supported by the container's executor (krun)");
}

static void test_probe(void **state)
{
        (void)state;
        unsigned available = executor_probe_available();
        assert_true(available & 1u); /* native needs nothing */
        assert_int_equal(available >> executor_count(), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_table_order_and_bounds),
            cmocka_unit_test(test_names_are_unique_and_found),
            cmocka_unit_test(test_handlers_exclude_the_default),
            cmocka_unit_test(test_capabilities),
            cmocka_unit_test(test_every_entry_carries_what_callers_ask),
            cmocka_unit_test(test_require),
            cmocka_unit_test(test_probe),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
