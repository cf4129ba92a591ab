/* The pure half of linux.seccomp: validation and the listener payload (the name tables are
 * seccomp_names.c). No syscalls. */
#include "linux/seccomp_filter.h"

#include <errno.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/seccomp_names.h"

/* The action of a rule: the parser keeps the name; fall back to its number when only that is set. */
static const char *rule_action_name(const struct oci_seccomp_syscall *sc)
{
        return sc->action_name ? sc->action_name : seccomp_action_name(sc->action);
}

static int check_action(const char *path, const char *name, bool has_errno, struct error **err)
{
        if (!name)
                return error_set(err, EINVAL, "%s: missing", path);
        uint32_t action;
        if (seccomp_action_from_name(name, 0, &action) < 0) {
                char expected[256];
                seccomp_names_join(SECCOMP_NAME_ACTION, expected, sizeof(expected));
                return error_set(err, EINVAL, "%s: unknown action `%s` (expected one of: %s)", path, name, expected);
        }
        if (has_errno && !seccomp_action_takes_errno(name))
                return error_set(err, EINVAL,
                                 "%s: errno value specified for action `%s` (only SCMP_ACT_ERRNO and "
                                 "SCMP_ACT_TRACE take one)",
                                 path, name);
        return 0;
}

static int check_syscall(const struct oci_seccomp_syscall *sc, size_t i, struct error **err)
{
        char path[96];
        snprintf(path, sizeof(path), "linux.seccomp.syscalls[%zu].action", i);
        int r = check_action(path, rule_action_name(sc), sc->has_errno_ret, err);
        if (r < 0)
                return r;
        if (!sc->names || !sc->names[0])
                return error_set(err, EINVAL, "linux.seccomp.syscalls[%zu].names: expected at least one name", i);
        for (size_t j = 0; j < sc->n_args; j++) {
                const struct oci_seccomp_arg *a = &sc->args[j];
                if (a->index > SECCOMP_MAX_ARG_INDEX)
                        return error_set(err, EINVAL,
                                         "linux.seccomp.syscalls[%zu].args[%zu].index: %u out of range (0..5)", i, j,
                                         a->index);
                if (a->op < SCMP_CMP_NE || a->op > SCMP_CMP_MASKED_EQ)
                        return error_set(err, EINVAL, "linux.seccomp.syscalls[%zu].args[%zu].op: invalid operator %d",
                                         i, j, a->op);
        }
        return 0;
}

int seccomp_validate(const struct oci_seccomp *s, struct error **err)
{
        int r = check_action("linux.seccomp.defaultAction", s->default_action, s->has_default_errno_ret, err);
        if (r < 0)
                return r;
        for (size_t i = 0; s->architectures && s->architectures[i]; i++) {
                uint32_t arch;
                r = seccomp_arch_from_name(s->architectures[i], &arch);
                if (r == -1)
                        return error_set(err, EINVAL, "linux.seccomp.architectures[%zu]: unknown architecture `%s`", i,
                                         s->architectures[i]);
                if (r == -2)
                        return error_set(err, ENOTSUP,
                                         "linux.seccomp.architectures[%zu]: `%s` is not supported by libseccomp %d.%d",
                                         i, s->architectures[i], SCMP_VER_MAJOR, SCMP_VER_MINOR);
        }
        for (size_t i = 0; s->flags && s->flags[i]; i++) {
                int attr;
                r = seccomp_flag_from_name(s->flags[i], &attr);
                if (r == -1) {
                        char expected[256];
                        seccomp_names_join(SECCOMP_NAME_FLAG, expected, sizeof(expected));
                        return error_set(err, EINVAL,
                                         "linux.seccomp.flags[%zu]: unknown flag `%s` (expected one of: %s)", i,
                                         s->flags[i], expected);
                }
                if (r == -2)
                        return error_set(err, ENOTSUP,
                                         "linux.seccomp.flags[%zu]: `%s` is not supported by libseccomp %d.%d", i,
                                         s->flags[i], SCMP_VER_MAJOR, SCMP_VER_MINOR);
        }
        if (s->listener_metadata && !s->listener_path)
                return error_set(err, EINVAL, "linux.seccomp.listenerMetadata: set without listenerPath");
        for (size_t i = 0; i < s->n_syscalls; i++) {
                r = check_syscall(&s->syscalls[i], i, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

char *seccomp_listener_payload(const char *metadata, pid_t pid, const char *state_json)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "ociVersion", json_object_new_string("1.0.0"));
        struct json_object *fds = json_object_new_array();
        json_object_array_add(fds, json_object_new_string("seccompFd"));
        json_object_object_add(o, "fds", fds);
        json_object_object_add(o, "pid", json_object_new_int64(pid));
        if (metadata)
                json_object_object_add(o, "metadata", json_object_new_string(metadata));
        struct json_object *st = state_json ? json_tokener_parse(state_json) : NULL;
        json_object_object_add(o, "state", st ? st : json_object_new_object());
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        char *out = text ? strdup(text) : NULL;
        json_object_put(o);
        return out;
}

int seccomp_blame_profile(struct error **err)
{
        int errnum = *err ? (*err)->errnum : 0;
        if (errnum != EPERM && errnum != ENOSYS)
                return -(errnum ? errnum : 1);
        return error_prefix(err,
                            "linux.seccomp: the profile, loaded before the user switch (noNewPrivileges is false), "
                            "must allow " SECCOMP_RUNTIME_SYSCALLS_AFTER_LOAD);
}
