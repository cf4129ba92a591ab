/* Writing resources into a container's cgroup directories. The translation is pure (resources.c);
 * here we decide, per controller, which hierarchy carries it (a hybrid host has most controllers on v1
 * and some, e.g. hugetlb, only in the unified hierarchy) and do the writes. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "core/cleanup.h"
#include "core/fs.h"
#include "core/log.h"

static int write_raw(const char *dir, const char *file, const char *value)
{
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        size_t len = strlen(value);
        ssize_t n = write(fd, value, len);
        if (n < 0)
                return -errno;
        return (size_t)n == len ? 0 : -EIO;
}

int cgroup_write_file(const char *dir, const char *file, const char *value, struct error **err)
{
        int r = write_raw(dir, file, value);
        if (r < 0)
                return error_set(err, -r, "write `%s` to %s/%s", value, dir, file);
        return 0;
}

int cgroup_read_file(const char *dir, const char *file, char **out)
{
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        return fs_read_file(p, 1 << 20, out, NULL);
}

static bool file_exists(const char *dir, const char *file)
{
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return false;
        return access(p, F_OK) == 0;
}

void cgroup_dirs_clear(struct cgroup_dirs *d)
{
        if (d->v1)
                for (size_t i = 0; i < d->layout.n_v1; i++)
                        free(d->v1[i]);
        free(d->v1);
        free(d->unified);
        cgroup_layout_clear(&d->layout);
        memset(d, 0, sizeof(*d));
}

int cgroup_dirs_open(const char *path, const struct cgroup_layout *known, struct cgroup_dirs *d, struct error **err)
{
        memset(d, 0, sizeof(*d));
        int r = known ? cgroup_layout_copy(known, &d->layout) : cgroup_layout_detect(&d->layout, err);
        if (r < 0)
                return known ? error_set(err, -r, "cgroup layout") : r;
        const char *rel = strcmp(path, "/") == 0 ? "" : path;
        d->v1 = calloc(d->layout.n_v1 + 1, sizeof(char *));
        if (!d->v1)
                goto oom;
        for (size_t i = 0; i < d->layout.n_v1; i++)
                if (asprintf(&d->v1[i], "%s%s", d->layout.v1[i].mount, rel) < 0)
                        goto oom;
        if (d->layout.unified && asprintf(&d->unified, "%s%s", d->layout.unified, rel) < 0)
                goto oom;
        for (int c = 0; c < CG_CTRL_COUNT; c++)
                if (cgroup_layout_v1(&d->layout, cgroup_ctrl_name(c, 1)))
                        d->v1_mask |= 1u << c;
        if (d->layout.unified) {
                const char *ctl = d->layout.unified_controllers;
                if (!ctl &&
                    cgroup_read_file(d->layout.unified, "cgroup.controllers", &d->layout.unified_controllers) >= 0)
                        ctl = d->layout.unified_controllers;
                for (int c = 0; c < CG_CTRL_COUNT; c++) {
                        const char *name = cgroup_ctrl_name(c, 2);
                        if (!(d->v1_mask & (1u << c)) && name && ctl && cgroup_word_has(ctl, name))
                                d->v2_mask |= 1u << c;
                }
                /* Device filtering on v2 is a bpf program, available on every cgroup2 directory. */
                if (!(d->v1_mask & (1u << CG_DEVICES)))
                        d->v2_mask |= 1u << CG_DEVICES;
        }
        return 0;
oom:
        cgroup_dirs_clear(d);
        return error_set(err, ENOMEM, "cgroup paths");
}

/* The directory of the v1 hierarchy carrying controller c. */
static const char *v1_dir(const struct cgroup_dirs *d, enum cgroup_ctrl c)
{
        const char *name = cgroup_ctrl_name(c, 1);
        for (size_t i = 0; i < d->layout.n_v1; i++)
                if (cgroup_list_has(d->layout.v1[i].controllers, name))
                        return d->v1[i];
        return NULL;
}

long long cgroup_dirs_oom_kills(const struct cgroup_dirs *d)
{
        const char *v1 = v1_dir(d, CG_MEMORY);
        const char *dir = v1 ? v1 : (d->v2_mask & (1u << CG_MEMORY)) ? d->unified : NULL;
        _cleanup_free_ char *text = NULL;
        unsigned long long n;
        if (!dir || cgroup_read_file(dir, v1 ? "memory.oom_control" : "memory.events", &text) < 0 ||
            cgroup_keyed_value(text, "oom_kill", &n) < 0)
                return -1;
        return (long long)n;
}

