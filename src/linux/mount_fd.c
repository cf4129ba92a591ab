/* mount(2), bind, remount and mount_setattr(2) on fds resolved inside the rootfs (see mount_fd.h). */
#include "linux/mount_fd.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "linux/safe_path.h"

int mount_on_fd(const char *source, int target_fd, const char *type, unsigned long flags, const char *data)
{
        char target[64];
        safe_fd_path(target_fd, target);
        return mount(source, target, type, flags, data) < 0 ? -errno : 0;
}

int mount_bind_fd(int source_fd, int target_fd, bool recursive)
{
        char source[64];
        safe_fd_path(source_fd, source);
        return mount_on_fd(source, target_fd, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL);
}

/* The MS_* flags a bind remount can change. */
#define REMOUNT_FLAGS                                                                                                  \
        (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME |    \
         MS_NOSYMFOLLOW)
#define ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

int mount_remount_flags(int fd, unsigned long flags, unsigned long clear_flags, unsigned long *out)
{
        struct statvfs sv;
        if (fstatvfs(fd, &sv) < 0)
                return -errno;
        unsigned long cur = 0;
        if (sv.f_flag & ST_RDONLY)
                cur |= MS_RDONLY;
        if (sv.f_flag & ST_NOSUID)
                cur |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV)
                cur |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC)
                cur |= MS_NOEXEC;
        if (sv.f_flag & ST_NOATIME)
                cur |= MS_NOATIME;
        if (sv.f_flag & ST_NODIRATIME)
                cur |= MS_NODIRATIME;
        if (sv.f_flag & ST_RELATIME)
                cur |= MS_RELATIME;
        unsigned long keep = cur & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME) & ~clear_flags;
        if (!((flags | clear_flags) & ATIME_FLAGS))
                keep |= cur & ATIME_FLAGS;
        *out = MS_REMOUNT | MS_BIND | (flags & REMOUNT_FLAGS) | keep;
        return 0;
}

int mount_remount_bind(int fd, unsigned long flags, unsigned long clear_flags)
{
        unsigned long all = 0;
        int r = mount_remount_flags(fd, flags, clear_flags, &all);
        return r < 0 ? r : mount_on_fd(NULL, fd, NULL, all, NULL);
}

int mount_set_recursive_attrs(int fd, uint64_t attr_set, uint64_t attr_clr)
{
        if (!attr_set && !attr_clr)
                return 0;
        struct mount_attr attr = {.attr_set = attr_set, .attr_clr = attr_clr};
        return mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0 ? -errno : 0;
}

int mount_reopen(int dir_fd, const char *path, int *out_fd)
{
        return safe_openat(dir_fd, path, O_PATH, 0, out_fd, NULL);
}

bool mount_bind_needs_remount(unsigned long flags)
{
        return (flags & REMOUNT_FLAGS) != 0;
}
