/* The public cgroup API: driver choice, path resolution, and dispatch to the cgroupfs driver (which also
 * does the file writes for the systemd driver once systemd has made and delegated the scope). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "core/cleanup.h"
#include "core/fs.h"
#include "core/log.h"

static const char *const driver_names[] = {
    [CGROUP_DRIVER_CGROUPFS] = "cgroupfs",
    [CGROUP_DRIVER_SYSTEMD] = "systemd",
    [CGROUP_DRIVER_DISABLED] = "disabled",
};

const char *cgroup_driver_name(enum cgroup_driver d)
{
        if ((unsigned)d >= ARRAY_SIZE(driver_names))
                return "disabled";
        return driver_names[d];
}

int cgroup_driver_from_name(const char *name)
{
        for (size_t i = 0; name && i < ARRAY_SIZE(driver_names); i++)
                if (strcmp(name, driver_names[i]) == 0)
                        return (int)i;
        return -1;
}

void cgroup_handle_clear(struct cgroup_handle *cg)
{
        free(cg->path);
        free(cg->scope);
        cg->path = cg->scope = NULL;
        if (cg->layout)
                cgroup_layout_clear(cg->layout);
        free(cg->layout);
        cg->layout = NULL;
}

int cgroup_resolve_path(const char *id, const char *cgroups_path, char **out, struct error **err)
{
        const char *p = cgroups_path && *cgroups_path ? cgroups_path : NULL;
        if (!p) {
                if (!id || !*id || strchr(id, '/') || strcmp(id, "..") == 0 || strcmp(id, ".") == 0)
                        return error_set(err, EINVAL, "container id `%s` cannot name a cgroup", id ? id : "");
                if (asprintf(out, "/%s", id) < 0)
                        return error_set(err, ENOMEM, "cgroup path");
                return 0;
        }
        /* Normalise: one leading '/', no empty or "." components; ".." could climb out of the hierarchy. */
        char *s = malloc(strlen(p) + 2), *o = s;
        if (!s)
                return error_set(err, ENOMEM, "cgroup path");
        for (const char *q = p; *q;) {
                q += strspn(q, "/");
                size_t n = strcspn(q, "/");
                if (!n)
                        break;
                if (n == 2 && q[0] == '.' && q[1] == '.') {
                        free(s);
                        return error_set(err, EINVAL, "linux.cgroupsPath: `%s` must not contain `..`", p);
                }
                if (!(n == 1 && q[0] == '.')) {
                        *o++ = '/';
                        memcpy(o, q, n);
                        o += n;
                }
                q += n;
        }
        *o = '\0';
        if (!*s) {
                free(s);
                return error_set(err, EINVAL, "linux.cgroupsPath: `%s` names the root cgroup", p);
        }
        *out = s;
        return 0;
}

static bool is_permission_error(int r)
{
        return r == -EACCES || r == -EPERM || r == -EROFS;
}

/* Rootless: crun falls back to a sibling of the runtime's own (delegated) cgroup. */
static char *rootless_sibling(const char *id)
{
        _cleanup_free_ char *text = NULL;
        if (fs_read_file("/proc/self/cgroup", 1 << 16, &text, NULL) < 0)
                return NULL;
        _cleanup_free_ char *own = cgroup_proc_path(text, "");
        if (!own)
                return NULL;
        char *slash = strrchr(own, '/');
        if (slash)
                *slash = '\0';
        char *s = NULL;
        if (asprintf(&s, "%s/%s", own, id) < 0)
                return NULL;
        return s;
}

static int create_cgroupfs(const struct cgroup_create_args *a, struct cgroup_layout *keep, struct cgroup_handle *out,
                           struct error **err)
{
        _cleanup_free_ char *path = NULL;
        int r = cgroup_resolve_path(a->id, a->cgroups_path, &path, err);
        if (r < 0)
                return r;
        _cleanup_error_ struct error *e = NULL;
        bool wants_rt = cgroup_rt_budget_wanted(a->spec);
        r = cgroupfs_create(path, a->resources, a->pid, false, a->is_rootless, wants_rt, a->layout, keep, &e);
        if (r < 0 && a->is_rootless && is_permission_error(r)) {
                _cleanup_free_ char *sibling = rootless_sibling(a->id);
                _cleanup_error_ struct error *e2 = NULL;
                if (sibling &&
                    cgroupfs_create(sibling, a->resources, a->pid, false, true, wants_rt, a->layout, keep, &e2) >= 0) {
                        free(path);
                        path = TAKE_PTR(sibling);
                        r = 0;
                } else {
                        /* Not a failure: cgroup v1 is never delegated to a user, and a rootless container
                         * simply runs in the cgroup of its caller (crun and runc do the same). */
                        log_debug("cgroup: %s%s%s; running without a cgroup (rootless, no delegated cgroup)", e->msg,
                                  e2 ? "; next to our own cgroup: " : "", e2 ? e2->msg : "");
                        out->driver = CGROUP_DRIVER_DISABLED;
                        return 0;
                }
        }
        if (r < 0) {
                *err = TAKE_PTR(e);
                return r;
        }
        out->path = TAKE_PTR(path);
        return 0;
}

