/* The typed config.json: struct oci_spec and its parts, as the parser (spec*.c) fills them. Only data:
 * the parser's entry points, freeing and lookups are in spec.h. A header of its own so that the shared
 * parse helpers (spec_parse.h) and the section parsers can name these types without depending on the
 * top-level parser that calls them. Optional scalars carry a has_* flag: absent means "do not touch". */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/namespaces.h"

struct oci_kv {
        char *key;
        char *value;
};

struct oci_id_mapping {
        uint32_t container_id, host_id, size;
};

struct oci_namespace {
        enum oci_ns_type type;
        char *path; /* NULL: create a new namespace */
};

struct oci_rlimit {
        int resource; /* RLIMIT_* */
        uint64_t soft, hard;
};

/* Capability sets as bitmasks indexed by CAP_* number. */
struct oci_caps {
        uint64_t bounding, effective, inheritable, permitted, ambient;
};

/* process.scheduler: sched_setattr(2) values; policy/flags already translated from their names. */
struct oci_scheduler {
        uint32_t policy; /* SCHED_* */
        int32_t nice;
        uint32_t priority;
        uint64_t flags; /* SCHED_FLAG_* */
        uint64_t runtime, deadline, period;
};

struct oci_process {
        bool terminal;
        bool has_console_size;
        uint32_t console_height, console_width;
        char *cwd;
        char **args; /* NULL-terminated, >= 1 entry */
        char **env;  /* NULL-terminated, may be empty */
        uint32_t uid, gid;
        bool has_umask;
        uint32_t umask;
        uint32_t *additional_gids;
        size_t n_additional_gids;
        bool has_additional_gids;
        bool has_caps;
        struct oci_caps caps;
        struct oci_rlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        char *apparmor_profile;
        char *selinux_label;
        bool has_oom_score_adj;
        int oom_score_adj;
        bool has_user;  /* process.user present (exec: absent = use the container's user) */
        char *username; /* process.user.username, informational on Linux; NULL when absent */
        bool has_scheduler;
        struct oci_scheduler scheduler;
        bool has_io_priority;
        int io_priority_class; /* IOPRIO_CLASS_* number */
        int io_priority;       /* 0..7 */
        /* process.execCPUAffinity, as written ("0-3,7"), validated; NULL when absent. */
        char *cpu_affinity_initial, *cpu_affinity_final;
};

struct oci_mount {
        char *destination; /* absolute (a relative one is made absolute against "/") */
        char *type;        /* NULL allowed for bind mounts */
        char *source;      /* as written; relative bind sources are resolved against the bundle later */
        char **options;    /* NULL-terminated, as written */
        struct oci_id_mapping *uid_mappings, *gid_mappings;
        size_t n_uid_mappings, n_gid_mappings;
};

struct oci_device {
        char type; /* 'c', 'b', 'u', 'p' */
        char *path;
        int64_t major, minor;
        bool has_file_mode, has_uid, has_gid;
        uint32_t file_mode, uid, gid;
};

struct oci_device_rule {
        bool allow;
        char type;            /* 'a', 'c', 'b' */
        int64_t major, minor; /* -1 = wildcard */
        char access[4];       /* subset of "rwm" */
};

struct oci_weight_device {
        int64_t major, minor;
        bool has_weight, has_leaf_weight;
        uint16_t weight, leaf_weight;
};

struct oci_throttle_device {
        int64_t major, minor;
        uint64_t rate;
};

struct oci_hugepage_limit {
        char *page_size;
        uint64_t limit;
};

struct oci_net_priority {
        char *name;
        uint32_t priority;
};

struct oci_rdma_limit {
        char *device;
        bool has_hca_handles, has_hca_objects;
        uint32_t hca_handles, hca_objects;
};

/* linux.resources; every field optional. */
struct oci_resources {
        struct oci_device_rule *devices;
        size_t n_devices;

        bool has_memory_limit, has_memory_reservation, has_memory_swap, has_memory_kernel, has_memory_kernel_tcp,
            has_memory_swappiness, has_disable_oom_killer, has_use_hierarchy, has_check_before_update;
        int64_t memory_limit, memory_reservation, memory_swap, memory_kernel, memory_kernel_tcp;
        uint64_t memory_swappiness;
        bool disable_oom_killer, use_hierarchy, check_before_update;

