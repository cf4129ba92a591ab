/* The cgroupfs driver: the container's directory in every v1 hierarchy and in the unified one, made with
 * mkdir, joined by writing cgroup.procs, removed with rmdir. We remember which directories we made so a
 * failed create removes exactly those (never a cgroup someone else made). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "core/cleanup.h"
#include "core/log.h"

struct created {
        char **dirs; /* in creation order: parents before children */
        size_t n;
};

static void created_clear(struct created *c)
{
        for (size_t i = 0; i < c->n; i++)
                free(c->dirs[i]);
        free(c->dirs);
        memset(c, 0, sizeof(*c));
}

static void sleep_ms(long ms)
{
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
}

/* rmdir, retrying briefly on EBUSY: the kernel releases a cgroup a moment after its last task exits. */
static int rmdir_retry(const char *dir)
{
        for (int i = 0; i < 100; i++) {
                if (rmdir(dir) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY)
                        return -errno;
                sleep_ms(10);
        }
        return -EBUSY;
}

static void undo(struct created *c)
{
        for (size_t i = c->n; i-- > 0;)
                if (rmdir_retry(c->dirs[i]) < 0)
                        log_warning("cgroup cleanup: rmdir %s: %s", c->dirs[i], strerror(errno));
        created_clear(c);
}

static int record(struct created *c, const char *dir)
{
        char **v = realloc(c->dirs, (c->n + 1) * sizeof(char *));
        if (!v)
                return -ENOMEM;
        c->dirs = v;
        if (!(c->dirs[c->n] = strdup(dir)))
                return -ENOMEM;
        c->n++;
        return 0;
}

/* A new v1 cpuset cgroup starts with empty cpus and mems, and joining it then fails with ENOSPC:
 * inherit the parent's sets, as runc and crun do. */
static int cpuset_inherit(const char *dir, struct error **err)
{
        _cleanup_free_ char *parent = strdup(dir);
        if (!parent)
                return error_set(err, ENOMEM, "cpuset");
        *strrchr(parent, '/') = '\0';
        static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                _cleanup_free_ char *mine = NULL, *theirs = NULL;
                if (cgroup_read_file(dir, files[i], &mine) < 0 || strspn(mine, " \n") != strlen(mine))
                        continue;
                if (cgroup_read_file(parent, files[i], &theirs) < 0)
                        return error_sys(err, "read %s/%s", parent, files[i]);
                theirs[strcspn(theirs, "\n")] = '\0';
                if (*theirs && cgroup_write_file(dir, files[i], theirs, err) < 0)
                        return -EINVAL;
        }
        return 0;
}

/* Enable the controllers the container may use in `parent`'s cgroup.subtree_control (v2 only delegates
 * what the parent enables). `need` are the ones resources require: failing those is an error. */
static int enable_controllers(const struct cgroup_dirs *d, const char *parent, unsigned need, struct error **err)
{
        unsigned avail = d->v2_mask;
        _cleanup_free_ char *read = NULL, *on = NULL;
        /* The root's list was read when the dirs were opened. */
        const char *have = strcmp(parent, d->layout.unified) == 0 ? d->layout.unified_controllers : NULL;
        if (!have && cgroup_read_file(parent, "cgroup.controllers", &read) >= 0)
                have = read;
        cgroup_read_file(parent, "cgroup.subtree_control", &on);
        for (int c = 0; c < CG_CTRL_COUNT; c++) {
                const char *name = cgroup_ctrl_name(c, 2);
                if (!name || !(avail & (1u << c)) || (on && cgroup_word_has(on, name)))
                        continue;
                if (!have || !cgroup_word_has(have, name)) {
                        if (need & (1u << c))
                                return error_set(err, ENOENT, "%s/cgroup.controllers: no %s controller", parent, name);
                        continue;
                }
                char buf[32];
                snprintf(buf, sizeof(buf), "+%s", name);
                _cleanup_error_ struct error *e = NULL;
                if (cgroup_write_file(parent, "cgroup.subtree_control", buf, &e) < 0) {
                        if (need & (1u << c)) {
                                *err = TAKE_PTR(e);
                                return -EINVAL;
                        }
                        log_debug("cgroup: %s", e->msg);
                }
        }
        return 0;
}

