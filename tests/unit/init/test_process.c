/* init/process.c against the real kernel. Every test runs in a forked child (credentials, capabilities, chroot
 * and fds must not leak into the test runner): ../child_check.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "child_check.h"
#include "core/cleanup.h"
#include "init/process.h"

static void expect_status(const char *key, const char *want)
{
        char buf[256];
        status_field(key, buf, sizeof(buf));
        EXPECT(strcmp(buf, want) == 0, "/proc/self/status %s: expected `%s`, got `%s`", key, want, buf);
}

#define BIT(c) (UINT64_C(1) << (c))

/* --- identity --- */

static void child_identity_reduced(void)
{
        uint32_t gids[] = {5, 6};
        struct oci_process p = {
            .uid = 1000,
            .gid = 1001,
            .has_umask = true,
            .umask = 027,
            .additional_gids = gids,
            .n_additional_gids = 2,
            .has_additional_gids = true,
            .has_caps = true,
            .caps = {.bounding = BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE) | BIT(63),
                     .effective = BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE),
                     .permitted = BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE) | BIT(63),
                     .inheritable = BIT(CAP_KILL),
                     .ambient = BIT(CAP_KILL)},
            .no_new_privileges = true,
        };
        _cleanup_error_ struct error *err = NULL;
        expect_ok(process_set_identity(&p, false, &err), &err, "set identity");
        expect_status("Uid", "1000\t1000\t1000\t1000");
        expect_status("Gid", "1001\t1001\t1001\t1001");
        expect_status("Groups", "5 6");
        expect_status("Umask", "0027");
        expect_status("CapInh", "0000000000000020");
        expect_status("CapPrm", "0000000000000420");
        expect_status("CapEff", "0000000000000420");
        expect_status("CapBnd", "0000000000000421");
        expect_status("CapAmb", "0000000000000020");
        expect_status("NoNewPrivs", "1");
}

static void test_identity_reduced(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        run_in_child(child_identity_reduced);
}

static void child_identity_no_caps(void)
{
        struct oci_process p = {.uid = 0, .gid = 0};
        _cleanup_error_ struct error *err = NULL;
        umask(0);
        expect_ok(process_set_identity(&p, false, &err), &err, "set identity");
        expect_status("Uid", "0\t0\t0\t0");
        expect_status("Groups", "");
        expect_status("Umask", "0022");
        expect_status("CapInh", "0000000000000000");
        expect_status("CapPrm", "0000000000000000");
        expect_status("CapEff", "0000000000000000");
        expect_status("CapBnd", "0000000000000000");
        expect_status("CapAmb", "0000000000000000");
        expect_status("NoNewPrivs", "0");
}

static void test_identity_no_caps_object(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        run_in_child(child_identity_no_caps);
}

static void child_identity_ambient_not_inheritable(void)
{
        struct oci_process p = {
            .uid = 1000,
            .gid = 1000,
            .has_caps = true,
            .caps = {.bounding = BIT(CAP_NET_BIND_SERVICE),
                     .effective = BIT(CAP_NET_BIND_SERVICE),
                     .permitted = BIT(CAP_NET_BIND_SERVICE),
                     .ambient = BIT(CAP_NET_BIND_SERVICE)},
        };
        _cleanup_error_ struct error *err = NULL;
        expect_ok(process_set_identity(&p, false, &err), &err, "set identity");
        expect_status("CapAmb", "0000000000000000");
        expect_status("CapEff", "0000000000000400");
}

static void test_identity_ambient_not_inheritable(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        run_in_child(child_identity_ambient_not_inheritable);
}

static void child_identity_capset_fails(void)
{
        /* Caps we do not hold cannot become permitted: the error names the sets. */
        struct oci_process p = {
            .uid = 1000,
            .gid = 1000,
            .has_caps = true,
            .caps = {.bounding = ~UINT64_C(0), .permitted = BIT(CAP_SYS_RESOURCE)},
        };
        _cleanup_error_ struct error *err = NULL;
        expect_error(process_set_identity(&p, false, &err), &err, EPERM,
                     "process.capabilities: set effective/permitted/inheritable (capset 0x0/0x1000000/0x0)");
}

static void test_identity_capset_fails(void **state)
{
        (void)state;
        if (geteuid() != 0 || has_cap_sys_resource())
                skip();
        run_in_child(child_identity_capset_fails);
}

/* --- fds --- */

static bool cloexec(int fd)
{
        int flags = fcntl(fd, F_GETFD);
        if (flags < 0)
                child_fail("fd %d is not open", fd);
        return flags & FD_CLOEXEC;
}