        bool has_cpu_shares, has_cpu_quota, has_cpu_period, has_cpu_burst, has_cpu_rt_runtime, has_cpu_rt_period,
            has_cpu_idle;
        uint64_t cpu_shares, cpu_period, cpu_burst, cpu_rt_period;
        int64_t cpu_quota, cpu_rt_runtime, cpu_idle;
        char *cpu_cpus, *cpu_mems;

        bool has_pids_limit;
        int64_t pids_limit;

        bool has_blkio_weight, has_blkio_leaf_weight;
        uint16_t blkio_weight, blkio_leaf_weight;
        struct oci_weight_device *blkio_weight_devices;
        size_t n_blkio_weight_devices;
        struct oci_throttle_device *throttle_read_bps, *throttle_write_bps, *throttle_read_iops, *throttle_write_iops;
        size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops, n_throttle_write_iops;

        struct oci_hugepage_limit *hugepage_limits;
        size_t n_hugepage_limits;

        bool has_net_class_id;
        uint32_t net_class_id;
        struct oci_net_priority *net_priorities;
        size_t n_net_priorities;

        struct oci_rdma_limit *rdma;
        size_t n_rdma;

        struct oci_kv *unified;
        size_t n_unified;
};

struct oci_hook {
        char *path;
        char **args; /* NULL-terminated or NULL */
        char **env;  /* NULL-terminated or NULL (= inherit) */
        int timeout; /* seconds, 0 = none */
};

enum oci_hook_kind {
        HOOK_PRESTART,
        HOOK_CREATE_RUNTIME,
        HOOK_CREATE_CONTAINER,
        HOOK_START_CONTAINER,
        HOOK_POSTSTART,
        HOOK_POSTSTOP,
        HOOK_KIND_COUNT
};

struct oci_hooks {
        struct oci_hook *list[HOOK_KIND_COUNT];
        size_t n[HOOK_KIND_COUNT];
};

struct oci_seccomp_arg {
        unsigned index;
        uint64_t value, value_two;
        int op; /* enum scmp_compare value, filled by the parser from the name */
};

struct oci_seccomp_syscall {
        char **names;
        uint32_t action; /* SCMP_ACT_* without errno, see action_name */
        char *action_name;
        bool has_errno_ret;
        uint32_t errno_ret;
        struct oci_seccomp_arg *args;
        size_t n_args;
};

struct oci_seccomp {
        char *default_action;
        bool has_default_errno_ret;
        uint32_t default_errno_ret;
        char **architectures;
        char **flags;
        bool has_flags;
        char *listener_path, *listener_metadata;
        struct oci_seccomp_syscall *syscalls;
        size_t n_syscalls;
};

struct oci_linux {
        struct oci_namespace *namespaces;
        size_t n_namespaces;
        struct oci_id_mapping *uid_mappings, *gid_mappings;
        size_t n_uid_mappings, n_gid_mappings;
        struct oci_device *devices;
        size_t n_devices;
        char *cgroups_path;
        struct oci_resources *resources; /* NULL when absent */
        struct oci_kv *sysctl;
        size_t n_sysctl;
        char **masked_paths;
        char **readonly_paths;
        char *mount_label;
        char *rootfs_propagation;
        struct oci_seccomp *seccomp; /* NULL when absent */
        bool has_personality;
        char *personality_domain;
        struct oci_kv *net_devices; /* host name -> container name */
        size_t n_net_devices;
        /* linux.timeOffsets: index 0 = monotonic, 1 = boottime. */
        struct {
                bool set;
                int64_t secs;
                uint32_t nanosecs;
        } time_offsets[2];
        /* linux.memoryPolicy (set_mempolicy(2)): mode MPOL_*, flags MPOL_F_*, nodes as written. */
        bool has_memory_policy;
        int memory_policy_mode;
        unsigned memory_policy_flags;
        char *memory_policy_nodes;
};

struct oci_spec {
        char *oci_version;
        char *root_path; /* as written */
        bool root_readonly;
        char *hostname, *domainname;
        struct oci_process *process; /* NULL when absent */
        struct oci_mount *mounts;
        size_t n_mounts;
        struct oci_kv *annotations;
        size_t n_annotations;
        struct oci_hooks hooks;
        struct oci_linux linux_;
};
