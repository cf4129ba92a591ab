/* The systemd driver: ask systemd (over D-Bus, sd-bus) for a transient scope holding the container init,
 * with Delegate=yes so the cgroup below it is ours to write. The resource files are then written by the
 * cgroupfs code, as crun does for what systemd has no property for.
 *
 * libsystemd is loaded with dlopen, only when this driver is used: linking it would make every runtime
 * invocation load it and the five libraries it pulls in (gcrypt, lzma, zstd, lz4, gpg-error).
 *
 * Only reachable where systemd is PID 1; this development host is not such a machine, so this file is
 * covered by unit tests of its pure parts only (cgroup_systemd_split) and the "not PID 1" error. */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "core/cleanup.h"
#include "core/fs.h"

/* The sd-bus entry points we call, resolved from libsystemd.so.0 at first use. */
static struct {
        int (*bus_open_system)(sd_bus **);
        int (*bus_open_user)(sd_bus **);
        sd_bus *(*bus_flush_close_unref)(sd_bus *);
        sd_bus_message *(*message_unref)(sd_bus_message *);
        int (*message_new_method_call)(sd_bus *, sd_bus_message **, const char *, const char *, const char *,
                                       const char *);
        int (*message_append)(sd_bus_message *, const char *, ...);
        int (*message_open_container)(sd_bus_message *, char, const char *);
        int (*message_close_container)(sd_bus_message *);
        int (*call)(sd_bus *, sd_bus_message *, uint64_t, sd_bus_error *, sd_bus_message **);
        int (*call_method)(sd_bus *, const char *, const char *, const char *, const char *, sd_bus_error *,
                           sd_bus_message **, const char *, ...);
        void (*error_free)(sd_bus_error *);
        int (*error_has_name)(const sd_bus_error *, const char *);
} sd;

static int load_libsystemd(struct error **err)
{
        static const struct {
                const char *name;
                size_t offset;
        } syms[] = {
#define SYM(field, name) {name, offsetof(__typeof__(sd), field)}
            SYM(bus_open_system, "sd_bus_open_system"),
            SYM(bus_open_user, "sd_bus_open_user"),
            SYM(bus_flush_close_unref, "sd_bus_flush_close_unref"),
            SYM(message_unref, "sd_bus_message_unref"),
            SYM(message_new_method_call, "sd_bus_message_new_method_call"),
            SYM(message_append, "sd_bus_message_append"),
            SYM(message_open_container, "sd_bus_message_open_container"),
            SYM(message_close_container, "sd_bus_message_close_container"),
            SYM(call, "sd_bus_call"),
            SYM(call_method, "sd_bus_call_method"),
            SYM(error_free, "sd_bus_error_free"),
            SYM(error_has_name, "sd_bus_error_has_name"),
#undef SYM
        };
        if (sd.call)
                return 0;
        void *h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
        if (!h)
                return error_set(err, ENOENT, "systemd cgroup driver: load libsystemd.so.0: %s", dlerror());
        for (size_t i = 0; i < ARRAY_SIZE(syms); i++) {
                void *f = dlsym(h, syms[i].name);
                if (!f)
                        return error_set(err, ENOENT, "systemd cgroup driver: libsystemd.so.0 lacks %s", syms[i].name);
                memcpy((char *)&sd + syms[i].offset, &f, sizeof(f));
        }
        return 0;
}

/* sd_booted(): systemd is PID 1 when /run/systemd/system/ is a directory. */
static bool systemd_is_pid1(void)
{
        struct stat st;
        return lstat("/run/systemd/system/", &st) == 0 && S_ISDIR(st.st_mode);
}

static void bus_unrefp(sd_bus **b)
{
        if (*b)
                sd.bus_flush_close_unref(*b);
}
static void msg_unrefp(sd_bus_message **m)
{
        if (*m)
                sd.message_unref(*m);
}

static int open_bus(sd_bus **bus, struct error **err)
{
        /* Rootless containers go to the user's own systemd instance. */
        int r = geteuid() == 0 ? sd.bus_open_system(bus) : sd.bus_open_user(bus);
        if (r < 0)
                return error_set(err, -r, "systemd cgroup driver: connect to the %s bus",
                                 geteuid() == 0 ? "system" : "user");
        return 0;
}

/* Where systemd put pid: the unified line of /proc/<pid>/cgroup, else the name=systemd one. */
static char *cgroup_of(pid_t pid, const char *unit)
{
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/cgroup", (int)pid);
        _cleanup_free_ char *text = NULL;
        if (fs_read_file(p, 1 << 16, &text, NULL) < 0)
                return NULL;
        char *path = cgroup_proc_path(text, "");
        if (!path || !strstr(path, unit)) {
                free(path);
                path = cgroup_proc_path(text, "name=systemd");
        }
        if (path && !strstr(path, unit)) {
                free(path);
                path = NULL;
        }
        return path;
}

int cgroup_systemd_split(const char *value, char **slice, char **prefix, char **name, struct error **err)
{
        const char *a = value ? strchr(value, ':') : NULL;
        const char *b = a ? strchr(a + 1, ':') : NULL;
        /* The errors return their errno explicitly: the analyzer cannot see that error_set returns < 0 and
         * would follow a "success" with the outputs unset. */
        if (!a || !b || strchr(b + 1, ':') || strchr(value, '/') || b[1] == '\0') {
                error_set(err, EINVAL,
                          "linux.cgroupsPath: `%s`: expected cgroupsPath to be of format \"slice:prefix:name\" for "
                          "the systemd cgroup driver",
                          value ? value : "");
                return -EINVAL;
        }
        *slice = strndup(value, (size_t)(a - value));
        *prefix = strndup(a + 1, (size_t)(b - a - 1));
        *name = strdup(b + 1);
        if (!*slice || !*prefix || !*name) {
                free(*slice);
                free(*prefix);
                free(*name);
                /* The caller's cleanup frees them again otherwise. */
                *slice = *prefix = *name = NULL;
                error_set(err, ENOMEM, "cgroup path");
                return -ENOMEM;
        }
        return 0;
}