/* memory.checkBeforeUpdate: the kernel would reclaim (or OOM-kill) to meet a lower limit; refuse instead. */
static int check_usage(const char *dir, const struct cgroup_write *w, int version, struct error **err)
{
        if (strcmp(w->value, "max") == 0 || strcmp(w->value, "-1") == 0)
                return 0;
        uint64_t limit = strtoull(w->value, NULL, 10), usage = 0;
        const char *files[2] = {version == 2 ? "memory.current" : "memory.usage_in_bytes",
                                version == 2 ? "memory.swap.current" : NULL};
        for (int i = 0; i < 2 && files[i]; i++) {
                _cleanup_free_ char *s = NULL;
                if (cgroup_read_file(dir, files[i], &s) >= 0)
                        usage += strtoull(s, NULL, 10);
        }
        if (limit <= usage)
                return error_set(err, EBUSY,
                                 "linux.resources.%s: %" PRIu64 " is at or below the current usage %" PRIu64
                                 " (memory.checkBeforeUpdate)",
                                 w->what, limit, usage);
        return 0;
}

static int write_one(const char *dir, const struct cgroup_write *w, struct error **err)
{
        const char *file = w->file, *value = w->value;
        if (w->alt_file && !file_exists(dir, file)) {
                file = w->alt_file;
                value = w->alt_value;
        }
        int r = write_raw(dir, file, value);
        if (r == -ENOENT && (w->flags & CGW_IF_EXISTS))
                return 0;
        if (r < 0) {
                const char *why = r == -ENOENT       ? " (the kernel does not provide this file)"
                                  : r == -EBUSY      ? " (below what the kernel accepts now)"
                                  : r == -EINVAL     ? " (rejected by the kernel)"
                                  : r == -ERANGE     ? " (out of range on this host)"
                                  : r == -EOPNOTSUPP ? " (not supported by the kernel for this value or device)"
                                                     : "";
                return error_set(err, -r, "linux.resources.%s: write `%s` to %s/%s%s", w->what, value, dir, file, why);
        }
        return 0;
}

static int write_all(const struct cgroup_dirs *d, const struct cgroup_writes *ws, int version, bool is_update,
                     struct error **err)
{
        for (size_t i = 0; i < ws->n; i++) {
                const struct cgroup_write *w = &ws->w[i];
                const char *dir = version == 2 ? d->unified : v1_dir(d, w->ctrl);
                if (!dir)
                        return error_set(err, ENOENT, "linux.resources.%s: no %s controller is mounted", w->what,
                                         cgroup_ctrl_name(w->ctrl, version));
                if (is_update && (w->flags & CGW_CHECK_USAGE) && check_usage(dir, w, version, err) < 0)
                        return -EBUSY;
                _cleanup_error_ struct error *e = NULL;
                int r = write_one(dir, w, &e);
                /* v1 wants memory <= memory+swap at every step: when raising both, memsw goes first. */
                if (r == -EINVAL && (w->flags & CGW_SWAP_ORDER) && i + 1 < ws->n) {
                        error_free(&e);
                        r = write_one(dir, &ws->w[i + 1], err);
                        if (r < 0)
                                return r;
                        r = write_one(dir, w, err);
                        if (r < 0)
                                return r;
                        i++;
                        continue;
                }
                if (r < 0) {
                        *err = TAKE_PTR(e);
                        return r;
                }
        }
        return 0;
}

/* The v1 rules, one write each (the kernel takes one rule per write), on one open file per name: the
 * default list is a dozen writes to devices.allow while the init waits for its cgroup. */
static int write_device_rules(const char *dir, char *const *files, char *const *lines, struct error **err)
{
        static const char *const names[] = {"devices.allow", "devices.deny"};
        int fds[ARRAY_SIZE(names)] = {-1, -1};
        int r = 0;
        for (size_t i = 0; files[i] && r >= 0; i++) {
                size_t k = strcmp(files[i], names[0]) == 0 ? 0 : 1;
                if (strcmp(files[i], names[k]) != 0) {
                        r = cgroup_write_file(dir, files[i], lines[i], err);
                        continue;
                }
                _cleanup_free_ char *p = NULL;
                if (fds[k] < 0 && asprintf(&p, "%s/%s", dir, names[k]) >= 0)
                        fds[k] = open(p, O_WRONLY | O_CLOEXEC);
                size_t len = strlen(lines[i]);
                ssize_t n = fds[k] < 0 ? -1 : write(fds[k], lines[i], len);
                if (n < 0 || (size_t)n != len)
                        r = error_set(err, n < 0 ? errno : EIO, "write `%s` to %s/%s", lines[i], dir, names[k]);
        }
        for (size_t k = 0; k < ARRAY_SIZE(fds); k++)
                if (fds[k] >= 0)
                        close(fds[k]);
        return r;
}

