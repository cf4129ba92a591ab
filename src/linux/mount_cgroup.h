/* A `cgroup`/`cgroup2` entry of mounts[] (mount_cgroup.c). */
#pragma once

#include "core/error.h"
#include "linux/mount_options.h"
#include "linux/rootfs_config.h"

/* The cgroup filesystem for a `cgroup`/`cgroup2` mount at `dest`. */
int mount_cgroup(const struct rootfs_config *cfg, int rootfs_fd, const char *dest, const struct mount_options *o,
                 struct error **err);
