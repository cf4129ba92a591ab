#include "core/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"

int fs_write_all(int fd, const void *data, size_t len)
{
        const char *p = data;
        while (len > 0) {
                ssize_t w = write(fd, p, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                if (w == 0)
                        return -EIO;
                p += w;
                len -= (size_t)w;
        }
        return 0;
}

int fs_read_file(const char *path, size_t max, char **data, size_t *len)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fs_read_fd(fd, max, data, len);
}

int fs_read_fd(int fd, size_t max, char **data, size_t *len)
{
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        /* Room for one byte more than `max` (plus the NUL): a file of exactly `max` bytes is then told
         * from a larger one by reading, whatever fstat said (files in /proc and /sys report size 0). */
        size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
        if (cap > max + 2)
                cap = max + 2;
        _cleanup_free_ char *buf = malloc(cap);
        size_t n = 0;
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (n + 1 >= cap) {
                        if (n > max)
                                return -EFBIG;
                        cap = cap * 2 > max + 2 ? max + 2 : cap * 2;
                        char *nb = realloc(buf, cap);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                }
                ssize_t r = read(fd, buf + n, cap - 1 - n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        buf[n] = 0;
        *data = TAKE_PTR(buf);
        if (len)
                *len = n;
        return 0;
}

int fs_write_file_at(int dir_fd, const char *name, const char *data, size_t len, mode_t mode)
{
        _cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        return fs_write_all(fd, data, len);
}

int fs_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
        _cleanup_free_ char *tmp = NULL;
        const char *slash = strrchr(path, '/');
        int dirlen = slash ? (int)(slash - path) : 0;
        if (asprintf(&tmp, "%.*s%s.%s.tmp%d", dirlen, path, slash ? "/" : "", slash ? slash + 1 : path, (int)getpid()) <
            0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        int r = fs_write_all(fd, data, len);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

char *fs_absolute(const char *path)
{
        if (path[0] == '/')
                return strdup(path);
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd)))
                return NULL;
        char *out = NULL;
        if (asprintf(&out, "%s/%s", cwd, path) < 0)
                return NULL;
        return out;
}
