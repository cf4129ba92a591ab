/* The pure half of linux.seccomp: name tables and validation. No syscalls. */
#include "linux/seccomp_filter.h"

#include <errno.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <string.h>

#include "core/cleanup.h"

struct action_name {
        const char *name;
        uint32_t action;
        bool takes_errno;
};

static const struct action_name actions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
};

static const struct action_name *find_action(const char *name)
{
        for (size_t i = 0; name && i < ARRAY_SIZE(actions); i++)
                if (strcmp(actions[i].name, name) == 0)
                        return &actions[i];
        return NULL;
}

int seccomp_action_from_name(const char *name, uint32_t errno_ret, uint32_t *action)
{
        const struct action_name *a = find_action(name);
        if (!a)
                return -1;
        *action = a->takes_errno ? a->action | (errno_ret & 0xffffU) : a->action;
        return 0;
}

bool seccomp_action_takes_errno(const char *name)
{
        const struct action_name *a = find_action(name);
        return a && a->takes_errno;
}

/* Architectures the spec names; 0 marks one the linked libseccomp does not know yet. */
#ifndef SCMP_ARCH_LOONGARCH64
#define SCMP_ARCH_LOONGARCH64 0
#endif
#ifndef SCMP_ARCH_M68K
#define SCMP_ARCH_M68K 0
#endif
#ifndef SCMP_ARCH_SH
#define SCMP_ARCH_SH 0
#endif
#ifndef SCMP_ARCH_SHEB
#define SCMP_ARCH_SHEB 0
#endif

static const struct {
        const char *name;
        uint32_t arch;
} arches[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
    {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
    {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
    {"SCMP_ARCH_SH", SCMP_ARCH_SH},
    {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
};

int seccomp_arch_from_name(const char *name, uint32_t *arch)
{
        for (size_t i = 0; name && i < ARRAY_SIZE(arches); i++) {
                if (strcmp(arches[i].name, name) != 0)
                        continue;
                if (arches[i].arch == 0)
                        return -2;
                *arch = arches[i].arch;
                return 0;
        }
        return -1;
}

/* WAIT_KILLABLE_RECV appeared in libseccomp 2.6 as a filter attribute. */
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
#define ATTR_WAITKILL ((int)SCMP_FLTATR_CTL_WAITKILL)
#else
#define ATTR_WAITKILL (-2)
#endif

static const struct {
        const char *name;
        int attr;
} flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", ATTR_WAITKILL},
};

int seccomp_flag_from_name(const char *name, int *attr)
{
        for (size_t i = 0; name && i < ARRAY_SIZE(flags); i++) {
                if (strcmp(flags[i].name, name) != 0)
                        continue;
                if (flags[i].attr < 0)
                        return -2;
                *attr = flags[i].attr;
                return 0;
        }
        return -1;
}

static const struct {
        const char *name;
        int op;
} ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

int seccomp_op_from_name(const char *name)
{
        for (size_t i = 0; name && i < ARRAY_SIZE(ops); i++)
                if (strcmp(ops[i].name, name) == 0)
                        return ops[i].op;
        return -1;
}

/* The action of a rule: the parser keeps the name; fall back to its number when only that is set. */
static const char *rule_action_name(const struct oci_seccomp_syscall *sc)
{
        if (sc->action_name)
                return sc->action_name;
        for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
                if (actions[i].action == sc->action && !actions[i].takes_errno)
                        return actions[i].name;
        return NULL;
}

static int check_action(const char *path, const char *name, bool has_errno, struct error **err)
{
        if (!name)
                return error_set(err, EINVAL, "%s: missing", path);
        if (!find_action(name))
                return error_set(err, EINVAL,
                                 "%s: unknown action `%s` (expected one of: SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, "
                                 "SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, "
                                 "SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY)",
                                 path, name);
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
                if (a->index > 5)
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
                if (r == -1)
                        return error_set(err, EINVAL,
                                         "linux.seccomp.flags[%zu]: unknown flag `%s` (expected one of: "
                                         "SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, "
                                         "SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)",
                                         i, s->flags[i]);
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
