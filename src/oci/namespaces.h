/* The namespace table: every namespace type once, with the name config.json gives it, the clone/setns
 * flag the kernel knows it by, its entries under /proc/<pid>/ns/ and the order namespaces are joined in.
 * The parser, `features`, the spawn of the init and `exec` all read it from here. Pure. */
#pragma once

enum oci_ns_type { NS_MOUNT, NS_PID, NS_NET, NS_IPC, NS_UTS, NS_USER, NS_CGROUP, NS_TIME, NS_COUNT };

struct oci_ns_info {
        const char *name;      /* linux.namespaces[].type: "mount", "network", ... */
        unsigned long flag;    /* CLONE_NEW*: for clone, unshare and setns */
        const char *proc_name; /* /proc/<pid>/ns/<proc_name>: the namespace the process is in */
        /* /proc/<pid>/ns/<proc_children_name>: the one its next children are created in. It differs from
         * proc_name for pid and time, whose setns or unshare only moves the children. */
        const char *proc_children_name;
};

/* NULL when `type` is not a namespace type. */
const struct oci_ns_info *oci_ns_info(enum oci_ns_type type);
const char *oci_ns_type_name(enum oci_ns_type type); /* NULL when unknown */
int oci_ns_type_from_name(const char *name);         /* -1 when unknown */
/* The order setns joins namespaces in, every type once. Mount comes last: entering it changes root and
 * cwd, which is harmless only once every other namespace fd is open and joined. The user namespace is
 * listed but joined apart by each caller: spawn leaves it to the init, `exec` joins it between the
 * namespaces its old credentials may join and those that need the new ones. */
extern const enum oci_ns_type oci_ns_join_order[NS_COUNT];
