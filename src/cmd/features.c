/* `features`: the runtime-spec Features document (features.md, features-linux.md). Generated from the
 * tables the runtime uses, so that it cannot claim what the code does not do. */
#include <errno.h>
#include <json-c/json.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "build_config.h"
#include "cmd/cmd.h"
#include "container/checkpoint.h"
#include "core/cleanup.h"
#include "executor/executor.h"
#include "linux/mount_options.h"
#include "linux/seccomp_filter.h"

/* Oldest and newest config.json versions we accept (any 1.x parses; see oci-config.md). */
#define OCI_VERSION_MIN "1.0.0"
#define OCI_VERSION_MAX "1.1.0"

static const char *const hook_names[] = {"prestart",       "createRuntime", "createContainer",
                                         "startContainer", "poststart",     "poststop"};

/* Annotations we honour from config.json that change how the container is built: a trailing `.` is
 * a prefix (run.oci.* as crun); each executor's own prefix follows (unsafe_annotations()). */
static const char *const runtime_annotations[] = {"run.oci."};

static struct json_object *string_array(const char *const *names, size_t n)
{
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; a && i < n; i++)
                json_object_array_add(a, json_object_new_string(names[i]));
        return a;
}

static struct json_object *unsafe_annotations(void)
{
        struct json_object *a = string_array(runtime_annotations, ARRAY_SIZE(runtime_annotations));
        for (size_t i = 0; a && i < executor_count(); i++)
                if (executor_at(i)->annotation_prefix)
                        json_object_array_add(a, json_object_new_string(executor_at(i)->annotation_prefix));
        return a;
}

static struct json_object *namespaces(void)
{
        struct json_object *a = json_object_new_array();
        for (int t = 0; t < NS_COUNT; t++)
                json_object_array_add(a, json_object_new_string(oci_ns_type_name((enum oci_ns_type)t)));
        return a;
}

static void cap_name_freep(char **p)
{
        if (*p)
                cap_free(*p);
}

/* Every capability this libcap can name (CAP_LAST_CAP of the headers we build with). */
static struct json_object *capabilities(void)
{
        struct json_object *a = json_object_new_array();
        for (int c = 0; c <= CAP_LAST_CAP; c++) {
                _cleanup_(cap_name_freep) char *name = cap_to_name((cap_value_t)c);
                if (!name || strncmp(name, "cap_", 4) != 0)
                        continue; /* libcap prints unnamed numbers as digits */
                for (char *p = name; *p; p++)
                        if (*p >= 'a' && *p <= 'z')
                                *p = (char)(*p - 'a' + 'A');
                json_object_array_add(a, json_object_new_string(name));
        }
        return a;
}

static struct json_object *mount_options(void)
{
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; i < mount_option_count(); i++)
                json_object_array_add(a, json_object_new_string(mount_option_name(i)));
        return a;
}

static struct json_object *seccomp_features(void)
{
        struct json_object *o = json_object_new_object();
        struct json_object *actions = json_object_new_array(), *ops = json_object_new_array(),
                           *archs = json_object_new_array(), *known = json_object_new_array(),
                           *supported = json_object_new_array();
        /* The names come from the one seccomp table (src/core/seccomp_names.c) the parser and the filter
         * use; only those the linked libseccomp accepts are advertised. */
        const char *name;
        for (size_t i = 0; (name = seccomp_name_at(SECCOMP_NAME_ACTION, i)); i++) {
                uint32_t action;
                if (seccomp_action_from_name(name, 0, &action) >= 0)
                        json_object_array_add(actions, json_object_new_string(name));
        }
        for (size_t i = 0; (name = seccomp_name_at(SECCOMP_NAME_OPERATOR, i)); i++)
                if (seccomp_op_from_name(name) >= 0)
                        json_object_array_add(ops, json_object_new_string(name));
        /* Only the architectures a filter for this host can include: libseccomp refuses to mix byte
         * orders (SCMP_ARCH_MIPS next to x86_64 fails with EDOM), and so would `create`. */
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        for (size_t i = 0; ctx && (name = seccomp_name_at(SECCOMP_NAME_ARCH, i)); i++) {
                uint32_t arch;
                if (seccomp_arch_from_name(name, &arch) < 0)
                        continue;
                int r = seccomp_arch_add(ctx, arch);
                if (r == 0 || r == -EEXIST)
                        json_object_array_add(archs, json_object_new_string(name));
        }
        if (ctx)
                seccomp_release(ctx);
        for (size_t i = 0; (name = seccomp_name_at(SECCOMP_NAME_FLAG, i)); i++) {
                /* -2: the parser knows the flag, the linked libseccomp cannot set it. */
                int attr, r = seccomp_flag_from_name(name, &attr);
                if (r != -1)
                        json_object_array_add(known, json_object_new_string(name));
                if (r >= 0)
                        json_object_array_add(supported, json_object_new_string(name));
        }
        json_object_object_add(o, "enabled", json_object_new_boolean(true));
        json_object_object_add(o, "actions", actions);
        json_object_object_add(o, "operators", ops);
        json_object_object_add(o, "archs", archs);
        json_object_object_add(o, "knownFlags", known);
        json_object_object_add(o, "supportedFlags", supported);
        return o;
}

static struct json_object *enabled(bool on)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "enabled", json_object_new_boolean(on));
        return o;
}

