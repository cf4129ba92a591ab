/* rootfs_prepare / rootfs_pivot / rootfs_finalize for real, each case in a forked child inside its own
 * mount namespace (which dies with it, so no mount outlives the test). Needs root: skipped otherwise.
 * The rootfs is hostile: destinations through `evil -> <host dir>` and `up -> ../../..` must land inside. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "linux/rootfs.h"

#define SKIP_CODE 77

struct fixture {
        char base[64];
        char bundle[128], rootfs[160], escaped[128];
};

static void touch(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static int setup(void **state)
{
        if (geteuid() != 0)
                return 0;
        struct fixture *f = calloc(1, sizeof(*f));
        strcpy(f->base, "/tmp/krun-rootfs-XXXXXX");
        if (!mkdtemp(f->base))
                return -1;
        snprintf(f->bundle, sizeof(f->bundle), "%s/bundle", f->base);
        snprintf(f->rootfs, sizeof(f->rootfs), "%s/rootfs", f->bundle);
        snprintf(f->escaped, sizeof(f->escaped), "%s/escaped", f->base);
        char p[256];
        mkdir(f->bundle, 0755);
        mkdir(f->rootfs, 0755);
        mkdir(f->escaped, 0755);
        snprintf(p, sizeof(p), "%s/data", f->bundle);
        mkdir(p, 0755);
        snprintf(p, sizeof(p), "%s/data/f", f->bundle);
        touch(p, "data");
        snprintf(p, sizeof(p), "%s/hostfile", f->base);
        touch(p, "hostfile");
        snprintf(p, sizeof(p), "%s/evil", f->rootfs);
        assert_int_equal(symlink(f->escaped, p), 0);
        snprintf(p, sizeof(p), "%s/up", f->rootfs);
        assert_int_equal(symlink("../../../../../../..", p), 0);
        snprintf(p, sizeof(p), "%s/secret", f->rootfs);
        touch(p, "secret");
        *state = f;
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st, (void)flag, (void)ftw;
        return remove(path);
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        if (!f)
                return 0;
        nftw(f->base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(f);
        return 0;
}

#define CHECK(cond)                                                                                                    \
        do {                                                                                                           \
                if (!(cond)) {                                                                                         \
                        fprintf(stderr, "%s:%d: check failed: %s (%m)\n", __FILE__, __LINE__, #cond);                  \
                        _exit(1);                                                                                      \
                }                                                                                                      \
        } while (0)

typedef void (*child_fn)(struct fixture *f);

/* Run `fn` in a child with its own mount namespace; skip when that is not permitted. */
static void run_in_mntns(void **state, child_fn fn)
{
        struct fixture *f = *state;
        if (!f)
                skip();
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (unshare(CLONE_NEWNS) < 0)
                        _exit(SKIP_CODE);
                fn(f);
                _exit(0);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == SKIP_CODE)
                skip();
        assert_int_equal(WEXITSTATUS(status), 0);
        /* Nothing may ever be created through the hostile symlinks on the host side. */
        char p[256];
        snprintf(p, sizeof(p), "%s/x", f->escaped);
        assert_int_equal(access(p, F_OK), -1);
        snprintf(p, sizeof(p), "%s/file", f->escaped);
        assert_int_equal(access(p, F_OK), -1);
}

static void prepare_or_die(struct rootfs_config *cfg, int *rootfs_fd)
{
        struct error *err = NULL;
        if (rootfs_prepare(cfg, rootfs_fd, &err) < 0) {
                fprintf(stderr, "rootfs_prepare: %s\n", err->msg);
                _exit(1);
        }
}

static char *O(const char *s)
{
        return (char *)s;
}

