/* Pure planning for checkpoint/restore (see criu_plan.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "container/criu_plan.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/mountinfo.h"

static const char *const cgroups_modes[] = {"soft", "full", "strict", "ignore"};

bool checkpoint_cgroups_mode_valid(const char *mode)
{
        for (size_t i = 0; i < ARRAY_SIZE(cgroups_modes); i++)
                if (!strcmp(mode, cgroups_modes[i]))
                        return true;
        return false;
}

void criu_externals_clear(struct criu_externals *x)
{
        for (int i = 0; i < CRIU_STDIO_FDS; i++) {
                free(x->stdio[i]);
                free(x->stdio_path[i]);
        }
        for (size_t i = 0; i < x->n_cgroup_mounts; i++) {
                free(x->cgroup_mounts[i].mountpoint);
                free(x->cgroup_mounts[i].fstype);
                free(x->cgroup_mounts[i].controllers);
        }
        free(x->cgroup_mounts);
        memset(x, 0, sizeof(*x));
}

/* ---- mountinfo ---- */

/* Calls `fn` on every line; stops at its first non-zero result, which it returns. A malformed line fails
 * the whole text (-EINVAL): what CRIU is told about the container's mounts must not be a guess. */
static int mountinfo_each(const char *text, int (*fn)(const struct mountinfo_entry *m, void *arg), void *arg)
{
        struct mountinfo_iter it;
        struct mountinfo_entry m;
        int r;
        mountinfo_iter_init(&it, text);
        while ((r = mountinfo_next(&it, &m)) == 1) {
                r = fn(&m, arg);
                if (r)
                        break;
        }
        mountinfo_iter_done(&it);
        return r;
}

/* v1 super options less rw/ro: the controllers (or name=) that identify a hierarchy. */
static char *cgroup_controllers(const char *super_opts)
{
        char *out = calloc(1, strlen(super_opts) + 1);
        if (!out)
                return NULL;
        const char *p = super_opts;
        while (*p) {
                size_t len = strcspn(p, ",");
                if (!(len == 2 && (!strncmp(p, "rw", 2) || !strncmp(p, "ro", 2)))) {
                        if (*out)
                                strcat(out, ",");
                        strncat(out, p, len);
                }
                p += len + (p[len] == ',');
        }
        return out;
}

static bool is_cgroup_fs(const char *fstype)
{
        return !strcmp(fstype, "cgroup") || !strcmp(fstype, "cgroup2");
}

