/* The libkrun configuration as an ordered list of calls (krun-mode.md §2.4), computed from a resolved
 * vm_config. Pure: the handler validates the plan at create (every symbol it names must resolve) and
 * replays it through dlsym'd pointers in the container init. Strings and vectors are borrowed from the
 * inputs, which must outlive the plan. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "executor/krun/vm_config.h"
#include "oci/spec.h"

enum krun_call_id {
        KRUN_CALL_SET_LOG_LEVEL,
        KRUN_CALL_SET_ROOT_DISK,
        KRUN_CALL_SET_TEE_CONFIG_FILE,
        KRUN_CALL_ADD_VIRTIOFS2,
        KRUN_CALL_SET_CONSOLE_OUTPUT,
        KRUN_CALL_SET_EXEC,
        KRUN_CALL_SET_VM_CONFIG,
        KRUN_CALL_SET_RLIMITS,
        KRUN_CALL_SET_GPU_OPTIONS,
        KRUN_CALL_CHECK_NESTED_VIRT,
        KRUN_CALL_SET_NESTED_VIRT,
        KRUN_CALL_ADD_NET_UNIXSTREAM,
        KRUN_CALL_SET_KERNEL,
        KRUN_CALL_START_ENTER,
        KRUN_CALL_COUNT
};

/* The fixed MAC crun gives the passt NIC (5a:94:ef:e4:0c:ee). */
extern const uint8_t krun_passt_mac[6];

struct krun_call {
        enum krun_call_id id;
        bool is_optional; /* a missing symbol skips the call instead of failing */
        const char *path; /* root disk, tee config, virtiofs dir, console output, exec path, kernel */
        const char *tag;  /* virtiofs2 */
        const char *initrd, *cmdline;
        const char *const *argv, *const *envp; /* set_exec; set_rlimits: argv holds the items */
        uint64_t value;                        /* log level, DAX size, gpu flags, kernel format, nested on/off */
        uint8_t vcpus;
        uint32_t ram_mib;
        int fd; /* add_net_unixstream: the passt socket */
        uint32_t features, flags;
        bool retry_without_flags; /* -EINVAL -> call again with flags 0 (libkrun < 1.18 rejects any flag) */
};

#define KRUN_PLAN_MAX 16

struct krun_plan {
        struct krun_call calls[KRUN_PLAN_MAX];
        size_t n;
};

struct krun_plan_input {
        const struct vm_config *cfg;
        int log_level;         /* the runtime's LOG_ERROR / LOG_WARNING / LOG_DEBUG */
        int passt_fd;          /* -1 until passt runs (the plan built at create only checks symbols) */
        const char *exec_path; /* aws-nitro: the workload, given to krun_set_exec */
        const char *const *argv, *const *envp;
        const char *const *rlimits; /* krun_rlimit_items(process.rlimits); NULL or empty: no call */
};

void krun_plan_build(const struct krun_plan_input *in, struct krun_plan *out);
/* The exported libkrun symbol of a call ("krun_set_vm_config"). */
const char *krun_call_symbol(enum krun_call_id id);
/* process.rlimits as krun_set_rlimits items "RESOURCE=SOFT:HARD": the numeric Linux resource (7 for
 * RLIMIT_NOFILE; the guest init reads a number) and decimal values (unlimited = 18446744073709551615).
 * NULL-terminated heap vector, NULL on ENOMEM. Pure. */
char **krun_rlimit_items(const struct oci_rlimit *rl, size_t n);
/* Runtime verbosity -> krun_set_log_level value: debug 4, warning 2, otherwise 1. */
uint32_t krun_log_level_for(int log_level);
