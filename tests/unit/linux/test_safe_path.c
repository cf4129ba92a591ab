/* safe_path against a hostile rootfs: symlinks to host paths, `..` climbing, loops, planted symlinks,
 * hard links and FIFOs. Each test gets a fresh temp tree (root/ = the rootfs, outside/ = the "host")
 * removed in the teardown. Resolution cases run against openat2 and the fallback resolver. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "../scratch_tree.h"

#include "core/cleanup.h"
#include "linux/safe_path.h"
#include "linux/safe_path_internal.h"

struct fixture {
        char base[64];
        char outside[128];
        int root_fd;
};

static void write_text(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static char *read_text_at(int dir, const char *path)
{
        int fd = openat(dir, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        char *buf = calloc(1, 4096);
        ssize_t n = read(fd, buf, 4095);
        close(fd);
        if (n < 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        strcpy(f->base, "/tmp/krun-safe-path-XXXXXX");
        if (!mkdtemp(f->base))
                return -1;
        char p[256];
        snprintf(f->outside, sizeof(f->outside), "%s/outside", f->base);
        mkdir(f->outside, 0755);
        snprintf(p, sizeof(p), "%s/secret", f->outside);
        write_text(p, "host secret");
        snprintf(p, sizeof(p), "%s/root", f->base);
        mkdir(p, 0755);
        f->root_fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);

        int r = f->root_fd;
        mkdirat(r, "data", 0755);
        mkdirat(r, "data/sub", 0755);
        int fd = openat(r, "data/file", O_WRONLY | O_CREAT, 0644);
        assert_true(write(fd, "inside", 6) == 6);
        close(fd);
        symlinkat(f->outside, r, "hostdir"); /* absolute host path */
        snprintf(p, sizeof(p), "%s/secret", f->outside);
        symlinkat(p, r, "hostfile");                /* absolute host file */
        symlinkat("../../../../../../..", r, "up"); /* climbs above the root */
        symlinkat("/data", r, "abs");               /* absolute, legit inside */
        symlinkat("data/sub/..", r, "rel");         /* relative, legit inside */
        symlinkat("loop", r, "loop");
        symlinkat("/proc/self/root", r, "magic");
        snprintf(p, sizeof(p), "%s/root/hard", f->base);
        char s[256];
        snprintf(s, sizeof(s), "%s/secret", f->outside);
        assert_int_equal(link(s, p), 0); /* hard link to the host file */
        mkfifoat(r, "fifo", 0644);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        close(f->root_fd);
        scratch_tree_remove(f->base);
        free(f);
        return 0;
}

static char *secret(struct fixture *f)
{
        char p[256];
        snprintf(p, sizeof(p), "%s/secret", f->outside);
        return read_text_at(AT_FDCWD, p);
}

typedef int (*resolver)(int root_fd, const char *path, int flags, mode_t mode, int *out_fd);

static int via_safe_openat(int root_fd, const char *path, int flags, mode_t mode, int *out_fd)
{
        _cleanup_error_ struct error *err = NULL;
        int r = safe_openat(root_fd, path, flags, mode, out_fd, &err);
        if (r < 0) {
                assert_non_null(err);
                assert_non_null(strstr(err->msg, path));
                return -err->errnum;
        }
        return 0;
}

static void check_resolution(struct fixture *f, resolver resolve)
{
        int fd = -1;
        /* Legit paths resolve inside. */
        const char *inside[] = {"/data/file",
                                "data/file",
                                "/abs/file",
                                "/rel/file",
                                "/up/data/file",
                                "/../../data/file",
                                "/data/sub/../../../data/./file"};
        for (size_t i = 0; i < ARRAY_SIZE(inside); i++) {
                int r = resolve(f->root_fd, inside[i], O_RDONLY, 0, &fd);
                if (r < 0)
                        fail_msg("%s: %s", inside[i], strerror(-r));
                char buf[16] = {0};
                assert_int_equal(read(fd, buf, sizeof(buf) - 1), 6);
                assert_string_equal(buf, "inside");
                close(fd);
        }
        /* Every way out lands inside the root, where the host paths do not exist. */
        const char *escapes[] = {"/hostdir/secret", "/hostfile", "/up/outside/secret", "/../outside/secret",
                                 "/magic/etc/passwd"};
        for (size_t i = 0; i < ARRAY_SIZE(escapes); i++) {
                fd = -1;
                int r = resolve(f->root_fd, escapes[i], O_RDONLY, 0, &fd);
                if (r != -ENOENT)
                        fail_msg("%s: expected ENOENT, got %d (fd %d)", escapes[i], r, fd);
        }
        assert_int_equal(resolve(f->root_fd, "/loop/x", O_RDONLY, 0, &fd), -ELOOP);
        assert_int_equal(resolve(f->root_fd, "/abs", O_RDONLY | O_NOFOLLOW, 0, &fd), -ELOOP);
        assert_int_equal(resolve(f->root_fd, "/data/file/x", O_RDONLY, 0, &fd), -ENOTDIR);

        /* O_CREAT through a symlinked parent creates inside. */
        assert_int_equal(resolve(f->root_fd, "/abs/created", O_WRONLY | O_CREAT | O_EXCL, 0600, &fd), 0);
        close(fd);
        struct stat st;
        assert_int_equal(fstatat(f->root_fd, "data/created", &st, 0), 0);
        assert_int_equal(resolve(f->root_fd, "/abs/created", O_WRONLY | O_CREAT | O_EXCL, 0600, &fd), -EEXIST);
        unlinkat(f->root_fd, "data/created", 0);

        /* The root itself. */
        assert_int_equal(resolve(f->root_fd, "/", O_PATH | O_DIRECTORY, 0, &fd), 0);
        struct stat a, b;
        fstat(fd, &a);
        fstat(f->root_fd, &b);
        assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
        close(fd);

        _cleanup_free_ char *s = secret(f);
        assert_string_equal(s, "host secret");
}

