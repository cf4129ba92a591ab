#include "container/loaded.h"

#include <unistd.h>

int loaded_container_open(struct runtime_ctx *rt, const char *id, bool lock, struct loaded_container *l,
                          struct error **err)
{
        *l = (struct loaded_container){.root_fd = -1, .dir_fd = -1};
        int r = state_validate_id(id, err);
        if (r >= 0)
                r = state_open_root(rt->state_root, &l->root_fd, err);
        if (r >= 0)
                r = state_open_dir(l->root_fd, id, lock, &l->dir_fd, err);
        if (r >= 0)
                r = state_read(l->dir_fd, id, &l->st, err);
        if (r >= 0)
                l->status = loaded_container_status(l->dir_fd, l->st);
        return r;
}

void loaded_container_clear(struct loaded_container *l)
{
        if (l->dir_fd >= 0)
                close(l->dir_fd);
        if (l->root_fd >= 0)
                close(l->root_fd);
        container_state_free(l->st);
        *l = (struct loaded_container){.root_fd = -1, .dir_fd = -1};
}

struct cgroup_handle loaded_container_cgroup(const struct container_state *st)
{
        int d = st->cgroup_manager ? cgroup_driver_from_name(st->cgroup_manager) : -1;
        return (struct cgroup_handle){.driver = d < 0 ? CGROUP_DRIVER_DISABLED : (enum cgroup_driver)d,
                                      .path = st->cgroup_path,
                                      .scope = st->systemd_scope};
}

enum container_status loaded_container_status(int dir_fd, const struct container_state *st)
{
        enum container_status s = state_status(dir_fd, st);
        if (s == STATUS_RUNNING && st->cgroup_path) {
                struct cgroup_handle cg = loaded_container_cgroup(st);
                if (cgroup_is_frozen(&cg) == 1)
                        return STATUS_PAUSED;
        }
        return s;
}
