/* linux.sysctl: only keys that belong to a namespace the container has on its own may be written
 * (oci-config.md §9). The rule checker is pure; sysctl_apply writes /proc/sys in the init, before the
 * rootfs is prepared (the files resolve against the caller's namespaces, not against a mount). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "oci/spec.h"

/* Which namespaces the container has apart from the host (new or joined by path). */
struct sysctl_namespaces {
        bool has_ipcns, has_netns, has_utsns, has_userns;
        const char *domainname; /* the config's `domainname`, NULL when absent */
};

/* `key` -> path below /proc/sys ("net.ipv4.ip_forward" -> "net/ipv4/ip_forward"; a key written with '/'
 * separators is kept, so "net/ipv4/conf/eth0.100/forwarding" keeps its dotted interface name).
 * NULL for an empty key, an absolute one, or one with empty, "." or ".." components. Caller frees. */
char *sysctl_key_to_path(const char *key);
/* Whether `key`=`value` may be set in these namespaces; the error names linux.sysctl.KEY and why. */
int sysctl_check(const char *key, const char *value, const struct sysctl_namespaces *ns, struct error **err);
/* Check every entry, then write them in order. */
int sysctl_apply(const struct oci_kv *entries, size_t n, const struct sysctl_namespaces *ns, struct error **err);
