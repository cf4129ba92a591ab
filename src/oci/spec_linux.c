/* `linux` of config.json → struct oci_linux: namespaces, id mappings, devices, sysctl, paths, labels,
 * personality, netDevices; resources and seccomp have their own files. Pure. */
#include "oci/spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "oci/spec_parse.h"
#include "oci/spec_sections.h"

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "cgroup, ipc, mount, ..." built from the table, so messages never drift from what the parser accepts. */
static void ns_expected_list(char *buf, size_t size)
{
        const char *sorted[NS_COUNT];
        for (int t = 0; t < NS_COUNT; t++)
                sorted[t] = oci_ns_type_name((enum oci_ns_type)t);
        qsort(sorted, NS_COUNT, sizeof(sorted[0]), cmp_str);
        buf[0] = '\0';
        for (int i = 0; i < NS_COUNT; i++) {
                if (i)
                        strncat(buf, ", ", size - strlen(buf) - 1);
                strncat(buf, sorted[i], size - strlen(buf) - 1);
        }
}

static int parse_namespace(struct json_object *e, const char *p, size_t i, void *array, struct error **err)
{
        struct oci_namespace *namespaces = array, *ns = &namespaces[i];
        _cleanup_free_ char *type = NULL;
        int r;
        if ((r = json_require_string(e, p, "type", &type, err)) < 0)
                return r;
        int t = oci_ns_type_from_name(type);
        if (t < 0) {
                char expected[128];
                ns_expected_list(expected, sizeof(expected));
                return json_error(err, p, "type", "unknown namespace \"%s\" (expected one of: %s)", type, expected);
        }
        for (size_t j = 0; j < i; j++)
                if (namespaces[j].type == (enum oci_ns_type)t)
                        return json_error(err, p, "type", "duplicate namespace \"%s\"", type);
        ns->type = (enum oci_ns_type)t;
        if ((r = json_get_string(e, p, "path", &ns->path, err)) < 0)
                return r;
        /* Go tools write "" for "no path" (omitempty); it means create, like an absent path. */
        if (ns->path && !*ns->path) {
                free(ns->path);
                ns->path = NULL;
        }
        /* The spec requires an absolute path in the runtime's mount namespace; a relative one would
         * silently depend on the runtime's working directory. */
        if (ns->path && ns->path[0] != '/')
                return json_error(err, p, "path", "expected an absolute path");
        return 0;
}

static int parse_device(struct json_object *e, const char *p, size_t i, void *array, struct error **err)
{
        struct oci_device *d = &((struct oci_device *)array)[i];
        _cleanup_free_ char *type = NULL;
        int r;
        if ((r = json_get_string(e, p, "type", &type, err)) < 0)
                return r;
        if (r == 0 || strlen(type) != 1 || !strchr("cbup", type[0]))
                return json_error(err, p, "type", "expected one of \"c\", \"b\", \"u\", \"p\"");
        d->type = type[0];
        if ((r = json_get_string(e, p, "path", &d->path, err)) < 0)
                return r;
        if (r == 0 || d->path[0] != '/')
                return json_error(err, p, "path", "expected an absolute path");
        /* "/dev/foo/" names the file /dev/foo (crun and runc accept it); only "/" is no device file. */
        size_t len = strlen(d->path);
        while (len > 1 && d->path[len - 1] == '/')
                d->path[--len] = '\0';
        if (len == 1)
                return json_error(err, p, "path", "expected the path of a device file, not `/`");
        r = json_get_int64(e, p, "major", &d->major, err);
        if (r < 0)
                return r;
        /* A FIFO has no device number; every other type needs both. */
        if (r == 0 && d->type != 'p')
                return json_error_missing(err, p, "major");
        r = json_get_int64(e, p, "minor", &d->minor, err);
        if (r < 0)
                return r;
        if (r == 0 && d->type != 'p')
                return json_error_missing(err, p, "minor");
        int64_t mode = 0;
        if ((r = json_get_int_range(e, p, "fileMode", 0, 0777, &mode, err)) < 0)
                return r;
        d->has_file_mode = r > 0;
        d->file_mode = (uint32_t)mode;
        if ((r = json_get_uint32(e, p, "uid", &d->uid, err)) < 0)
                return r;
        d->has_uid = r > 0;
        if ((r = json_get_uint32(e, p, "gid", &d->gid, err)) < 0)
                return r;
        d->has_gid = r > 0;
        return 0;
}

static int parse_net_device(struct json_object *v, const char *p, const char *name, size_t i, void *array,
                            struct error **err)
{
        struct oci_kv *kv = &((struct oci_kv *)array)[i];
        if (!(kv->key = strdup(name)))
                return json_error_oom(err);
        int r = json_get_string(v, p, "name", &kv->value, err);
        if (r < 0)
                return r;
        /* Without a name the interface keeps its host name inside the container. */
        if (r == 0 || !*kv->value) {
                free(kv->value);
                if (!(kv->value = strdup(name)))
                        return json_error_oom(err);
        }
        return 0;
}

static int parse_personality(struct json_object *obj, const char *parent, struct oci_linux *l, struct error **err)
{
        struct json_object *pers = NULL;
        int r = json_get_object(obj, parent, "personality", &pers, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, "personality");
        if (!base)
                return json_error_oom(err);
        if ((r = json_get_string(pers, base, "domain", &l->personality_domain, err)) < 0)
                return r;
        if (r == 0 || (strcmp(l->personality_domain, "LINUX") != 0 && strcmp(l->personality_domain, "LINUX32") != 0))
                return json_error(err, base, "domain", "expected one of \"LINUX\", \"LINUX32\"");
        /* No personality flag is defined for Linux yet; only the type is checked. */
        _cleanup_strv_ char **flags = NULL;
        if ((r = json_get_strv(pers, base, "flags", false, &flags, err)) < 0)
                return r;
        l->has_personality = true;
        return 0;
}

