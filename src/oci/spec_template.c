#include "oci/spec_template.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/path_search.h"

#define MAX_MOUNT_OPTIONS 8

static const struct {
        const char *destination, *type, *source;
        const char *options[MAX_MOUNT_OPTIONS]; /* NULL-terminated */
} template_mounts[] = {
    {"/proc", "proc", "proc", {NULL}},
    {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
    {"/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
    {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
    {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
    {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}},
    {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

/* A rootless user cannot chown the pty to the tty group: the kernel refuses gid=5 without a mapping for it. */
static const char rootless_dropped_option[] = "gid=5";

static const char *const template_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
/* crun's template: every set but inheritable (runc's has bounding, effective and permitted only). */
static const char *const cap_sets[] = {"bounding", "effective", "inheritable", "permitted", "ambient"};
static const char *const template_env[] = {"PATH=" PATH_SEARCH_DEFAULT, "TERM=xterm"};
static const char *const masked_paths[] = {
    "/proc/acpi",       "/proc/asound",      "/proc/kcore",       "/proc/keys",    "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"};
static const char *const readonly_paths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

static struct json_object *string_array(const char *const *v, size_t n)
{
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; a && i < n; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
        json_object_object_add(o, key, v);
}

static struct json_object *make_process(void)
{
        struct json_object *p = json_object_new_object(), *user = json_object_new_object(),
                           *caps = json_object_new_object(), *rlimit = json_object_new_object(),
                           *rlimits = json_object_new_array();
        static const char *const args[] = {"sh"};
        add(p, "terminal", json_object_new_boolean(1));
        add(user, "uid", json_object_new_int(0));
        add(user, "gid", json_object_new_int(0));
        add(p, "user", user);
        add(p, "args", string_array(args, ARRAY_SIZE(args)));
        add(p, "env", string_array(template_env, ARRAY_SIZE(template_env)));
        add(p, "cwd", json_object_new_string("/"));
        for (size_t i = 0; i < ARRAY_SIZE(cap_sets); i++)
                add(caps, cap_sets[i],
                    strcmp(cap_sets[i], "inheritable") ? string_array(template_caps, ARRAY_SIZE(template_caps))
                                                       : json_object_new_array());
        add(p, "capabilities", caps);
        add(rlimit, "type", json_object_new_string("RLIMIT_NOFILE"));
        add(rlimit, "hard", json_object_new_int(1024));
        add(rlimit, "soft", json_object_new_int(1024));
        json_object_array_add(rlimits, rlimit);
        add(p, "rlimits", rlimits);
        add(p, "noNewPrivileges", json_object_new_boolean(1));
        return p;
}

static struct json_object *make_mounts(bool is_rootless)
{
        struct json_object *mounts = json_object_new_array();
        for (size_t i = 0; i < ARRAY_SIZE(template_mounts); i++) {
                struct json_object *m = json_object_new_object();
                add(m, "destination", json_object_new_string(template_mounts[i].destination));
                add(m, "type", json_object_new_string(template_mounts[i].type));
                add(m, "source", json_object_new_string(template_mounts[i].source));
                if (template_mounts[i].options[0]) {
                        struct json_object *opts = json_object_new_array();
                        for (const char *const *o = template_mounts[i].options; *o; o++)
                                if (!(is_rootless && !strcmp(*o, rootless_dropped_option)))
                                        json_object_array_add(opts, json_object_new_string(*o));
                        add(m, "options", opts);
                }
                json_object_array_add(mounts, m);
        }
        return mounts;
}

static void add_namespace(struct json_object *a, const char *type)
{
        struct json_object *ns = json_object_new_object();
        add(ns, "type", json_object_new_string(type));
        json_object_array_add(a, ns);
}

static struct json_object *make_linux(bool is_rootless, bool has_cgroupns)
{
        struct json_object *l = json_object_new_object(), *res = json_object_new_object(),
                           *devices = json_object_new_array(), *deny = json_object_new_object(),
                           *ns = json_object_new_array();
        add(deny, "allow", json_object_new_boolean(0));
        add(deny, "access", json_object_new_string("rwm"));
        json_object_array_add(devices, deny);
        add(res, "devices", devices);
        add(l, "resources", res);
        add_namespace(ns, "pid");
        add_namespace(ns, "network");
        add_namespace(ns, "ipc");
        add_namespace(ns, "uts");
        if (has_cgroupns)
                add_namespace(ns, "cgroup");
        add_namespace(ns, "mount");
        if (is_rootless)
                add_namespace(ns, "user");
        add(l, "namespaces", ns);
        add(l, "maskedPaths", string_array(masked_paths, ARRAY_SIZE(masked_paths)));
        add(l, "readonlyPaths", string_array(readonly_paths, ARRAY_SIZE(readonly_paths)));
        return l;
}

struct json_object *spec_template_new(bool is_rootless, bool has_cgroupns)
{
        struct json_object *spec = json_object_new_object(), *root = json_object_new_object();
        if (!spec || !root) {
                json_object_put(spec);
                json_object_put(root);
                return NULL;
        }
        add(spec, "ociVersion", json_object_new_string("1.0.0"));
        add(spec, "process", make_process());
        add(root, "path", json_object_new_string("rootfs"));
        add(root, "readonly", json_object_new_boolean(1));
        add(spec, "root", root);
        add(spec, "hostname", json_object_new_string("krun"));
        add(spec, "mounts", make_mounts(is_rootless));
        add(spec, "linux", make_linux(is_rootless, has_cgroupns));
        return spec;
}

char *spec_template_json(bool is_rootless, bool has_cgroupns)
{
        struct json_object *spec = spec_template_new(is_rootless, has_cgroupns);
        if (!spec)
                return NULL;
        char *out = NULL;
        const char *s =
            json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB |
                                                     JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (s && asprintf(&out, "%s\n", s) < 0)
                out = NULL;
        json_object_put(spec);
        return out;
}
