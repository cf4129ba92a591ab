/* The KVM-family device nodes the VMM needs: probed on the host, allowed in the device cgroup, and
 * created in the container's /dev (krun-mode.md §2 steps 2 and 4). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"
#include "oci/spec.h"

enum krun_device { KRUN_DEV_KVM, KRUN_DEV_SEV, KRUN_DEV_NITRO, KRUN_DEV_COUNT };

struct krun_host_devices {
        bool is_present[KRUN_DEV_COUNT];
        dev_t rdev[KRUN_DEV_COUNT]; /* from the host node's st_rdev */
        int kvm_errno;              /* why /dev/kvm cannot be opened read-write by us; 0 = it can */
};

/* "/dev/kvm", "/dev/sev", "/dev/nitro_enclaves". */
const char *krun_device_path(enum krun_device dev);
/* stat the host nodes; absent (ENOENT) is fine, other errors fail. /dev/kvm is also opened (and closed):
 * only open(2) tells whether this user may use it and whether a driver is behind the node. */
int krun_devices_probe(struct krun_host_devices *out, struct error **err);
/* What to do about a failed open of /dev/kvm ("add the user to the `kvm` group"), NULL if nothing useful
 * can be said. Pure. */
const char *krun_kvm_open_hint(int errnum);
/* Appends {allow, c, major, minor, rwm} to linux.resources.devices (created when absent) for kvm, sev (only
 * with kvm) and nitro as present. Pure (memory only). */
int krun_devices_add_rules(struct oci_spec *spec, const struct krun_host_devices *devs, struct error **err);
/* Whether linux.devices already lists `path` (then the runtime's device setup creates it). Pure. */
bool krun_devices_spec_lists(const struct oci_spec *spec, const char *path);
/* Creates the node for `dev` below the rootfs' /dev (opened with the safe resolver, so an image's /dev
 * symlink cannot redirect it), mode 0666; in a user namespace, where mknod is refused, bind-mounts the
 * host node instead. */
int krun_devices_create_node(int rootfs_fd, enum krun_device dev, dev_t rdev, struct error **err);