static void test_resolve_openat2(void **state)
{
        check_resolution(*state, via_safe_openat);
}
static void test_resolve_fallback(void **state)
{
        check_resolution(*state, safe_openat_fallback);
}

static void test_mkdir_p(void **state)
{
        struct fixture *f = *state;
        _cleanup_error_ struct error *err = NULL;
        int fd = -1;
        assert_int_equal(safe_mkdir_p(f->root_fd, "/a/b/c", 0755, &fd, &err), 0);
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        close(fd);
        assert_int_equal(fstatat(f->root_fd, "a/b/c", &st, 0), 0);

        /* Existing, and through symlinks that stay inside. */
        assert_int_equal(safe_mkdir_p(f->root_fd, "/a/b/c", 0755, &fd, &err), 0);
        close(fd);
        assert_int_equal(safe_mkdir_p(f->root_fd, "/abs/new/deeper", 0755, &fd, &err), 0);
        close(fd);
        assert_int_equal(fstatat(f->root_fd, "data/new/deeper", &st, 0), 0);

        /* A dangling symlink to a host directory: its target is created inside the root, never outside. */
        assert_int_equal(safe_mkdir_p(f->root_fd, "/hostdir/newdir", 0755, &fd, &err), 0);
        close(fd);
        char p[256];
        snprintf(p, sizeof(p), "%s/newdir", f->outside);
        assert_int_equal(access(p, F_OK), -1);
        snprintf(p, sizeof(p), "%s/newdir", f->outside + 1);
        assert_int_equal(fstatat(f->root_fd, p, &st, 0), 0);

        /* A file in the way. */
        assert_true(safe_mkdir_p(f->root_fd, "/data/file/x", 0755, &fd, &err) < 0);
        assert_non_null(err);
        assert_int_equal(err->errnum, ENOTDIR);
        assert_non_null(strstr(err->msg, "/data/file/x"));
        error_free(&err);
        assert_true(safe_mkdir_p(f->root_fd, "/loop/x", 0755, &fd, &err) < 0);
        assert_int_equal(err->errnum, ELOOP);
}

