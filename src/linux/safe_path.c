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

/* For old kernels: walk one component at a time with O_NOFOLLOW, read each symlink ourselves and restart
 * absolute targets at root_fd; ".." never climbs above root_fd (depth is counted). */
int safe_openat_fallback(int root_fd, const char *path, int flags, mode_t mode, int *out_fd)
{
        _cleanup_free_ char *buf = strdup(path);
        if (!buf)
                return -ENOMEM;
        _cleanup_close_ int cur = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cur < 0)
                return -errno;
        size_t depth = 0;
        int links = 0;
        const char *rest = buf;

        for (;;) {
                const char *comp;
                size_t len = next_component(&rest, &comp);
                if (len == 0) {
                        /* The path named a directory (or root) itself. */
                        int fd = openat(cur, ".", flags | O_CLOEXEC, mode);
                        if (fd < 0)
                                return -errno;
                        *out_fd = fd;
                        return 0;
                }
                char name[NAME_MAX + 1];
                if (len > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(name, comp, len);
                name[len] = '\0';
                bool last = only_slashes(rest);

                if (strcmp(name, ".") == 0)
                        continue;
                if (strcmp(name, "..") == 0) {
                        if (depth == 0)
                                continue; /* ".." of the root is the root */
                        int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (up < 0)
                                return -errno;
                        close(cur);
                        cur = up;
                        depth--;
                        continue;
                }

                int probe = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (probe < 0) {
                        if (errno == ENOENT && last && (flags & O_CREAT)) {
                                int fd = openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
                                if (fd < 0)
                                        return -errno;
                                *out_fd = fd;
                                return 0;
                        }
                        return -errno;
                }
                _cleanup_close_ int probe_fd = probe;
                struct stat st;
                if (fstat(probe_fd, &st) < 0)
                        return -errno;

                if (S_ISLNK(st.st_mode)) {
                        if (last && (flags & O_NOFOLLOW)) {
                                if (flags & O_PATH) {
                                        *out_fd = TAKE_FD(probe_fd);
                                        return 0;
                                }
                                return -ELOOP;
                        }
                        if (++links > MAX_SYMLINKS)
                                return -ELOOP;
                        char target[PATH_MAX];
                        ssize_t n = readlinkat(probe_fd, "", target, sizeof(target) - 1);
                        if (n < 0)
                                return -errno;
                        target[n] = '\0';
                        /* Splice: target + remaining path. */
                        char *spliced = NULL;
                        if (asprintf(&spliced, "%s%s", target, rest) < 0)
                                return -ENOMEM;
                        free(buf);
                        buf = spliced;
                        rest = buf;
                        if (target[0] == '/') {
                                int r = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                                if (r < 0)
                                        return -errno;
                                close(cur);
                                cur = r;
                                depth = 0;
                        }
                        continue;
                }

                if (last) {
                        if ((flags & O_EXCL) && (flags & O_CREAT))
                                return -EEXIST;
                        /* Reopen with the caller's flags relative to the verified parent. */
                        int fd = openat(cur, name, (flags & ~O_CREAT) | O_NOFOLLOW | O_CLOEXEC, mode);
                        if (fd < 0)
                                return -errno;
                        *out_fd = fd;
                        return 0;
                }
                if (!S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                close(cur);
                cur = TAKE_FD(probe_fd);
                depth++;
        }
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

static int mkdir_p(int root_fd, const char *path, mode_t mode, int *out_fd, int depth)
{
        int r = resolve(root_fd, path, O_PATH | O_DIRECTORY, 0, out_fd);
        if (r != -ENOENT)
                return r;
        if (depth > MAX_SYMLINKS)
                return -ELOOP;

        _cleanup_free_ char *dir = NULL, *base = NULL;
        r = split_path(path, &dir, &base);
        if (r < 0)
                return r;
        _cleanup_close_ int parent = -1;
        r = mkdir_p(root_fd, dir, mode, &parent, depth + 1);
        if (r < 0)
                return r;
        if (mkdirat(parent, base, mode) < 0 && errno != EEXIST)
                return -errno;
        r = resolve(root_fd, path, O_PATH | O_DIRECTORY, 0, out_fd);
        if (r != -ENOENT)
                return r;
        /* Still missing: `base` is a dangling symlink. Create its target, interpreted inside the root. */
        _cleanup_free_ char *next = NULL;
        r = dangling_target(parent, dir, base, &next);
        if (r < 0)
                return r;
        r = mkdir_p(root_fd, next, mode, &parent, depth + 1);
        if (r < 0)
                return r;
        return resolve(root_fd, path, O_PATH | O_DIRECTORY, 0, out_fd);
}

int safe_mkdir_p(int root_fd, const char *path, mode_t mode, int *out_fd, struct error **err)
{
        int r = mkdir_p(root_fd, path, mode, out_fd, 0);
        if (r < 0)
                return error_set(err, -r, "create directory `%s` in the rootfs", path);
        return 0;
}

static int create_file(int root_fd, const char *path, mode_t mode, int *out_fd, int depth)
{
        int r = resolve(root_fd, path, O_PATH, 0, out_fd);
        if (r != -ENOENT)
                return r;
        if (depth > MAX_SYMLINKS)
                return -ELOOP;
        _cleanup_free_ char *dir = NULL, *base = NULL;
        r = split_path(path, &dir, &base);
        if (r < 0)
                return r;
        _cleanup_close_ int parent = -1;
        r = mkdir_p(root_fd, dir, 0755, &parent, 0);
        if (r < 0)
                return r;
        int fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST)
                return -errno;
        if (fd >= 0)
                close(fd);
        r = resolve(root_fd, path, O_PATH, 0, out_fd);
        if (r != -ENOENT)
                return r;
        /* Still missing: `base` is a dangling symlink. Create its target, interpreted inside the root (as
         * runc and crun do), never where it points on the host. */
        _cleanup_free_ char *next = NULL;
        r = dangling_target(parent, dir, base, &next);
        if (r < 0)
                return r;
        _cleanup_close_ int created = -1;
        r = create_file(root_fd, next, mode, &created, depth + 1);
        if (r < 0)
                return r;
        return resolve(root_fd, path, O_PATH, 0, out_fd);
}

int safe_create_file(int root_fd, const char *path, mode_t mode, int *out_fd, struct error **err)
{
        int r = create_file(root_fd, path, mode, out_fd, 0);
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