static void child_hostile(struct fixture *f)
{
        char hostfile[256];
        snprintf(hostfile, sizeof(hostfile), "%s/hostfile", f->base);
        static char *tmpfs_o[] = {"size=64k", NULL};
        static char *bind_o[] = {"bind", NULL};
        struct oci_mount mounts[] = {
            {.destination = O("/evil/x"), .type = O("tmpfs"), .source = O("tmpfs"), .options = tmpfs_o},
            {.destination = O("/up/y"), .type = O("tmpfs"), .source = O("tmpfs"), .options = tmpfs_o},
            {.destination = O("/evil/file"), .source = hostfile, .options = bind_o},
        };
        struct oci_spec spec = {.mounts = mounts, .n_mounts = ARRAY_SIZE(mounts)};
        struct rootfs_config cfg = {
            .spec = &spec, .bundle = f->bundle, .rootfs = f->rootfs, .has_new_mntns = true, .console_slave_fd = -1};
        int fd = -1;
        prepare_or_die(&cfg, &fd);

        /* The symlinks were resolved inside the rootfs: f->escaped + 1 is that path relative to it. */
        struct stat root_st, st;
        CHECK(fstat(fd, &root_st) == 0);
        char rel[256];
        snprintf(rel, sizeof(rel), "%s/x", f->escaped + 1);
        CHECK(fstatat(fd, rel, &st, 0) == 0 && S_ISDIR(st.st_mode) && st.st_dev != root_st.st_dev);
        CHECK(fstatat(fd, "y", &st, 0) == 0 && st.st_dev != root_st.st_dev);
        snprintf(rel, sizeof(rel), "%s/file", f->escaped + 1);
        int file = openat(fd, rel, O_RDONLY | O_CLOEXEC);
        CHECK(file >= 0);
        char buf[16] = {0};
        CHECK(read(file, buf, sizeof(buf)) == 8 && strcmp(buf, "hostfile") == 0);
        close(file);
        close(fd);
}

static void test_hostile_destinations(void **state)
{
        run_in_mntns(state, child_hostile);
}

