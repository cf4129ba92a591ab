/* Idmapped bind mounts: mounts[] entries with `idmap`/`ridmap` (crun's `idmap=uids=…;gids=…` form included)
 * or with their own uidMappings/gidMappings.
 *
 * Idmapping a mount needs CAP_SYS_ADMIN over the user namespace that provides the mapping and over the owner
 * of the source filesystem. The init, inside the container's user namespace, has neither for a host
 * directory. So the runtime, with its host privileges, clones each source into a detached mount (open_tree),
 * idmaps it (mount_setattr MOUNT_ATTR_IDMAP) and passes the fd to the init, which only attaches it
 * (move_mount) at the target it resolved inside the rootfs. This is what crun does.
 *
 * Mapping semantics (the kernel's; crun and runc write the entries the same way): an entry
 * {containerID A, hostID B, size N} makes the ids A..A+N-1 stored on the source filesystem appear as the
 * host ids B..B+N-1 through the mount, and files created through the mount by host id B+k are stored as
 * A+k. Ids outside the mapping show as the overflow id (65534) and cannot be written. With the container's
 * user namespace as the mapping, host-root-owned files appear owned by the container's root, and what the
 * container's root creates is stored as host root. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "linux/mount_options.h"
#include "oci/spec.h"

/* What one mounts[] entry asks for. */
struct idmap_request {
        bool clone_recursive;               /* rbind: the detached copy has the submounts too */
        bool idmap_recursive;               /* ridmap: the submounts are idmapped too */
        bool use_container_userns;          /* no mapping of its own: the container's user namespace maps it */
        struct oci_id_mapping *uids, *gids; /* the mount's own mapping (NULL with use_container_userns) */
        size_t n_uids, n_gids;
};
void idmap_request_free(struct idmap_request *req);

/* Pure. The one test of whether a mount is idmapped, shared by the runtime and the init so that both walk
 * the same mounts[] entries in the same order. */
bool idmap_mount_is_idmapped(const struct oci_mount *m, const struct mount_options *o);

/* Pure. Whether the mount is idmapped (1, *out filled), not (0), or asks for something impossible (< 0).
 * `container` holds the container's linux.uidMappings/gidMappings (for `@` relative entries and for a side
 * the idmap= option leaves out); `has_container_userns` whether the container has a user namespace (new or
 * joined). Messages name the option or field, not the mount: the caller prefixes it. */
int idmap_request_resolve(const struct oci_mount *m, const struct mount_options *o, const struct oci_linux *container,
                          bool has_container_userns, struct idmap_request *out, struct error **err);

/* Pure. crun's option value "uids=[@]A-B-N[#…];gids=[@]A-B-N[#…]" (either key may be missing: its list stays
 * empty). `@` makes B a container id, translated to the host id through `container`'s mappings. */
int idmap_parse_option(const char *value, const struct oci_linux *container, struct idmap_request *out,
                       struct error **err);

/* Pure. The uid_map/gid_map text for `n` entries ("A B N\n" lines) into buf; -E2BIG when it does not fit. */
int idmap_format_map(const struct oci_id_mapping *m, size_t n, char *buf, size_t size);

/* Runtime side: one detached, idmapped mount per idmapped mounts[] entry, in the order of mounts[]. */
struct idmap_mounts {
        int *fds;
        size_t n;
};
/* `container_userns_fd`: the container's user namespace (-1 when it has none). Errors name the mount. */
int idmap_mounts_prepare(const struct oci_spec *spec, const char *bundle, int container_userns_fd,
                         struct idmap_mounts *out, struct error **err);
void idmap_mounts_close(struct idmap_mounts *m);
/* Whether any mounts[] entry is idmapped (cheap: decides whether the runtime has work to do). */
bool idmap_spec_has_idmapped_mounts(const struct oci_spec *spec);

/* Init side: attach the detached mount `tree_fd` on `target_fd` (O_PATH, resolved inside the rootfs).
 * Returns 0 or -errno. */
int idmap_attach(int tree_fd, int target_fd);
