/* /dev/kvm and friends for the VMM. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/cleanup.h"
#include "executor/krun/devices.h"
#include "linux/safe_path.h"

static const char *const paths[KRUN_DEV_COUNT] = {
    [KRUN_DEV_KVM] = "/dev/kvm",
    [KRUN_DEV_SEV] = "/dev/sev",
    [KRUN_DEV_NITRO] = "/dev/nitro_enclaves",
};

const char *krun_device_path(enum krun_device dev)
{
        return paths[dev];
}

int krun_devices_probe(struct krun_host_devices *out, struct error **err)
{
        *out = (struct krun_host_devices){0};
        for (int i = 0; i < KRUN_DEV_COUNT; i++) {
                struct stat st;
                if (stat(paths[i], &st) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return error_sys(err, "stat host `%s`", paths[i]);
                }
                if (!S_ISCHR(st.st_mode))
                        return error_set(err, ENODEV, "host `%s` is not a character device", paths[i]);
                out->is_present[i] = true;
                out->rdev[i] = st.st_rdev;
        }
        out->kvm_errno = ENOENT;
        if (out->is_present[KRUN_DEV_KVM]) {
                _cleanup_close_ int fd = open(paths[KRUN_DEV_KVM], O_RDWR | O_CLOEXEC | O_NOCTTY);
                out->kvm_errno = fd < 0 ? errno : 0;
        }
        return 0;
}

const char *krun_kvm_open_hint(int errnum)
{
        switch (errnum) {
        case ENOENT:
                return "this host has no KVM (enable virtualization and load kvm_intel or kvm_amd)";
        case EACCES:
        case EPERM:
                return "this user may not use KVM (add it to the `kvm` group)";
        case ENXIO:
        case ENODEV:
                return "no KVM driver behind the device node (load kvm_intel or kvm_amd)";
        default:
                return NULL;
        }
}

int krun_devices_add_rules(struct oci_spec *spec, const struct krun_host_devices *devs, struct error **err)
{
        bool want[KRUN_DEV_COUNT] = {
            [KRUN_DEV_KVM] = devs->is_present[KRUN_DEV_KVM],
            /* SEV is driven through KVM: useless without it. */
            [KRUN_DEV_SEV] = devs->is_present[KRUN_DEV_KVM] && devs->is_present[KRUN_DEV_SEV],
            [KRUN_DEV_NITRO] = devs->is_present[KRUN_DEV_NITRO],
        };
        size_t n_new = 0;
        for (int i = 0; i < KRUN_DEV_COUNT; i++)
                n_new += want[i];
        if (n_new == 0)
                return 0;
        if (!spec->linux_.resources && !(spec->linux_.resources = calloc(1, sizeof(struct oci_resources))))
                return error_set(err, ENOMEM, "linux.resources");
        struct oci_resources *res = spec->linux_.resources;
        struct oci_device_rule *rules = realloc(res->devices, (res->n_devices + n_new) * sizeof(*rules));
        if (!rules)
                return error_set(err, ENOMEM, "linux.resources.devices");
        res->devices = rules;
        /* Appended after the user's rules: a later allow wins over an earlier deny-all. */
        for (int i = 0; i < KRUN_DEV_COUNT; i++) {
                if (!want[i])
                        continue;
                struct oci_device_rule *r = &res->devices[res->n_devices++];
                *r = (struct oci_device_rule){.allow = true,
                                              .type = 'c',
                                              .major = major(devs->rdev[i]),
                                              .minor = minor(devs->rdev[i]),
                                              .access = "rwm"};
        }
        return 0;
}

bool krun_devices_spec_lists(const struct oci_spec *spec, const char *path)
{
        for (size_t i = 0; i < spec->linux_.n_devices; i++)
                if (spec->linux_.devices[i].path && strcmp(spec->linux_.devices[i].path, path) == 0)
                        return true;
        return false;
}

static int bind_host_node(int rootfs_fd, const char *path, struct error **err)
{
        _cleanup_close_ int target = -1;
        int r = safe_create_file(rootfs_fd, path, 0666, &target, err);
        if (r < 0)
                return r;
        char buf[64];
        safe_fd_path(target, buf);
        if (mount(path, buf, NULL, MS_BIND, NULL) < 0)
                return error_sys(err, "bind mount host `%s` into the container", path);
        return 0;
}

int krun_devices_create_node(int rootfs_fd, enum krun_device dev, dev_t rdev, struct error **err)
{
        const char *path = paths[dev];
        const char *name = path + strlen("/dev/");
        _cleanup_close_ int dev_fd = -1;
        int r = safe_mkdir_p(rootfs_fd, "/dev", 0755, &dev_fd, err);
        if (r < 0)
                return error_prefix(err, "create `%s`", path);

        struct stat st;
        if (fstatat(dev_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (S_ISCHR(st.st_mode) && st.st_rdev == rdev)
                        return 0;
                /* Whatever the image put there (a symlink, a file) must not stand in for the device. */
                if (unlinkat(dev_fd, name, 0) < 0)
                        return error_sys(err, "remove `%s` from the rootfs", path);
        }
        /* umask would strip the 0666 the VMM (running as the container user) needs; the init is
         * single-threaded here, so the process-wide umask change is not observable. */
        mode_t old = umask(0);
        r = mknodat(dev_fd, name, S_IFCHR | 0666, rdev);
        int saved = errno;
        umask(old);
        if (r == 0)
                return 0;
        /* In a user namespace mknod is refused: share the host node instead. */
        if (saved == EPERM)
                return bind_host_node(rootfs_fd, path, err);
        errno = saved;
        return error_sys(err, "mknod `%s` (c %u:%u)", path, major(rdev), minor(rdev));
}
