/* The pure half of linux.seccomp: tables value by value, validation errors by JSON path, the listener
 * payload, and building (not loading) filters. */
#include <errno.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "linux/seccomp_filter.h"

static void test_actions(void **state)
{
        (void)state;
        static const struct {
                const char *name;
                uint32_t want;
        } cases[] = {
            {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD},
            {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
            {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
            {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
            {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(38)},
            {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(38)},
            {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
            {"SCMP_ACT_LOG", SCMP_ACT_LOG},
            {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                uint32_t a = 0xdeadbeef;
                assert_int_equal(seccomp_action_from_name(cases[i].name, 38, &a), 0);
                assert_int_equal(a, cases[i].want);
        }
        uint32_t a;
        assert_int_equal(seccomp_action_from_name("SCMP_ACT_NOPE", 0, &a), -1);
        assert_int_equal(seccomp_action_from_name("scmp_act_allow", 0, &a), -1);
        assert_int_equal(seccomp_action_from_name(NULL, 0, &a), -1);
        assert_true(seccomp_action_takes_errno("SCMP_ACT_ERRNO"));
        assert_true(seccomp_action_takes_errno("SCMP_ACT_TRACE"));
        assert_false(seccomp_action_takes_errno("SCMP_ACT_ALLOW"));
        assert_false(seccomp_action_takes_errno("SCMP_ACT_KILL"));
        assert_false(seccomp_action_takes_errno("bogus"));
}

static void test_arches(void **state)
{
        (void)state;
        static const struct {
                const char *name;
                uint32_t want;
        } cases[] = {
            {"SCMP_ARCH_X86", SCMP_ARCH_X86},
            {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
            {"SCMP_ARCH_X32", SCMP_ARCH_X32},
            {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
            {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
            {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
            {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
            {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
            {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
            {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
            {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
            {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
            {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
            {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
            {"SCMP_ARCH_S390", SCMP_ARCH_S390},
            {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
            {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
            {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
            {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                uint32_t a = 0;
                assert_int_equal(seccomp_arch_from_name(cases[i].name, &a), 0);
                assert_int_equal(a, cases[i].want);
        }
        /* Spec names newer than libseccomp 2.5: known, but reported as unsupported. */
        uint32_t a;
#ifndef SCMP_ARCH_LOONGARCH64
        assert_int_equal(seccomp_arch_from_name("SCMP_ARCH_LOONGARCH64", &a), -2);
#endif
#ifndef SCMP_ARCH_SHEB
        assert_int_equal(seccomp_arch_from_name("SCMP_ARCH_SHEB", &a), -2);
#endif
        assert_int_equal(seccomp_arch_from_name("SCMP_ARCH_VAX", &a), -1);
        assert_int_equal(seccomp_arch_from_name("x86_64", &a), -1);
}

static void test_flags_and_ops(void **state)
{
        (void)state;
        int attr = -1;
        assert_int_equal(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_TSYNC", &attr), 0);
        assert_int_equal(attr, SCMP_FLTATR_CTL_TSYNC);
        assert_int_equal(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_LOG", &attr), 0);
        assert_int_equal(attr, SCMP_FLTATR_CTL_LOG);
        assert_int_equal(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_SPEC_ALLOW", &attr), 0);
        assert_int_equal(attr, SCMP_FLTATR_CTL_SSB);
#if SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR < 6
        assert_int_equal(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", &attr), -2);
#endif
        assert_int_equal(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_NEW_LISTENER", &attr), -1);

        assert_int_equal(seccomp_op_from_name("SCMP_CMP_NE"), SCMP_CMP_NE);
        assert_int_equal(seccomp_op_from_name("SCMP_CMP_LT"), SCMP_CMP_LT);
        assert_int_equal(seccomp_op_from_name("SCMP_CMP_LE"), SCMP_CMP_LE);
        assert_int_equal(seccomp_op_from_name("SCMP_CMP_EQ"), SCMP_CMP_EQ);
        assert_int_equal(seccomp_op_from_name("SCMP_CMP_GE"), SCMP_CMP_GE);
        assert_int_equal(seccomp_op_from_name("SCMP_CMP_GT"), SCMP_CMP_GT);
        assert_int_equal(seccomp_op_from_name("SCMP_CMP_MASKED_EQ"), SCMP_CMP_MASKED_EQ);
        assert_int_equal(seccomp_op_from_name("SCMP_CMP_XOR"), -1);
        assert_int_equal(seccomp_op_from_name(NULL), -1);
}

/* The one name table: enumeration, "expected one of" lists and lookups agree with each other. */
static void test_name_tables(void **state)
{
        (void)state;
        static const struct {
                enum seccomp_name_kind kind;
                size_t count;
                const char *first, *last;
        } kinds[] = {
            {SECCOMP_NAME_ACTION, 9, "SCMP_ACT_KILL", "SCMP_ACT_NOTIFY"},
            {SECCOMP_NAME_OPERATOR, 7, "SCMP_CMP_NE", "SCMP_CMP_MASKED_EQ"},
            {SECCOMP_NAME_ARCH, 23, "SCMP_ARCH_X86", "SCMP_ARCH_RISCV64"},
            {SECCOMP_NAME_FLAG, 4, "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"},
        };
        for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
                size_t n = 0;
                for (const char *name; (name = seccomp_name_at(kinds[k].kind, n)); n++) {
                        assert_true(seccomp_name_is_known(kinds[k].kind, name));
                        uint32_t u;
                        int attr;
                        switch (kinds[k].kind) {
                        case SECCOMP_NAME_ACTION:
                                assert_int_equal(seccomp_action_from_name(name, 0, &u), 0);
                                break;
                        case SECCOMP_NAME_OPERATOR:
                                assert_true(seccomp_op_from_name(name) >= 0);
                                break;
                        case SECCOMP_NAME_ARCH:
                                assert_int_not_equal(seccomp_arch_from_name(name, &u), -1);
                                break;
                        case SECCOMP_NAME_FLAG:
                                assert_int_not_equal(seccomp_flag_from_name(name, &attr), -1);
                                break;
                        }
                }
                assert_int_equal(n, kinds[k].count);
                assert_string_equal(seccomp_name_at(kinds[k].kind, 0), kinds[k].first);
                assert_string_equal(seccomp_name_at(kinds[k].kind, n - 1), kinds[k].last);
                assert_false(seccomp_name_is_known(kinds[k].kind, "SCMP_NOPE"));
                assert_false(seccomp_name_is_known(kinds[k].kind, NULL));
        }
        assert_false(seccomp_name_is_known(SECCOMP_NAME_ARCH, "SCMP_CMP_EQ"));

        char buf[256];
        seccomp_names_join(SECCOMP_NAME_OPERATOR, buf, sizeof(buf));
        assert_string_equal(buf, "SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, "
                                 "SCMP_CMP_MASKED_EQ");
        char small[16];
        seccomp_names_join(SECCOMP_NAME_OPERATOR, small, sizeof(small));
        assert_string_equal(small, "SCMP_CMP_NE, SC");

        assert_string_equal(seccomp_action_name(SCMP_ACT_ALLOW), "SCMP_ACT_ALLOW");
        assert_string_equal(seccomp_action_name(SCMP_ACT_KILL_PROCESS), "SCMP_ACT_KILL_PROCESS");
        /* ERRNO and TRACE carry a value: their number alone does not name them. */
        assert_null(seccomp_action_name(SCMP_ACT_ERRNO(0)));
        assert_null(seccomp_action_name(0x12345678));

        struct oci_seccomp s = {.default_action = "SCMP_ACT_BOGUS"};
        _cleanup_error_ struct error *err = NULL;
        assert_true(seccomp_validate(&s, &err) < 0);
        assert_string_equal(err->msg, "linux.seccomp.defaultAction: unknown action `SCMP_ACT_BOGUS` (expected one of: "
                                      "SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, "
                                      "SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY)");
        char *bad_flag[] = {"SECCOMP_FILTER_FLAG_X", NULL};
        struct oci_seccomp f = {.default_action = "SCMP_ACT_ALLOW", .flags = bad_flag, .has_flags = true};
        _cleanup_error_ struct error *ferr = NULL;
        assert_true(seccomp_validate(&f, &ferr) < 0);
        assert_string_equal(ferr->msg,
                            "linux.seccomp.flags[0]: unknown flag `SECCOMP_FILTER_FLAG_X` (expected one of: "
                            "SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW, "
                            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)");
}

/* A valid profile every error case starts from. */
static char *names_mkdir[] = {"mkdir", NULL};
static char *arches_ok[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", NULL};

static struct oci_seccomp_syscall base_syscall(void)
{
        return (struct oci_seccomp_syscall){.names = names_mkdir, .action_name = "SCMP_ACT_ERRNO"};
}

static struct oci_seccomp base_profile(struct oci_seccomp_syscall *sc, size_t n)
{
        return (struct oci_seccomp){
            .default_action = "SCMP_ACT_ALLOW", .architectures = arches_ok, .syscalls = sc, .n_syscalls = n};
}

static void expect_error(const struct oci_seccomp *s, const char *substring)
{
        _cleanup_error_ struct error *err = NULL;
        assert_true(seccomp_validate(s, &err) < 0);
        assert_non_null(err);
        if (!strstr(err->msg, substring))
                fail_msg("error `%s` does not contain `%s`", err->msg, substring);
}

static void test_validate(void **state)
{
        (void)state;
        struct oci_seccomp_syscall sc = base_syscall();
        struct oci_seccomp s = base_profile(&sc, 1);
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(seccomp_validate(&s, &err), 0);

        s.default_action = NULL;
        expect_error(&s, "linux.seccomp.defaultAction: missing");
        s.default_action = "SCMP_ACT_BOGUS";
        expect_error(&s, "linux.seccomp.defaultAction: unknown action `SCMP_ACT_BOGUS`");
        s.default_action = "SCMP_ACT_ALLOW";
        s.has_default_errno_ret = true;
        expect_error(&s, "linux.seccomp.defaultAction: errno value specified for action `SCMP_ACT_ALLOW`");
        s.default_action = "SCMP_ACT_ERRNO";
        assert_int_equal(seccomp_validate(&s, NULL), 0);
        s = base_profile(&sc, 1);

        char *bad_arch[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_PDP11", NULL};
        s.architectures = bad_arch;
        expect_error(&s, "linux.seccomp.architectures[1]: unknown architecture `SCMP_ARCH_PDP11`");
        s = base_profile(&sc, 1);

        char *bad_flag[] = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_X", NULL};
        s.flags = bad_flag;
        s.has_flags = true;
        expect_error(&s, "linux.seccomp.flags[1]: unknown flag `SECCOMP_FILTER_FLAG_X`");
        s = base_profile(&sc, 1);

        s.listener_metadata = "meta";
        expect_error(&s, "linux.seccomp.listenerMetadata: set without listenerPath");
        s.listener_path = "/run/listener.sock";
        assert_int_equal(seccomp_validate(&s, NULL), 0);
        s = base_profile(&sc, 1);

        struct oci_seccomp_syscall scs[2] = {base_syscall(), base_syscall()};
        s = base_profile(scs, 2);
        scs[1].action_name = "SCMP_ACT_NOPE";
        expect_error(&s, "linux.seccomp.syscalls[1].action: unknown action `SCMP_ACT_NOPE`");
        scs[1].action_name = "SCMP_ACT_KILL";
        scs[1].has_errno_ret = true;
        expect_error(&s, "linux.seccomp.syscalls[1].action: errno value specified for action `SCMP_ACT_KILL`");
        scs[1].action_name = "SCMP_ACT_TRACE";
        assert_int_equal(seccomp_validate(&s, NULL), 0);
        scs[1] = base_syscall();
        char *no_names[] = {NULL};
        scs[1].names = no_names;
        expect_error(&s, "linux.seccomp.syscalls[1].names: expected at least one name");
        scs[1] = base_syscall();
        struct oci_seccomp_arg args[2] = {{.index = 0, .op = SCMP_CMP_EQ}, {.index = 6, .op = SCMP_CMP_EQ}};
        scs[1].args = args;
        scs[1].n_args = 2;
        expect_error(&s, "linux.seccomp.syscalls[1].args[1].index: 6 out of range (0..5)");
        args[1].index = 5;
        args[1].op = 0;
        expect_error(&s, "linux.seccomp.syscalls[1].args[1].op: invalid operator 0");
        args[1].op = SCMP_CMP_MASKED_EQ;
        assert_int_equal(seccomp_validate(&s, NULL), 0);
}

static void test_listener_payload(void **state)
{
        (void)state;
        _cleanup_free_ char *p = seccomp_listener_payload("meta data", 4242, "{\"id\":\"c1\",\"status\":\"creating\"}");
        assert_non_null(p);
        struct json_object *o = json_tokener_parse(p);
        assert_non_null(o);
        struct json_object *v;
        assert_true(json_object_object_get_ex(o, "ociVersion", &v));
        assert_string_equal(json_object_get_string(v), "1.0.0");
        assert_true(json_object_object_get_ex(o, "fds", &v));
        assert_int_equal(json_object_array_length(v), 1);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "seccompFd");
        assert_true(json_object_object_get_ex(o, "pid", &v));
        assert_int_equal(json_object_get_int(v), 4242);
        assert_true(json_object_object_get_ex(o, "metadata", &v));
        assert_string_equal(json_object_get_string(v), "meta data");
        assert_true(json_object_object_get_ex(o, "state", &v));
        struct json_object *id;
        assert_true(json_object_object_get_ex(v, "id", &id));
        assert_string_equal(json_object_get_string(id), "c1");
        json_object_put(o);

        _cleanup_free_ char *q = seccomp_listener_payload(NULL, 1, NULL);
        assert_non_null(strstr(q, "\"state\":{}"));
        assert_null(strstr(q, "metadata"));
}

static void test_build(void **state)
{
        (void)state;
        char *names[] = {"mkdir", "no_such_syscall_krun", "close", NULL};
        struct oci_seccomp_arg same_index[2] = {{.index = 0, .value = 1000, .op = SCMP_CMP_EQ},
                                                {.index = 0, .value = 1001, .op = SCMP_CMP_EQ}};
        struct oci_seccomp_syscall scs[3] = {
            {.names = names, .action_name = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = EPERM},
            {.names = names_mkdir, .action_name = "SCMP_ACT_ALLOW"}, /* = default: skipped */
            {.names = names + 2, .action_name = "SCMP_ACT_ERRNO", .args = same_index, .n_args = 2},
        };
        struct oci_seccomp s = base_profile(scs, 3);
        struct seccomp_filter *f = NULL;
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(seccomp_filter_build(&s, false, &f, &err), 0);
        assert_non_null(f);
        assert_false(seccomp_filter_wants_listener(f));
        seccomp_filter_free(f);

        /* The annotation run.oci.seccomp_fail_unknown_syscall turns the unknown name into an error. */
        assert_true(seccomp_filter_build(&s, true, &f, &err) < 0);
        assert_null(f);
        assert_non_null(strstr(err->msg, "linux.seccomp.syscalls[0].names[1]: unknown syscall `no_such_syscall_krun`"));

        struct oci_seccomp_syscall notify = {.names = names_mkdir, .action_name = "SCMP_ACT_NOTIFY"};
        s = base_profile(&notify, 1);
        s.listener_path = "/nonexistent/listener.sock";
        assert_int_equal(seccomp_filter_build(&s, false, &f, NULL), 0);
        assert_true(seccomp_filter_wants_listener(f));
        int sock = 5;
        error_free(&err);
        assert_true(seccomp_listener_connect(f, &sock, &err) < 0);
        assert_int_equal(sock, -1);
        assert_non_null(strstr(err->msg, "linux.seccomp.listenerPath: connect to `/nonexistent/listener.sock`"));
        seccomp_filter_free(f);

        char *flags[] = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL};
        s = base_profile(scs, 1);
        s.flags = flags;
        s.has_flags = true;
        assert_int_equal(seccomp_filter_build(&s, false, &f, NULL), 0);
        seccomp_filter_free(f);
}

/* An identity-switch failure under a filter loaded without noNewPrivileges: EPERM and ENOSYS (what a
 * profile answers) get the profile named, with what it must allow; other errors pass through as they are. */
static void test_blame_profile(void **state)
{
        (void)state;
        struct error *err = NULL;
        error_set(&err, EPERM, "process.user.uid: setresuid(0)");
        assert_int_equal(seccomp_blame_profile(&err), -EPERM);
        assert_non_null(strstr(err->msg, "linux.seccomp: "));
        assert_non_null(strstr(err->msg, "must allow " SECCOMP_RUNTIME_SYSCALLS_AFTER_LOAD));
        assert_non_null(strstr(err->msg, "process.user.uid: setresuid(0)"));
        error_free(&err);
        error_set(&err, ENOSYS, "prctl(PR_SET_KEEPCAPS)");
        assert_int_equal(seccomp_blame_profile(&err), -ENOSYS);
        assert_non_null(strstr(err->msg, "linux.seccomp: "));
        error_free(&err);
        error_set(&err, EINVAL, "process.user.gid: setresgid(70000)");
        assert_int_equal(seccomp_blame_profile(&err), -EINVAL);
        assert_string_equal(err->msg, "process.user.gid: setresgid(70000)");
        error_free(&err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_name_tables), cmocka_unit_test(test_actions),
            cmocka_unit_test(test_arches),      cmocka_unit_test(test_flags_and_ops),
            cmocka_unit_test(test_validate),    cmocka_unit_test(test_listener_payload),
            cmocka_unit_test(test_build),       cmocka_unit_test(test_blame_profile),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
