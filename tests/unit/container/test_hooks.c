/* OCI hooks: the tables, the stdin JSON, and real hook processes (/bin/sh scripts in a temp dir):
 * stdin content, argv, env, cwd, output annotations, failures, timeouts. */
#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/fs.h"
#include "container/hooks.h"

static char tmp[64];

static int setup(void **state)
{
        (void)state;
        snprintf(tmp, sizeof(tmp), "/tmp/krun-hooks-XXXXXX");
        return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
        (void)state;
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
        return system(cmd) == 0 ? 0 : -1;
}

static char *path_in_tmp(const char *name)
{
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", tmp, name) > 0);
        return p;
}

static char *write_script(const char *name, const char *body)
{
        char *p = path_in_tmp(name);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fprintf(f, "#!/bin/sh\n%s\n", body);
        fclose(f);
        chmod(p, 0755);
        return p;
}

static char *slurp(const char *path)
{
        char *data = NULL;
        size_t len;
        if (fs_read_file(path, 1 << 20, &data, &len) < 0)
                return NULL;
        return data;
}

static void test_tables(void **state)
{
        (void)state;
        static const struct {
                enum oci_hook_kind kind;
                const char *name, *status;
        } cases[] = {
            {HOOK_PRESTART, "prestart", "creating"},
            {HOOK_CREATE_RUNTIME, "createRuntime", "creating"},
            {HOOK_CREATE_CONTAINER, "createContainer", "creating"},
            {HOOK_START_CONTAINER, "startContainer", "created"},
            {HOOK_POSTSTART, "poststart", "running"},
            {HOOK_POSTSTOP, "poststop", "stopped"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                assert_string_equal(hook_kind_name(cases[i].kind), cases[i].name);
                assert_string_equal(hook_kind_status(cases[i].kind), cases[i].status);
        }
}

static void test_state_json(void **state)
{
        (void)state;
        struct oci_kv ann[1] = {{"org.example/key", "v/1"}};
        struct oci_spec spec = {.annotations = ann, .n_annotations = 1};
        struct hook_state st = hook_state_for(&spec, "c1", 4321, "/b", "/b/rootfs");
        assert_ptr_equal(st.annotations, ann);
        assert_int_equal(st.n_annotations, 1);
        _cleanup_free_ char *s = hook_state_json(&st, HOOK_CREATE_RUNTIME);
        assert_string_equal(
            s, "{\"ociVersion\":\"1.0.0\",\"id\":\"c1\",\"pid\":4321,\"status\":\"creating\","
               "\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\",\"annotations\":{\"org.example/key\":\"v/1\"}}");
        _cleanup_free_ char *stopped = hook_state_json(&st, HOOK_POSTSTOP);
        assert_non_null(strstr(stopped, "\"pid\":0,\"status\":\"stopped\""));
        st.rootfs = NULL;
        st.n_annotations = 0;
        _cleanup_free_ char *bare = hook_state_json(&st, HOOK_POSTSTART);
        assert_string_equal(bare, "{\"ociVersion\":\"1.0.0\",\"id\":\"c1\",\"pid\":4321,\"status\":\"running\","
                                  "\"bundle\":\"/b\",\"annotations\":{}}");
}

static void test_describe_status(void **state)
{
        (void)state;
        _cleanup_free_ char *a = hook_describe_status(3 << 8);
        assert_string_equal(a, "exited with status 3");
        _cleanup_free_ char *b = hook_describe_status(9);
        assert_non_null(strstr(b, "killed by signal 9"));
}

static void test_stdin_argv_env_cwd(void **state)
{
        (void)state;
        _cleanup_free_ char *out = path_in_tmp("out");
        _cleanup_free_ char *body = NULL;
        assert_true(asprintf(&body,
                             "cat > '%1$s.stdin'\n"
                             "echo \"$1 $2\" > '%1$s.args'\n"
                             "pwd > '%1$s.cwd'\n"
                             "env > '%1$s.env'\n",
                             out) > 0);
        _cleanup_free_ char *script = write_script("record.sh", body);
        char *args[] = {"record", "first", "second", NULL};
        char *env[] = {"FOO=bar", NULL};
        struct oci_hook hook = {.path = script, .args = args, .env = env, .timeout = 10};
        struct hooks_run_opts opts = {.cwd = tmp};
        setenv("KRUN_HOOK_TEST_MARK", "inherited", 1);
        _cleanup_error_ struct error *err = NULL;
        int r = hook_run_one(&hook, HOOK_CREATE_RUNTIME, 0, "{\"id\":\"x\"}", &opts, NULL, NULL, &err);
        if (r < 0)
                fail_msg("%s", err->msg);
        _cleanup_free_ char *in = NULL, *argv = NULL, *cwd = NULL, *envs = NULL;
        char name[256];
        snprintf(name, sizeof(name), "%s.stdin", out);
        in = slurp(name);
        assert_string_equal(in, "{\"id\":\"x\"}");
        snprintf(name, sizeof(name), "%s.args", out);
        argv = slurp(name);
        assert_string_equal(argv, "first second\n");
        snprintf(name, sizeof(name), "%s.cwd", out);
        cwd = slurp(name);
        assert_true(strncmp(cwd, tmp, strlen(tmp)) == 0);
        snprintf(name, sizeof(name), "%s.env", out);
        envs = slurp(name);
        assert_non_null(strstr(envs, "FOO=bar"));
        assert_null(strstr(envs, "KRUN_HOOK_TEST_MARK")); /* exactly `env` */

        /* Without env: the runtime's environment is inherited. */
        hook.env = NULL;
        assert_int_equal(hook_run_one(&hook, HOOK_CREATE_RUNTIME, 0, "{}", &opts, NULL, NULL, &err), 0);
        free(envs);
        envs = slurp(name);
        assert_non_null(strstr(envs, "KRUN_HOOK_TEST_MARK=inherited"));
        unsetenv("KRUN_HOOK_TEST_MARK");
}

static void test_failures(void **state)
{
        (void)state;
        struct hooks_run_opts opts = {.cwd = tmp};
        _cleanup_error_ struct error *err = NULL;
        struct oci_hook f = {.path = "/bin/false"};
        assert_true(hook_run_one(&f, HOOK_CREATE_RUNTIME, 0, "{}", &opts, NULL, NULL, &err) < 0);
        assert_string_equal(err->msg, "createRuntime hook #0 `/bin/false`: exited with status 1");

        _cleanup_free_ char *killer = write_script("killer.sh", "kill -9 $$");
        struct oci_hook k = {.path = killer};
        assert_true(hook_run_one(&k, HOOK_POSTSTART, 2, "{}", &opts, NULL, NULL, &err) < 0);
        assert_non_null(strstr(err->msg, "poststart hook #2 `"));
        assert_non_null(strstr(err->msg, "`: killed by signal 9"));

        struct oci_hook missing = {.path = "/nonexistent/hook"};
        assert_true(hook_run_one(&missing, HOOK_PRESTART, 1, "{}", &opts, NULL, NULL, &err) < 0);
        assert_string_equal(err->msg, "prestart hook #1 `/nonexistent/hook`: exec");
        assert_int_equal(err->errnum, ENOENT);

        struct hooks_run_opts bad_cwd = {.cwd = "/nonexistent/bundle"};
        struct oci_hook t = {.path = "/bin/true"};
        assert_true(hook_run_one(&t, HOOK_START_CONTAINER, 0, "{}", &bad_cwd, NULL, NULL, &err) < 0);
        assert_int_equal(err->errnum, ENOENT);
        bad_cwd.tolerate_cwd = true;
        assert_int_equal(hook_run_one(&t, HOOK_START_CONTAINER, 0, "{}", &bad_cwd, NULL, NULL, &err), 0);
}

static void test_timeout(void **state)
{
        (void)state;
        struct hooks_run_opts opts = {.cwd = tmp};
        _cleanup_free_ char *sleeper = write_script("sleeper.sh", "exec sleep 30");
        struct oci_hook h = {.path = sleeper, .timeout = 1};
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        _cleanup_error_ struct error *err = NULL;
        assert_true(hook_run_one(&h, HOOK_CREATE_CONTAINER, 0, "{}", &opts, NULL, NULL, &err) < 0);
        clock_gettime(CLOCK_MONOTONIC, &b);
        assert_non_null(strstr(err->msg, "createContainer hook #0 `"));
        assert_non_null(strstr(err->msg, "hook ran past specified timeout"));
        assert_true(b.tv_sec - a.tv_sec < 5);
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* reaped */
}

/* A hook that ignores a stdin larger than a pipe buffer must neither hang us nor kill us with SIGPIPE. */
static void test_unread_big_stdin(void **state)
{
        (void)state;
        size_t n = 512 * 1024;
        _cleanup_free_ char *big = malloc(n + 1);
        memset(big, 'x', n);
        big[n] = 0;
        struct oci_hook t = {.path = "/bin/true", .timeout = 5};
        struct hooks_run_opts opts = {.cwd = tmp};
        assert_int_equal(hook_run_one(&t, HOOK_POSTSTART, 0, big, &opts, NULL, NULL, NULL), 0);
}

static void test_hooks_run_sequence(void **state)
{
        (void)state;
        _cleanup_free_ char *log = path_in_tmp("seq.log");
        _cleanup_free_ char *errlog = path_in_tmp("seq.err");
        _cleanup_free_ char *hook_a = write_script("a.sh", "echo a; read -r line; echo \"$line\" >&2");
        _cleanup_free_ char *hook_c = write_script("c.sh", "echo c");
        struct oci_hook list[3] = {{.path = hook_a}, {.path = "/bin/false"}, {.path = hook_c}};
        struct oci_kv ann[2] = {{"run.oci.hooks.stdout", log}, {"run.oci.hooks.stderr", errlog}};
        struct oci_spec spec = {.annotations = ann, .n_annotations = 2};
        spec.hooks.list[HOOK_POSTSTOP] = list;
        spec.hooks.n[HOOK_POSTSTOP] = 3;
        spec.hooks.list[HOOK_PRESTART] = list;
        spec.hooks.n[HOOK_PRESTART] = 3;
        struct hook_state st = {.id = "ctr", .pid = 9, .bundle = tmp};
        struct hooks_run_opts opts = {.cwd = tmp};

        /* Failure stops the list: c never runs. */
        _cleanup_error_ struct error *err = NULL;
        assert_true(hooks_run(&spec, HOOK_PRESTART, &st, &opts, &err) < 0);
        assert_string_equal(err->msg, "prestart hook #1 `/bin/false`: exited with status 1");
        _cleanup_free_ char *out1 = slurp(log);
        assert_string_equal(out1, "a\n");
        _cleanup_free_ char *err1 = slurp(errlog);
        assert_non_null(strstr(err1, "\"status\":\"creating\""));
        assert_non_null(strstr(err1, "\"id\":\"ctr\""));
        struct stat sb;
        assert_int_equal(stat(log, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0700);

        /* poststop: warnings only, everything runs, output appended. */
        opts.warn_only = true;
        assert_int_equal(hooks_run(&spec, HOOK_POSTSTOP, &st, &opts, &err), 0);
        _cleanup_free_ char *out2 = slurp(log);
        assert_string_equal(out2, "a\na\nc\n");
        _cleanup_free_ char *err2 = slurp(errlog);
        assert_non_null(strstr(err2, "\"pid\":0,\"status\":\"stopped\""));

        /* No hooks of a kind: nothing to do. */
        assert_int_equal(hooks_run(&spec, HOOK_POSTSTART, &st, &opts, NULL), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_tables),           cmocka_unit_test(test_state_json),
            cmocka_unit_test(test_describe_status),  cmocka_unit_test(test_stdin_argv_env_cwd),
            cmocka_unit_test(test_failures),         cmocka_unit_test(test_timeout),
            cmocka_unit_test(test_unread_big_stdin), cmocka_unit_test(test_hooks_run_sequence),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
