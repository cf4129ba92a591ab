/* Path resolution inside a hostile rootfs: never follow a symlink out of it, never through /proc magic
 * links. openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), with a component-by-component fallback for
 * kernels without openat2 that resolves symlinks against the rootfs itself. */
#pragma once
#include <sys/types.h>

#include "core/error.h"

/* Open `path` (absolute or relative, interpreted inside root_fd) with `flags` (O_CLOEXEC added). */
int safe_openat(int root_fd, const char *path, int flags, mode_t mode, int *out_fd, struct error **err);
/* mkdir -p of `path` inside root_fd; returns an O_PATH|O_DIRECTORY fd of the final directory. */
int safe_mkdir_p(int root_fd, const char *path, mode_t mode, int *out_fd, struct error **err);
/* Make sure `path` exists inside root_fd as a regular file (parents created 0755); returns an O_PATH fd.
 * An existing entry of any type is opened as is (no symlink followed out of the root). */
int safe_create_file(int root_fd, const char *path, mode_t mode, int *out_fd, struct error **err);
/* Write `data` to `path` inside root_fd: parents must exist; an existing non-directory entry is unlinked
 * first, then the file is created O_EXCL|O_NOFOLLOW (defeats planted symlinks, hard links and FIFOs). */
int safe_write_file(int root_fd, const char *path, const void *data, size_t len, mode_t mode, struct error **err);
/* Read a regular file inside root_fd, at most max bytes. Anything else at the path (a symlink at the last
 * component, a FIFO, a device node, a directory) is refused without ever being opened for reading:
 * "read `PATH` in the rootfs: a FIFO (expected a regular file)". 0 and *data == NULL when nothing is there. */
int safe_read_file(int root_fd, const char *path, size_t max, char **data, size_t *len, struct error **err);
/* "/proc/self/fd/N" for mount targets. */
void safe_fd_path(int fd, char buf[64]);
