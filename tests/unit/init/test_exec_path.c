/* exec_path_resolve: execvp semantics with an injected filesystem; exec_path_check_fs on real files. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "init/exec_path.h"

/* A fake filesystem: path -> check result; anything else is -ENOENT. Records the probed paths. */
struct fake_fs {
        const struct {
                const char *path;
                int result;
        } * entries;
        size_t n;
        char probed[16][256];
        size_t n_probed;
};

static int fake_check(const char *path, void *userdata)
{
        struct fake_fs *fs = userdata;
        if (fs->n_probed < 16)
                snprintf(fs->probed[fs->n_probed++], 256, "%s", path);
        for (size_t i = 0; i < fs->n; i++)
                if (strcmp(fs->entries[i].path, path) == 0)
                        return fs->entries[i].result;
        return -ENOENT;
}

#define FS(...)                                                                                                        \
        static const struct {                                                                                          \
                const char *path;                                                                                      \
                int result;                                                                                            \
        } entries_[] = {__VA_ARGS__};                                                                                  \
        struct fake_fs fs = {.entries = (void *)entries_, .n = ARRAY_SIZE(entries_)}

static char *resolve_ok(const char *file, const char *path_env, const char *cwd, struct fake_fs *fs)
{
        _cleanup_error_ struct error *err = NULL;
        char *out = NULL;
        int r = exec_path_resolve(file, path_env, cwd, fake_check, fs, &out, &err);
        if (r < 0)
                fail_msg("resolve `%s`: %s", file, err->msg);
        assert_null(err);
        return out;
}

static void resolve_fails(const char *file, const char *path_env, struct fake_fs *fs, int errnum, const char *msg)
{
        _cleanup_error_ struct error *err = NULL;
        char *out = (char *)"untouched";
        int r = exec_path_resolve(file, path_env, "/work", fake_check, fs, &out, &err);
        assert_int_equal(r, -errnum);
        assert_null(out);
        assert_non_null(err);
        assert_int_equal(err->errnum, errnum);
        assert_string_equal(err->msg, msg);
}

static void test_first_match_wins(void **state)
{
        (void)state;
        FS({"/a/sh", 0}, {"/b/sh", 0});
        _cleanup_free_ char *p = resolve_ok("sh", "/a:/b", "/", &fs);
        assert_string_equal(p, "/a/sh");
        assert_int_equal(fs.n_probed, 1);
}

static void test_later_dir(void **state)
{
        (void)state;
        FS({"/b/sh", 0});
        _cleanup_free_ char *p = resolve_ok("sh", "/a:/b:/c", "/", &fs);
        assert_string_equal(p, "/b/sh");
        assert_int_equal(fs.n_probed, 2);
        assert_string_equal(fs.probed[0], "/a/sh");
}

static void test_default_path(void **state)
{
        (void)state;
        FS({"/bin/true", 0});
        _cleanup_free_ char *p = resolve_ok("true", NULL, "/", &fs);
        assert_string_equal(p, "/bin/true");
        const char *expected[] = {"/usr/local/sbin/true", "/usr/local/bin/true", "/usr/sbin/true",
                                  "/usr/bin/true",        "/sbin/true",          "/bin/true"};
        assert_int_equal(fs.n_probed, ARRAY_SIZE(expected));
        for (size_t i = 0; i < ARRAY_SIZE(expected); i++)
                assert_string_equal(fs.probed[i], expected[i]);
}

static void test_not_found(void **state)
{
        (void)state;
        FS({"/x/other", 0});
        resolve_fails("nope", "/a:/b", &fs, ENOENT, "exec: `nope`: executable file not found in $PATH");
        assert_int_equal(fs.n_probed, 2);
}

static void test_enotdir_is_not_found(void **state)
{
        (void)state;
        FS({"/a/nope", -ENOTDIR});
        resolve_fails("nope", "/a", &fs, ENOENT, "exec: `nope`: executable file not found in $PATH");
}

static void test_eacces_keeps_searching(void **state)
{
        (void)state;
        FS({"/a/tool", -EACCES}, {"/b/tool", 0});
        _cleanup_free_ char *p = resolve_ok("tool", "/a:/b", "/", &fs);
        assert_string_equal(p, "/b/tool");
}

static void test_eacces_reported(void **state)
{
        (void)state;
        FS({"/b/tool", -EACCES});
        resolve_fails("tool", "/a:/b:/c", &fs, EACCES, "exec: `tool`: not an executable file (permission denied)");
        assert_int_equal(fs.n_probed, 3);
}

static void test_first_error_reported(void **state)
{
        (void)state;
        FS({"/a/tool", -ELOOP}, {"/b/tool", -EACCES});
        resolve_fails("tool", "/a:/b", &fs, ELOOP, "exec: `tool`: cannot be executed");
}