static int apply_devices(const struct cgroup_dirs *d, const struct oci_resources *r, struct error **err)
{
        const struct oci_device_rule *rules = r ? r->devices : NULL;
        size_t n = r ? r->n_devices : 0;
        if (d->v1_mask & (1u << CG_DEVICES)) {
                const char *dir = v1_dir(d, CG_DEVICES);
                _cleanup_strv_ char **files = NULL, **lines = NULL;
                int ret = cgroup_devices_v1(rules, n, &files, &lines, err);
                if (ret < 0)
                        return ret;
                if (write_device_rules(dir, files, lines, err) < 0)
                        return error_prefix(err, "linux.resources.devices");
                return 0;
        }
        if (d->unified) {
                _cleanup_close_ int fd = open(d->unified, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return error_sys(err, "linux.resources.devices: open %s", d->unified);
                return cgroup_bpf_devices_attach(fd, rules, n, err);
        }
        if (n)
                log_warning("linux.resources.devices: no devices controller is mounted; device rules not enforced");
        return 0;
}

static int apply_unified(const struct cgroup_dirs *d, const struct oci_resources *r, struct error **err)
{
        if (!r || !r->n_unified)
                return 0;
        if (!d->unified)
                return error_set(err, EOPNOTSUPP, "linux.resources.unified: needs cgroup v2 (this host has only v1)");
        _cleanup_free_ char *ctl = NULL;
        cgroup_read_file(d->unified, "cgroup.controllers", &ctl);
        for (size_t i = 0; i < r->n_unified; i++) {
                const char *key = r->unified[i].key, *value = r->unified[i].value;
                int ret = cgroup_unified_check(key, err);
                if (ret < 0)
                        return ret;
                _cleanup_free_ char *c = strndup(key, strcspn(key, "."));
                if (!c)
                        return error_set(err, ENOMEM, "unified");
                /* Hybrid hosts: the key names a controller that v1 carries here. */
                if (strcmp(c, "cgroup") != 0 && !(ctl && cgroup_word_has(ctl, c)) && cgroup_layout_v1(&d->layout, c))
                        return error_set(
                            err, ENOENT,
                            "linux.resources.unified.%s: the %s controller is mounted as cgroup v1 on this "
                            "host, not in %s (set it with the other linux.resources fields)",
                            key, c, d->layout.unified);
                if (strcmp(c, "cgroup") != 0 && !(ctl && cgroup_word_has(ctl, c)))
                        return error_set(err, ENOENT,
                                         "linux.resources.unified.%s: the %s controller is not available in %s", key, c,
                                         d->unified);
                if (!value || !*value)
                        continue;
                /* Files such as io.max take one entry per write. */
                for (const char *p = value; *p;) {
                        size_t n = strcspn(p, "\n");
                        _cleanup_free_ char *line = strndup(p, n);
                        if (!line)
                                return error_set(err, ENOMEM, "unified");
                        if (*line && cgroup_write_file(d->unified, key, line, err) < 0)
                                return error_prefix(err, "linux.resources.unified.%s", key);
                        p += n + (p[n] == '\n');
                }
        }
        return 0;
}

int cgroup_apply(const struct cgroup_dirs *d, const struct oci_resources *r, bool is_update, struct error **err)
{
        unsigned need = cgroup_resources_controllers(r) & ~(1u << CG_DEVICES);
        if (r && r->has_memory_kernel)
                log_warning("linux.resources.memory.kernel: the kernel memory limit is ignored");
        _cleanup_(cgroup_writes_clear) struct cgroup_writes w1 = {0}, w2 = {0};
        int ret = cgroup_resources_translate(r, 1, need & d->v1_mask, &w1, err);
        if (ret < 0)
                return ret;
        /* Everything v1 does not carry goes to the unified hierarchy; its translation reports the
         * settings v2 cannot express. */
        unsigned rest = need & ~d->v1_mask;
        /* On v1 and hybrid hosts a v1-only controller (net_cls, net_prio) that no hierarchy carries is
         * simply not mounted: say so rather than "not supported on cgroup v2". */
        for (int c = 0; c < CG_CTRL_COUNT && d->layout.mode != CGROUP_MODE_V2; c++)
                if ((rest & (1u << c)) && !cgroup_ctrl_name(c, 2))
                        return error_set(err, ENOENT, "linux.resources: the %s controller is not mounted on this host",
                                         cgroup_ctrl_name(c, 1));
        if (d->unified) {
                ret = cgroup_resources_translate(r, 2, rest, &w2, err);
                if (ret < 0)
                        return ret;
        }
        for (int c = 0; c < CG_CTRL_COUNT; c++)
                if ((rest & (1u << c)) && !(d->v2_mask & (1u << c)))
                        return error_set(err, ENOENT,
                                         "linux.resources: the %s controller is not available on this host (in no "
                                         "cgroup hierarchy)",
                                         cgroup_ctrl_name(c, 1));
        ret = write_all(d, &w1, 1, is_update, err);
        if (ret >= 0)
                ret = write_all(d, &w2, 2, is_update, err);
        /* Rootless: the v2 device filter is a BPF program, which needs CAP_BPF or CAP_SYS_ADMIN in the initial
         * user namespace, and the user namespace already confines devices: mknod is refused there and the host
         * nodes bound in keep their host permissions (crun also leaves the rules out). */
        if (ret >= 0 && d->is_rootless) {
                if (r && r->n_devices)
                        log_debug("linux.resources.devices: not applied (rootless: the user namespace confines "
                                  "devices)");
        } else if (ret >= 0 && (!is_update || (r && r->n_devices)))
                ret = apply_devices(d, r, err);
        if (ret >= 0)
                ret = apply_unified(d, r, err);
        return ret;
}
