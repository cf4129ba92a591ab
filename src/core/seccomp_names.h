/* The seccomp vocabulary of the OCI spec (schema/defs-linux.json: actions, operators, architectures,
 * filter flags) and the libseccomp value of each name. One table for everyone who names them: the
 * config.json parser (src/oci/spec_seccomp.c), the validation and filter code (src/linux/seccomp.c,
 * seccomp_filter.c) and `features`. Pure: lookups only, no syscalls. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum seccomp_name_kind {
        SECCOMP_NAME_ACTION,
        SECCOMP_NAME_OPERATOR,
        SECCOMP_NAME_ARCH,
        SECCOMP_NAME_FLAG,
};

/* The largest syscall argument index the kernel passes (six arguments). */
#define SECCOMP_MAX_ARG_INDEX 5

/* The i-th name of a kind, in the spec's order; NULL past the last. Every name the spec defines is listed,
 * also those the linked libseccomp cannot use (the *_from_name lookups say which). */
const char *seccomp_name_at(enum seccomp_name_kind kind, size_t i);
/* Whether the spec defines `name` as one of `kind` (supported by the linked libseccomp or not). */
bool seccomp_name_is_known(enum seccomp_name_kind kind, const char *name);
/* "A, B, C": every name of a kind, for "expected one of" messages; truncated to `size`. */
void seccomp_names_join(enum seccomp_name_kind kind, char *buf, size_t size);

/* Name -> SCMP_ACT_* (errno_ret is folded into ERRNO and TRACE). -1 when unknown. */
int seccomp_action_from_name(const char *name, uint32_t errno_ret, uint32_t *action);
/* Whether an action accepts errnoRet (SCMP_ACT_ERRNO, SCMP_ACT_TRACE); false for unknown names. */
bool seccomp_action_takes_errno(const char *name);
/* The name of an action value that carries no errno; NULL when none matches. */
const char *seccomp_action_name(uint32_t action);
/* SCMP_ARCH_* name -> token. -1 unknown, -2 known to the spec but not to the linked libseccomp. */
int seccomp_arch_from_name(const char *name, uint32_t *arch);
/* SECCOMP_FILTER_FLAG_* name -> libseccomp filter attribute (enum scmp_filter_attr).
 * -1 unknown, -2 not supported by the linked libseccomp. */
int seccomp_flag_from_name(const char *name, int *attr);
/* SCMP_CMP_* name -> enum scmp_compare; -1 when unknown. */
int seccomp_op_from_name(const char *name);
