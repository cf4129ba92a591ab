/* Device nodes: created with mknod when we may, else (user namespace: mknod is EPERM) the host node of
 * the same path is bind-mounted onto an empty file, nosuid,noexec. */
#include "linux/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "linux/mount_fd.h"
#include "linux/safe_path.h"

struct device_req {
        const char *path;
        mode_t type; /* S_IFCHR, S_IFBLK, S_IFIFO */
        unsigned major, minor;
        mode_t mode;
        bool has_uid, has_gid;
        uid_t uid;
        gid_t gid;
        bool tolerate_existing; /* defaults: anything already there is left alone */
};

static const struct {
        const char *path;
        unsigned major, minor;
} default_devices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static int bind_host_node(int parent, const char *base, const char *path)
{
        _cleanup_close_ int host = open(path, O_PATH | O_CLOEXEC);
        if (host < 0)
                return -errno;
        int fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0000);
        if (fd < 0)
                return -errno;
        close(fd);
        _cleanup_close_ int target = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (target < 0)
                return -errno;
        int r = mount_bind_fd(host, target, false);
        if (r < 0)
                return r;
        _cleanup_close_ int top = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC); /* crosses the new mount */
        if (top < 0)
                return -errno;
        return mount_remount_bind(top, MS_NOSUID | MS_NOEXEC, 0);
}

static int create_device(int rootfs_fd, const struct device_req *d, struct error **err)
{
        _cleanup_free_ char *dir = strdup(d->path);
        if (!dir)
                return error_set(err, ENOMEM, "device `%s`", d->path);
        char *slash = strrchr(dir, '/');
        if (!slash || !slash[1])
                return error_set(err, EINVAL, "device `%s`: expected an absolute file path", d->path);
        const char *base = d->path + (slash - dir) + 1;
        *slash = '\0';
        _cleanup_close_ int parent = -1;
        int r = safe_mkdir_p(rootfs_fd, *dir ? dir : "/", 0755, &parent, err);
        if (r < 0)
                return error_prefix(err, "device `%s`", d->path);

        dev_t dev = makedev(d->major, d->minor);
        struct stat st;
        if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (d->tolerate_existing)
                        return 0;
                if ((st.st_mode & S_IFMT) == d->type && (d->type == S_IFIFO || st.st_rdev == dev))
                        return 0;
                return error_set(err, EEXIST, "device `%s`: a different file already exists there", d->path);
        }

        bool bound = false;
        if (mknodat(parent, base, d->type | (d->mode & 07777), dev) < 0) {
                if (errno != EPERM || d->type == S_IFIFO)
                        return error_sys(err, "device `%s`: mknod", d->path);
                r = bind_host_node(parent, base, d->path);
                if (r < 0)
                        return error_set(err, -r, "device `%s`: bind the host device (mknod is not permitted)",
                                         d->path);
                bound = true;
        }
        if (bound)
                return 0; /* the host node keeps its owner and mode */
        /* mknod's mode went through the umask: set it exactly. */
        if (fchmodat(parent, base, d->mode & 07777, 0) < 0)
                return error_sys(err, "device `%s`: chmod", d->path);
        if ((d->has_uid || d->has_gid) && fchownat(parent, base, d->has_uid ? d->uid : (uid_t)-1,
                                                   d->has_gid ? d->gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0)
                return error_sys(err, "device `%s`: chown", d->path);
        return 0;
}

int devices_create_defaults(int rootfs_fd, struct error **err)
{
        for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
                struct device_req d = {
                    .path = default_devices[i].path,
                    .type = S_IFCHR,
                    .major = default_devices[i].major,
                    .minor = default_devices[i].minor,
                    .mode = 0666,
                    .tolerate_existing = true,
                };
                int r = create_device(rootfs_fd, &d, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int devices_create_spec(const struct rootfs_config *cfg, int rootfs_fd, struct error **err)
{
        const struct oci_linux *l = &cfg->spec->linux_;
        for (size_t i = 0; i < l->n_devices; i++) {
                const struct oci_device *od = &l->devices[i];
                mode_t type = od->type == 'b' ? S_IFBLK : od->type == 'p' ? S_IFIFO : S_IFCHR;
                struct device_req d = {
                    .path = od->path,
                    .type = type,
                    .major = (unsigned)od->major,
                    .minor = (unsigned)od->minor,
                    .mode = od->has_file_mode ? od->file_mode : 0666,
                    .has_uid = od->has_uid,
                    .has_gid = od->has_gid,
                    .uid = od->uid,
                    .gid = od->gid,
                };
                int r = create_device(rootfs_fd, &d, err);
                if (r < 0)
                        return error_prefix(err, "linux.devices[%zu]", i);
        }
        return 0;
}

static const struct {
        const char *name, *target;
} dev_symlinks[] = {
    {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"}, {"core", "/proc/kcore"},
};

int devices_create_symlinks(int rootfs_fd, bool has_devpts, bool must, struct error **err)
{
        _cleanup_close_ int dev = -1;
        int r = safe_openat(rootfs_fd, "/dev", O_PATH | O_DIRECTORY, 0, &dev, err);
        if (r < 0) {
                if (!must) {
                        error_free(err);
                        return 0;
                }
                return r;
        }
        for (size_t i = 0; i < ARRAY_SIZE(dev_symlinks); i++)
                if (symlinkat(dev_symlinks[i].target, dev, dev_symlinks[i].name) < 0 && errno != EEXIST && must)
                        return error_sys(err, "symlink `/dev/%s`", dev_symlinks[i].name);
        if (!has_devpts) {
                /* Where the image has no ptmx of its own: the one a devpts mounted later would serve. */
                if (symlinkat("pts/ptmx", dev, "ptmx") < 0 && errno != EEXIST && must)
                        return error_sys(err, "symlink `/dev/ptmx`");
                return 0;
        }
        /* A ptmx node from the image would open the host's devpts instance, not the container's. */
        struct stat st;
        if (fstatat(dev, "ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode) &&
            unlinkat(dev, "ptmx", 0) < 0 && must)
                return error_sys(err, "remove `/dev/ptmx`");
        if (symlinkat("pts/ptmx", dev, "ptmx") < 0 && errno != EEXIST && must)
                return error_sys(err, "symlink `/dev/ptmx`");
        return 0;
}

int devices_mount_console(int rootfs_fd, int console_fd, struct error **err)
{
        _cleanup_close_ int target = -1;
        int r = safe_create_file(rootfs_fd, "/dev/console", 0666, &target, err);
        if (r < 0)
                return error_prefix(err, "mount `/dev/console`");
        r = mount_bind_fd(console_fd, target, false);
        if (r < 0)
                return error_set(err, -r, "mount `/dev/console`");
        return 0;
}
