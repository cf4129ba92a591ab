/* The container's filesystem view, built inside the new mount namespace by the init:
 *   rootfs_prepare  (propagation, rootfs bind, mounts[] in order, devices, /dev symlinks)
 *   -> [createContainer hooks] -> rootfs_pivot (pivot_root, or chroot with --no-pivot)
 *   -> rootfs_finalize (masked + readonly paths, root.readonly, rootfsPropagation of `/`). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "oci/spec.h"

struct rootfs_config {
        const struct oci_spec *spec;
        const char *bundle; /* absolute; relative bind sources are resolved against it */
        const char *rootfs; /* absolute host path of root.path */
        bool has_new_mntns, has_new_netns, has_new_userns, has_new_pidns, has_new_ipcns, has_new_cgroupns;
        bool no_pivot;
        int console_slave_fd; /* >= 0: bind-mounted on /dev/console */
        /* Detached idmapped mounts the runtime prepared (linux/idmap.h), one per idmapped mounts[] entry, in
         * the order of mounts[]. */
        const int *idmapped_fds;
        size_t n_idmapped_fds;
};

/* Returns an O_PATH fd of the rootfs (after it was bind-mounted on itself) in *rootfs_fd. */
int rootfs_prepare(const struct rootfs_config *cfg, int *rootfs_fd, struct error **err);
int rootfs_pivot(const struct rootfs_config *cfg, int rootfs_fd, struct error **err);
int rootfs_finalize(const struct rootfs_config *cfg, struct error **err);
