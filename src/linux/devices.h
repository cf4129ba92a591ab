/* Device nodes and /dev symlinks inside the rootfs (called by rootfs_prepare after the mounts). */
#pragma once
#include <stdbool.h>

#include "core/error.h"
#include "linux/rootfs_config.h"

/* /dev/null, zero, full, random, urandom, tty (0666, root) when absent. */
int devices_create_defaults(int rootfs_fd, struct error **err);
/* linux.devices[]: mknod, or a bind of the host node when mknod is not allowed (user namespace). */
int devices_create_spec(const struct rootfs_config *cfg, int rootfs_fd, struct error **err);
/* /dev/ptmx -> pts/ptmx (with a devpts), /dev/fd, stdin, stdout, stderr, core. `must` makes failures
 * errors (a fresh /dev tmpfs); otherwise they are best effort (the image's own /dev may be read-only). */
int devices_create_symlinks(int rootfs_fd, bool has_devpts, bool must, struct error **err);
/* Bind the pty slave on /dev/console (created as an empty file first). */
int devices_mount_console(int rootfs_fd, int console_fd, struct error **err);