static int parse_rootfs_propagation(struct json_object *obj, const char *parent, struct oci_linux *l,
                                    struct error **err)
{
        /* The schema lists the first four; runtimes also accept the recursive forms. */
        static const char *const allowed[] = {"private", "rprivate", "shared",     "rshared",
                                              "slave",   "rslave",   "unbindable", "runbindable"};
        int r = json_get_string(obj, parent, "rootfsPropagation", &l->rootfs_propagation, err);
        if (r <= 0)
                return r;
        /* Go clients that copy the field write "" for "not set", which runc accepts as the default. */
        if (!*l->rootfs_propagation) {
                free(l->rootfs_propagation);
                l->rootfs_propagation = NULL;
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
                if (strcmp(l->rootfs_propagation, allowed[i]) == 0)
                        return 0;
        return json_error(err, parent, "rootfsPropagation",
                          "unknown propagation \"%s\" (expected one of: private, rprivate, shared, rshared, slave, "
                          "rslave, unbindable, runbindable)",
                          l->rootfs_propagation);
}

int spec_parse_linux_into(struct json_object *obj, const char *path, struct oci_linux *l, struct error **err)
{
        int r;
        if ((r = spec_parse_object_array(obj, path, "namespaces", sizeof(struct oci_namespace), &l->namespaces,
                                         &l->n_namespaces, parse_namespace, err)) < 0)
                return r;
        if ((r = spec_parse_id_mappings(obj, path, "uidMappings", &l->uid_mappings, &l->n_uid_mappings, err)) < 0)
                return r;
        if ((r = spec_parse_id_mappings(obj, path, "gidMappings", &l->gid_mappings, &l->n_gid_mappings, err)) < 0)
                return r;
        if ((r = spec_parse_object_array(obj, path, "devices", sizeof(struct oci_device), &l->devices, &l->n_devices,
                                         parse_device, err)) < 0)
                return r;
        if ((r = json_get_string(obj, path, "cgroupsPath", &l->cgroups_path, err)) < 0)
                return r;
        struct json_object *res = NULL;
        if ((r = json_get_object(obj, path, "resources", &res, err)) < 0)
                return r;
        if (r > 0) {
                _cleanup_free_ char *p = json_path_key(path, "resources");
                if (!p)
                        return json_error_oom(err);
                if ((r = oci_resources_parse_json(res, p, &l->resources, err)) < 0)
                        return r;
        }
        if ((r = spec_parse_kv_map(obj, path, "sysctl", &l->sysctl, &l->n_sysctl, err)) < 0)
                return r;
        if ((r = json_get_strv(obj, path, "maskedPaths", false, &l->masked_paths, err)) < 0)
                return r;
        if ((r = json_get_strv(obj, path, "readonlyPaths", false, &l->readonly_paths, err)) < 0)
                return r;
        if ((r = json_get_string(obj, path, "mountLabel", &l->mount_label, err)) < 0)
                return r;
        if ((r = parse_rootfs_propagation(obj, path, l, err)) < 0)
                return r;
        struct json_object *seccomp = NULL;
        if ((r = json_get_object(obj, path, "seccomp", &seccomp, err)) < 0)
                return r;
        if (r > 0) {
                _cleanup_free_ char *p = json_path_key(path, "seccomp");
                if (!p)
                        return json_error_oom(err);
                if ((r = spec_parse_seccomp(seccomp, p, &l->seccomp, err)) < 0)
                        return r;
        }
        if ((r = parse_personality(obj, path, l, err)) < 0)
                return r;
        if ((r = spec_parse_object_map(obj, path, "netDevices", sizeof(struct oci_kv), &l->net_devices,
                                       &l->n_net_devices, parse_net_device, err)) < 0)
                return r;
        if ((r = spec_parse_linux_sched(obj, path, l, err)) < 0)
                return r;
        /* Offsets can only be set on a time namespace nobody has entered yet: one the runtime creates. */
        bool new_timens = false;
        for (size_t i = 0; i < l->n_namespaces; i++)
                new_timens |= l->namespaces[i].type == NS_TIME && !l->namespaces[i].path;
        if ((l->time_offsets[0].set || l->time_offsets[1].set) && !new_timens)
                return json_error(err, path, "timeOffsets", "requires a new time namespace in %s.namespaces", path);
        return 0;
}

void spec_linux_clear(struct oci_linux *l)
{
        for (size_t i = 0; i < l->n_namespaces; i++)
                free(l->namespaces[i].path);
        free(l->namespaces);
        free(l->uid_mappings);
        free(l->gid_mappings);
        for (size_t i = 0; i < l->n_devices; i++)
                free(l->devices[i].path);
        free(l->devices);
        free(l->cgroups_path);
        oci_resources_free(l->resources);
        spec_kv_free(l->sysctl, l->n_sysctl);
        spec_strv_free(l->masked_paths);
        spec_strv_free(l->readonly_paths);
        free(l->mount_label);
        free(l->rootfs_propagation);
        spec_seccomp_free(l->seccomp);
        free(l->personality_domain);
        spec_kv_free(l->net_devices, l->n_net_devices);
        free(l->memory_policy_nodes);
        memset(l, 0, sizeof(*l));
}
