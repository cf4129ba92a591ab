/* The fallback resolver (safe_openat_fallback, for kernels without openat2) checked case by case against
 * the kernel's own answer: openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) on the same tree. Each case
 * must give the same errno, or an fd of the same inode. Cases are grouped by the step of the walk they
 * exercise (`..`, a symlink, the last component). When the kernel has no openat2 the cases still run
 * against the answers written in the table. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "../scratch_tree.h"

#include "core/cleanup.h"
#include "linux/safe_path_internal.h"

/* The rootfs every case runs in; "outside" is a sibling of it (the host). */
static const struct entry {
        char kind; /* 'd' directory, 'f' file, 'l' symlink, 'p' FIFO */
        const char *path, *target;
} tree[] = {
    {'d', "outside", NULL},
    {'f', "outside/secret", NULL},
    {'d', "root", NULL},
    {'d', "root/data", NULL},
    {'d', "root/data/sub", NULL},
    {'f', "root/data/file", NULL},
    {'f', "root/data/sub/deep", NULL},
    {'p', "root/fifo", NULL},
    {'l', "root/abs", "/data"},                   /* absolute, inside */
    {'l', "root/rel", "data/sub/.."},             /* relative, inside */
    {'l', "root/slash", "/"},                     /* the root itself */
    {'l', "root/up", "../../../../../.."},        /* climbs above the root */
    {'l', "root/data/sub/back", "../../outside"}, /* relative, out of the root */
    {'l', "root/data/sub/file-link", "../file"},  /* relative to a file */
    {'l', "root/host", "/outside/secret"},        /* an absolute host path */
    {'l', "root/dangling", "/made/here"},         /* target missing, parent missing */
    {'l', "root/dangling-file", "/data/new"},     /* target missing, parent present */
    {'l', "root/loop", "loop"},
    {'l', "root/ping", "pong/x"},
    {'l', "root/pong", "ping"},
    {'l', "root/chain1", "chain2"},
    {'l', "root/chain2", "/data/sub/../file"},
    {'l', "root/magic", "/proc/self/root"}, /* no /proc inside: a plain missing path */
    {'l', "root/dirlink", "data/"},
};

struct expect {
        int err;            /* 0: success */
        const char *inside; /* on success, the entry (relative to the root) the fd must be; "." = the root */
};

