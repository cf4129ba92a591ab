/* executor_select: every rule of the "select" step of docs/krun-mode.md. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "executor/executor.h"

/* Stand-in for src/executor/krun/: its address, and its name the registry finds it by. */
const struct executor executor_krun = {.name = "krun"};

static struct oci_spec spec_with(struct oci_kv *kv, size_t n)
{
        return (struct oci_spec){.annotations = kv, .n_annotations = n};
}

static const struct executor *select_ok(const char *argv0, const struct oci_spec *spec)
{
        _cleanup_error_ struct error *err = NULL;
        const struct executor *ex = NULL;
        int r = executor_select(argv0, spec, &ex, &err);
        if (r < 0)
                fail_msg("executor_select(%s): %s", argv0 ? argv0 : "(null)", err->msg);
        assert_null(err);
        return ex;
}

static void select_fails(const char *argv0, const struct oci_spec *spec, int errnum, const char *msg)
{
        _cleanup_error_ struct error *err = NULL;
        const struct executor *ex = &executor_native;
        int r = executor_select(argv0, spec, &ex, &err);
        assert_int_equal(r, -errnum);
        assert_null(ex);
        assert_non_null(err);
        assert_int_equal(err->errnum, errnum);
        assert_string_equal(err->msg, msg);
}

static void test_plain_crun_is_native(void **state)
{
        (void)state;
        struct oci_kv kv[] = {{"other", "x"}};
        struct oci_spec s = spec_with(kv, 1);
        assert_ptr_equal(select_ok("crun", &s), &executor_native);
        assert_ptr_equal(select_ok("crun", NULL), &executor_native);
        assert_ptr_equal(select_ok("runc", &s), &executor_native);
        assert_ptr_equal(select_ok(NULL, &s), &executor_native);
        assert_ptr_equal(select_ok("krunx", &s), &executor_native);
}

static void test_native_executor_shape(void **state)
{
        (void)state;
        assert_string_equal(executor_native.name, "native");
        assert_true(executor_native.resolves_executable);
        assert_non_null(executor_native.exec);
        assert_null(executor_native.load);
        assert_null(executor_native.adjust_spec);
        assert_null(executor_native.prepare_rootfs);
        assert_null(executor_native.keep_fds);
        assert_null(executor_native.unload);
}

static void test_global_krun(void **state)
{
        (void)state;
        struct oci_spec s = spec_with(NULL, 0);
        assert_ptr_equal(select_ok("krun", &s), &executor_krun);
        assert_ptr_equal(select_ok("crun-krun", &s), &executor_krun);
        assert_ptr_equal(select_ok("krun", NULL), &executor_krun);
}

static void test_annotation_krun(void **state)
{
        (void)state;
        struct oci_kv kv[] = {{"a", "b"}, {"run.oci.handler", "krun"}};
        struct oci_spec s = spec_with(kv, 2);
        assert_ptr_equal(select_ok("crun", &s), &executor_krun);
}

static void test_global_and_annotation(void **state)
{
        (void)state;
        struct oci_kv kv[] = {{"run.oci.handler", "krun"}};
        struct oci_spec s = spec_with(kv, 1);
        select_fails("krun", &s, EACCES,
                     "invalid attempt to override already configured global handler (invoked as `krun`, annotation "
                     "run.oci.handler=`krun`)");
        select_fails("crun-krun", &s, EACCES,
                     "invalid attempt to override already configured global handler (invoked as `crun-krun`, "
                     "annotation run.oci.handler=`krun`)");
}

static void test_sandbox_first(void **state)
{
        (void)state;
        struct oci_kv kv[] = {{"io.kubernetes.cri.container-type", "sandbox"}, {"run.oci.handler", "krun"}};
        struct oci_spec s = spec_with(kv, 2);
        assert_ptr_equal(select_ok("krun", &s), &executor_native);
        assert_ptr_equal(select_ok("crun", &s), &executor_native);
        struct oci_kv bogus[] = {{"run.oci.handler", "nope"}, {"io.kubernetes.cri.container-type", "sandbox"}};
        struct oci_spec b = spec_with(bogus, 2);
        assert_ptr_equal(select_ok("crun-nope", &b), &executor_native);
}

static void test_container_type_not_sandbox(void **state)
{
        (void)state;
        struct oci_kv kv[] = {{"io.kubernetes.cri.container-type", "container"}};
        struct oci_spec s = spec_with(kv, 1);
        assert_ptr_equal(select_ok("krun", &s), &executor_krun);
        assert_ptr_equal(select_ok("crun", &s), &executor_native);
}

static void test_unknown_handlers(void **state)
{
        (void)state;
        struct oci_kv kv[] = {{"run.oci.handler", "wasm"}};
        struct oci_spec s = spec_with(kv, 1);
        select_fails("crun", &s, ENOENT,
                     "config.json: annotations: run.oci.handler: unknown handler `wasm` (expected one of: krun)");
        struct oci_kv empty[] = {{"run.oci.handler", ""}};
        struct oci_spec e = spec_with(empty, 1);
        select_fails("crun", &e, ENOENT,
                     "config.json: annotations: run.oci.handler: unknown handler `` (expected one of: krun)");
        select_fails("crun-wasm", NULL, ENOENT,
                     "invoked as `crun-wasm`: unknown handler `wasm` (expected one of: krun)");
        select_fails("crun-", NULL, ENOENT, "invoked as `crun-`: unknown handler `` (expected one of: krun)");
}

/* `delete` finds the executor a state file names (src/executor/cleanup.c). */
static void test_by_name(void **state)
{
        (void)state;
        assert_ptr_equal(executor_by_name("native"), &executor_native);
        assert_ptr_equal(executor_by_name(executor_krun.name), &executor_krun);
        assert_null(executor_by_name("wasm"));
        assert_null(executor_by_name(""));
        assert_null(executor_by_name(NULL));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_plain_crun_is_native),
            cmocka_unit_test(test_native_executor_shape),
            cmocka_unit_test(test_global_krun),
            cmocka_unit_test(test_annotation_krun),
            cmocka_unit_test(test_global_and_annotation),
            cmocka_unit_test(test_sandbox_first),
            cmocka_unit_test(test_container_type_not_sandbox),
            cmocka_unit_test(test_unknown_handlers),
            cmocka_unit_test(test_by_name),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
