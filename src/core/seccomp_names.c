/* Name tables of linux.seccomp (see seccomp_names.h). The order of each table is the spec's, which is
 * the order `features` lists them in. */
#include "core/seccomp_names.h"

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
    {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
    {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
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
    {"SCMP_ARCH_SH", SCMP_ARCH_SH},
    {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
};

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

const char *seccomp_name_at(enum seccomp_name_kind kind, size_t i)
{
        switch (kind) {
        case SECCOMP_NAME_ACTION:
                return i < ARRAY_SIZE(actions) ? actions[i].name : NULL;
        case SECCOMP_NAME_OPERATOR:
                return i < ARRAY_SIZE(ops) ? ops[i].name : NULL;
        case SECCOMP_NAME_ARCH:
                return i < ARRAY_SIZE(arches) ? arches[i].name : NULL;
        case SECCOMP_NAME_FLAG:
                return i < ARRAY_SIZE(flags) ? flags[i].name : NULL;
        }
        return NULL;
}

void seccomp_names_join(enum seccomp_name_kind kind, char *buf, size_t size)
{
        buf[0] = '\0';
        const char *name;
        for (size_t i = 0; (name = seccomp_name_at(kind, i)); i++) {
                if (i)
                        strncat(buf, ", ", size - strlen(buf) - 1);
                strncat(buf, name, size - strlen(buf) - 1);
        }
}

/* Index of `name` in the table of `kind`; -1 when absent (or NULL). */
static int name_index(enum seccomp_name_kind kind, const char *name)
{
        const char *n;
        for (size_t i = 0; name && (n = seccomp_name_at(kind, i)); i++)
                if (strcmp(n, name) == 0)
                        return (int)i;
        return -1;
}

bool seccomp_name_is_known(enum seccomp_name_kind kind, const char *name)
{
        return name_index(kind, name) >= 0;
}

int seccomp_action_from_name(const char *name, uint32_t errno_ret, uint32_t *action)
{
        int i = name_index(SECCOMP_NAME_ACTION, name);
        if (i < 0)
                return -1;
        *action = actions[i].takes_errno ? actions[i].action | (errno_ret & 0xffffU) : actions[i].action;
        return 0;
}

bool seccomp_action_takes_errno(const char *name)
{
        int i = name_index(SECCOMP_NAME_ACTION, name);
        return i >= 0 && actions[i].takes_errno;
}

const char *seccomp_action_name(uint32_t action)
{
        for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
                if (actions[i].action == action && !actions[i].takes_errno)
                        return actions[i].name;
        return NULL;
}

int seccomp_arch_from_name(const char *name, uint32_t *arch)
{
        int i = name_index(SECCOMP_NAME_ARCH, name);
        if (i < 0)
                return -1;
        if (arches[i].arch == 0)
                return -2;
        *arch = arches[i].arch;
        return 0;
}

int seccomp_flag_from_name(const char *name, int *attr)
{
        int i = name_index(SECCOMP_NAME_FLAG, name);
        if (i < 0)
                return -1;
        if (flags[i].attr < 0)
                return -2;
        *attr = flags[i].attr;
        return 0;
}

int seccomp_op_from_name(const char *name)
{
        int i = name_index(SECCOMP_NAME_OPERATOR, name);
        return i < 0 ? -1 : ops[i].op;
}
