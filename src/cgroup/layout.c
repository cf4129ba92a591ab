/* Which cgroup hierarchies the host has: pure v2, pure v1, or hybrid (v1 controllers plus cgroup2 at
 * /sys/fs/cgroup/unified, where a controller such as hugetlb may live when no v1 hierarchy has it).
 * The parsing is pure so all three layouts are unit tested from fixture text. */
#include <errno.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#include "cgroup/internal.h"
#include "core/cleanup.h"
#include "core/mountinfo.h"

bool cgroup_list_has(const char *list, const char *name)
{
        size_t len = strlen(name);
        for (const char *p = list; p && *p;) {
                const char *end = strchrnul(p, ',');
                if ((size_t)(end - p) == len && strncmp(p, name, len) == 0)
                        return true;
                p = *end ? end + 1 : end;
        }
        return false;
}

bool cgroup_word_has(const char *words, const char *name)
{
        size_t len = strlen(name);
        for (const char *p = words; p && *p;) {
                p += strspn(p, " \t\n");
                size_t n = strcspn(p, " \t\n");
                if (n == len && strncmp(p, name, len) == 0)
                        return true;
                p += n;
        }
        return false;
}

int cgroup_keyed_value(const char *text, const char *key, unsigned long long *out)
{
        size_t len = strlen(key);
        for (const char *line = text; line && *line;) {
                const char *eol = strchrnul(line, '\n');
                if ((size_t)(eol - line) > len && strncmp(line, key, len) == 0 && line[len] == ' ') {
                        const char *v = line + len + 1;
                        char *end;
                        if (*v < '0' || *v > '9')
                                return -1;
                        *out = strtoull(v, &end, 10);
                        return end == eol ? 0 : -1;
                }
                line = *eol ? eol + 1 : eol;
        }
        return -1;
}

/* The controllers of a v1 mount from its super options: drop generic options, keep controller names
 * and "name=X". */
static char *v1_controllers(const char *opts)
{
        size_t n = strlen(opts);
        static const char *const generic[] = {"rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode"};
        char *out = calloc(1, n + 1);
        if (!out)
                return NULL;
        const char *p = opts, *end = opts + n;
        while (p < end) {
                const char *c = memchr(p, ',', (size_t)(end - p));
                size_t len = c ? (size_t)(c - p) : (size_t)(end - p);
                bool skip = len == 0 || memchr(p, '=', len) != NULL;
                if (len > 5 && strncmp(p, "name=", 5) == 0)
                        skip = false;
                else if (len > 16 && strncmp(p, "release_agent=", 14) == 0)
                        skip = true;
                for (size_t i = 0; i < ARRAY_SIZE(generic) && !skip; i++)
                        skip = strlen(generic[i]) == len && strncmp(p, generic[i], len) == 0;
                if (!skip) {
                        if (*out)
                                strcat(out, ",");
                        strncat(out, p, len);
                }
                p += len + 1;
        }
        return out;
}

void cgroup_layout_clear(struct cgroup_layout *l)
{
        free(l->unified);
        for (size_t i = 0; i < l->n_v1; i++) {
                free(l->v1[i].mount);
                free(l->v1[i].controllers);
        }
        free(l->v1);
        free(l->unified_controllers);
        memset(l, 0, sizeof(*l));
}

static int dup_or_null(const char *s, char **out)
{
        *out = s ? strdup(s) : NULL;
        return s && !*out ? -ENOMEM : 0;
}

int cgroup_layout_copy(const struct cgroup_layout *l, struct cgroup_layout *out)
{
        *out = (struct cgroup_layout){.mode = l->mode};
        int r = dup_or_null(l->unified, &out->unified);
        if (r >= 0)
                r = dup_or_null(l->unified_controllers, &out->unified_controllers);
        if (r >= 0 && l->n_v1 && !(out->v1 = calloc(l->n_v1, sizeof(*out->v1))))
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < l->n_v1; i++) {
                out->n_v1++;
                r = dup_or_null(l->v1[i].mount, &out->v1[i].mount);
                if (r >= 0)
                        r = dup_or_null(l->v1[i].controllers, &out->v1[i].controllers);
        }
        if (r < 0)
                cgroup_layout_clear(out);
        return r;
}

static int add_v1(struct cgroup_layout *l, char *mount, char *controllers)
{
        for (size_t i = 0; i < l->n_v1; i++) {
                if (strcmp(l->v1[i].controllers, controllers) == 0) {
                        free(mount);
                        free(controllers);
                        return 0;
                }
        }
        struct cgroup_hierarchy *v = realloc(l->v1, (l->n_v1 + 1) * sizeof(*v));
        if (!v) {
                free(mount);
                free(controllers);
                return -ENOMEM;
        }
        l->v1 = v;
        l->v1[l->n_v1++] = (struct cgroup_hierarchy){mount, controllers};
        return 0;
}

/* Drop the hierarchy mounted at `mnt` (it was over-mounted). */
static void forget_mount(struct cgroup_layout *l, const char *mnt)
{
        if (l->unified && strcmp(l->unified, mnt) == 0) {
                free(l->unified);
                l->unified = NULL;
        }
        for (size_t i = 0; i < l->n_v1; i++) {
                if (strcmp(l->v1[i].mount, mnt) != 0)
                        continue;
                free(l->v1[i].mount);
                free(l->v1[i].controllers);
                l->v1[i--] = l->v1[--l->n_v1];
        }
}

/* What the scan of mountinfo has found so far. */
struct layout_scan {
        struct cgroup_layout l;
        const char *root;
        bool v2_at_root;
};