/* mkdir -p below `root`, recording what we made. For the unified tree, enable controllers on the way. */
static int make_tree(const char *root, const char *path, bool is_unified, bool is_cpuset, const struct cgroup_dirs *d,
                     unsigned need, struct created *made, struct error **err)
{
        _cleanup_free_ char *dir = strdup(root);
        if (!dir)
                return error_set(err, ENOMEM, "cgroup");
        for (const char *p = path; *p;) {
                p += strspn(p, "/");
                size_t n = strcspn(p, "/");
                if (!n)
                        break;
                if (is_unified && enable_controllers(d, dir, need & d->v2_mask, err) < 0)
                        return -EINVAL;
                size_t len = strlen(dir);
                char *next = realloc(dir, len + n + 2);
                if (!next)
                        return error_set(err, ENOMEM, "cgroup");
                dir = next;
                snprintf(dir + len, n + 2, "/%.*s", (int)n, p);
                p += n;
                if (mkdir(dir, 0755) < 0) {
                        if (errno != EEXIST)
                                return error_sys(err, "mkdir %s", dir);
                        continue;
                }
                if (record(made, dir) < 0)
                        return error_set(err, ENOMEM, "cgroup");
                if (is_cpuset && cpuset_inherit(dir, err) < 0)
                        return -EINVAL;
        }
        return 0;
}

static bool was_made(const struct created *c, const char *dir)
{
        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->dirs[i], dir) == 0)
                        return true;
        return false;
}

/* Sharing a cgroup with running processes would mix their limits and let `kill --all` kill them. A
 * directory this create made under the hierarchy lock is empty by construction: only the ones that
 * already existed are read. */
static int check_unused(const struct created *made, const char *dir, struct error **err)
{
        if (was_made(made, dir))
                return 0;
        _cleanup_free_ char *procs = NULL;
        if (cgroup_read_file(dir, "cgroup.procs", &procs) >= 0 && strspn(procs, " \n") != strlen(procs))
                return error_set(err, EBUSY, "%s: the cgroup already has processes (another container's?)", dir);
        return 0;
}

/* Move pid back to the root of the first n v1 hierarchies: a join that failed half-way must not leave it
 * in cgroups we are about to remove (rmdir fails with EBUSY while a task, even a dying one, is inside). */
static void unjoin(const struct cgroup_dirs *d, size_t n, const char *pid)
{
        for (size_t i = 0; i < n; i++)
                cgroup_write_file(d->layout.v1[i].mount, "cgroup.procs", pid, NULL);
}

static int join(const struct cgroup_dirs *d, const char *unified_sub, pid_t pid, struct error **err)
{
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        for (size_t i = 0; i < d->layout.n_v1; i++) {
                if (cgroup_write_file(d->v1[i], "cgroup.procs", buf, err) < 0) {
                        unjoin(d, i, buf);
                        return -EINVAL;
                }
        }
        if (d->unified && cgroup_write_file(unified_sub ? unified_sub : d->unified, "cgroup.procs", buf, err) < 0) {
                unjoin(d, d->layout.n_v1, buf);
                return -EINVAL;
        }
        return 0;
}

/* Two creates may name the same cgroup at the same moment: both would find it empty and both join, or
 * one would join before the other has given a new cpuset cgroup its CPUs, or one's cleanup would remove
 * directories the other is filling. An exclusive flock on the root of one hierarchy (every create takes
 * the same one) makes "make, check unused, apply, join (or undo)" atomic between runtimes. It serialises
 * the cgroup step of concurrent creates on the host, a few hundred microseconds each. */
static int lock_hierarchy(const struct cgroup_dirs *d, int *fd, struct error **err)
{
        const char *dir = d->layout.unified ? d->layout.unified : d->layout.n_v1 ? d->layout.v1[0].mount : NULL;
        *fd = -1;
        if (!dir)
                return 0;
        *fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (*fd < 0 || flock(*fd, LOCK_EX) < 0)
                return error_sys(err, "lock cgroup hierarchy %s", dir);
        return 0;
}

