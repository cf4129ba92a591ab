/* `process` of config.json (and the bare process JSON of `exec --process`) → struct oci_process. Pure. */
#include "oci/spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include <json-c/json.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "oci/spec_parse.h"
#include "oci/spec_sections.h"

static const struct {
        const char *name;
        int resource;
} rlimit_table[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_FSIZE", RLIMIT_FSIZE},       {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},   {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static int rlimit_from_name(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(rlimit_table); i++)
                if (strcmp(rlimit_table[i].name, name) == 0)
                        return rlimit_table[i].resource;
        return -1;
}

void oci_process_free(struct oci_process *p)
{
        if (!p)
                return;
        free(p->cwd);
        spec_strv_free(p->args);
        spec_strv_free(p->env);
        free(p->additional_gids);
        free(p->rlimits);
        free(p->apparmor_profile);
        free(p->selinux_label);
        free(p->username);
        spec_process_sched_clear(p);
        free(p);
}

static void process_freep(struct oci_process **p)
{
        oci_process_free(*p);
}

/* libcap's cap_from_name also accepts numbers, lower case and comma lists ("12", "cap_kill,cap_chown");
 * OCI names are exactly CAP_ followed by upper-case letters, digits and underscores. */
static int cap_parse(const char *name, cap_value_t *out)
{
        if (strncmp(name, "CAP_", 4) != 0 || !name[4] ||
            strspn(name + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(name + 4))
                return -1;
        if (cap_from_name(name, out) < 0 || *out < 0 || *out >= 64)
                return -1;
        return 0;
}

static int parse_cap_set(struct json_object *caps, const char *parent, const char *key, uint64_t *mask,
                         struct error **err)
{
        _cleanup_strv_ char **names = NULL;
        int r = json_get_strv(caps, parent, key, false, &names, err);
        if (r <= 0)
                return r;
        for (size_t i = 0; names[i]; i++) {
                cap_value_t cap;
                if (cap_parse(names[i], &cap) < 0) {
                        _cleanup_free_ char *p = json_path_key_index(parent, key, i);
                        if (!p)
                                return json_error_oom(err);
                        return json_error(err, p, NULL, "unknown capability \"%s\" (expected a CAP_* name)", names[i]);
                }
                *mask |= UINT64_C(1) << cap;
        }
        return 0;
}

static int parse_caps(struct json_object *obj, const char *parent, struct oci_process *p, struct error **err)
{
        struct json_object *caps = NULL;
        int r = json_get_object(obj, parent, "capabilities", &caps, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, "capabilities");
        if (!base)
                return json_error_oom(err);
        p->has_caps = true;
        if ((r = parse_cap_set(caps, base, "bounding", &p->caps.bounding, err)) < 0 ||
            (r = parse_cap_set(caps, base, "effective", &p->caps.effective, err)) < 0 ||
            (r = parse_cap_set(caps, base, "inheritable", &p->caps.inheritable, err)) < 0 ||
            (r = parse_cap_set(caps, base, "permitted", &p->caps.permitted, err)) < 0 ||
            (r = parse_cap_set(caps, base, "ambient", &p->caps.ambient, err)) < 0)
                return r;
        return 0;
}

static int parse_rlimit(struct json_object *e, const char *p, size_t i, void *array, struct error **err)
{
        struct oci_rlimit *rlimits = array, *rl = &rlimits[i];
        _cleanup_free_ char *type = NULL;
        int r;
        if ((r = json_require_string(e, p, "type", &type, err)) < 0)
                return r;
        if ((rl->resource = rlimit_from_name(type)) < 0)
                return json_error(err, p, "type", "unknown rlimit \"%s\" (expected an RLIMIT_* name)", type);
        for (size_t j = 0; j < i; j++)
                if (rlimits[j].resource == rl->resource)
                        return json_error(err, p, "type", "duplicate rlimit \"%s\"", type);
        if ((r = json_get_uint64(e, p, "soft", &rl->soft, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, p, "soft");
        if ((r = json_get_uint64(e, p, "hard", &rl->hard, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, p, "hard");
        return 0;
}

static int parse_user(struct json_object *obj, const char *parent, struct oci_process *p, struct error **err)
{
        struct json_object *user = NULL;
        int r = json_get_object(obj, parent, "user", &user, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, "user");
        if (!base)
                return json_error_oom(err);
        p->has_user = true;
        if ((r = json_get_uint32(user, base, "uid", &p->uid, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, base, "uid");
        if ((r = json_get_uint32(user, base, "gid", &p->gid, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, base, "gid");
        if ((r = json_get_uint32(user, base, "umask", &p->umask, err)) < 0)
                return r;
        p->has_umask = r > 0;
        if ((r = json_get_string(user, base, "username", &p->username, err)) < 0)
                return r;

        struct json_object *gids = NULL;
        size_t n = 0;
        if ((r = json_get_array(user, base, "additionalGids", &gids, &n, err)) <= 0)
                return r;
        _cleanup_free_ char *gbase = json_path_key(base, "additionalGids");
        p->additional_gids = calloc(n ? n : 1, sizeof(uint32_t));
        if (!gbase || !p->additional_gids)
                return json_error_oom(err);
        p->has_additional_gids = true;
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(gids, i);
                _cleanup_free_ char *path = json_path_index(gbase, i);
                if (!path)
                        return json_error_oom(err);
                if (!e)
                        return json_error(err, path, NULL, "expected an unsigned 32-bit integer");
                if ((r = json_as_uint32(e, path, &p->additional_gids[i], err)) < 0)
                        return r;
        }
        p->n_additional_gids = n;
        return 0;
}

static int parse_console_size(struct json_object *obj, const char *parent, struct oci_process *p, struct error **err)
{
        struct json_object *cs = NULL;
        int r = json_get_object(obj, parent, "consoleSize", &cs, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, "consoleSize");
        if (!base)
                return json_error_oom(err);
        if ((r = json_get_uint32(cs, base, "height", &p->console_height, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, base, "height");
        if ((r = json_get_uint32(cs, base, "width", &p->console_width, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, base, "width");
        p->has_console_size = true;
        return 0;
}

int spec_parse_process(struct json_object *obj, const char *path, struct oci_process **out, struct error **err)
{
        _cleanup_(process_freep) struct oci_process *p = calloc(1, sizeof(*p));
        int r;
        if (!p)
                return json_error_oom(err);
        if ((r = json_get_bool(obj, path, "terminal", &p->terminal, err)) < 0)
                return r;
        if ((r = parse_console_size(obj, path, p, err)) < 0)
                return r;
        if ((r = json_get_string(obj, path, "cwd", &p->cwd, err)) < 0)
                return r;
        if (r == 0 || p->cwd[0] != '/')
                return json_error(err, path, "cwd", "expected an absolute path");
        if ((r = json_get_strv(obj, path, "args", true, &p->args, err)) < 0)
                return r;
        if (r == 0)
                return json_error(err, path, "args", "expected a non-empty array of strings");
        if ((r = json_get_strv(obj, path, "env", false, &p->env, err)) < 0)
                return r;
        if (!p->env && !(p->env = calloc(1, sizeof(char *))))
                return json_error_oom(err);
        if ((r = parse_user(obj, path, p, err)) < 0)
                return r;
        if ((r = parse_caps(obj, path, p, err)) < 0)
                return r;
        if ((r = spec_parse_object_array(obj, path, "rlimits", sizeof(struct oci_rlimit), &p->rlimits, &p->n_rlimits,
                                         parse_rlimit, err)) < 0)
                return r;
        if ((r = json_get_bool(obj, path, "noNewPrivileges", &p->no_new_privileges, err)) < 0)
                return r;
        if ((r = json_get_string(obj, path, "apparmorProfile", &p->apparmor_profile, err)) < 0)
                return r;
        if ((r = json_get_string(obj, path, "selinuxLabel", &p->selinux_label, err)) < 0)
                return r;
        int64_t adj = 0;
        /* The kernel's range for /proc/PID/oom_score_adj; anything else would fail late, in the child. */
        if ((r = json_get_int_range(obj, path, "oomScoreAdj", -1000, 1000, &adj, err)) < 0)
                return r;
        p->has_oom_score_adj = r > 0;
        p->oom_score_adj = (int)adj;
        if ((r = spec_parse_process_sched(obj, path, p, err)) < 0)
                return r;
        *out = TAKE_PTR(p);
        return 0;
}
