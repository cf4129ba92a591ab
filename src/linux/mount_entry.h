/* What a mounts[] entry asks for, read the same way by the runtime (idmap.c: which entries are
 * idmapped) and by the init (mounts.c). Pure: no syscalls. */
#pragma once

#include "core/error.h"
#include "linux/mount_options.h"
#include "oci/spec.h"

/* The options of a mounts[] entry, crun's defaults for its destination when it has none. */
int mount_entry_options(const struct oci_mount *m, struct mount_options *o, struct error **err);
/* A bind source as a host path: relative ones are against the bundle. Heap; NULL on ENOMEM. */
char *mount_bind_source(const char *bundle, const char *source);
