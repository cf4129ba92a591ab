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
#include "core/fs.h"

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

/* mountinfo escapes blanks as \040 etc.; cgroup mount points rarely have them, but decode anyway. */
static char *unescape(const char *s, size_t n)
{
        char *out = malloc(n + 1), *o = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3') {
                        *o++ = (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
                        i += 3;
                } else {
                        *o++ = s[i];
                }
        }
        *o = '\0';
        return out;
}

/* The controllers of a v1 mount from its super options: drop generic options, keep controller names
 * and "name=X". */
static char *v1_controllers(const char *opts, size_t n)
{
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
        memset(l, 0, sizeof(*l));
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

int cgroup_layout_parse(const char *mountinfo, const char *root, struct cgroup_layout *out, struct error **err)
{
        struct cgroup_layout l = {0};
        bool v2_at_root = false;
        for (const char *line = mountinfo; line && *line;) {
                const char *eol = strchrnul(line, '\n');
                /* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS" */
                const char *f[5];
                size_t fl[5];
                const char *p = line;
                int nf = 0;
                while (nf < 5 && p < eol) {
                        p += strspn(p, " ");
                        size_t n = strcspn(p, " \n");
                        f[nf] = p;
                        fl[nf++] = n;
                        p += n;
                }
                const char *sep = strstr(p, " - ");
                if (nf == 5 && sep && sep < eol) {
                        const char *fs = sep + 3;
                        size_t fsl = strcspn(fs, " \n");
                        const char *src = fs + fsl + (fs[fsl] == ' ');
                        const char *sopt = src + strcspn(src, " \n");
                        sopt += *sopt == ' ';
                        size_t sol = strcspn(sopt, " \n");
                        bool is_v2 = fsl == 7 && strncmp(fs, "cgroup2", 7) == 0;
                        bool is_v1 = fsl == 6 && strncmp(fs, "cgroup", 6) == 0;
                        if (!is_v2 && !is_v1) {
                                /* Something mounted later on top of a cgroup mount point hides it (e.g. a
                                 * tmpfs over /sys/fs/cgroup/unified, to show tools a pure v1 host). */
                                char *mnt = unescape(f[4], fl[4]);
                                if (!mnt)
                                        goto oom;
                                forget_mount(&l, mnt);
                                if (v2_at_root && strcmp(mnt, root) == 0)
                                        v2_at_root = false;
                                free(mnt);
                        } else {
                                char *mnt = unescape(f[4], fl[4]);
                                if (!mnt)
                                        goto oom;
                                if (is_v2) {
                                        if (strcmp(mnt, root) == 0)
                                                v2_at_root = true;
                                        if (!l.unified || v2_at_root) {
                                                free(l.unified);
                                                l.unified = mnt;
                                        } else {
                                                free(mnt);
                                        }
                                } else {
                                        char *ctl = v1_controllers(sopt, sol);
                                        if (!ctl) {
                                                free(mnt);
                                                goto oom;
                                        }
                                        if (!*ctl) {
                                                free(ctl);
                                                free(mnt);
                                        } else if (add_v1(&l, mnt, ctl) < 0) {
                                                goto oom;
                                        }
                                }
                        }
                }
                line = *eol ? eol + 1 : eol;
        }
        if (v2_at_root) {
                /* A cgroup2 mount at the root means pure v2, whatever v1 leftovers exist elsewhere. */
                for (size_t i = 0; i < l.n_v1; i++) {
                        free(l.v1[i].mount);
                        free(l.v1[i].controllers);
                }
                free(l.v1);
                l.v1 = NULL;
                l.n_v1 = 0;
                l.mode = CGROUP_MODE_V2;
        } else if (l.n_v1 > 0) {
                l.mode = l.unified ? CGROUP_MODE_HYBRID : CGROUP_MODE_V1;
        } else if (l.unified) {
                /* cgroup2 mounted only somewhere else and no v1: still usable as a v2 host. */
                l.mode = CGROUP_MODE_V2;
        } else {
                cgroup_layout_clear(&l);
                return error_set(err, ENOENT, "/proc/self/mountinfo: no cgroup or cgroup2 file system is mounted");
        }
        *out = l;
        return 0;
oom:
        cgroup_layout_clear(&l);
        return error_set(err, ENOMEM, "parse /proc/self/mountinfo");
}

int cgroup_layout_detect(struct cgroup_layout *out, struct error **err)
{
        _cleanup_free_ char *text = NULL;
        int r = fs_read_file("/proc/self/mountinfo", 4 << 20, &text, NULL);
        if (r < 0)
                return error_set(err, -r, "read /proc/self/mountinfo");
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
