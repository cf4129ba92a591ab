/* Internals of src/cgroup shared between its files and its unit tests. Not for other modules:
 * everything outside src/cgroup goes through cgroup.h. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"
#include "oci/spec.h"

/* ---- layout.c: which hierarchies are mounted where (pure parsing + one detection call) ---- */

enum cgroup_mode { CGROUP_MODE_V1, CGROUP_MODE_V2, CGROUP_MODE_HYBRID };

struct cgroup_hierarchy {
        char *mount;       /* e.g. "/sys/fs/cgroup/cpu,cpuacct" */
        char *controllers; /* comma list from the super options, e.g. "cpu,cpuacct" or "name=systemd" */
};

struct cgroup_layout {
        enum cgroup_mode mode;
        char *unified; /* cgroup2 mount point, NULL on pure v1 */
        struct cgroup_hierarchy *v1;
        size_t n_v1;
        /* cgroup.controllers of the unified root, read once by cgroup_dirs_open (NULL until then, or when
         * unreadable): create needs it twice (v2_mask, subtree_control), and a layout kept from create
         * carries it to the delete of `run`. */
        char *unified_controllers;
};

/* Parse /proc/self/mountinfo text. cgroup2 at `root` (normally "/sys/fs/cgroup") means pure v2; v1
 * hierarchies plus a cgroup2 mount elsewhere is hybrid; v1 only is v1. The first mount of a hierarchy
 * wins (later ones are bind mounts of it). Errors when there is no cgroup mount at all. */
int cgroup_layout_parse(const char *mountinfo, const char *root, struct cgroup_layout *out, struct error **err);
/* Reads /proc/self/mountinfo; cross-checks pure v2 with statfs(2) magic on /sys/fs/cgroup. */
int cgroup_layout_detect(struct cgroup_layout *out, struct error **err);
void cgroup_layout_clear(struct cgroup_layout *l);
/* Deep copy (a layout kept past the cgroup_dirs it was detected for). -ENOMEM, *out zeroed, on failure. */
int cgroup_layout_copy(const struct cgroup_layout *l, struct cgroup_layout *out);
/* Does `list` (comma separated) contain `name`? Pure. */
bool cgroup_list_has(const char *list, const char *name);
/* The v1 hierarchy carrying `controller` ("memory", "name=systemd"), or NULL. */
const struct cgroup_hierarchy *cgroup_layout_v1(const struct cgroup_layout *l, const char *controller);
/* From /proc/<pid>/cgroup text: the path of `controller` ("" = the unified "0::" line). NULL when absent. */
char *cgroup_proc_path(const char *proc_cgroup, const char *controller);
/* Does a space separated cgroup.controllers line contain `name`? Pure. */
bool cgroup_word_has(const char *words, const char *name);
/* The value of `key` in a flat keyed file ("key value" lines: cgroup.events, memory.events,
 * memory.oom_control). Pure. -1 when the key is absent or its value is not a number. */
int cgroup_keyed_value(const char *text, const char *key, unsigned long long *out);

/* ---- resources.c (pure): OCI resources -> controller file writes ---- */

enum cgroup_ctrl {
        CG_CPU,
        CG_CPUSET,
        CG_MEMORY,
        CG_PIDS,
        CG_BLKIO, /* "blkio" on v1, "io" on v2 */
        CG_HUGETLB,
        CG_NET_CLS,
        CG_NET_PRIO,
        CG_RDMA,
        CG_DEVICES,
        CG_CTRL_COUNT
};
const char *cgroup_ctrl_name(enum cgroup_ctrl c, int version);

enum {
        CGW_IF_EXISTS = 1 << 0,   /* skip silently when the file does not exist (optional kernel feature) */
        CGW_SWAP_ORDER = 1 << 1,  /* v1 memory limit: on EINVAL write the next entry (memsw) first, retry */
        CGW_CHECK_USAGE = 1 << 2, /* memory.checkBeforeUpdate: refuse a limit at or below current usage */
};

