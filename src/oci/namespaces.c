#include "oci/namespaces.h"

#include <sched.h>
#include <string.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* Linux 5.6; older libc headers lack it */
#endif

static const struct oci_ns_info table[NS_COUNT] = {
    [NS_MOUNT] = {"mount", CLONE_NEWNS, "mnt", "mnt"},
    [NS_PID] = {"pid", CLONE_NEWPID, "pid", "pid_for_children"},
    [NS_NET] = {"network", CLONE_NEWNET, "net", "net"},
    [NS_IPC] = {"ipc", CLONE_NEWIPC, "ipc", "ipc"},
    [NS_UTS] = {"uts", CLONE_NEWUTS, "uts", "uts"},
    [NS_USER] = {"user", CLONE_NEWUSER, "user", "user"},
    [NS_CGROUP] = {"cgroup", CLONE_NEWCGROUP, "cgroup", "cgroup"},
    [NS_TIME] = {"time", CLONE_NEWTIME, "time", "time_for_children"},
};

const enum oci_ns_type oci_ns_join_order[NS_COUNT] = {NS_USER, NS_IPC,    NS_UTS,  NS_NET,
                                                      NS_PID,  NS_CGROUP, NS_TIME, NS_MOUNT};

const struct oci_ns_info *oci_ns_info(enum oci_ns_type type)
{
        if ((int)type < 0 || type >= NS_COUNT)
                return NULL;
        return &table[type];
}

const char *oci_ns_type_name(enum oci_ns_type type)
{
        const struct oci_ns_info *info = oci_ns_info(type);
        return info ? info->name : NULL;
}

int oci_ns_type_from_name(const char *name)
{
        if (!name)
                return -1;
        for (int t = 0; t < NS_COUNT; t++)
                if (strcmp(table[t].name, name) == 0)
                        return t;
        return -1;
}
