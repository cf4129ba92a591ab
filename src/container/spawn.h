/* Spawning the container init into its namespaces: new ones through clone3 flags, joined ones (`path`)
 * through setns in the runtime around the clone (restored afterwards), so that the init never needs
 * privileges it may no longer have once inside a new user namespace. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"
#include "oci/spec.h"

struct spawn_plan {
        unsigned long clone_flags;              /* CLONE_NEW* created by clone3 */
        unsigned long unshare_flags;            /* created by the init itself (cgroup ns after joining the cgroup) */
        bool unshare_time;                      /* the runtime unshares the time ns for its child */
        const struct oci_linux *time_ns_config; /* linux.timeOffsets, written between unshare and clone */
        int join_fds[NS_COUNT];                 /* -1 or an fd of the namespace to join */
        bool has_new_userns;
};

/* Turn linux.namespaces into a plan; opens the `path` namespaces (errors name the entry). */
int spawn_plan_init(const struct oci_spec *spec, struct spawn_plan *plan, struct error **err);
void spawn_plan_close(struct spawn_plan *plan);
/* Clone the init; in the child, `child_fn(arg)` runs and must not return. */
int spawn_init(struct spawn_plan *plan, void (*child_fn)(void *), void *arg, pid_t *pid, int *pidfd,
               struct error **err);