struct cgroup_write {
        enum cgroup_ctrl ctrl;
        char *file;     /* relative to the container's cgroup dir */
        char *value;    /* written as is (one write) */
        char *alt_file; /* used instead when `file` does not exist (io.bfq.weight -> io.weight), or NULL */
        char *alt_value;
        const char *what; /* the OCI field, for messages: "memory.limit" */
        unsigned flags;
};

struct cgroup_writes {
        struct cgroup_write *w;
        size_t n;
};

/* Translate for cgroup `version` (1 or 2). Only controllers whose bit (1 << CG_x) is in `ctrl_mask` are
 * translated: a hybrid host asks v1 for its v1 controllers and v2 for the rest. Devices are not part of
 * this (see cgroup_devices_v1 / the bpf program); neither is `unified` (cgroup_unified_check). Errors name
 * the OCI field and why it cannot be applied on that version. */
int cgroup_resources_translate(const struct oci_resources *r, int version, unsigned ctrl_mask,
                               struct cgroup_writes *out, struct error **err);
/* Bit mask of the controllers `r` needs (CG_DEVICES only when there are device rules). */
unsigned cgroup_resources_controllers(const struct oci_resources *r);
void cgroup_writes_clear(struct cgroup_writes *w);
/* cpu.shares -> cpu.weight (the conversion crun and runc use today). 0 -> 0 (= unset). */
uint64_t cgroup_shares_to_weight(uint64_t shares);
/* blkio weight (10..1000) -> io.weight (1..10000). */
uint64_t cgroup_blkio_to_io_weight(uint64_t w);
/* "2MB" -> "2MB" check and byte size (base 1024); -1 when malformed. */
int cgroup_hugepage_size(const char *page_size, uint64_t *bytes);
/* A `unified` key must be a plain file name "controller.file". Pure. */
int cgroup_unified_check(const char *key, struct error **err);
/* The device rules as v1 lines, in write order: a deny-all first, the user rules, then the default
 * allow-list. `files[i]` is "devices.allow" or "devices.deny". NULL-terminated vectors. */
int cgroup_devices_v1(const struct oci_device_rule *rules, size_t n, char ***files, char ***lines, struct error **err);
/* Validate type and access of every rule. Pure. */
int cgroup_devices_check(const struct oci_device_rule *rules, size_t n, struct error **err);
/* The default device rules crun and runc always add. */
extern const struct oci_device_rule cgroup_default_device_rules[];
extern const size_t cgroup_n_default_device_rules;

/* ---- devices_bpf.c: the v2 device filter ---- */

struct bpf_insn;
/* Assemble a BPF_PROG_TYPE_CGROUP_DEVICE program (pure): user rules then the default allow-list, the
 * last matching rule wins, unmatched access is denied. *insns is malloc'd. */
int cgroup_bpf_devices_program(const struct oci_device_rule *rules, size_t n, struct bpf_insn **insns, size_t *n_insns,
                               struct error **err);
/* Load it and attach it to the cgroup directory `cgroup_fd`, replacing programs attached earlier by us. */
int cgroup_bpf_devices_attach(int cgroup_fd, const struct oci_device_rule *rules, size_t n, struct error **err);

/* ---- fs.c helpers: file writes with messages that name file and value ---- */

/* Write `value` to dir/file; errors "DIR/FILE: write `VALUE`: <errno>". */
int cgroup_write_file(const char *dir, const char *file, const char *value, struct error **err);
int cgroup_read_file(const char *dir, const char *file, char **out);

/* ---- apply.c ---- */

/* Where a container's cgroup lives, resolved against a layout. */
struct cgroup_dirs {
        struct cgroup_layout layout;
        char *unified;    /* full path of the container dir in the unified hierarchy, NULL if none */
        char **v1;        /* full path per layout.v1[i] */
        unsigned v1_mask; /* controllers (1 << CG_x) handled by v1 hierarchies */
        unsigned v2_mask; /* controllers available in the unified hierarchy and not on v1 */
        bool is_rootless; /* no device rules: see cgroup_apply */
};
/* `known`: the layout an earlier call in this process found (copied), NULL to detect it. */
int cgroup_dirs_open(const char *path, const struct cgroup_layout *known, struct cgroup_dirs *d, struct error **err);
void cgroup_dirs_clear(struct cgroup_dirs *d);
/* Write resources into existing dirs (create and update). */
int cgroup_apply(const struct cgroup_dirs *d, const struct oci_resources *r, bool is_update, struct error **err);

