/* What the init knows when it builds the rootfs: the spec, where the bundle and the rootfs are, which
 * namespaces are new, the console and the idmapped mounts the runtime prepared. Read by rootfs.c and the
 * modules it calls (mounts.c, devices.c, mount_cgroup.c), which must not depend on rootfs.c itself. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

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
