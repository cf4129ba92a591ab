/* Control groups for a container: layout detection (v1, v2, hybrid), drivers (cgroupfs, systemd,
 * disabled), creation + join + resources, and the operations later commands need. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"
#include "oci/spec.h"

enum cgroup_driver { CGROUP_DRIVER_CGROUPFS, CGROUP_DRIVER_SYSTEMD, CGROUP_DRIVER_DISABLED };

struct cgroup_layout; /* the host's hierarchies (src/cgroup/internal.h) */

/* What a container's cgroup is; persisted in state.json as (driver name, path, scope). */
struct cgroup_handle {
        enum cgroup_driver driver;
        char *path;  /* path below each hierarchy root, e.g. "/krun/c1"; NULL when disabled */
        char *scope; /* systemd unit name, NULL otherwise */
        /* Not persisted: the layout cgroup_create found, so that the same process need not read
         * /proc/self/mountinfo again (the delete at the end of `run`). NULL: detected when needed. */
        struct cgroup_layout *layout;
};

struct cgroup_create_args {
        enum cgroup_driver driver;
        const char *id;
        const char *cgroups_path;              /* linux.cgroupsPath or NULL */
        const struct oci_resources *resources; /* NULL = none */
        const struct oci_spec *spec;           /* annotations (run.oci.systemd.subgroup, ...) */
        bool is_rootless;
        pid_t pid; /* the container init, moved into the cgroup */
        /* The layout cgroup_plan found (borrowed), NULL: detected by cgroup_create. Planning before the
         * clone takes the /proc/self/mountinfo read out of the time the init waits for its cgroup. */
        const struct cgroup_layout *layout;
};

/* Create the cgroup (every v1 hierarchy and/or the unified one), apply resources, move pid in.
 * On failure nothing is left behind. Call it after clone, before the init execs.
 * Path (cgroupfs, crun's rules): cgroupsPath absent -> "/<id>"; absolute "/a/b" -> "/a/b" below each
 * hierarchy root; relative "a/b" -> "/a/b"; ".." is refused. Rootless: when that is not writable, a
 * sibling of the runtime's own cgroup named <id>, else no cgroup (warning; out->driver = DISABLED).
 * systemd driver: "slice:prefix:name" -> scope "<prefix>-<name>.scope" in <slice> (default
 * machine.slice:krun:<id>); fails with a clear message where systemd is not PID 1.
 * destroy removes the container's own directory (and cgroups the workload made inside it), never the
 * parents: a failed create removes the parents it made itself. */
int cgroup_create(const struct cgroup_create_args *args, struct cgroup_handle *out, struct error **err);
/* The path cgroup_create is going to use, before it makes anything (recorded first, so that a create
 * killed midway can be undone). cgroupfs: the resolved path (rootless may later fall back to a sibling);
 * systemd and disabled: no path (systemd names it when it makes the scope). Unless disabled, also the
 * host's layout in out->layout when it can be read (NULL otherwise: cgroup_create detects it and reports
 * what is wrong), for cgroup_create_args.layout. */
int cgroup_plan(const struct cgroup_create_args *args, struct cgroup_handle *out, struct error **err);
/* Remove what cgroup_create made (after the processes are gone; retries briefly on EBUSY). */
int cgroup_destroy(const struct cgroup_handle *cg, struct error **err);
/* Host pids of every process in the container's cgroup (recursively). */
int cgroup_pids(const struct cgroup_handle *cg, pid_t **pids, size_t *n, struct error **err);
int cgroup_kill_all(const struct cgroup_handle *cg, int signo, struct error **err);
int cgroup_freeze(const struct cgroup_handle *cg, bool freeze, struct error **err);
/* -1 unknown / no cgroup, 0 thawed, 1 frozen. */
int cgroup_is_frozen(const struct cgroup_handle *cg);
/* OOM kills recorded in the container's memory cgroup; -1 when unknown (no cgroup, no memory controller). */
long long cgroup_oom_kills(const struct cgroup_handle *cg);
int cgroup_update(const struct cgroup_handle *cg, const struct oci_resources *res, struct error **err);
/* Move pid into the container's cgroup (or the sub-cgroup `sub`, may be NULL), for exec. */
int cgroup_enter(const struct cgroup_handle *cg, pid_t pid, const char *sub, struct error **err);

const char *cgroup_driver_name(enum cgroup_driver d);
int cgroup_driver_from_name(const char *name); /* -1 when unknown */
/* Frees path, scope and layout: for handles cgroup_create or cgroup_plan filled, not for ones that
 * borrow from a loaded state. */
void cgroup_handle_clear(struct cgroup_handle *cg);