/* ---- rt_budget.c: real-time CPU time for v1 cpu cgroups ---- */

enum { CGROUP_RT_DEFAULT_RUNTIME_US = 10000, CGROUP_RT_DEFAULT_PERIOD_US = 1000000 };
struct cgroup_rt_budget {
        bool is_explicit;   /* from linux.resources.cpu.realtimeRuntime */
        int64_t runtime_us; /* <= 0: nothing to give */
        uint64_t period_us;
};
/* Does process.scheduler ask for SCHED_FIFO or SCHED_RR? Pure. */
bool cgroup_rt_budget_wanted(const struct oci_spec *spec);
/* The budget for the cgroups on the way to the container's (and the container's own when not explicit). Pure. */
void cgroup_rt_budget_choose(const struct oci_resources *res, bool wants_rt, struct cgroup_rt_budget *b);
/* `leaf`: the container's dir in the v1 cpu hierarchy; `made`: every dir this create made, parents first. */
int cgroup_v1_rt_budget(const char *leaf, char *const *made, size_t n_made, const struct oci_resources *res,
                        bool wants_rt, struct error **err);

/* ---- cgroupfs.c: the cgroupfs driver, on a path below the hierarchy roots ---- */
/* `known`: a layout found earlier in this process (NULL: detect); `keep`: when not NULL, receives a copy of
 * the layout used, for a later destroy in the same process. */
/* `adopt`: the leaf may already hold `pid` (systemd put it there), skip the "already in use" check.
 * `is_rootless`: a delegated cgroup of an unprivileged user, where device rules are left out.
 * `wants_rt`: the process asks for a real-time policy (cgroup_rt_budget_wanted). */
int cgroupfs_create(const char *path, const struct oci_resources *res, pid_t pid, bool adopt, bool is_rootless,
                    bool wants_rt, const struct cgroup_layout *known, struct cgroup_layout *keep, struct error **err);
int cgroupfs_destroy(const char *path, const struct cgroup_layout *known, struct error **err);
int cgroupfs_update(const char *path, const struct oci_resources *res, struct error **err);
int cgroupfs_enter(const char *path, pid_t pid, const char *sub, struct error **err);
int cgroupfs_pids(const char *path, pid_t **pids, size_t *n, struct error **err);
int cgroupfs_kill_all(const char *path, int signo, struct error **err);

/* ---- freezer.c ---- */
int cgroup_dirs_freeze(const struct cgroup_dirs *d, bool freeze, struct error **err);
int cgroup_dirs_is_frozen(const struct cgroup_dirs *d);
/* How many times the OOM killer killed in the memory cgroup (v1 memory.oom_control or v2
 * memory.events); -1 when unknown. */
long long cgroup_dirs_oom_kills(const struct cgroup_dirs *d);

/* ---- cgroup.c (pure) ---- */
/* The cgroupfs path of a container: crun's rules (see cgroup.h). */
int cgroup_resolve_path(const char *id, const char *cgroups_path, char **out, struct error **err);

/* ---- systemd.c ---- */
/* Split a systemd "slice:prefix:name" value. Pure. */
int cgroup_systemd_split(const char *value, char **slice, char **prefix, char **name, struct error **err);
/* Transient scope over D-Bus; *path is the cgroup (below the roots) systemd put pid in, plus `sub`. */
int cgroup_systemd_create(const char *id, const char *cgroups_path, const char *sub, pid_t pid, char **scope,
                          char **path, struct error **err);
int cgroup_systemd_stop(const char *scope, struct error **err);
