/* `linux.seccomp` → struct oci_seccomp: action/operator names become libseccomp values here (through the
 * tables of src/core/seccomp_names.c), so the code that builds the filter only deals with validated
 * numbers. Architectures and flags are kept as names: the filter code maps them, knowing what the
 * linked libseccomp supports; the parser only rejects names the spec does not define. Pure. */
#include "oci/spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/seccomp_names.h"
#include "oci/spec_parse.h"
#include "oci/spec_sections.h"

/* Reads a required action name; "PATH.KEY: unknown action ..." on anything else. */
static int get_action(struct json_object *obj, const char *parent, const char *key, char **name, uint32_t *action,
                      struct error **err)
{
        int r = json_require_string(obj, parent, key, name, err);
        if (r < 0)
                return r;
        if (seccomp_action_from_name(*name, 0, action) < 0) {
                char expected[256];
                seccomp_names_join(SECCOMP_NAME_ACTION, expected, sizeof(expected));
                return json_error(err, parent, key, "unknown action \"%s\" (expected one of: %s)", *name, expected);
        }
        return 0;
}

static int check_names(char **values, const char *parent, const char *key, enum seccomp_name_kind kind,
                       const char *what, struct error **err)
{
        for (size_t i = 0; values && values[i]; i++) {
                if (seccomp_name_is_known(kind, values[i]))
                        continue;
                _cleanup_free_ char *p = json_path_key_index(parent, key, i);
                if (!p)
                        return json_error_oom(err);
                return json_error(err, p, NULL, "unknown %s \"%s\"", what, values[i]);
        }
        return 0;
}

static int parse_arg(struct json_object *e, const char *p, size_t i, void *array, struct error **err)
{
        struct oci_seccomp_arg *a = &((struct oci_seccomp_arg *)array)[i];
        int64_t index = 0;
        _cleanup_free_ char *op = NULL;
        int r;
        if ((r = json_get_int_range(e, p, "index", 0, SECCOMP_MAX_ARG_INDEX, &index, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, p, "index");
        a->index = (unsigned)index;
        if ((r = json_get_uint64(e, p, "value", &a->value, err)) <= 0)
                return r < 0 ? r : json_error_missing(err, p, "value");
        if ((r = json_get_uint64(e, p, "valueTwo", &a->value_two, err)) < 0)
                return r;
        if ((r = json_require_string(e, p, "op", &op, err)) < 0)
                return r;
        int value = seccomp_op_from_name(op);
        if (value >= 0) {
                a->op = value;
                return 0;
        }
        char expected[256];
        seccomp_names_join(SECCOMP_NAME_OPERATOR, expected, sizeof(expected));
        return json_error(err, p, "op", "unknown operator \"%s\" (expected one of: %s)", op, expected);
}

static void syscall_clear(struct oci_seccomp_syscall *s)
{
        spec_strv_free(s->names);
        free(s->action_name);
        free(s->args);
}

static int parse_syscall(struct json_object *e, const char *p, size_t i, void *array, struct error **err)
{
        struct oci_seccomp_syscall *s = &((struct oci_seccomp_syscall *)array)[i];
        int r;
        if ((r = json_get_strv(e, p, "names", true, &s->names, err)) < 0)
                return r;
        if (r == 0)
                return json_error(err, p, "names", "expected a non-empty array of strings");
        if ((r = get_action(e, p, "action", &s->action_name, &s->action, err)) < 0)
                return r;
        if ((r = json_get_uint32(e, p, "errnoRet", &s->errno_ret, err)) < 0)
                return r;
        s->has_errno_ret = r > 0;
        if (s->has_errno_ret && !seccomp_action_takes_errno(s->action_name))
                return json_error(err, p, "errnoRet", "only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
                                  s->action_name);

        r = spec_parse_object_array(e, p, "args", sizeof(struct oci_seccomp_arg), &s->args, &s->n_args, parse_arg, err);
        return r < 0 ? r : 0;
}

void spec_seccomp_free(struct oci_seccomp *s)
{
        if (!s)
                return;
        free(s->default_action);
        spec_strv_free(s->architectures);
        spec_strv_free(s->flags);
        free(s->listener_path);
        free(s->listener_metadata);
        for (size_t i = 0; i < s->n_syscalls; i++)
                syscall_clear(&s->syscalls[i]);
        free(s->syscalls);
        free(s);
}

static void seccomp_freep(struct oci_seccomp **s)
{
        spec_seccomp_free(*s);
}

int spec_parse_seccomp(struct json_object *obj, const char *path, struct oci_seccomp **out, struct error **err)
{
        _cleanup_(seccomp_freep) struct oci_seccomp *s = calloc(1, sizeof(*s));
        uint32_t default_action = 0;
        int r;
        if (!s)
                return json_error_oom(err);
        if ((r = get_action(obj, path, "defaultAction", &s->default_action, &default_action, err)) < 0)
                return r;
        if ((r = json_get_uint32(obj, path, "defaultErrnoRet", &s->default_errno_ret, err)) < 0)
                return r;
        s->has_default_errno_ret = r > 0;
        if (s->has_default_errno_ret && !seccomp_action_takes_errno(s->default_action))
                return json_error(err, path, "defaultErrnoRet",
                                  "only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s", s->default_action);
        if ((r = json_get_strv(obj, path, "architectures", false, &s->architectures, err)) < 0)
                return r;
        if ((r = check_names(s->architectures, path, "architectures", SECCOMP_NAME_ARCH, "architecture", err)) < 0)
                return r;
        if ((r = json_get_strv(obj, path, "flags", false, &s->flags, err)) < 0)
                return r;
        /* An absent list and an empty one differ: crun defaults to SPEC_ALLOW only when it is absent. */
        s->has_flags = r > 0;
        if ((r = check_names(s->flags, path, "flags", SECCOMP_NAME_FLAG, "seccomp flag", err)) < 0)
                return r;
        if ((r = json_get_string(obj, path, "listenerPath", &s->listener_path, err)) < 0)
                return r;
        if ((r = json_get_string(obj, path, "listenerMetadata", &s->listener_metadata, err)) < 0)
                return r;
        if (s->listener_metadata && !s->listener_path)
                return json_error(err, path, "listenerMetadata", "requires listenerPath");

        if ((r = spec_parse_object_array(obj, path, "syscalls", sizeof(struct oci_seccomp_syscall), &s->syscalls,
                                         &s->n_syscalls, parse_syscall, err)) < 0)
                return r;
        *out = TAKE_PTR(s);
        return 0;
}
