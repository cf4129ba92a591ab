/* Small file helpers for the runtime's own files (not for paths inside a container rootfs: see
 * src/linux/safe_path.h for those). Return 0 or -errno. */
#pragma once
#include <stddef.h>
#include <sys/types.h>

/* Read a whole file (at most `max` bytes, else -EFBIG); *data is NUL-terminated. */
int fs_read_file(const char *path, size_t max, char **data, size_t *len);
/* The same from an open fd, up to EOF (retrying on EINTR). */
int fs_read_fd(int fd, size_t max, char **data, size_t *len);
/* write(2) all of `data`, retrying on EINTR and short writes. A write that makes no progress is -EIO
 * rather than a busy loop. */
int fs_write_all(int fd, const void *data, size_t len);
int fs_write_file_at(int dir_fd, const char *name, const char *data, size_t len, mode_t mode);
/* Write to a temp file in the same directory, fsync, rename over `path`. */
int fs_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode);
/* `path` made absolute against the current directory (no symlink resolution). NULL on ENOMEM. */
char *fs_absolute(const char *path);
