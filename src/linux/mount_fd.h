/* The mount primitives on fds: every target is an fd resolved inside the rootfs with safe_path and
 * mounted through /proc/self/fd/N, so a symlink planted in the rootfs cannot redirect a mount. Used by
 * mounts.c, mount_cgroup.c, devices.c and rootfs.c; depends on nothing but safe_path. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

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
/* Whether a bind mount asked for MS_* flags that only a remount applies (the kernel ignores them on the
 * initial bind). */
bool mount_bind_needs_remount(unsigned long flags);