static const struct resolve_case {
        const char *path;
        int flags;
        struct expect want;
} cases[] = {
    /* Plain components and `.`. */
    {"/data/file", O_RDONLY, {0, "data/file"}},
    {"data/file", O_RDONLY, {0, "data/file"}},
    {"/", O_PATH | O_DIRECTORY, {0, "."}},
    {".", O_PATH, {0, "."}},
    {"//data//./file", O_RDONLY, {0, "data/file"}},
    {"/data/./sub/./deep", O_RDONLY, {0, "data/sub/deep"}},
    {"/nope", O_RDONLY, {ENOENT, NULL}},
    {"", O_PATH, {ENOENT, NULL}},
    {"/data/file/x", O_RDONLY, {ENOTDIR, NULL}},
    {"/fifo/x", O_PATH, {ENOTDIR, NULL}},

    /* `..`: never above the root, and only through directories. */
    {"/..", O_PATH, {0, "."}},
    {"/../../data/file", O_RDONLY, {0, "data/file"}},
    {"/data/..", O_PATH | O_DIRECTORY, {0, "."}},
    {"/data/sub/../../../data/./file", O_RDONLY, {0, "data/file"}},
    {"/data/sub/../file", O_RDONLY, {0, "data/file"}},
    {"/../outside/secret", O_RDONLY, {ENOENT, NULL}},
    {"/data/file/..", O_PATH, {ENOTDIR, NULL}},
    {"/nope/..", O_PATH, {ENOENT, NULL}},

    /* Symlinks: absolute targets restart at the root, relative ones at their directory; none leaves. */
    {"/abs/file", O_RDONLY, {0, "data/file"}},
    {"/rel/file", O_RDONLY, {0, "data/file"}},
    {"/slash/data/file", O_RDONLY, {0, "data/file"}},
    {"/up/data/file", O_RDONLY, {0, "data/file"}},
    {"/up/outside/secret", O_RDONLY, {ENOENT, NULL}},
    {"/data/sub/back/secret", O_RDONLY, {ENOENT, NULL}},
    {"/data/sub/file-link", O_RDONLY, {0, "data/file"}},
    {"/data/sub/file-link/", O_RDONLY, {ENOTDIR, NULL}},
    {"/host", O_RDONLY, {ENOENT, NULL}},
    {"/chain1", O_RDONLY, {0, "data/file"}},
    {"/abs/sub/../../abs/file", O_RDONLY, {0, "data/file"}},
    {"/dirlink/file", O_RDONLY, {0, "data/file"}},
    {"/magic/etc/passwd", O_RDONLY, {ENOENT, NULL}},
    {"/loop", O_RDONLY, {ELOOP, NULL}},
    {"/loop/x", O_RDONLY, {ELOOP, NULL}},
    {"/ping", O_RDONLY, {ELOOP, NULL}},
    {"/dangling", O_RDONLY, {ENOENT, NULL}},
    {"/abs/file/x", O_RDONLY, {ENOTDIR, NULL}},

    /* The last component: O_NOFOLLOW, O_DIRECTORY, trailing slashes, O_CREAT. */
    {"/abs", O_PATH, {0, "data"}},
    {"/abs", O_PATH | O_NOFOLLOW, {0, "abs"}},
    {"/abs", O_RDONLY | O_NOFOLLOW, {ELOOP, NULL}},
    {"/abs/", O_PATH | O_NOFOLLOW, {0, "data"}},
    {"/abs/.", O_PATH | O_NOFOLLOW, {0, "data"}},
    {"/data/file", O_RDONLY | O_DIRECTORY, {ENOTDIR, NULL}},
    {"/data/file/", O_RDONLY, {ENOTDIR, NULL}},
    {"/data/sub/", O_PATH, {0, "data/sub"}},
    {"/fifo", O_PATH, {0, "fifo"}},
    {"/data/file", O_RDONLY | O_CREAT, {0, "data/file"}},
    {"/data/file", O_RDONLY | O_CREAT | O_EXCL, {EEXIST, NULL}},
    {"/abs", O_RDONLY | O_CREAT | O_EXCL, {EEXIST, NULL}},
    {"/data", O_RDONLY | O_CREAT, {EISDIR, NULL}},
    {"/dangling", O_WRONLY | O_CREAT | O_EXCL, {EEXIST, NULL}},
    {"/dangling-file", O_WRONLY | O_CREAT | O_EXCL, {EEXIST, NULL}},
    {"/dangling", O_WRONLY | O_CREAT, {ENOENT, NULL}},
    {"/dangling-file", O_WRONLY | O_CREAT, {0, "data/new"}},
    {"/abs/created", O_WRONLY | O_CREAT | O_EXCL, {0, "data/created"}},
    {"/up/created", O_WRONLY | O_CREAT, {0, "created"}},
    {"/nope/created", O_WRONLY | O_CREAT, {ENOENT, NULL}},
    {"/data/newdir/", O_WRONLY | O_CREAT, {EISDIR, NULL}},
    {"/data/sub/", O_RDONLY | O_CREAT, {EISDIR, NULL}},
    {"/data/.", O_RDONLY | O_CREAT, {EISDIR, NULL}},
    {"/", O_RDONLY | O_CREAT, {EISDIR, NULL}},
    {"/abs/", O_RDONLY | O_DIRECTORY, {0, "data"}},
    {"/nope/", O_PATH, {ENOENT, NULL}},
    {"/fifo/", O_PATH, {ENOTDIR, NULL}},
};

struct fixture {
        char base[64];
        int root_fd;
        bool has_openat2;
};

static void make_entry(const char *base, const struct entry *e)
{
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", base, e->path);
        int r = 0;
        switch (e->kind) {
        case 'd':
                r = mkdir(p, 0755);
                break;
        case 'f': {
                int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                r = fd < 0 ? -1 : close(fd);
                break;
        }
        case 'p':
                r = mkfifo(p, 0644);
                break;
        default:
                r = symlink(e->target, p);
                break;
        }
        if (r < 0)
                fail_msg("create %s: %s", p, strerror(errno));
}