static int create_any(const struct cgroup_create_args *a, struct cgroup_layout *keep, struct cgroup_handle *out,
                      struct error **err)
{
        switch (a->driver) {
        case CGROUP_DRIVER_DISABLED:
                return 0;
        case CGROUP_DRIVER_CGROUPFS:
                return create_cgroupfs(a, keep, out, err);
        case CGROUP_DRIVER_SYSTEMD: {
                const char *sub = a->spec ? oci_spec_annotation(a->spec, "run.oci.systemd.subgroup") : NULL;
                int r = cgroup_systemd_create(a->id, a->cgroups_path, sub, a->pid, &out->scope, &out->path, err);
                if (r < 0)
                        return r;
                /* systemd made the scope and moved the pid; the controllers systemd does not manage, and
                 * every resource, are ours to write. The scope already holds our pid: adopt it. */
                r = cgroupfs_create(out->path, a->resources, a->pid, true, a->is_rootless,
                                    cgroup_rt_budget_wanted(a->spec), a->layout, keep, err);
                if (r < 0) {
                        cgroup_systemd_stop(out->scope, NULL);
                        cgroup_handle_clear(out);
                }
                return r;
        }
        }
        return error_set(err, EINVAL, "unknown cgroup driver %d", (int)a->driver);
}

int cgroup_create(const struct cgroup_create_args *a, struct cgroup_handle *out, struct error **err)
{
        memset(out, 0, sizeof(*out));
        out->driver = a->driver;
        /* Without memory for it, the layout is simply detected again when needed. */
        _cleanup_free_ struct cgroup_layout *keep =
            a->driver == CGROUP_DRIVER_DISABLED ? NULL : calloc(1, sizeof(*keep));
        int r = create_any(a, keep, out, err);
        if (r >= 0 && out->path && keep && (keep->unified || keep->n_v1))
                out->layout = TAKE_PTR(keep);
        else if (keep)
                cgroup_layout_clear(keep);
        return r;
}

/* Best effort: a failure here is reported by cgroup_create, which detects the layout again. */
static struct cgroup_layout *plan_layout(void)
{
        struct cgroup_layout *l = calloc(1, sizeof(*l));
        if (!l || cgroup_layout_detect(l, NULL) < 0) {
                free(l);
                return NULL;
        }
        if (l->unified)
                cgroup_read_file(l->unified, "cgroup.controllers", &l->unified_controllers);
        return l;
}

int cgroup_plan(const struct cgroup_create_args *a, struct cgroup_handle *out, struct error **err)
{
        memset(out, 0, sizeof(*out));
        out->driver = a->driver;
        if (a->driver == CGROUP_DRIVER_DISABLED)
                return 0;
        out->layout = plan_layout();
        if (a->driver != CGROUP_DRIVER_CGROUPFS)
                return 0;
        return cgroup_resolve_path(a->id, a->cgroups_path, &out->path, err);
}

int cgroup_destroy(const struct cgroup_handle *cg, struct error **err)
{
        if (!cg->path)
                return 0;
        if (cg->driver == CGROUP_DRIVER_SYSTEMD && cg->scope) {
                _cleanup_error_ struct error *e = NULL;
                if (cgroup_systemd_stop(cg->scope, &e) < 0)
                        log_warning("cgroup: %s", e->msg);
        }
        return cgroupfs_destroy(cg->path, cg->layout, err);
}

int cgroup_pids(const struct cgroup_handle *cg, pid_t **pids, size_t *n, struct error **err)
{
        *pids = NULL;
        *n = 0;
        if (!cg->path)
                return error_set(err, EOPNOTSUPP, "the container has no cgroup (cgroup manager `disabled`)");
        return cgroupfs_pids(cg->path, pids, n, err);
}

int cgroup_kill_all(const struct cgroup_handle *cg, int signo, struct error **err)
{
        if (!cg->path)
                return error_set(err, EOPNOTSUPP, "the container has no cgroup (cgroup manager `disabled`)");
        return cgroupfs_kill_all(cg->path, signo, err);
}

int cgroup_freeze(const struct cgroup_handle *cg, bool freeze, struct error **err)
{
        if (!cg->path)
                return error_set(err, EOPNOTSUPP, "cannot %s a container without a cgroup",
                                 freeze ? "pause" : "resume");
        _cleanup_(cgroup_dirs_clear) struct cgroup_dirs d;
        int r = cgroup_dirs_open(cg->path, cg->layout, &d, err);
        if (r < 0)
                return r;
        return cgroup_dirs_freeze(&d, freeze, err);
}

int cgroup_is_frozen(const struct cgroup_handle *cg)
{
        if (!cg->path)
                return -1;
        _cleanup_(cgroup_dirs_clear) struct cgroup_dirs d;
        if (cgroup_dirs_open(cg->path, cg->layout, &d, NULL) < 0)
                return -1;
        return cgroup_dirs_is_frozen(&d);
}

long long cgroup_oom_kills(const struct cgroup_handle *cg)
{
        if (!cg->path)
                return -1;
        _cleanup_(cgroup_dirs_clear) struct cgroup_dirs d;
        if (cgroup_dirs_open(cg->path, cg->layout, &d, NULL) < 0)
                return -1;
        return cgroup_dirs_oom_kills(&d);
}

int cgroup_update(const struct cgroup_handle *cg, const struct oci_resources *res, struct error **err)
{
        if (!cg->path)
                return error_set(err, EOPNOTSUPP, "cannot set limits without cgroups (cgroup manager `disabled`)");
        return cgroupfs_update(cg->path, res, err);
}

int cgroup_enter(const struct cgroup_handle *cg, pid_t pid, const char *sub, struct error **err)
{
        if (!cg->path)
                return 0;
        return cgroupfs_enter(cg->path, pid, sub, err);
}
