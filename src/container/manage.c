/* pause / resume / update / ps: operations on the cgroup of an existing container. */
#include <errno.h>
#include <json-c/json.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "container/lifecycle.h"
#include "container/loaded.h"
#include "core/cleanup.h"
#include "core/fs.h"
#include "core/json.h"
#include "executor/executor.h"

#define RESOURCES_MAX (1 << 20)

static int require_cgroup(const struct loaded_container *l, const char *what, struct error **err)
{
        if (!l->st->cgroup_path)
                return error_set(err, ENOENT, "%s `%s`: the container has no cgroup", what, l->st->id);
        return 0;
}

static int freeze(struct runtime_ctx *rt, const char *id, bool pause, struct error **err)
{
        const char *what = pause ? "pause" : "resume";
        _cleanup_(loaded_container_clear) struct loaded_container l;
        int r = loaded_container_open(rt, id, true, &l, err);
        if (r < 0)
                return r;
        enum container_status need = pause ? STATUS_RUNNING : STATUS_PAUSED;
        if (l.status != need)
                return error_set(err, EINVAL, "%s `%s`: the container is %s (expected %s)", what, id,
                                 state_status_name(l.status), state_status_name(need));
        r = executor_require(l.st->executor, EXECUTOR_CAN_PAUSE, what, id, err);
        if (r >= 0)
                r = require_cgroup(&l, what, err);
        if (r < 0)
                return r;
        struct cgroup_handle cg = loaded_container_cgroup(l.st);
        r = cgroup_freeze(&cg, pause, err);
        return r < 0 ? error_prefix(err, "%s `%s`", what, id) : 0;
}

int container_pause(struct runtime_ctx *rt, const char *id, struct error **err)
{
        return freeze(rt, id, true, err);
}

int container_resume(struct runtime_ctx *rt, const char *id, struct error **err)
{
        return freeze(rt, id, false, err);
}

static void resources_freep(struct oci_resources **r)
{
        if (*r)
                oci_resources_free(*r);
}

/* `-` is stdin (CRI-O, containerd); otherwise a file (podman). */
static int read_resources(const char *file, struct oci_resources **out, struct error **err)
{
        const char *path = strcmp(file, "-") ? file : "/dev/stdin";
        const char *origin = strcmp(file, "-") ? file : "stdin";
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = fs_read_file(path, RESOURCES_MAX, &text, &len);
        if (r < 0)
                return error_set(err, -r, "update: read resources from `%s`", origin);
        _cleanup_json_ struct json_object *obj = NULL;
        r = json_parse_object(text, len, &obj, err);
        if (r >= 0)
                r = oci_resources_parse_json(obj, "", out, err);
        return r < 0 ? error_prefix(err, "update: %s", origin) : 0;
}

int container_update(struct runtime_ctx *rt, const char *id, const char *resources_file,
                     const struct oci_resources *flags, struct error **err)
{
        _cleanup_(resources_freep) struct oci_resources *parsed = NULL;
        /* Parse before taking the lock: a bad file changes nothing and blocks nobody. */
        if (resources_file) {
                int r = read_resources(resources_file, &parsed, err);
                if (r < 0)
                        return r;
        }
        const struct oci_resources *res = parsed ? parsed : flags;
        _cleanup_(loaded_container_clear) struct loaded_container l;
        int r = loaded_container_open(rt, id, true, &l, err);
        if (r < 0)
                return r;
        if (l.status == STATUS_STOPPED)
                return error_set(err, EINVAL, "update `%s`: the container is stopped", id);
        r = executor_require(l.st->executor, EXECUTOR_CAN_UPDATE, "update", id, err);
        if (r >= 0)
                r = require_cgroup(&l, "update", err);
        if (r < 0)
                return r;
        if (!res)
                return 0;
        struct cgroup_handle cg = loaded_container_cgroup(l.st);
        r = cgroup_update(&cg, res, err);
        return r < 0 ? error_prefix(err, "update `%s`", id) : 0;
}

int container_pids(struct runtime_ctx *rt, const char *id, pid_t **pids, size_t *n, struct error **err)
{
        /* No lock: `ps` only reads, and must not wait behind a long foreground `exec`. */
        _cleanup_(loaded_container_clear) struct loaded_container l;
        int r = loaded_container_open(rt, id, false, &l, err);
        if (r < 0)
                return r;
        const struct executor *ex = executor_by_name(l.st->executor);
        if (ex && ex->list_pids && l.status == STATUS_RUNNING) {
                r = ex->list_pids(l.dir_fd, pids, n, err);
                if (r != 0)
                        return r < 0 ? error_prefix(err, "ps `%s`", id) : 0;
        }
        r = require_cgroup(&l, "ps", err);
        if (r < 0)
                return r;
        struct cgroup_handle cg = loaded_container_cgroup(l.st);
        r = cgroup_pids(&cg, pids, n, err);
        return r < 0 ? error_prefix(err, "ps `%s`", id) : 0;
}