static void test_empty_and_relative_elements(void **state)
{
        (void)state;
        FS({"/nothing", 0});
        _cleanup_error_ struct error *err = NULL;
        char *out = NULL;
        assert_true(exec_path_resolve("x", ":bin::/abs:", "/work", fake_check, &fs, &out, &err) < 0);
        const char *expected[] = {"/work/x", "/work/bin/x", "/work/x", "/abs/x", "/work/x"};
        assert_int_equal(fs.n_probed, ARRAY_SIZE(expected));
        for (size_t i = 0; i < ARRAY_SIZE(expected); i++)
                assert_string_equal(fs.probed[i], expected[i]);
}

static void test_empty_cwd_means_root(void **state)
{
        (void)state;
        FS({"/x", 0});
        _cleanup_free_ char *p = resolve_ok("x", "", NULL, &fs);
        assert_string_equal(p, "/x");
}

static void test_slash_absolute(void **state)
{
        (void)state;
        FS({"/opt/app/run", 0}, {"/a/opt/app/run", 0});
        _cleanup_free_ char *p = resolve_ok("/opt/app/run", "/a", "/work", &fs);
        assert_string_equal(p, "/opt/app/run");
        assert_int_equal(fs.n_probed, 1);
}

static void test_slash_relative_to_cwd(void **state)
{
        (void)state;
        FS({"/work/./run.sh", 0}, {"/work/sub/run", 0});
        _cleanup_free_ char *p = resolve_ok("./run.sh", "/a", "/work", &fs);
        assert_string_equal(p, "/work/./run.sh");
        _cleanup_free_ char *q = resolve_ok("sub/run", "/a", "/work", &fs);
        assert_string_equal(q, "/work/sub/run");
}

static void test_slash_errors(void **state)
{
        (void)state;
        FS({"/bin/dir", -EACCES});
        resolve_fails("/bin/missing", "/bin", &fs, ENOENT, "exec: `/bin/missing`: executable file not found");
        resolve_fails("/bin/dir", "/bin", &fs, EACCES, "exec: `/bin/dir`: not an executable file (permission denied)");
}

static void test_empty_name(void **state)
{
        (void)state;
        FS({"/x", 0});
        resolve_fails("", "/", &fs, ENOENT, "process.args[0]: empty executable name");
        assert_int_equal(fs.n_probed, 0);
}

static void test_check_fs(void **state)
{
        (void)state;
        char dir[] = "/tmp/exec-path-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char exe[64], plain[64], sub[64], missing[64];
        snprintf(exe, sizeof(exe), "%s/exe", dir);
        snprintf(plain, sizeof(plain), "%s/plain", dir);
        snprintf(sub, sizeof(sub), "%s/sub", dir);
        snprintf(missing, sizeof(missing), "%s/missing", dir);
        int fd = open(exe, O_CREAT | O_WRONLY, 0755);
        assert_true(fd >= 0);
        close(fd);
        fd = open(plain, O_CREAT | O_WRONLY, 0644);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(mkdir(sub, 0755), 0);

        int r_exe = exec_path_check_fs(exe, NULL);
        int r_plain = exec_path_check_fs(plain, NULL);
        int r_sub = exec_path_check_fs(sub, NULL);
        int r_missing = exec_path_check_fs(missing, NULL);
        int r_dev = exec_path_check_fs("/dev/null", NULL);
        char notdir[80];
        snprintf(notdir, sizeof(notdir), "%s/x", plain);
        int r_notdir = exec_path_check_fs(notdir, NULL);
        unlink(exe);
        unlink(plain);
        rmdir(sub);
        rmdir(dir);

        assert_int_equal(r_exe, 0);
        assert_int_equal(r_plain, -EACCES); /* no x bit: even root cannot execute it */
        assert_int_equal(r_sub, -EACCES);   /* directories are not executables */
        assert_int_equal(r_missing, -ENOENT);
        assert_int_equal(r_dev, -EACCES);
        assert_int_equal(r_notdir, -ENOTDIR);
}

static void test_failure_status(void **state)
{
        (void)state;
        assert_int_equal(exec_path_failure_status(ENOENT), 127);
        assert_int_equal(exec_path_failure_status(EACCES), 126);
        assert_int_equal(exec_path_failure_status(EPERM), 126);
        assert_int_equal(exec_path_failure_status(ENOEXEC), 126);
        assert_int_equal(exec_path_failure_status(EINVAL), 1);
        assert_int_equal(exec_path_failure_status(0), 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_first_match_wins),
            cmocka_unit_test(test_later_dir),
            cmocka_unit_test(test_default_path),
            cmocka_unit_test(test_not_found),
            cmocka_unit_test(test_enotdir_is_not_found),
            cmocka_unit_test(test_eacces_keeps_searching),
            cmocka_unit_test(test_eacces_reported),
            cmocka_unit_test(test_first_error_reported),
            cmocka_unit_test(test_empty_and_relative_elements),
            cmocka_unit_test(test_empty_cwd_means_root),
            cmocka_unit_test(test_slash_absolute),
            cmocka_unit_test(test_slash_relative_to_cwd),
            cmocka_unit_test(test_slash_errors),
            cmocka_unit_test(test_empty_name),
            cmocka_unit_test(test_check_fs),
            cmocka_unit_test(test_failure_status),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