static int add_cgroup_mount(const struct mountinfo_entry *m, void *arg)
{
        struct criu_externals *x = arg;
        if (!is_cgroup_fs(m->fstype) || !strcmp(m->root, "/"))
                return 0;
        struct criu_cgroup_mount *v = realloc(x->cgroup_mounts, (x->n_cgroup_mounts + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        x->cgroup_mounts = v;
        struct criu_cgroup_mount *c = &v[x->n_cgroup_mounts++];
        *c = (struct criu_cgroup_mount){strdup(m->mount_point), strdup(m->fstype),
                                        !strcmp(m->fstype, "cgroup2") ? strdup("")
                                                                      : cgroup_controllers(m->super_options)};
        return c->mountpoint && c->fstype && c->controllers ? 0 : -ENOMEM;
}

int criu_find_cgroup_mounts(const char *mountinfo, struct criu_externals *x)
{
        return mountinfo_each(mountinfo, add_cgroup_mount, x);
}

struct id_search {
        int id;
};

static int match_id(const struct mountinfo_entry *m, void *arg)
{
        return m->mount_id == ((struct id_search *)arg)->id;
}

bool criu_mountinfo_has_id(const char *mountinfo, int mnt_id)
{
        struct id_search s = {mnt_id};
        return mountinfo_each(mountinfo, match_id, &s) == 1;
}

struct hierarchy_search {
        const struct criu_cgroup_mount *want;
        char *found;
};

static int match_hierarchy(const struct mountinfo_entry *m, void *arg)
{
        struct hierarchy_search *s = arg;
        if (strcmp(m->fstype, s->want->fstype) != 0 || strcmp(m->root, "/") != 0)
                return 0;
        if (!strcmp(m->fstype, "cgroup")) {
                _cleanup_free_ char *ctl = cgroup_controllers(m->super_options);
                if (!ctl)
                        return -ENOMEM;
                if (strcmp(ctl, s->want->controllers) != 0)
                        return 0;
        }
        s->found = strdup(m->mount_point);
        return s->found ? 1 : -ENOMEM;
}

char *criu_host_hierarchy(const char *mountinfo, const struct criu_cgroup_mount *m)
{
        struct hierarchy_search s = {m, NULL};
        mountinfo_each(mountinfo, match_hierarchy, &s);
        return s.found;
}

char *criu_stdio_id(const char *link, int mnt_id, unsigned long long ino, bool mount_in_container, bool *is_file)
{
        *is_file = false;
        /* Pipes and sockets to the host (conmon's, a shell's): CRIU dumps their end, restore swaps in ours. */
        if (!strncmp(link, "pipe:[", 6) || !strncmp(link, "socket:[", 8))
                return strdup(link);
        /* A host terminal is CRIU's --shell-job case, not an external file. */
        if (link[0] != '/' || mount_in_container || !strncmp(link, "/dev/pts/", 9) || !strncmp(link, "/dev/tty", 8))
                return NULL; /* anon inodes, or a file CRIU finds in the container's own mounts */
        /* A host file (the runtime's /dev/null, a log file): CRIU's key, in hex, as files-reg.c prints it. */
        char *id = NULL;
        if (asprintf(&id, "file[%x:%llx]", (unsigned)mnt_id, ino) < 0)
                return NULL;
        *is_file = true;
        return id;
}

/* ---- the record beside the images ---- */

char *criu_externals_to_json(const struct criu_externals *x)
{
        _cleanup_json_ struct json_object *o = json_object_new_object();
        struct json_object *stdio = json_object_new_array();
        struct json_object *mounts = json_object_new_array();
        if (!o || !stdio || !mounts) {
                json_object_put(stdio);
                json_object_put(mounts);
                return NULL;
        }
        json_object_object_add(o, "stdio", stdio);
        json_object_object_add(o, "cgroupMounts", mounts);
        for (int i = 0; i < CRIU_STDIO_FDS; i++) {
                struct json_object *e = NULL;
                if (x->stdio[i]) {
                        e = json_object_new_object();
                        json_object_object_add(e, "id", json_object_new_string(x->stdio[i]));
                        json_object_object_add(e, "hostFile", json_object_new_boolean(x->stdio_is_file[i]));
                        if (x->stdio_path[i])
                                json_object_object_add(e, "path", json_object_new_string(x->stdio_path[i]));
                }
                json_object_array_add(stdio, e);
        }
        for (size_t i = 0; i < x->n_cgroup_mounts; i++) {
                const struct criu_cgroup_mount *c = &x->cgroup_mounts[i];
                struct json_object *e = json_object_new_object();
                json_object_object_add(e, "mountpoint", json_object_new_string(c->mountpoint));
                json_object_object_add(e, "fstype", json_object_new_string(c->fstype));
                json_object_object_add(e, "controllers", json_object_new_string(c->controllers));
                json_object_array_add(mounts, e);
        }
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        return s ? strdup(s) : NULL;
}

static int parse_stdio(struct json_object *arr, size_t n, struct criu_externals *x, struct error **err)
{
        if (n != CRIU_STDIO_FDS)
                return json_error(err, "stdio", NULL, "expected an array of %d entries", CRIU_STDIO_FDS);
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(arr, i);
                if (!e)
                        continue;
                _cleanup_free_ char *path = json_path_index("stdio", i);
                if (!path)
                        return json_error_oom(err);
                int r = json_as_object(e, path, err);
                if (r >= 0 && (r = json_get_string(e, path, "id", &x->stdio[i], err)) == 0)
                        r = json_error_missing(err, path, "id");
                if (r >= 0)
                        r = json_get_bool(e, path, "hostFile", &x->stdio_is_file[i], err);
                if (r >= 0)
                        r = json_get_string(e, path, "path", &x->stdio_path[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_cgroup_mounts(struct json_object *arr, size_t n, struct criu_externals *x, struct error **err)
{
        x->cgroup_mounts = calloc(n ? n : 1, sizeof(*x->cgroup_mounts));
        if (!x->cgroup_mounts)
                return json_error_oom(err);
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(arr, i);
                _cleanup_free_ char *path = json_path_key_index(NULL, "cgroupMounts", i);
                if (!path)
                        return json_error_oom(err);
                int r = e ? json_as_object(e, path, err) : json_error(err, path, NULL, "expected an object");
                struct criu_cgroup_mount *c = &x->cgroup_mounts[x->n_cgroup_mounts++];
                static const char *const keys[] = {"mountpoint", "fstype", "controllers"};
                char **fields[] = {&c->mountpoint, &c->fstype, &c->controllers};
                for (size_t k = 0; r >= 0 && k < ARRAY_SIZE(keys); k++)
                        if ((r = json_get_string(e, path, keys[k], fields[k], err)) == 0)
                                r = json_error_missing(err, path, keys[k]);
                if (r < 0)
                        return r;
                if (!is_cgroup_fs(c->fstype))
                        return json_error(err, path, "fstype", "expected cgroup or cgroup2, got `%s`", c->fstype);
        }
        return 0;
}

int criu_externals_parse(const char *text, const char *what, struct criu_externals *x, struct error **err)
{
        memset(x, 0, sizeof(*x));
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *arr = NULL;
        size_t n = 0;
        int r = json_parse_object(text, strlen(text), &o, err);
        if (r >= 0 && (r = json_get_array(o, NULL, "stdio", &arr, &n, err)) == 0)
                r = json_error_missing(err, NULL, "stdio");
        if (r >= 0)
                r = parse_stdio(arr, n, x, err);
        if (r >= 0 && (r = json_get_array(o, NULL, "cgroupMounts", &arr, &n, err)) == 0)
                r = json_error_missing(err, NULL, "cgroupMounts");
        if (r >= 0)
                r = parse_cgroup_mounts(arr, n, x, err);
        if (r < 0) {
                criu_externals_clear(x);
                return error_prefix(err, "%s", what);
        }
        return 0;
}

/* ---- command lines ---- */

/* A growable argv; on ENOMEM it is freed and stays NULL. */
struct argv_buf {
        char **v;
        size_t n;
};

static void argv_add(struct argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void argv_add(struct argv_buf *a, const char *fmt, ...)
{
        if (!a->v)
                return;
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        char **v = n < 0 ? NULL : realloc(a->v, (a->n + 2) * sizeof(*v));
        if (!v) {
                if (n >= 0)
                        free(s);
                cleanup_strvp(&a->v);
                return;
        }
        v[a->n++] = s;
        v[a->n] = NULL;
        a->v = v;
}

/* The key that names cgroup mount `m` in the images (a name, not a path: it has no meaning on the host). */
#define CGROUP_MOUNT_KEY "cgroup%s"

/* The options dump and restore share, and the externals mounted from the host on both sides. */
static void add_common(struct argv_buf *a, const char *cgroups_mode, bool tcp_established, bool ext_unix_sk,
                       bool shell_job, bool file_locks)
{
        /* Bind mounts of host paths (config.json's bind mounts) are external to the container's mount
         * namespace: CRIU records their host source at dump and mounts it again at restore. */
        argv_add(a, "--ext-mount-map=auto");
        argv_add(a, "--enable-external-sharing");
        argv_add(a, "--enable-external-masters");
        argv_add(a, "--manage-cgroups=%s", cgroups_mode ? cgroups_mode : "soft");
        if (tcp_established)
                argv_add(a, "--tcp-established");
        if (ext_unix_sk)
                argv_add(a, "--ext-unix-sk");
        if (shell_job)
                argv_add(a, "--shell-job");
        if (file_locks)
                argv_add(a, "--file-locks");
}

char **checkpoint_dump_argv(const char *criu, const struct checkpoint_options *o, pid_t pid,
                            const struct criu_externals *x)
{
        struct argv_buf a = {.v = calloc(1, sizeof(char *))};
        argv_add(&a, "%s", criu);
        argv_add(&a, "%s", o->pre_dump ? "pre-dump" : "dump");
        argv_add(&a, "--tree=%d", pid);
        argv_add(&a, "--images-dir=%s", o->image_path);
        argv_add(&a, "--work-dir=%s", o->work_path);
        argv_add(&a, "--log-file=%s", o->pre_dump ? "pre-dump.log" : "dump.log");
        argv_add(&a, "-v4");
        add_common(&a, o->manage_cgroups_mode, o->tcp_established, o->ext_unix_sk, o->shell_job, o->file_locks);
        /* The cgroup directories are named after the container's cgroup path, which restore changes. */
        for (size_t i = 0; i < x->n_cgroup_mounts; i++)
                argv_add(&a, "--external=mnt[%s]:" CGROUP_MOUNT_KEY, x->cgroup_mounts[i].mountpoint,
                         x->cgroup_mounts[i].mountpoint);
        for (int i = 0; i < CRIU_STDIO_FDS; i++)
                if (x->stdio[i] && x->stdio_is_file[i])
                        argv_add(&a, "--external=%s", x->stdio[i]);
        if (o->parent_path)
                argv_add(&a, "--prev-images-dir=%s", o->parent_path);
        if (o->pre_dump || o->parent_path)
                argv_add(&a, "--track-mem"); /* dirty-page tracking links the chain of images */
        if (o->leave_running && !o->pre_dump)
                argv_add(&a, "--leave-running");
        return a.v;
}

char **checkpoint_restore_argv(const struct criu_restore_plan *p)
{
        const struct restore_options *o = p->o;
        struct argv_buf a = {.v = calloc(1, sizeof(char *))};
        argv_add(&a, "%s", p->criu);
        argv_add(&a, "restore");
        argv_add(&a, "--images-dir=%s", p->image_path);
        argv_add(&a, "--work-dir=%s", p->work_path);
        argv_add(&a, "--log-file=restore.log");
        argv_add(&a, "-v4");
        argv_add(&a, "--root=%s", p->root);
        /* The restored init becomes our child (CRIU's sibling), as the init of `run` is. */
        argv_add(&a, "--restore-detached");
        argv_add(&a, "--restore-sibling");
        argv_add(&a, "--pidfile=%s", p->pid_file);
        add_common(&a, o->manage_cgroups_mode, o->tcp_established, o->ext_unix_sk, o->shell_job, o->file_locks);
        for (size_t i = 0; i < p->x->n_cgroup_mounts; i++)
                argv_add(&a, "--external=mnt[" CGROUP_MOUNT_KEY "]:%s", p->x->cgroup_mounts[i].mountpoint,
                         p->cgroup_mount_sources[i]);
        for (int i = 0; i < CRIU_STDIO_FDS; i++)
                if (p->x->stdio[i])
                        argv_add(&a, "--inherit-fd=fd[%d]:%s", CRIU_STDIO_INHERIT_BASE + i, p->x->stdio[i]);
        if (p->cgroup_path)
                argv_add(&a, "--cgroup-root=%s", p->cgroup_path);
        if (o->tcp_close)
                argv_add(&a, "--tcp-close");
        if (o->lsm_profile)
                argv_add(&a, "--lsm-profile=%s", o->lsm_profile);
        if (o->lsm_mount_context)
                argv_add(&a, "--lsm-mount-context=%s", o->lsm_mount_context);
        return a.v;
}

char *checkpoint_log_tail(const char *log, size_t max_lines)
{
        /* Two passes over the lines: the "Error" ones if any, else all; keep the last max_lines. */
        for (int errors_only = 1; errors_only >= 0; errors_only--) {
                size_t total = 0;
                for (const char *p = log; *p;) {
                        size_t len = strcspn(p, "\n");
                        if (len && (!errors_only || memmem(p, len, "Error", 5)))
                                total++;
                        p += len + (p[len] == '\n');
                }
                if (!total)
                        continue;
                size_t skip = total > max_lines ? total - max_lines : 0, seen = 0, used = 0;
                char *out = malloc(strlen(log) + 1);
                if (!out)
                        return NULL;
                for (const char *p = log; *p;) {
                        size_t len = strcspn(p, "\n");
                        if (len && (!errors_only || memmem(p, len, "Error", 5)) && seen++ >= skip) {
                                if (used)
                                        out[used++] = '\n';
                                memcpy(out + used, p, len);
                                used += len;
                        }
                        p += len + (p[len] == '\n');
                }
                out[used] = 0;
                return out;
        }
        return strdup("(empty log)");
}