/* The slice and the scope's unit name ("prefix-name.scope") for a container: from cgroupsPath when it is
 * set, else crun's defaults (machine.slice for root, user.slice for a user, the prefix "krun"). Pure. */
static int scope_unit(const char *id, const char *cgroups_path, bool is_root, char **slice, char **unit,
                      struct error **err)
{
        _cleanup_free_ char *prefix = NULL, *name = NULL;
        if (cgroups_path && *cgroups_path) {
                int r = cgroup_systemd_split(cgroups_path, slice, &prefix, &name, err);
                if (r < 0)
                        return r;
        } else {
                *slice = strdup(is_root ? "machine.slice" : "user.slice");
                prefix = strdup("krun");
                name = strdup(id);
                if (!*slice || !prefix || !name)
                        return error_set(err, ENOMEM, "systemd");
        }
        if (asprintf(unit, "%s%s%s.scope", prefix, *prefix ? "-" : "", name) < 0)
                return error_set(err, ENOMEM, "systemd");
        return 0;
}

/* StartTransientUnit of a scope holding `pid`, in `slice` (none when empty), with Delegate=yes so the
 * cgroup below it is ours to write. */
static int start_scope(const char *unit, const char *slice, pid_t pid, struct error **err)
{
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        int r = open_bus(&bus, err);
        if (r < 0)
                return r;
        _cleanup_(msg_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        r = sd.message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                       "org.freedesktop.systemd1.Manager", "StartTransientUnit");
        if (r >= 0)
                r = sd.message_append(m, "ss", unit, "fail");
        if (r >= 0)
                r = sd.message_open_container(m, 'a', "(sv)");
        if (r >= 0 && *slice)
                r = sd.message_append(m, "(sv)", "Slice", "s", slice);
        if (r >= 0)
                r = sd.message_append(m, "(sv)(sv)(sv)(sv)(sv)", "Description", "s", "krun container", "PIDs", "au", 1,
                                      (uint32_t)pid, "Delegate", "b", 1, "CollectMode", "s", "inactive-or-failed",
                                      "DefaultDependencies", "b", 0);
        if (r >= 0)
                r = sd.message_close_container(m);
        if (r >= 0)
                r = sd.message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return error_set(err, -r, "systemd cgroup driver: build the StartTransientUnit call");
        sd_bus_error e = SD_BUS_ERROR_NULL;
        r = sd.call(bus, m, 0, &e, &reply);
        if (r < 0) {
                error_set(err, -r, "systemd cgroup driver: StartTransientUnit %s: %s", unit,
                          e.message ? e.message : "failed");
                sd.error_free(&e);
                return r;
        }
        return 0;
}

/* The job runs asynchronously: wait (5 s at most) until the pid sits in the new scope; its cgroup then,
 * with `sub` appended when given. The scope is stopped on failure. */
static int scope_cgroup(const char *unit, pid_t pid, const char *sub, char **path, struct error **err)
{
        _cleanup_free_ char *cg = NULL;
        for (int i = 0; i < 500 && !(cg = cgroup_of(pid, unit)); i++) {
                struct timespec ts = {0, 10L * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        if (!cg) {
                cgroup_systemd_stop(unit, NULL);
                return error_set(err, ETIMEDOUT, "systemd cgroup driver: pid %d did not appear in %s", (int)pid, unit);
        }
        if (sub && *sub) {
                if (strstr(sub, "..") || strchr(sub, '/')) {
                        cgroup_systemd_stop(unit, NULL);
                        return error_set(err, EINVAL, "annotation run.oci.systemd.subgroup: invalid `%s`", sub);
                }
                char *full = NULL;
                if (asprintf(&full, "%s/%s", cg, sub) < 0)
                        return error_set(err, ENOMEM, "systemd");
                free(cg);
                cg = full;
        }
        *path = TAKE_PTR(cg);
        return 0;
}

int cgroup_systemd_create(const char *id, const char *cgroups_path, const char *sub, pid_t pid, char **scope,
                          char **path, struct error **err)
{
        if (!systemd_is_pid1())
                return error_set(err, ENOTSUP,
                                 "systemd cgroup driver: systemd is not running as PID 1 (use "
                                 "--cgroup-manager=cgroupfs)");
        int r = load_libsystemd(err);
        if (r < 0)
                return r;
        _cleanup_free_ char *slice = NULL, *unit = NULL;
        r = scope_unit(id, cgroups_path, geteuid() == 0, &slice, &unit, err);
        if (r < 0)
                return r;
        r = start_scope(unit, slice, pid, err);
        if (r < 0)
                return r;
        r = scope_cgroup(unit, pid, sub, path, err);
        if (r < 0)
                return r;
        *scope = TAKE_PTR(unit);
        return 0;
}

int cgroup_systemd_stop(const char *scope, struct error **err)
{
        if (!systemd_is_pid1())
                return 0;
        int r = load_libsystemd(err);
        if (r < 0)
                return r;
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        r = open_bus(&bus, err);
        if (r < 0)
                return r;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(msg_unrefp) sd_bus_message *reply = NULL;
        r = sd.call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                           "org.freedesktop.systemd1.Manager", "StopUnit", &e, &reply, "ss", scope, "replace");
        if (r < 0 && !sd.error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
                error_set(err, -r, "systemd cgroup driver: StopUnit %s: %s", scope, e.message ? e.message : "failed");
                sd.error_free(&e);
                return r;
        }
        sd.error_free(&e);
        return 0;
}