/* Something mounted later on top of a cgroup mount point hides it (e.g. a tmpfs over
 * /sys/fs/cgroup/unified, to show tools a pure v1 host). */
static void scan_other(struct layout_scan *s, const char *mnt)
{
        forget_mount(&s->l, mnt);
        if (s->v2_at_root && strcmp(mnt, s->root) == 0)
                s->v2_at_root = false;
}

static int scan_v2(struct layout_scan *s, const char *mnt)
{
        if (strcmp(mnt, s->root) == 0)
                s->v2_at_root = true;
        if (s->l.unified && !s->v2_at_root)
                return 0;
        char *copy = strdup(mnt);
        if (!copy)
                return -ENOMEM;
        free(s->l.unified);
        s->l.unified = copy;
        return 0;
}

static int scan_v1(struct layout_scan *s, const char *mnt, const char *super_options)
{
        char *ctl = v1_controllers(super_options);
        if (!ctl)
                return -ENOMEM;
        if (!*ctl) {
                free(ctl);
                return 0;
        }
        char *copy = strdup(mnt);
        if (!copy) {
                free(ctl);
                return -ENOMEM;
        }
        return add_v1(&s->l, copy, ctl);
}

static int scan_entry(struct layout_scan *s, const struct mountinfo_entry *e)
{
        if (strcmp(e->fstype, "cgroup2") == 0)
                return scan_v2(s, e->mount_point);
        if (strcmp(e->fstype, "cgroup") == 0)
                return scan_v1(s, e->mount_point, e->super_options);
        scan_other(s, e->mount_point);
        return 0;
}

/* The mode from what the scan found; takes the layout over into *out. */
static int scan_finish(struct layout_scan *s, struct cgroup_layout *out, struct error **err)
{
        struct cgroup_layout *l = &s->l;
        if (s->v2_at_root) {
                /* A cgroup2 mount at the root means pure v2, whatever v1 leftovers exist elsewhere. */
                char *unified = TAKE_PTR(l->unified);
                cgroup_layout_clear(l);
                l->unified = unified;
                l->mode = CGROUP_MODE_V2;
        } else if (l->n_v1 > 0) {
                l->mode = l->unified ? CGROUP_MODE_HYBRID : CGROUP_MODE_V1;
        } else if (l->unified) {
                /* cgroup2 mounted only somewhere else and no v1: still usable as a v2 host. */
                l->mode = CGROUP_MODE_V2;
        } else {
                return error_set(err, ENOENT, "/proc/self/mountinfo: no cgroup or cgroup2 file system is mounted");
        }
        *out = *l;
        *l = (struct cgroup_layout){0};
        return 0;
}

int cgroup_layout_parse(const char *mountinfo, const char *root, struct cgroup_layout *out, struct error **err)
{
        struct layout_scan s = {.root = root};
        struct mountinfo_iter it;
        struct mountinfo_entry e;
        int r;
        mountinfo_iter_init(&it, mountinfo);
        /* A line that does not parse is skipped: detection works from the cgroup mounts it can read, and
         * cgroup_layout_detect cross-checks the result with statfs. */
        while ((r = mountinfo_next(&it, &e)) != 0) {
                if (r == 1)
                        r = scan_entry(&s, &e);
                if (r < 0 && r != -EINVAL)
                        break;
        }
        mountinfo_iter_done(&it);
        if (r == 0)
                r = scan_finish(&s, out, err);
        else
                r = error_set(err, -r, "parse /proc/self/mountinfo");
        cgroup_layout_clear(&s.l);
        return r;
}

int cgroup_layout_detect(struct cgroup_layout *out, struct error **err)
{
        _cleanup_free_ char *text = NULL;
        int r = mountinfo_read(0, &text, err);
        if (r < 0)
                return r;
        r = cgroup_layout_parse(text, "/sys/fs/cgroup", out, err);
        if (r < 0)
                return r;
        /* statfs tells what /sys/fs/cgroup really is, even when mountinfo holds stale or stacked entries. */
        struct statfs sfs;
        if (out->mode == CGROUP_MODE_V2 && statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type != CGROUP2_SUPER_MAGIC &&
            out->unified && strcmp(out->unified, "/sys/fs/cgroup") == 0) {
                cgroup_layout_clear(out);
                return error_set(err, EINVAL, "/sys/fs/cgroup: mountinfo says cgroup2 but statfs disagrees");
        }
        return 0;
}

const struct cgroup_hierarchy *cgroup_layout_v1(const struct cgroup_layout *l, const char *controller)
{
        for (size_t i = 0; i < l->n_v1; i++)
                if (cgroup_list_has(l->v1[i].controllers, controller))
                        return &l->v1[i];
        return NULL;
}

char *cgroup_proc_path(const char *proc_cgroup, const char *controller)
{
        for (const char *line = proc_cgroup; line && *line;) {
                const char *eol = strchrnul(line, '\n');
                /* "ID:CONTROLLERS:PATH" */
                const char *c1 = memchr(line, ':', (size_t)(eol - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;
                if (c2) {
                        size_t n = (size_t)(c2 - c1 - 1);
                        _cleanup_free_ char *ctl = strndup(c1 + 1, n);
                        bool match = ctl && (*controller ? cgroup_list_has(ctl, controller)
                                                         : (n == 0 && c1 - line == 1 && line[0] == '0'));
                        if (match)
                                return strndup(c2 + 1, (size_t)(eol - c2 - 1));
                }
                line = *eol ? eol + 1 : eol;
        }
        return NULL;
}