static void open_fds(int first, int last)
{
        int null = open("/dev/null", O_RDONLY);
        EXPECT(null >= 0, "open /dev/null: %m");
        for (int fd = first; fd <= last; fd++)
                EXPECT(fd == null || dup2(null, fd) == fd, "dup2 %d: %m", fd);
        if (null > last)
                close(null);
}

static void child_close_fds(void)
{
        for (int fd = 3; fd < 64; fd++)
                if (fd != child_report_fd)
                        close(fd);
        open_fds(3, 12);
        int keep[] = {9, 7, 4, 200};
        _cleanup_error_ struct error *err = NULL;
        expect_ok(process_close_fds(2, keep, ARRAY_SIZE(keep), &err), &err, "close fds");
        bool want_kept[13] = {[3] = true, [4] = true, [7] = true, [9] = true};
        for (int fd = 3; fd <= 12; fd++)
                EXPECT(cloexec(fd) == !want_kept[fd], "fd %d: FD_CLOEXEC is %d", fd, cloexec(fd));
}

static void test_close_fds(void **state)
{
        (void)state;
        run_in_child(child_close_fds);
}

static void child_close_fds_all(void)
{
        open_fds(3, 8);
        _cleanup_error_ struct error *err = NULL;
        expect_ok(process_close_fds(0, NULL, 0, &err), &err, "close fds");
        for (int fd = 3; fd <= 8; fd++)
                EXPECT(cloexec(fd), "fd %d is not CLOEXEC", fd);
        int tooMany[17] = {0};
        _cleanup_error_ struct error *err2 = NULL;
        expect_error(process_close_fds(0, tooMany, 17, &err2), &err2, E2BIG, "close fds: too many fds to keep (17)");
}

static void test_close_fds_all(void **state)
{
        (void)state;
        run_in_child(child_close_fds_all);
}

/* --- env, executable and cwd inside a root (chroot stands in for pivot_root) --- */

static char root_dir[64];

static void write_file(const char *rel, const char *content, mode_t mode)
{
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", root_dir, rel);
        int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
        close(fd);
        assert_int_equal(chmod(path, mode), 0);
}

static void make_dir(const char *rel)
{
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", root_dir, rel);
        assert_int_equal(mkdir(path, 0755), 0);
}

static int setup_root(void **state)
{
        (void)state;
        snprintf(root_dir, sizeof(root_dir), "/tmp/process-root-XXXXXX");
        if (!mkdtemp(root_dir))
                return -1;
        make_dir("etc");
        make_dir("bin");
        make_dir("sbin");
        make_dir("sbin/tool");
        make_dir("fifo");
        make_dir("fifo/etc");
        write_file("etc/passwd", "root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n", 0644);
        write_file("bin/tool", "#!/bin/sh\n", 0755);
        write_file("bin/data", "data\n", 0644);
        char fifo[128];
        snprintf(fifo, sizeof(fifo), "%s/fifo/etc/passwd", root_dir);
        return mkfifo(fifo, 0644);
}

static int teardown_root(void **state)
{
        (void)state;
        const char *files[] = {"etc/passwd", "bin/tool", "bin/data", "fifo/etc/passwd"};
        const char *dirs[] = {"sbin/tool", "sbin", "bin", "etc", "fifo/etc", "fifo", ""};
        char path[256];
        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                snprintf(path, sizeof(path), "%s/%s", root_dir, files[i]);
                unlink(path);
        }
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
                snprintf(path, sizeof(path), "%s/%s", root_dir, dirs[i]);
                rmdir(path);
        }
        return 0;
}

static void enter_root(const char *sub)
{
        char path[128];
        snprintf(path, sizeof(path), "%s%s", root_dir, sub);
        EXPECT(chroot(path) == 0 && chdir("/") == 0, "chroot %s: %m", path);
}

static void expect_env(char **envp, const char *const *want, size_t n)
{
        size_t i = 0;
        for (; envp[i]; i++)
                EXPECT(i < n && strcmp(envp[i], want[i]) == 0, "env[%zu] = `%s`, expected `%s`", i, envp[i],
                       i < n ? want[i] : "(end)");
        EXPECT(i == n, "env has %zu entries, expected %zu", i, n);
}