static void test_create_file(void **state)
{
        struct fixture *f = *state;
        _cleanup_error_ struct error *err = NULL;
        int fd = -1;
        assert_int_equal(safe_create_file(f->root_fd, "/up/x/y", 0644, &fd, &err), 0);
        close(fd);
        struct stat st;
        assert_int_equal(fstatat(f->root_fd, "x/y", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode));

        /* Existing entries are opened as they are. */
        assert_int_equal(safe_create_file(f->root_fd, "/data/file", 0644, &fd, &err), 0);
        close(fd);
        assert_int_equal(safe_create_file(f->root_fd, "/fifo", 0644, &fd, &err), 0);
        fstat(fd, &st);
        assert_true(S_ISFIFO(st.st_mode));
        close(fd);

        /* A planted symlink to a host file must not reach it. */
        int r = safe_create_file(f->root_fd, "/hostfile", 0644, &fd, &err);
        if (r == 0)
                close(fd);
        error_free(&err);
        _cleanup_free_ char *s = secret(f);
        assert_string_equal(s, "host secret");

        /* A dangling symlink: its target is created inside the root, absolute or relative. */
        assert_int_equal(symlinkat("/made/here", f->root_fd, "dangling"), 0);
        assert_int_equal(symlinkat("made/rel", f->root_fd, "dangling-rel"), 0);
        assert_int_equal(safe_create_file(f->root_fd, "/dangling", 0644, &fd, &err), 0);
        close(fd);
        assert_int_equal(safe_create_file(f->root_fd, "/dangling-rel", 0644, &fd, &err), 0);
        close(fd);
        assert_int_equal(fstatat(f->root_fd, "made/here", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(fstatat(f->root_fd, "made/rel", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode));
}

static void test_write_file(void **state)
{
        struct fixture *f = *state;
        _cleanup_error_ struct error *err = NULL;
        const char *names[] = {"/hostfile", "/hard", "/fifo", "/data/file", "/abs/new-file"};
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                if (safe_write_file(f->root_fd, names[i], "payload", 7, 0640, &err) < 0)
                        fail_msg("%s: %s", names[i], err->msg);
                int fd = -1;
                assert_int_equal(safe_openat(f->root_fd, names[i], O_RDONLY | O_NOFOLLOW, 0, &fd, &err), 0);
                struct stat st;
                fstat(fd, &st);
                assert_true(S_ISREG(st.st_mode));
                assert_int_equal(st.st_mode & 07777, 0640);
                assert_int_equal(st.st_nlink, 1);
                char buf[16] = {0};
                assert_int_equal(read(fd, buf, sizeof(buf)), 7);
                assert_string_equal(buf, "payload");
                close(fd);
        }
        _cleanup_free_ char *s = secret(f);
        assert_string_equal(s, "host secret");

        /* A directory is not replaced; a missing parent (even via a host symlink) is not created. */
        assert_true(safe_write_file(f->root_fd, "/data", "x", 1, 0644, &err) < 0);
        assert_non_null(strstr(err->msg, "/data"));
        error_free(&err);
        assert_true(safe_write_file(f->root_fd, "/nope/file", "x", 1, 0644, &err) < 0);
        assert_int_equal(err->errnum, ENOENT);
        error_free(&err);
        assert_true(safe_write_file(f->root_fd, "/hostdir/x", "x", 1, 0644, &err) < 0);
        char p[256];
        snprintf(p, sizeof(p), "%s/x", f->outside);
        assert_int_equal(access(p, F_OK), -1);
}

static void test_read_file(void **state)
{
        struct fixture *f = *state;
        _cleanup_error_ struct error *err = NULL;
        char *data = NULL;
        size_t len = 0;
        assert_int_equal(safe_read_file(f->root_fd, "/abs/file", 100, &data, &len, &err), 0);
        assert_string_equal(data, "inside");
        assert_int_equal(len, 6);
        free(data);
        data = NULL;

        assert_int_equal(safe_read_file(f->root_fd, "/missing", 100, &data, &len, &err), 0);
        assert_null(data);
        assert_int_equal(len, 0);
        assert_int_equal(safe_read_file(f->root_fd, "/hostdir/secret", 100, &data, &len, &err), 0);
        assert_null(data);

        /* Exactly at the cap is fine, one byte over is not. */
        assert_int_equal(safe_read_file(f->root_fd, "/data/file", 6, &data, &len, &err), 0);
        free(data);
        assert_true(safe_read_file(f->root_fd, "/data/file", 5, &data, &len, &err) < 0);
        assert_int_equal(err->errnum, EFBIG);
        assert_null(data);
        error_free(&err);

        /* A FIFO must not block us; symlink at the end, directories and device nodes are refused, each
         * named. A device node needs CAP_MKNOD: without it that case is left out. */
        bool has_dev = mknodat(f->root_fd, "null", S_IFCHR | 0666, makedev(1, 3)) == 0;
        const struct {
                const char *path, *what;
        } bad[] = {{"/fifo", "a FIFO"},
                   {"/abs", "a symbolic link"},
                   {"/hostfile", "a symbolic link"},
                   {"/data", "a directory"},
                   {"/null", "a character device"}};
        for (size_t i = 0; i < ARRAY_SIZE(bad) - (has_dev ? 0 : 1); i++) {
                if (safe_read_file(f->root_fd, bad[i].path, 100, &data, &len, &err) >= 0)
                        fail_msg("%s: read succeeded", bad[i].path);
                assert_null(data);
                char want[128];
                snprintf(want, sizeof(want), "read `%s` in the rootfs: %s (expected a regular file)", bad[i].path,
                         bad[i].what);
                assert_string_equal(err->msg, want);
                error_free(&err);
        }
}

static void test_fd_path(void **state)
{
        (void)state;
        char buf[64];
        safe_fd_path(42, buf);
        assert_string_equal(buf, "/proc/self/fd/42");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_resolve_openat2, setup, teardown),
            cmocka_unit_test_setup_teardown(test_resolve_fallback, setup, teardown),
            cmocka_unit_test_setup_teardown(test_mkdir_p, setup, teardown),
            cmocka_unit_test_setup_teardown(test_create_file, setup, teardown),
            cmocka_unit_test_setup_teardown(test_write_file, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_file, setup, teardown),
            cmocka_unit_test(test_fd_path),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
