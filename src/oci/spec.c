/* config.json → struct oci_spec: the top level (ociVersion, root, hostname, mounts, annotations, hooks),
 * lookups and freeing. Pure: no syscalls. The helpers all spec*.c parsers share are in spec_parse.c;
 * process lives in spec_process.c, linux in spec_linux.c (+ spec_resources.c, spec_seccomp.c). */
#include "oci/spec.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "oci/spec_parse.h"
#include "oci/spec_sections.h"

static int parse_root(struct json_object *top, struct oci_spec *spec, struct error **err)
{
        struct json_object *root = NULL;
        int r = json_get_object(top, "", "root", &root, err);
        if (r <= 0)
                return r;
        r = json_get_string(root, "root", "path", &spec->root_path, err);
        if (r < 0)
                return r;
        /* Absolute, or relative to the bundle: both are fine, but there must be something. */
        if (r == 0 || !*spec->root_path)
                return json_error(err, "root", "path", "expected a non-empty path");
        r = json_get_bool(root, "root", "readonly", &spec->root_readonly, err);
        return r < 0 ? r : 0;
}

static void mount_clear(struct oci_mount *m)
{
        free(m->destination);
        free(m->type);
        free(m->source);
        spec_strv_free(m->options);
        free(m->uid_mappings);
        free(m->gid_mappings);
}

static int parse_mount(struct json_object *e, const char *p, size_t i, void *array, struct error **err)
{
        struct oci_mount *m = &((struct oci_mount *)array)[i];
        int r = json_get_string(e, p, "destination", &m->destination, err);
        if (r < 0)
                return r;
        if (r == 0 || !*m->destination)
                return json_error(err, p, "destination", "expected a non-empty path");
        if (m->destination[0] != '/') {
                /* Deprecated relative destinations mean relative to the container's "/". */
                char *abs = NULL;
                if (asprintf(&abs, "/%s", m->destination) < 0)
                        return json_error_oom(err);
                free(m->destination);
                m->destination = abs;
        }
        if ((r = json_get_string(e, p, "type", &m->type, err)) < 0)
                return r;
        if ((r = json_get_string(e, p, "source", &m->source, err)) < 0)
                return r;
        if ((r = json_get_strv(e, p, "options", false, &m->options, err)) < 0)
                return r;
        int has_uid = spec_parse_id_mappings(e, p, "uidMappings", &m->uid_mappings, &m->n_uid_mappings, err);
        if (has_uid < 0)
                return has_uid;
        int has_gid = spec_parse_id_mappings(e, p, "gidMappings", &m->gid_mappings, &m->n_gid_mappings, err);
        if (has_gid < 0)
                return has_gid;
        if (has_uid != has_gid)
                return json_error(err, p, has_uid ? "gidMappings" : "uidMappings",
                                  "required field is missing (uidMappings and gidMappings come together)");
        return 0;
}

static int parse_mounts(struct json_object *top, struct oci_spec *spec, struct error **err)
{
        int r = spec_parse_object_array(top, "", "mounts", sizeof(struct oci_mount), &spec->mounts, &spec->n_mounts,
                                        parse_mount, err);
        return r < 0 ? r : 0;
}

static const char *const hook_names[HOOK_KIND_COUNT] = {
    [HOOK_PRESTART] = "prestart",
    [HOOK_CREATE_RUNTIME] = "createRuntime",
    [HOOK_CREATE_CONTAINER] = "createContainer",
    [HOOK_START_CONTAINER] = "startContainer",
    [HOOK_POSTSTART] = "poststart",
    [HOOK_POSTSTOP] = "poststop",
};

static void hook_clear(struct oci_hook *h)
{
        free(h->path);
        spec_strv_free(h->args);
        spec_strv_free(h->env);
}

static int parse_hook(struct json_object *e, const char *p, size_t i, void *array, struct error **err)
{
        struct oci_hook *h = &((struct oci_hook *)array)[i];
        int r = json_get_string(e, p, "path", &h->path, err);
        if (r < 0)
                return r;
        /* Hooks run with execv semantics (no PATH search), so the path must be absolute. */
        if (r == 0 || h->path[0] != '/')
                return json_error(err, p, "path", "expected an absolute path");
        if ((r = json_get_strv(e, p, "args", false, &h->args, err)) < 0)
                return r;
        if ((r = json_get_strv(e, p, "env", false, &h->env, err)) < 0)
                return r;
        int64_t timeout = 0;
        if ((r = json_get_int_range(e, p, "timeout", 1, INT_MAX, &timeout, err)) < 0)
                return r;
        h->timeout = (int)timeout;
        return 0;
}