static void child_build_env(void)
{
        enter_root("");
        char *env[] = {"PATH=/bin", "TERM=xterm", NULL};
        char *extra[] = {"LISTEN_FDS=1", "LISTEN_PID=1", NULL};
        struct oci_process p = {.uid = 1000, .env = env};
        _cleanup_error_ struct error *err = NULL;

        _cleanup_strv_ char **a = NULL;
        expect_ok(process_build_env(&p, extra, &a, &err), &err, "env uid 1000");
        const char *want_a[] = {"PATH=/bin", "TERM=xterm", "LISTEN_FDS=1", "LISTEN_PID=1", "HOME=/home/user"};
        expect_env(a, want_a, ARRAY_SIZE(want_a));

        p.uid = 4242; /* not in passwd */
        _cleanup_strv_ char **b = NULL;
        expect_ok(process_build_env(&p, NULL, &b, &err), &err, "env uid 4242");
        const char *want_b[] = {"PATH=/bin", "TERM=xterm", "HOME=/"};
        expect_env(b, want_b, ARRAY_SIZE(want_b));

        char *env_home[] = {"HOME=/custom", NULL};
        struct oci_process q = {.uid = 0, .env = env_home};
        _cleanup_strv_ char **c = NULL;
        expect_ok(process_build_env(&q, NULL, &c, &err), &err, "env with HOME");
        const char *want_c[] = {"HOME=/custom"};
        expect_env(c, want_c, 1);
}

static void test_build_env(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        run_in_child(child_build_env);
}

static void child_build_env_fifo_passwd(void)
{
        /* A FIFO as /etc/passwd must not block us: no HOME from it, fall back to "/". */
        enter_root("/fifo");
        struct oci_process p = {.uid = 0};
        _cleanup_error_ struct error *err = NULL;
        _cleanup_strv_ char **a = NULL;
        expect_ok(process_build_env(&p, NULL, &a, &err), &err, "env");
        const char *want[] = {"HOME=/"};
        expect_env(a, want, 1);
}

static void test_build_env_fifo_passwd(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        run_in_child(child_build_env_fifo_passwd);
}

static void child_resolve(void)
{
        enter_root("");
        char *args_tool[] = {"tool", NULL}, *args_data[] = {"data", NULL}, *args_nope[] = {"nope", NULL};
        char *args_rel[] = {"../bin/tool", NULL};
        char *env[] = {"PATH=/sbin:/bin", NULL};
        struct oci_process p = {.args = args_tool, .env = env, .cwd = "/etc"};

        _cleanup_free_ char *a = NULL;
        _cleanup_error_ struct error *err = NULL;
        expect_ok(process_resolve_executable(&p, &a, &err), &err, "resolve tool");
        EXPECT(strcmp(a, "/bin/tool") == 0, "resolved to `%s`", a); /* /sbin/tool is a directory */

        struct oci_process no_path = {.args = args_tool, .cwd = "/"};
        _cleanup_free_ char *b = NULL;
        expect_ok(process_resolve_executable(&no_path, &b, &err), &err, "resolve with the default PATH");
        EXPECT(strcmp(b, "/bin/tool") == 0, "resolved to `%s`", b);

        struct oci_process rel = {.args = args_rel, .env = env, .cwd = "/etc"};
        _cleanup_free_ char *c = NULL;
        expect_ok(process_resolve_executable(&rel, &c, &err), &err, "resolve relative");
        EXPECT(strcmp(c, "/etc/../bin/tool") == 0, "resolved to `%s`", c);

        char *d = NULL;
        p.args = args_data;
        expect_error(process_resolve_executable(&p, &d, &err), &err, EACCES,
                     "exec: `data`: not an executable file (permission denied)");
        error_free(&err);
        p.args = args_nope;
        expect_error(process_resolve_executable(&p, &d, &err), &err, ENOENT,
                     "exec: `nope`: executable file not found in $PATH");
        error_free(&err);

        expect_ok(process_chdir(&p, &err), &err, "chdir /etc");
        char cwd[64];
        EXPECT(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/etc") == 0, "cwd is `%s`", cwd);
        p.cwd = "/missing";
        expect_error(process_chdir(&p, &err), &err, ENOENT, "process.cwd: chdir to `/missing`");
}

static void test_resolve_and_chdir(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        run_in_child(child_resolve);
}

int main(void)
{
        const struct CMUnitTest tests[] = {

            cmocka_unit_test(test_identity_reduced),
            cmocka_unit_test(test_identity_no_caps_object),
            cmocka_unit_test(test_identity_ambient_not_inheritable),
            cmocka_unit_test(test_identity_capset_fails),
            cmocka_unit_test(test_close_fds),
            cmocka_unit_test(test_close_fds_all),
            cmocka_unit_test(test_build_env),
            cmocka_unit_test(test_build_env_fifo_passwd),
            cmocka_unit_test(test_resolve_and_chdir),
        };
        return cmocka_run_group_tests(tests, setup_root, teardown_root);
}
