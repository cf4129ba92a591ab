/* The container's filesystem view, built inside the new mount namespace by the init:
 *   rootfs_prepare  (propagation, rootfs bind, mounts[] in order, devices, /dev symlinks)
 *   -> [createContainer hooks] -> rootfs_pivot (pivot_root, or chroot with --no-pivot)
 *   -> rootfs_finalize (masked + readonly paths, root.readonly, rootfsPropagation of `/`). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "linux/rootfs_config.h"

/* Returns an O_PATH fd of the rootfs (after it was bind-mounted on itself) in *rootfs_fd. */
int rootfs_prepare(const struct rootfs_config *cfg, int *rootfs_fd, struct error **err);
int rootfs_pivot(const struct rootfs_config *cfg, int rootfs_fd, struct error **err);
int rootfs_finalize(const struct rootfs_config *cfg, struct error **err);