int cgroupfs_create(const char *path, const struct oci_resources *res, pid_t pid, bool adopt, bool is_rootless,
                    bool wants_rt, const struct cgroup_layout *known, struct cgroup_layout *keep, struct error **err)
{
        _cleanup_(cgroup_dirs_clear) struct cgroup_dirs d;
        int r = cgroup_dirs_open(path, known, &d, err);
        if (r < 0)
                return r;
        d.is_rootless = is_rootless;
        _cleanup_close_ int lock_fd = -1;
        r = lock_hierarchy(&d, &lock_fd, err);
        if (r < 0)
                return r;
        struct created made = {0};
        unsigned need = cgroup_resources_controllers(res);
        for (size_t i = 0; i < d.layout.n_v1 && r >= 0; i++) {
                bool is_cpuset = cgroup_list_has(d.layout.v1[i].controllers, "cpuset");
                r = make_tree(d.layout.v1[i].mount, path, false, is_cpuset, &d, need, &made, err);
        }
        if (r >= 0 && d.unified)
                r = make_tree(d.layout.unified, path, true, false, &d, need, &made, err);
        for (size_t i = 0; i < d.layout.n_v1 && r >= 0 && !adopt; i++)
                r = check_unused(&made, d.v1[i], err);
        if (r >= 0 && d.unified && !adopt)
                r = check_unused(&made, d.unified, err);
        for (size_t i = 0; i < d.layout.n_v1 && r >= 0; i++)
                if (cgroup_list_has(d.layout.v1[i].controllers, "cpu"))
                        r = cgroup_v1_rt_budget(d.v1[i], made.dirs, made.n, res, wants_rt, err);
        if (r >= 0)
                r = cgroup_apply(&d, res, false, err);
        if (r >= 0)
                r = join(&d, NULL, pid, err);
        if (r < 0) {
                undo(&made);
                return r;
        }
        created_clear(&made);
        if (keep && cgroup_layout_copy(&d.layout, keep) < 0)
                log_debug("cgroup: layout not kept (out of memory); delete will detect it again");
        return 0;
}

/* Remove dir and the cgroups the workload made inside it, deepest first. Only directories: the
 * files of a cgroup go away with it. */
static int remove_tree(const char *dir)
{
        /* The common case, a leaf: one rmdir, without listing the directory (a run's hot path). */
        if (rmdir(dir) == 0 || errno == ENOENT)
                return 0;
        DIR *dp = opendir(dir);
        if (!dp)
                return errno == ENOENT ? 0 : -errno;
        struct dirent *de;
        int r = 0;
        while ((de = readdir(dp))) {
                if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                int q = remove_tree(sub);
                if (q < 0 && r == 0)
                        r = q;
        }
        closedir(dp);
        int q = rmdir_retry(dir);
        return r < 0 ? r : q;
}

int cgroupfs_destroy(const char *path, const struct cgroup_layout *known, struct error **err)
{
        if (!path || !*path || strcmp(path, "/") == 0)
                return error_set(err, EINVAL, "refusing to remove the root cgroup");
        _cleanup_(cgroup_dirs_clear) struct cgroup_dirs d;
        int r = cgroup_dirs_open(path, known, &d, err);
        if (r < 0)
                return r;
        int ret = 0;
        for (size_t i = 0; i <= d.layout.n_v1; i++) {
                const char *dir = i < d.layout.n_v1 ? d.v1[i] : d.unified;
                if (!dir)
                        continue;
                r = remove_tree(dir);
                if (r < 0 && ret == 0)
                        ret = error_set(err, -r, "remove cgroup %s%s", dir,
                                        r == -EBUSY ? " (processes are still in it)" : "");
        }
        return ret;
}

int cgroupfs_update(const char *path, const struct oci_resources *res, struct error **err)
{
        _cleanup_(cgroup_dirs_clear) struct cgroup_dirs d;
        int r = cgroup_dirs_open(path, NULL, &d, err);
        if (r < 0)
                return r;
        return cgroup_apply(&d, res, true, err);
}

static bool bad_sub(const char *sub)
{
        for (const char *p = sub; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return true;
                p += n + (p[n] == '/');
        }
        return false;
}

