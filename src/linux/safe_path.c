/* Path resolution inside a hostile rootfs. The container image controls every symlink in it, so a path
 * like /etc/x must never be resolved with the host's view: `etc -> /etc` would write on the host. */
#include "linux/safe_path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fs.h"
#include "linux/safe_path_internal.h"

#define MAX_SYMLINKS 40

static int openat2_in_root(int root_fd, const char *path, int flags, mode_t mode)
{
        struct open_how how = {
            .flags = (uint64_t)flags,
            .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;
        do
                fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
        while (fd < 0 && errno == EAGAIN); /* a concurrent rename in the tree: the kernel asks to retry */
        return fd < 0 ? -errno : fd;
}

/* Split off the first component of *rest (skipping slashes); returns its length, 0 at the end. */
static size_t next_component(const char **rest, const char **comp)
{
        const char *p = *rest;
        while (*p == '/')
                p++;
        const char *e = strchrnul(p, '/');
        *comp = p;
        *rest = e;
        return (size_t)(e - p);
}

static bool only_slashes(const char *p)
{
        while (*p == '/')
                p++;
        return *p == '\0';
}

/* The fallback resolver, for kernels without openat2: it walks one component at a time with O_NOFOLLOW,
 * reads each symlink itself and restarts absolute targets at root_fd, so nothing the image planted can
 * lead it out of the root. Its answers are the kernel's (RESOLVE_IN_ROOT): tests/unit/linux/
 * test_safe_path_fallback.c checks them case by case. Each step returns WALK_NEXT to go on with the next
 * component, WALK_DONE with *out_fd set, or -errno. */
enum { WALK_NEXT = 0, WALK_DONE = 1 };

struct walk {
        int root_fd;
        int cur;          /* O_PATH fd of the directory reached so far */
        size_t depth;     /* how many directories below root_fd cur is: ".." stops at 0 */
        int links;        /* symlinks followed so far */
        char *buf;        /* the path walked; replaced when a symlink's target is spliced in */
        const char *rest; /* what follows the current component in buf */
        int flags;
        mode_t mode;
};

static void walk_done(struct walk *w)
{
        if (w->cur >= 0)
                close(w->cur);
        free(w->buf);
}

static void walk_move(struct walk *w, int dir_fd)
{
        close(w->cur);
        w->cur = dir_fd;
}

/* "..": one directory up, but ".." of the root is the root, as with RESOLVE_IN_ROOT. */
static int step_dotdot(struct walk *w)
{
        if (w->depth == 0)
                return WALK_NEXT;
        int up = openat(w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (up < 0)
                return -errno;
        walk_move(w, up);
        w->depth--;
        return WALK_NEXT;
}

/* A symlink to follow: its target takes its place in the path. An absolute target starts again at root_fd,
 * never at the host's "/"; a relative one goes on from the directory holding the link. */
static int step_symlink(struct walk *w, int link_fd)
{
        if (++w->links > MAX_SYMLINKS)
                return -ELOOP;
        char target[PATH_MAX];
        ssize_t n = readlinkat(link_fd, "", target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        char *spliced = NULL;
        if (asprintf(&spliced, "%s%s", target, w->rest) < 0)
                return -ENOMEM;
        free(w->buf);
        w->buf = spliced;
        w->rest = spliced;
        if (target[0] == '/') {
                int top = openat(w->root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (top < 0)
                        return -errno;
                walk_move(w, top);
                w->depth = 0;
        }
        return WALK_NEXT;
}

/* The last component is missing (`missing` is -errno of the lookup): O_CREAT creates it in the verified
 * parent. O_NOFOLLOW: a symlink planted there meanwhile is refused, not followed. */
static int step_last_missing(struct walk *w, const char *name, int missing, int *out_fd)
{
        if (missing != -ENOENT || !(w->flags & O_CREAT))
                return missing;
        int fd = openat(w->cur, name, w->flags | O_NOFOLLOW | O_CLOEXEC, w->mode);
        if (fd < 0)
                return -errno;
        *out_fd = fd;
        return WALK_DONE;
}

/* The last component exists (`probe_fd`, O_PATH, not followed). O_CREAT|O_EXCL never follows a symlink;
 * O_NOFOLLOW returns the link itself to O_PATH and refuses it otherwise. Anything else is reopened with
 * the caller's flags in the verified parent, with O_NOFOLLOW so that a symlink swapped in meanwhile is
 * refused, not followed. */
static int step_last(struct walk *w, const char *name, int *probe_fd, const struct stat *st, int *out_fd)
{
        if ((w->flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
                return -EEXIST;
        if (S_ISLNK(st->st_mode)) {
                if (!(w->flags & O_NOFOLLOW))
                        return step_symlink(w, *probe_fd);
                if (!(w->flags & O_PATH))
                        return -ELOOP;
                *out_fd = TAKE_FD(*probe_fd);
                return WALK_DONE;
        }
        if (S_ISDIR(st->st_mode) && (w->flags & O_CREAT))
                return -EISDIR;
        int fd = openat(w->cur, name, (w->flags & ~O_CREAT) | O_NOFOLLOW | O_CLOEXEC, w->mode);
        if (fd < 0)
                return -errno;
        *out_fd = fd;
        return WALK_DONE;
}

/* One component `name`; w->rest is what follows it. "name/" at the end must be a directory whatever the
 * flags say (followed if a symlink, ENOTDIR if a file, EISDIR for O_CREAT): it is walked into like a
 * middle component, and the directory reached is opened at the end of the path. */
static int step_component(struct walk *w, const char *name, int *out_fd)
{
        bool last = only_slashes(w->rest);
        if (last && *w->rest) {
                if (w->flags & O_CREAT)
                        return -EISDIR;
                last = false;
        }
        if (strcmp(name, ".") == 0)
                return WALK_NEXT;
        if (strcmp(name, "..") == 0)
                return step_dotdot(w);
        _cleanup_close_ int fd = openat(w->cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return last ? step_last_missing(w, name, -errno, out_fd) : -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (last)
                return step_last(w, name, &fd, &st, out_fd);
        if (S_ISLNK(st.st_mode))
                return step_symlink(w, fd);
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        walk_move(w, TAKE_FD(fd));
        w->depth++;
        return WALK_NEXT;
}

static int walk_next(struct walk *w, int *out_fd)
{
        const char *comp;
        size_t len = next_component(&w->rest, &comp);
        if (len == 0) {
                /* The path named a directory (or the root) itself. */
                int fd = openat(w->cur, ".", w->flags | O_CLOEXEC, w->mode);
                if (fd < 0)
                        return -errno;
                *out_fd = fd;
                return WALK_DONE;
        }
        if (len > NAME_MAX)
                return -ENAMETOOLONG;
        char name[NAME_MAX + 1];
        memcpy(name, comp, len);
        name[len] = '\0';
        return step_component(w, name, out_fd);
}

int safe_openat_fallback(int root_fd, const char *path, int flags, mode_t mode, int *out_fd)
{
        /* An empty path names nothing (openat2 without AT_EMPTY_PATH says the same). */
        if (!*path)
                return -ENOENT;
        _cleanup_(walk_done) struct walk w = {.root_fd = root_fd, .cur = -1, .flags = flags, .mode = mode};
        w.buf = strdup(path);
        if (!w.buf)
                return -ENOMEM;
        w.rest = w.buf;
        w.cur = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (w.cur < 0)
                return -errno;
        int r;
        do
                r = walk_next(&w, out_fd);
        while (r == WALK_NEXT);
        return r < 0 ? r : 0;
}

static int resolve(int root_fd, const char *path, int flags, mode_t mode, int *out_fd)
{
        static bool no_openat2;
        if (!no_openat2) {
                int fd = openat2_in_root(root_fd, path, flags | O_CLOEXEC, mode);
                if (fd >= 0) {
                        *out_fd = fd;
                        return 0;
                }
                if (fd != -ENOSYS && fd != -EPERM) /* EPERM: a seccomp filter that does not know openat2 */
                        return fd;
                no_openat2 = true;
        }
        return safe_openat_fallback(root_fd, path, flags, mode, out_fd);
}

int safe_openat(int root_fd, const char *path, int flags, mode_t mode, int *out_fd, struct error **err)
{
        int r = resolve(root_fd, path, flags, mode, out_fd);
        if (r < 0)
                return error_set(err, -r, "open `%s` in the rootfs", path);
        return 0;
}

/* dirname/basename of a path inside the root, without touching the file system. */
static int split_path(const char *path, char **dir, char **base)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        size_t n = strlen(copy);
        while (n > 1 && copy[n - 1] == '/')
                copy[--n] = '\0';
        char *slash = strrchr(copy, '/');
        if (!slash) {
                *dir = strdup(".");
                *base = strdup(copy);
        } else {
                *base = strdup(slash + 1);
                *slash = '\0';
                *dir = strdup(slash == copy ? "/" : copy);
        }
        if (!*dir || !*base) {
                free(*dir);
                free(*base);
                return -ENOMEM;
        }
        if (!**base || strcmp(*base, ".") == 0 || strcmp(*base, "..") == 0) {
                free(*dir);
                free(*base);
                return -EINVAL;
        }
        return 0;
}

/* The target of the symlink `base` in `parent` (the directory `dir` inside the root), as a path inside the
 * root: absolute targets start at the root, relative ones at `dir`. -ENOENT when `base` is no symlink. */
static int dangling_target(int parent, const char *dir, const char *base, char **out)
{
        char target[PATH_MAX];
        ssize_t n = readlinkat(parent, base, target, sizeof(target) - 1);
        if (n < 0)
                return errno == EINVAL ? -ENOENT : -errno;
        target[n] = '\0';
        if (target[0] == '/')
                *out = strdup(target);
        else if (asprintf(out, "%s/%s", dir, target) < 0)
                *out = NULL;
        return *out ? 0 : -ENOMEM;
}

/* Creates `base` in `parent`: a directory, or an empty file that is never opened through a symlink. Already
 * there is fine: what it is gets checked when it is opened again. */
static int make_entry(int parent, const char *base, mode_t mode, bool is_dir)
{
        if (is_dir)
                return mkdirat(parent, base, mode) < 0 && errno != EEXIST ? -errno : 0;
        int fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return errno == EEXIST ? 0 : -errno;
        close(fd);
        return 0;
}

/* Opens `path` inside the root (O_PATH), creating it and its missing parents first. A directory's parents
 * get its mode and count against its depth; a file's parents are directories 0755 walked afresh. */
static int make_in_root(int root_fd, const char *path, mode_t mode, bool is_dir, int *out_fd, int depth)
{
        int flags = is_dir ? O_PATH | O_DIRECTORY : O_PATH;
        int r = resolve(root_fd, path, flags, 0, out_fd);
        if (r != -ENOENT)
                return r;
        if (depth > MAX_SYMLINKS)
                return -ELOOP;
        _cleanup_free_ char *dir = NULL, *base = NULL;
        r = split_path(path, &dir, &base);
        if (r < 0)
                return r;
        _cleanup_close_ int parent = -1;
        r = is_dir ? make_in_root(root_fd, dir, mode, true, &parent, depth + 1)
                   : make_in_root(root_fd, dir, 0755, true, &parent, 0);
        if (r < 0)
                return r;
        r = make_entry(parent, base, mode, is_dir);
        if (r < 0)
                return r;
        r = resolve(root_fd, path, flags, 0, out_fd);
        if (r != -ENOENT)
                return r;
        /* Still missing: `base` is a dangling symlink. Create its target, interpreted inside the root (as
         * runc and crun do), never where it points on the host. */
        _cleanup_free_ char *next = NULL;
        r = dangling_target(parent, dir, base, &next);
        if (r < 0)
                return r;
        _cleanup_close_ int created = -1;
        r = make_in_root(root_fd, next, mode, is_dir, &created, depth + 1);
        if (r < 0)
                return r;
        return resolve(root_fd, path, flags, 0, out_fd);
}

int safe_mkdir_p(int root_fd, const char *path, mode_t mode, int *out_fd, struct error **err)
{
        int r = make_in_root(root_fd, path, mode, true, out_fd, 0);
        if (r < 0)
                return error_set(err, -r, "create directory `%s` in the rootfs", path);
        return 0;
}

int safe_create_file(int root_fd, const char *path, mode_t mode, int *out_fd, struct error **err)
{
        int r = make_in_root(root_fd, path, mode, false, out_fd, 0);
        if (r < 0)
                return error_set(err, -r, "create file `%s` in the rootfs", path);
        return 0;
}

int safe_write_file(int root_fd, const char *path, const void *data, size_t len, mode_t mode, struct error **err)
{
        _cleanup_free_ char *dir = NULL, *base = NULL;
        int r = split_path(path, &dir, &base);
        if (r < 0)
                return error_set(err, -r, "write `%s` in the rootfs", path);
        _cleanup_close_ int parent = -1;
        r = resolve(root_fd, dir, O_PATH | O_DIRECTORY, 0, &parent);
        if (r < 0)
                return error_set(err, -r, "write `%s` in the rootfs: open `%s`", path, dir);
        /* Whatever the image left there (a symlink to a host file, a hard link, a FIFO) goes away; a
         * directory is refused (EISDIR from unlinkat). */
        if (unlinkat(parent, base, 0) < 0 && errno != ENOENT)
                return error_sys(err, "write `%s` in the rootfs: remove the existing entry", path);
        _cleanup_close_ int fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return error_sys(err, "write `%s` in the rootfs: create", path);
        if (fchmod(fd, mode) < 0)
                return error_sys(err, "write `%s` in the rootfs: chmod", path);
        r = fs_write_all(fd, data, len);
        if (r < 0)
                return error_set(err, -r, "write `%s` in the rootfs", path);
        return 0;
}

static const char *file_type_name(mode_t mode)
{
        switch (mode & S_IFMT) {
        case S_IFLNK:
                return "a symbolic link";
        case S_IFDIR:
                return "a directory";
        case S_IFIFO:
                return "a FIFO";
        case S_IFCHR:
                return "a character device";
        case S_IFBLK:
                return "a block device";
        case S_IFSOCK:
                return "a socket";
        default:
                return "not a regular file";
        }
}

int safe_read_file(int root_fd, const char *path, size_t max, char **data, size_t *len, struct error **err)
{
        *data = NULL;
        if (len)
                *len = 0;
        /* The image chose what is at `path`. Opening a device node for reading can act (a tape rewinds, a
         * watchdog arms) and a FIFO can block, so the entry is looked at through an O_PATH fd, which opens
         * nothing, and only a regular file is opened for reading. */
        _cleanup_close_ int path_fd = -1;
        int r = resolve(root_fd, path, O_PATH | O_NOFOLLOW, 0, &path_fd);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return error_set(err, -r, "read `%s` in the rootfs", path);
        struct stat st;
        if (fstat(path_fd, &st) < 0)
                return error_sys(err, "read `%s` in the rootfs: stat", path);
        if (!S_ISREG(st.st_mode))
                return error_set(err, EINVAL, "read `%s` in the rootfs: %s (expected a regular file)", path,
                                 file_type_name(st.st_mode));
        if ((size_t)st.st_size > max)
                return error_set(err, EFBIG, "read `%s` in the rootfs: larger than %zu bytes", path, max);
        /* Reopen the inode that was checked, not the path: the container may swap the entry meanwhile.
         * O_NONBLOCK|O_NOCTTY still, in case of anything odd behind the magic link. */
        char fd_path[64];
        safe_fd_path(path_fd, fd_path);
        _cleanup_close_ int fd = open(fd_path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return error_sys(err, "read `%s` in the rootfs: reopen", path);
        r = fs_read_fd(fd, max, data, len);
        if (r == -EFBIG) /* the file grew after fstat */
                return error_set(err, EFBIG, "read `%s` in the rootfs: larger than %zu bytes", path, max);
        if (r < 0)
                return error_set(err, -r, "read `%s` in the rootfs", path);
        return 0;
}

void safe_fd_path(int fd, char buf[64])
{
        snprintf(buf, 64, "/proc/self/fd/%d", fd);
}
