/* mounts[] entries, one at a time, inside the rootfs (called by rootfs.c). Every target is an fd resolved
 * inside the rootfs with safe_path and mounted through /proc/self/fd/N (mount_fd.h). */
#pragma once
#include <stdbool.h>

#include "core/error.h"
#include "linux/rootfs_config.h"
#include "oci/spec.h"

/* What later steps need to know about the mounts done so far. */
struct mounts_state {
        bool dev_is_tmpfs;    /* "/dev" was mounted as a fresh tmpfs: populate default devices */
        bool has_devpts;      /* a devpts was mounted on /dev/pts */
        size_t next_idmapped; /* the next of rootfs_config.idmapped_fds to attach */
};

/* Mount one mounts[] entry (index `i` for messages) inside the rootfs. */
int mounts_apply_entry(const struct rootfs_config *cfg, int rootfs_fd, const struct oci_mount *m,
                       struct mounts_state *st, struct error **err);
