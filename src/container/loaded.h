/* An existing container, opened (and optionally locked) with its state read: the starting point of
 * every command on a container that `create` made. */
#pragma once
#include <stdbool.h>

#include "cgroup/cgroup.h"
#include "container/lifecycle.h"
#include "oci/state.h"

struct loaded_container {
        int root_fd, dir_fd; /* dir_fd holds the container's flock when loaded with `lock` */
        struct container_state *st;
        enum container_status status;
};

/* Validate the ID, open <root>/<id>/ (waiting for its lock with `lock`), read state.json and compute
 * the live status. Errors say "container `ID` does not exist" when it is unknown. On failure *out is
 * still safe to pass to loaded_container_clear. */
int loaded_container_open(struct runtime_ctx *rt, const char *id, bool lock, struct loaded_container *out,
                          struct error **err);
void loaded_container_clear(struct loaded_container *l);
/* The cgroup recorded at create (path and scope borrowed from the state). */
struct cgroup_handle loaded_container_cgroup(const struct container_state *st);
/* state_status, plus `paused` when the container's cgroup is frozen: what `state`, `list` and every
 * command on a container report. */
enum container_status loaded_container_status(int dir_fd, const struct container_state *st);