static void full_flow(struct fixture *f, bool no_pivot)
{
        static char *ro_bind[] = {"rbind", "ro", NULL};
        static char *dev_o[] = {"nosuid", "mode=755", NULL};
        static char *masked[] = {"/secret", "/sub", "/missing", NULL};
        static char *readonly[] = {"/rw", "/missing/too", NULL};
        struct oci_mount mounts[] = {
            {.destination = O("/dev"), .type = O("tmpfs"), .source = O("tmpfs"), .options = dev_o},
            {.destination = O("/dev/pts"), .type = O("devpts"), .source = O("devpts")},
            {.destination = O("/mnt/data"), .source = O("data"), .options = ro_bind},
        };
        struct oci_device devices[] = {
            {.type = 'c',
             .path = O("/dev/fuse"),
             .major = 10,
             .minor = 229,
             .has_file_mode = true,
             .file_mode = 0600,
             .has_uid = true,
             .uid = 12,
             .has_gid = true,
             .gid = 34},
            {.type = 'p', .path = O("/run/fifo"), .has_file_mode = true, .file_mode = 0640},
        };
        struct oci_spec spec = {.mounts = mounts, .n_mounts = ARRAY_SIZE(mounts), .root_readonly = true};
        spec.linux_.masked_paths = masked;
        spec.linux_.readonly_paths = readonly;
        spec.linux_.devices = devices;
        spec.linux_.n_devices = ARRAY_SIZE(devices);
        char p[256];
        snprintf(p, sizeof(p), "%s/sub", f->rootfs);
        mkdir(p, 0755);
        snprintf(p, sizeof(p), "%s/sub/inner", f->rootfs);
        touch(p, "inner");
        snprintf(p, sizeof(p), "%s/rw", f->rootfs);
        mkdir(p, 0755);

        struct rootfs_config cfg = {.spec = &spec,
                                    .bundle = f->bundle,
                                    .rootfs = f->rootfs,
                                    .has_new_mntns = true,
                                    .no_pivot = no_pivot,
                                    .console_slave_fd = -1};
        int fd = -1;
        prepare_or_die(&cfg, &fd);
        struct error *err = NULL;
        if (rootfs_pivot(&cfg, fd, &err) < 0 || rootfs_finalize(&cfg, &err) < 0) {
                fprintf(stderr, "%s\n", err->msg);
                _exit(1);
        }

        struct stat st;
        char cwd[64];
        CHECK(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0);
        CHECK(stat("/secret", &st) == 0 && S_ISCHR(st.st_mode)); /* /dev/null over it */
        CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
        CHECK((st.st_mode & 07777) == 0666);
        CHECK(stat("/dev/fuse", &st) == 0 && st.st_rdev == makedev(10, 229) && (st.st_mode & 07777) == 0600);
        CHECK(st.st_uid == 12 && st.st_gid == 34);
        CHECK(stat("/run/fifo", &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0640);
        char link[64] = {0};
        CHECK(readlink("/dev/ptmx", link, sizeof(link) - 1) > 0 && strcmp(link, "pts/ptmx") == 0);
        CHECK(readlink("/dev/stdin", link, sizeof(link) - 1) > 0);
        CHECK(access("/sub/inner", F_OK) < 0 && errno == ENOENT); /* masked directory */
        CHECK(access("/mnt/data/f", R_OK) == 0);
        CHECK(open("/mnt/data/new", O_WRONLY | O_CREAT, 0644) < 0 && errno == EROFS);
        CHECK(open("/newfile", O_WRONLY | O_CREAT, 0644) < 0 && errno == EROFS);
        CHECK(mkdir("/rw/d", 0755) < 0 && errno == EROFS);
        /* The fresh tmpfs on /dev stays writable under a read-only root. */
        int w = open("/dev/scratch", O_WRONLY | O_CREAT, 0644);
        CHECK(w >= 0);
        close(w);
}

static void child_pivot(struct fixture *f)
{
        full_flow(f, false);
}
static void child_no_pivot(struct fixture *f)
{
        full_flow(f, true);
}

static void test_pivot(void **state)
{
        run_in_mntns(state, child_pivot);
}
static void test_no_pivot(void **state)
{
        run_in_mntns(state, child_no_pivot);
}

static void expect_error_ns(struct fixture *f, struct oci_spec *spec, bool mntns, const char *text)
{
        struct rootfs_config cfg = {
            .spec = spec, .bundle = f->bundle, .rootfs = f->rootfs, .has_new_mntns = mntns, .console_slave_fd = -1};
        int fd = -1;
        struct error *err = NULL;
        CHECK(rootfs_prepare(&cfg, &fd, &err) < 0);
        if (!strstr(err->msg, text)) {
                fprintf(stderr, "expected \"%s\" in \"%s\"\n", text, err->msg);
                _exit(1);
        }
        error_free(&err);
}

static void expect_error(struct fixture *f, struct oci_spec *spec, const char *text)
{
        expect_error_ns(f, spec, true, text);
}

static void child_errors(struct fixture *f)
{
        static char *bind_o[] = {"bind", NULL};
        struct oci_mount missing = {.destination = O("/mnt/missing"), .source = O("nope"), .options = bind_o};
        struct oci_spec spec = {.mounts = &missing, .n_mounts = 1};
        expect_error(f, &spec, "mount `/mnt/missing`: open source");
        /* Without a mount namespace these would land on the host. */
        expect_error_ns(f, &spec, false, "need a new mount namespace");

        struct oci_mount notype = {.destination = O("/mnt/x"), .source = O("x")};
        spec.mounts = &notype;
        expect_error(f, &spec, "mount `/mnt/x`: invalid mount type");

        static char *copyup[] = {"tmpcopyup", NULL};
        struct oci_mount bad_copyup = {
            .destination = O("/x"), .type = O("proc"), .source = O("proc"), .options = copyup};
        spec.mounts = &bad_copyup;
        expect_error(f, &spec, "mount `/x`: option `tmpcopyup` is only valid for tmpfs");

        spec.n_mounts = 0;
        spec.linux_.rootfs_propagation = O("sideways");
        expect_error(f, &spec, "linux.rootfsPropagation: unknown value \"sideways\"");
}

static void test_errors(void **state)
{
        run_in_mntns(state, child_errors);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_hostile_destinations, setup, teardown),
            cmocka_unit_test_setup_teardown(test_pivot, setup, teardown),
            cmocka_unit_test_setup_teardown(test_no_pivot, setup, teardown),
            cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
