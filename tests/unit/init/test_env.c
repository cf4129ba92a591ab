/* env_lookup, env_build and env_passwd_home (pure). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "init/env.h"

static void assert_strv(char **got, const char *const *want, size_t n)
{
        size_t i = 0;
        for (; got[i]; i++) {
                if (i >= n)
                        fail_msg("unexpected extra entry `%s`", got[i]);
                assert_string_equal(got[i], want[i]);
        }
        assert_int_equal(i, n);
}

static void test_lookup(void **state)
{
        (void)state;
        char *env[] = {"PATH=/bin", "PATHX=no", "HOME=/a", "EMPTY=", "NOEQ", "HOME=/b", NULL};
        assert_string_equal(env_lookup(env, "PATH"), "/bin");
        assert_string_equal(env_lookup(env, "HOME"), "/b"); /* last wins */
        assert_string_equal(env_lookup(env, "EMPTY"), "");
        assert_null(env_lookup(env, "NOEQ"));
        assert_null(env_lookup(env, "PAT"));
        assert_null(env_lookup(env, "MISSING"));
        assert_null(env_lookup(NULL, "PATH"));
}

static void test_build_keeps_order_and_dedups(void **state)
{
        (void)state;
        char *base[] = {"A=1", "B=2", "A=3", "C=4", NULL};
        _cleanup_strv_ char **out = NULL;
        assert_int_equal(env_build(base, NULL, NULL, &out), 0);
        const char *want[] = {"A=3", "B=2", "C=4"};
        assert_strv(out, want, ARRAY_SIZE(want));
}

static void test_build_extra_overrides(void **state)
{
        (void)state;
        char *base[] = {"PATH=/bin", "LISTEN_FDS=9", NULL};
        char *extra[] = {"LISTEN_FDS=2", "LISTEN_PID=1", NULL};
        _cleanup_strv_ char **out = NULL;
        assert_int_equal(env_build(base, extra, "/root", &out), 0);
        const char *want[] = {"PATH=/bin", "LISTEN_FDS=2", "LISTEN_PID=1", "HOME=/root"};
        assert_strv(out, want, ARRAY_SIZE(want));
}

static void test_build_home_not_overridden(void **state)
{
        (void)state;
        char *base[] = {"HOME=/mine", NULL};
        char *extra[] = {"HOME=/extra", NULL};
        _cleanup_strv_ char **a = NULL, **b = NULL;
        assert_int_equal(env_build(base, NULL, "/passwd", &a), 0);
        const char *want_a[] = {"HOME=/mine"};
        assert_strv(a, want_a, 1);
        assert_int_equal(env_build(NULL, extra, "/passwd", &b), 0);
        const char *want_b[] = {"HOME=/extra"};
        assert_strv(b, want_b, 1);
}

static void test_build_empty(void **state)
{
        (void)state;
        char *empty[] = {NULL};
        _cleanup_strv_ char **a = NULL, **b = NULL;
        assert_int_equal(env_build(NULL, NULL, NULL, &a), 0);
        assert_null(a[0]);
        assert_int_equal(env_build(empty, empty, "/", &b), 0);
        const char *want[] = {"HOME=/"};
        assert_strv(b, want, 1);
}

static void test_build_entries_without_value(void **state)
{
        (void)state;
        char *base[] = {"FOO", "FOO=1", "BAR=", NULL};
        _cleanup_strv_ char **out = NULL;
        assert_int_equal(env_build(base, NULL, NULL, &out), 0);
        const char *want[] = {"FOO=1", "BAR="};
        assert_strv(out, want, ARRAY_SIZE(want));
}

/* Keys that share a prefix or differ only after it are distinct keys. */
static void test_build_similar_keys(void **state)
{
        (void)state;
        char *base[] = {"A=1", "AB=2", "A", "B=3", "AB=4", "A=5", NULL};
        _cleanup_strv_ char **out = NULL;
        assert_int_equal(env_build(base, NULL, NULL, &out), 0);
        const char *want[] = {"A=5", "AB=4", "B=3"};
        assert_strv(out, want, ARRAY_SIZE(want));
}

/* 200,000 entries, each key set twice (base then extra): linear, so well inside the test timeout (the
 * pairwise merge took minutes); the order of first appearance stays and the later value wins. */
static void test_build_200k_entries(void **state)
{
        (void)state;
        enum { N = 200000 };
        _cleanup_strv_ char **base = calloc(N + 1, sizeof(char *));
        _cleanup_strv_ char **extra = calloc(N + 1, sizeof(char *));
        assert_non_null(base);
        assert_non_null(extra);
        for (size_t i = 0; i < N; i++) {
                assert_true(asprintf(&base[i], "VAR_%zu=base", i) > 0);
                assert_true(asprintf(&extra[i], "VAR_%zu=extra", N - 1 - i) > 0);
        }
        _cleanup_strv_ char **out = NULL;
        assert_int_equal(env_build(base, extra, "/root", &out), 0);
        char want[64];
        for (size_t i = 0; i < N; i++) {
                snprintf(want, sizeof(want), "VAR_%zu=extra", i);
                assert_string_equal(out[i], want);
        }
        assert_string_equal(out[N], "HOME=/root");
        assert_null(out[N + 1]);
}

static int home_of(const char *passwd, uid_t uid, char **home)
{
        FILE *f = fmemopen((void *)passwd, strlen(passwd), "r");
        assert_non_null(f);
        int r = env_passwd_home(f, uid, home);
        fclose(f);
        return r;
}

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "# comment:x:5:5::/comment:\n"
                             "broken line without fields\n"
                             "short:x:7\n"
                             "nonnum:x:1x:0::/bad:/bin/sh\n"
                             "huge:x:99999999999:0::/huge:/bin/sh\n"
                             "user:x:1000:1000:User,,,:/home/user:/bin/bash\n"
                             "dup:x:1000:1000::/home/dup:/bin/sh\n"
                             "nohome:x:2000:2000:::/bin/sh\n"
                             "noshell:x:3000:3000::/srv/x\n"
                             "last:x:4000:4000::/last:/bin/sh";

static void test_passwd_home(void **state)
{
        (void)state;
        const struct {
                uid_t uid;
                int r;
                const char *home;
        } cases[] = {
            {0, 1, "/root"},     {1000, 1, "/home/user"},
            {3000, 1, "/srv/x"}, {4000, 1, "/last"},
            {2000, 0, NULL},     {5, 0, NULL},
            {7, 0, NULL},        {1, 0, NULL},
            {42, 0, NULL},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char *home = (char *)"untouched";
                int r = home_of(passwd, cases[i].uid, &home);
                assert_int_equal(r, cases[i].r);
                if (cases[i].home)
                        assert_string_equal(home, cases[i].home);
                else
                        assert_null(home);
                if (r > 0)
                        free(home);
        }
}

static void test_passwd_empty_file(void **state)
{
        (void)state;
        char *home = NULL;
        FILE *f = fopen("/dev/null", "r");
        assert_non_null(f);
        assert_int_equal(env_passwd_home(f, 0, &home), 0);
        fclose(f);
        assert_null(home);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_lookup),
            cmocka_unit_test(test_build_keeps_order_and_dedups),
            cmocka_unit_test(test_build_extra_overrides),
            cmocka_unit_test(test_build_home_not_overridden),
            cmocka_unit_test(test_build_empty),
            cmocka_unit_test(test_build_entries_without_value),
            cmocka_unit_test(test_build_similar_keys),
            cmocka_unit_test(test_build_200k_entries),
            cmocka_unit_test(test_passwd_home),
            cmocka_unit_test(test_passwd_empty_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
