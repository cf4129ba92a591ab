/* mounts[] entries and the small mount helpers shared by rootfs.c, devices.c and mount_cgroup.c.
 * Every target is an fd resolved inside the rootfs with safe_path and mounted through /proc/self/fd/N. */
#pragma once
#include <stdbool.h>

#include "core/error.h"
#include "linux/mount_options.h"
#include "linux/rootfs.h"

/* What later steps need to know about the mounts done so far. */
struct mounts_state {
        bool dev_is_tmpfs;    /* "/dev" was mounted as a fresh tmpfs: populate default devices */
        bool has_devpts;      /* a devpts was mounted on /dev/pts */
        size_t next_idmapped; /* the next of rootfs_config.idmapped_fds to attach */
};

/* Mount one mounts[] entry (index `i` for messages) inside the rootfs. */
int mounts_apply_entry(const struct rootfs_config *cfg, int rootfs_fd, const struct oci_mount *m,
                       struct mounts_state *st, struct error **err);

/* The options of a mounts[] entry, crun's defaults for its destination when it has none. */
int mount_entry_options(const struct oci_mount *m, struct mount_options *o, struct error **err);
/* A bind source as a host path: relative ones are against the bundle. Heap; NULL on ENOMEM. */
char *mount_bind_source(const char *bundle, const char *source);

/* mount(2) with the target given as an fd. Return 0 or -errno. */
int mount_on_fd(const char *source, int target_fd, const char *type, unsigned long flags, const char *data);
/* An fd we mounted on still names the directory *below* the new mount (and /proc/self/fd/N jumps to that
 * same place without crossing mounts): operations on the new mount need a fresh lookup of its path. */
int mount_reopen(int dir_fd, const char *path, int *out_fd);
/* Bind `source_fd` (any fd, O_PATH included) onto `target_fd`. */
int mount_bind_fd(int source_fd, int target_fd, bool recursive);
/* Remount the bind mount at `fd` (must be the mount root) with `flags`, keeping the restrictive flags
 * (nosuid/nodev/noexec/ro and the atime mode) of the mount that are not cleared in `clear_flags`:
 * inside a user namespace those are locked and dropping them is EPERM. */
int mount_remount_bind(int fd, unsigned long flags, unsigned long clear_flags);
/* The full flags mount_remount_bind would use (MS_REMOUNT|MS_BIND included), for a remount by path. */
int mount_remount_flags(int fd, unsigned long flags, unsigned long clear_flags, unsigned long *out);
/* mount_setattr(AT_RECURSIVE) of the r* options; no-op when nothing is asked. */
int mount_set_recursive_attrs(int fd, uint64_t attr_set, uint64_t attr_clr);

/* The cgroup filesystem for a `cgroup`/`cgroup2` mount at `dest` (mount_cgroup.c). */
int mount_cgroup(const struct rootfs_config *cfg, int rootfs_fd, const char *dest, const struct mount_options *o,
                 struct error **err);
