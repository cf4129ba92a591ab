/* User namespaces seen from the runtime: whether it runs rootless, the mapping a new user namespace gets
 * when the config gives none, and writing the maps of the init's new user namespace.
 *
 * Rootless is decided from the user namespace, not from the euid alone: podman runs the runtime inside its
 * own user namespace, where the euid is 0 but host root is out of reach (no /run/krun, no cgroups). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/error.h"
#include "oci/spec.h"

/* Pure. Whether /proc/self/uid_map text is the initial user namespace's identity map "0 0 4294967295". */
bool userns_map_is_initial(const char *uid_map);
/* Pure. Rootless: a non-zero euid, or any user namespace but the initial one. A NULL map (unreadable
 * /proc/self/uid_map) decides by the euid alone. */
bool userns_is_rootless(uid_t euid, const char *uid_map);
/* Reads /proc/self/uid_map (only when the euid is 0: a non-zero euid is rootless whatever the map). */
bool userns_detect_rootless(void);

/* Pure. A new user namespace (linux.namespaces has `user` without a path) with no linux.uidMappings and
 * linux.gidMappings gets one entry each, container 0 -> `uid`/`gid`, size 1: what crun does with the
 * config `crun spec --rootless` writes. Returns 1 when it filled them, 0 when nothing was to do. */
int userns_fill_default_mappings(struct oci_linux *l, uid_t uid, gid_t gid, struct error **err);

/* Pure. Whether `m` maps only `own_id`, size 1: the one map an unprivileged process may write itself
 * (user_namespaces(7)); every other needs the setuid newuidmap/newgidmap and the ranges of /etc/subuid. */
bool userns_map_is_own_id(const struct oci_id_mapping *m, size_t n, uint32_t own_id);
/* Pure. The argv of newuidmap/newgidmap: `prog` PID then "container host size" per entry. NULL-terminated;
 * free with cleanup_strvp. NULL on ENOMEM. */
char **userns_helper_argv(const char *prog, pid_t pid, const struct oci_id_mapping *m, size_t n);

/* Runtime side: write uid_map and gid_map of `pid`'s new user namespace from linux.uidMappings/gidMappings.
 * With CAP_SETUID/CAP_SETGID (euid 0 in our namespace) directly; without them our own id directly (with
 * setgroups "deny" first, which the kernel requires for gid_map), other ranges through newuidmap/newgidmap.
 * Errors name the config field and, for the helpers, their exit and first line of stderr. */
int userns_write_maps(pid_t pid, const struct oci_linux *l, struct error **err);