static int parse_hooks(struct json_object *top, struct oci_spec *spec, struct error **err)
{
        struct json_object *hooks = NULL;
        int r = json_get_object(top, "", "hooks", &hooks, err);
        if (r <= 0)
                return r;
        for (int k = 0; k < HOOK_KIND_COUNT; k++)
                if ((r = spec_parse_object_array(hooks, "hooks", hook_names[k], sizeof(struct oci_hook),
                                                 &spec->hooks.list[k], &spec->hooks.n[k], parse_hook, err)) < 0)
                        return r;
        return 0;
}

static int parse_spec(struct json_object *top, struct oci_spec **out, struct error **err)
{
        _cleanup_spec_ struct oci_spec *spec = calloc(1, sizeof(*spec));
        if (!spec)
                return json_error_oom(err);
        int r = json_get_string(top, "", "ociVersion", &spec->oci_version, err);
        if (r < 0)
                return r;
        /* Any version is accepted (crun and runc do not check it); it is copied into the state. */
        if (r == 0 || !*spec->oci_version)
                return json_error(err, "", "ociVersion", "expected a non-empty string");
        if ((r = parse_root(top, spec, err)) < 0)
                return r;
        if ((r = json_get_string(top, "", "hostname", &spec->hostname, err)) < 0)
                return r;
        if ((r = json_get_string(top, "", "domainname", &spec->domainname, err)) < 0)
                return r;
        struct json_object *process = NULL;
        if ((r = json_get_object(top, "", "process", &process, err)) < 0)
                return r;
        if (r > 0 && (r = spec_parse_process(process, "process", &spec->process, err)) < 0)
                return r;
        if ((r = parse_mounts(top, spec, err)) < 0)
                return r;
        if ((r = spec_parse_kv_map(top, "", "annotations", &spec->annotations, &spec->n_annotations, err)) < 0)
                return r;
        if ((r = parse_hooks(top, spec, err)) < 0)
                return r;
        struct json_object *linux_obj = NULL;
        if ((r = json_get_object(top, "", "linux", &linux_obj, err)) < 0)
                return r;
        if (r > 0 && (r = spec_parse_linux_into(linux_obj, "linux", &spec->linux_, err)) < 0)
                return r;
        *out = TAKE_PTR(spec);
        return 0;
}

int oci_spec_parse(const char *json_text, size_t len, const char *origin, struct oci_spec **out, struct error **err)
{
        _cleanup_json_ struct json_object *top = NULL;
        *out = NULL;
        int r = json_parse_object(json_text ? json_text : "", json_text ? len : 0, &top, err);
        if (r >= 0)
                r = parse_spec(top, out, err);
        if (r < 0)
                return error_prefix(err, "%s", origin ? origin : "config.json");
        return 0;
}

int oci_process_parse(const char *json_text, size_t len, const char *origin, struct oci_process **out,
                      struct error **err)
{
        _cleanup_json_ struct json_object *top = NULL;
        *out = NULL;
        int r = json_parse_object(json_text ? json_text : "", json_text ? len : 0, &top, err);
        if (r >= 0)
                r = spec_parse_process(top, "", out, err);
        if (r < 0)
                return error_prefix(err, "%s", origin ? origin : "process.json");
        return 0;
}

void oci_spec_free(struct oci_spec *spec)
{
        if (!spec)
                return;
        free(spec->oci_version);
        free(spec->root_path);
        free(spec->hostname);
        free(spec->domainname);
        oci_process_free(spec->process);
        for (size_t i = 0; i < spec->n_mounts; i++)
                mount_clear(&spec->mounts[i]);
        free(spec->mounts);
        spec_kv_free(spec->annotations, spec->n_annotations);
        for (int k = 0; k < HOOK_KIND_COUNT; k++) {
                for (size_t i = 0; i < spec->hooks.n[k]; i++)
                        hook_clear(&spec->hooks.list[k][i]);
                free(spec->hooks.list[k]);
        }
        spec_linux_clear(&spec->linux_);
        free(spec);
}