int cgroupfs_enter(const char *path, pid_t pid, const char *sub, struct error **err)
{
        _cleanup_(cgroup_dirs_clear) struct cgroup_dirs d;
        int r = cgroup_dirs_open(path, NULL, &d, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *subdir = NULL;
        if (sub && *sub) {
                if (bad_sub(sub))
                        return error_set(err, EINVAL, "sub-cgroup `%s`: must not contain `..`", sub);
                if (!d.unified)
                        return error_set(err, EOPNOTSUPP, "sub-cgroup `%s`: needs cgroup v2", sub);
                if (asprintf(&subdir, "%s/%s", d.unified, sub + strspn(sub, "/")) < 0)
                        return error_set(err, ENOMEM, "cgroup");
                struct stat st;
                if (stat(subdir, &st) < 0 || !S_ISDIR(st.st_mode))
                        return error_set(err, ENOENT, "sub-cgroup `%s`: %s does not exist", sub, subdir);
        }
        return join(&d, subdir, pid, err);
}

/* The directory whose cgroup.procs lists every process of the container: the unified one when
 * present (we join it on hybrid too), else a v1 hierarchy. */
static const char *procs_dir(const struct cgroup_dirs *d)
{
        if (d->unified && access(d->unified, F_OK) == 0)
                return d->unified;
        static const char *const pref[] = {"pids", "memory", "freezer", "name=systemd"};
        for (size_t k = 0; k < ARRAY_SIZE(pref); k++)
                for (size_t i = 0; i < d->layout.n_v1; i++)
                        if (cgroup_list_has(d->layout.v1[i].controllers, pref[k]) && access(d->v1[i], F_OK) == 0)
                                return d->v1[i];
        return d->layout.n_v1 ? d->v1[0] : NULL;
}

static int collect(const char *dir, pid_t **pids, size_t *n)
{
        _cleanup_free_ char *procs = NULL;
        int r = cgroup_read_file(dir, "cgroup.procs", &procs);
        if (r < 0)
                return r;
        for (char *p = procs; *p;) {
                char *end;
                long v = strtol(p, &end, 10);
                if (end == p)
                        break;
                bool dup = false;
                for (size_t i = 0; i < *n && !dup; i++)
                        dup = (*pids)[i] == (pid_t)v;
                if (!dup) {
                        pid_t *np = realloc(*pids, (*n + 1) * sizeof(pid_t));
                        if (!np)
                                return -ENOMEM;
                        *pids = np;
                        (*pids)[(*n)++] = (pid_t)v;
                }
                p = end + strspn(end, " \n");
        }
        DIR *dp = opendir(dir);
        if (!dp)
                return 0;
        struct dirent *de;
        r = 0;
        while ((de = readdir(dp)) && r >= 0) {
                if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
                        r = -ENOMEM;
                else
                        r = collect(sub, pids, n);
        }
        closedir(dp);
        return r;
}

int cgroupfs_pids(const char *path, pid_t **pids, size_t *n, struct error **err)
{
        _cleanup_(cgroup_dirs_clear) struct cgroup_dirs d;
        int r = cgroup_dirs_open(path, NULL, &d, err);
        if (r < 0)
                return r;
        const char *dir = procs_dir(&d);
        *pids = NULL;
        *n = 0;
        if (!dir)
                return error_set(err, ENOENT, "cgroup %s: no hierarchy to list processes from", path);
        r = collect(dir, pids, n);
        if (r < 0) {
                free(*pids);
                *pids = NULL;
                *n = 0;
                return error_set(err, -r, "read %s/cgroup.procs", dir);
        }
        return 0;
}

int cgroupfs_kill_all(const char *path, int signo, struct error **err)
{
        _cleanup_(cgroup_dirs_clear) struct cgroup_dirs d;
        int r = cgroup_dirs_open(path, NULL, &d, err);
        if (r < 0)
                return r;
        /* cgroup.kill (5.14+) kills the whole subtree atomically, forks included. */
        if (signo == SIGKILL && d.unified && cgroup_write_file(d.unified, "cgroup.kill", "1", NULL) >= 0)
                return 0;
        /* Otherwise freeze first so nothing forks between listing and signalling (runc does the same). */
        bool froze = cgroup_dirs_is_frozen(&d) == 0 && cgroup_dirs_freeze(&d, true, NULL) >= 0;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        const char *dir = procs_dir(&d);
        r = dir ? collect(dir, &pids, &n) : -ENOENT;
        if (r < 0)
                r = error_set(err, -r, "read %s/cgroup.procs", dir ? dir : path);
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (kill(pids[i], signo) < 0 && errno != ESRCH)
                        r = error_sys(err, "kill %d", (int)pids[i]);
        if (froze)
                cgroup_dirs_freeze(&d, false, NULL);
        return r;
}