static int kernel_openat2(int root_fd, const char *path, int flags, mode_t mode, int *out_fd)
{
        struct open_how how = {
            .flags = (uint64_t)(flags | O_CLOEXEC),
            .mode = (flags & O_CREAT) ? mode : 0,
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
        if (fd < 0)
                return -errno;
        *out_fd = fd;
        return 0;
}

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        if (!f)
                return -1;
        strcpy(f->base, "/tmp/krun-safe-path-fb-XXXXXX");
        if (!mkdtemp(f->base))
                return -1;
        for (size_t i = 0; i < ARRAY_SIZE(tree); i++)
                make_entry(f->base, &tree[i]);
        char p[128];
        snprintf(p, sizeof(p), "%s/root", f->base);
        f->root_fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
        int fd = -1;
        f->has_openat2 = kernel_openat2(f->root_fd, ".", O_PATH, 0, &fd) == 0;
        if (fd >= 0)
                close(fd);
        *state = f;
        return f->root_fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        close(f->root_fd);
        scratch_tree_remove(f->base);
        free(f);
        return 0;
}

/* What a resolver made of one case; the entries it created are removed so the next case sees the
 * tree of the table. */
struct outcome {
        int err;
        dev_t dev;
        ino_t ino;
};

static struct outcome run_case(struct fixture *f, const struct resolve_case *c,
                               int (*resolve)(int, const char *, int, mode_t, int *))
{
        struct outcome o = {0};
        int fd = -1;
        int r = resolve(f->root_fd, c->path, c->flags, 0600, &fd);
        if (r < 0) {
                o.err = -r;
                return o;
        }
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        close(fd);
        o.dev = st.st_dev;
        o.ino = st.st_ino;
        return o;
}

/* The table's expectation as an outcome: the inode of the named entry (not following a last symlink). */
static struct outcome expected(struct fixture *f, const struct resolve_case *c)
{
        struct outcome o = {.err = c->want.err};
        if (o.err)
                return o;
        struct stat st;
        if (fstatat(f->root_fd, c->want.inside, &st, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) < 0)
                fail_msg("%s: expected entry %s is missing: %s", c->path, c->want.inside, strerror(errno));
        o.dev = st.st_dev;
        o.ino = st.st_ino;
        return o;
}

static void remove_created(struct fixture *f)
{
        static const char *const created[] = {"data/new",  "data/created", "created",
                                              "made/here", "made",         "data/newdir"};
        for (size_t i = 0; i < ARRAY_SIZE(created); i++)
                if (unlinkat(f->root_fd, created[i], 0) < 0)
                        (void)unlinkat(f->root_fd, created[i], AT_REMOVEDIR);
}

static void describe(char *buf, size_t size, const struct outcome *o, const struct outcome *want)
{
        if (o->err)
                snprintf(buf, size, "%s", strerror(o->err));
        else
                snprintf(buf, size, "an fd of %s", o->ino == want->ino ? "the expected inode" : "another inode");
}

/* Every disagreement is printed, so one run shows them all. */
static bool agree(const struct resolve_case *c, const char *who, const struct outcome *got, const struct outcome *want)
{
        if (got->err == want->err && (got->err || (got->dev == want->dev && got->ino == want->ino)))
                return true;
        char g[64], w[64];
        describe(g, sizeof(g), got, want);
        describe(w, sizeof(w), want, want);
        print_error("%s (flags %#o): %s gave %s, expected %s\n", c->path, (unsigned)c->flags, who, g, w);
        return false;
}

static void test_fallback_agrees_with_kernel(void **state)
{
        struct fixture *f = *state;
        size_t n_bad = 0;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                const struct resolve_case *c = &cases[i];
                struct outcome got = run_case(f, c, safe_openat_fallback);
                struct outcome want = expected(f, c);
                remove_created(f);
                n_bad += !agree(c, "the fallback", &got, &want);
                if (!f->has_openat2)
                        continue;
                struct outcome kernel = run_case(f, c, kernel_openat2);
                want = expected(f, c);
                remove_created(f);
                n_bad += !agree(c, "openat2", &kernel, &want);
        }
        assert_int_equal(n_bad, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_fallback_agrees_with_kernel, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