static struct json_object *linux_features(void)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "namespaces", namespaces());
        json_object_object_add(o, "capabilities", capabilities());
        struct json_object *cg = json_object_new_object();
        json_object_object_add(cg, "v1", json_object_new_boolean(true));
        json_object_object_add(cg, "v2", json_object_new_boolean(true));
        json_object_object_add(cg, "systemd", json_object_new_boolean(true));
        json_object_object_add(cg, "systemdUser", json_object_new_boolean(false));
        json_object_object_add(cg, "rdma", json_object_new_boolean(true)); /* linux.resources.rdma (v1 and v2) */
        json_object_object_add(o, "cgroup", cg);
        json_object_object_add(o, "seccomp", seccomp_features());
        /* features-linux.md: `enabled` says the support is built in, whether or not this host enables the
         * LSM (src/linux/lsm.c ignores labels, with a debug message, when it does not). */
        json_object_object_add(o, "apparmor", enabled(true));
        json_object_object_add(o, "selinux", enabled(true));
        /* linux.intelRdt is not implemented (not applied from config.json; `update --l3-cache-schema` fails). */
        json_object_object_add(o, "intelRdt", enabled(false));
        struct json_object *ext = json_object_new_object();
        json_object_object_add(ext, "idmap", enabled(true)); /* idmap/ridmap mount options, mount mappings */
        json_object_object_add(o, "mountExtensions", ext);
        json_object_object_add(o, "netDevices", enabled(true)); /* src/linux/netdev.c */
        return o;
}

/* org.krun.<feature>.available for each executor with a feature string (as --version's +/- tags). */
static void executor_availability(struct json_object *o, unsigned available)
{
        for (size_t i = 0; i < executor_count(); i++) {
                const struct executor *ex = executor_at(i);
                if (!ex->feature)
                        continue;
                char key[64];
                int n = snprintf(key, sizeof(key), "org.krun.%s.available", ex->feature);
                if (n < 0 || (size_t)n >= sizeof(key))
                        continue;
                for (char *p = key; *p; p++)
                        if (*p >= 'A' && *p <= 'Z')
                                *p = (char)(*p - 'A' + 'a');
                json_object_object_add(o, key, json_object_new_string(available & (1u << i) ? "true" : "false"));
        }
}

/* Whether `exec` reaches workloads that run out of reach of the namespaces (in a VM): every executor that
 * runs one there can exec. */
static bool can_exec_apart(void)
{
        bool is_any = false;
        for (size_t i = 0; i < executor_count(); i++) {
                const struct executor *ex = executor_at(i);
                if (!ex->workload_place)
                        continue;
                if (!executor_can(ex, EXECUTOR_CAN_EXEC))
                        return false;
                is_any = true;
        }
        return is_any;
}

static struct json_object *annotations(unsigned available, bool has_criu)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "org.krun.version", json_object_new_string(KRUN_VERSION));
        json_object_object_add(o, "org.krun.commit", json_object_new_string(KRUN_COMMIT));
        /* An executor's libraries are dlopen'ed, never linked: whether it can work depends on this host. */
        executor_availability(o, available);
        json_object_object_add(o, "org.krun.exec.vm", json_object_new_string(can_exec_apart() ? "true" : "false"));
        /* checkpoint and restore run the criu binary: usable where one is found (as --version's +CRIU). */
        json_object_object_add(o, "org.krun.checkpoint.enabled", json_object_new_string(has_criu ? "true" : "false"));
        return o;
}

char *cmd_features_json(unsigned available, bool has_criu)
{
        struct json_object *f = json_object_new_object();
        if (!f)
                return NULL;
        json_object_object_add(f, "ociVersionMin", json_object_new_string(OCI_VERSION_MIN));
        json_object_object_add(f, "ociVersionMax", json_object_new_string(OCI_VERSION_MAX));
        json_object_object_add(f, "hooks", string_array(hook_names, ARRAY_SIZE(hook_names)));
        json_object_object_add(f, "mountOptions", mount_options());
        json_object_object_add(f, "linux", linux_features());
        json_object_object_add(f, "annotations", annotations(available, has_criu));
        json_object_object_add(f, "potentiallyUnsafeConfigAnnotations", unsafe_annotations());
        char *out = NULL;
        const char *s = json_object_to_json_string_ext(f, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE);
        if (s && asprintf(&out, "%s\n", s) < 0)
                out = NULL;
        json_object_put(f);
        return out;
}

static const struct cmd_option features_options[] = {{0}};

static int features_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        int first;
        int r = cmd_parse(&cmd_features_desc, argc, argv, NULL, &first, err);
        if (r == CMD_HELP) {
                cmd_print_help(stdout, rt->argv0_name, &cmd_features_desc);
                return 0;
        }
        if (r < 0)
                return r;
        _cleanup_free_ char *criu = checkpoint_criu_path(rt, NULL);
        _cleanup_free_ char *out = cmd_features_json(executor_probe_available(), criu && access(criu, X_OK) == 0);
        if (!out)
                return error_set(err, ENOMEM, "features");
        if (fputs(out, stdout) < 0 || fflush(stdout) != 0)
                return error_sys(err, "write features");
        return 0;
}

const struct cmd_desc cmd_features_desc = {
    .name = "features",
    .synopsis = "",
    .summary = "print the features this runtime supports (JSON)",
    .options = features_options,
    .min_args = 0,
    .max_args = 0,
    .run = features_run,
};
