/* What finally runs the workload. Nothing outside src/executor/ knows how (execve, libkrun, ...).
 * Hooks are called in this order by the create flow:
 *   load (runtime, before clone) -> adjust_spec (runtime, before clone)
 *   -> prepare_rootfs(PHASE_BEFORE_USERNS) (runtime, host credentials)
 *   -> prepare_rootfs(PHASE_AFTER_MOUNTS) (container init, mounts done, before pivot_root)
 *   -> keep_fds (init, before closing fds) -> exec (init, never returns on success). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/error.h"
#include "oci/spec.h"

enum setup_phase { PHASE_BEFORE_USERNS, PHASE_AFTER_MOUNTS };

struct executor_ctx {
        const struct executor *ops;
        const char *container_id;
        const char *bundle;      /* absolute */
        const char *state_dir;   /* absolute: the container's state directory */
        const char *config_json; /* verbatim bytes of the bundle's config.json, always set */
        size_t config_json_len;
        struct oci_spec *spec; /* parsed spec (adjust_spec may change it) */
        int log_level;         /* LOG_ERROR, LOG_WARNING, LOG_DEBUG */
        void *priv;            /* executor-private state */
};

/* `exec` of a container whose workload the runtime cannot reach by joining namespaces. */
struct executor_exec_request {
        int *state_dir_fd; /* the container's locked state dir: closed (lock released) once the process runs */
        const struct oci_process *proc; /* config, --process and command-line overrides applied */
        bool detach;
        const char *pid_file, *console_socket;
        int preserve_fds; /* --preserve-fds */
};

/* What works on a container an executor runs, beyond create, start, kill, ps and delete (which every
 * executor supports, through the signal and list_pids hooks where the workload is out of reach). */
enum executor_cap {
        EXECUTOR_CAN_EXEC = 1u << 0,       /* `exec`: on the namespaces, or through exec_process */
        EXECUTOR_CAN_PAUSE = 1u << 1,      /* `pause`/`resume`: the cgroup freezer stops the workload */
        EXECUTOR_CAN_UPDATE = 1u << 2,     /* `update`: cgroup limits reach the workload */
        EXECUTOR_CAN_CHECKPOINT = 1u << 3, /* CRIU can dump and restore the workload; restore records the
                                            * executor without loading it, so it must need nothing loaded */
};

struct executor {
        /* Recorded in state.json; also the handler name `run.oci.handler` and `crun-NAME` ask for (except
         * the default, native, which is never asked for by name). */
        const char *name;
        /* crun's handler feature string, shown by `--version` as +FEATURE (this host can run it) or -FEATURE,
         * and by `features` as org.krun.<feature>.available; NULL: always there, not listed. */
        const char *feature;
        /* Whether this host can run it (the libraries load); NULL: always. Loads nothing that stays. */
        bool (*is_available)(void);
        unsigned caps; /* enum executor_cap */
        /* Where the workload runs when joining the container's namespaces does not reach it, for messages
         * ("inside a libkrun microVM"); NULL: in the container's namespaces. */
        const char *workload_place;
        /* Without EXECUTOR_CAN_CHECKPOINT: why, after "runs <workload_place>; " in checkpoint's refusal. */
        const char *checkpoint_refusal;
        /* The config.json annotations it honours ("krun." for krun.*), which `features` lists as potentially
         * unsafe; NULL: none. */
        const char *annotation_prefix;
        int (*load)(struct executor_ctx *ctx, struct error **err);
        int (*adjust_spec)(struct executor_ctx *ctx, struct oci_spec *spec, struct error **err);
        int (*prepare_rootfs)(struct executor_ctx *ctx, int rootfs_fd, enum setup_phase phase, struct error **err);
        /* Appends fds that must survive fd closing; *n is in/out, fds has room for 8. */
        int (*keep_fds)(struct executor_ctx *ctx, int *fds, size_t *n);
        /* Whether `exec` needs process.args[0] to exist in the container (native: yes). */
        bool resolves_executable;
        /* `path` is the resolved executable (NULL when !resolves_executable). Never returns on success. */
        int (*exec)(struct executor_ctx *ctx, const struct oci_process *proc, const char *path, struct error **err);
        void (*unload)(struct executor_ctx *ctx);
        /* `delete`, once no container process is left (nothing loaded): remove what prepare_rootfs left in
         * the rootfs. `config_json` is the state's verbatim copy of the bundle config. */
        int (*cleanup_rootfs)(int rootfs_fd, const char *config_json, size_t config_json_len, struct error **err);
        /* Capabilities of executors that run the workload out of the runtime's reach (krun: in a VM, through
         * its agent); NULL: exec, kill and ps work on the container's namespaces and cgroup as usual.
         * exec_process: run req->proc there; *exit_status as container_exec defines it.
         * signal: 1 delivered there, 0 not reachable (the caller signals the init), < 0 failed.
         * list_pids: the processes there; 0 not reachable, 1 listed. */
        int (*exec_process)(struct executor_exec_request *req, int *exit_status, struct error **err);
        int (*signal)(int state_dir_fd, int signo, bool all, struct error **err);
        int (*list_pids)(int state_dir_fd, pid_t **pids, size_t *n, struct error **err);
};

extern const struct executor executor_native;
extern const struct executor executor_krun;

/* The registry (src/executor/registry.c): every executor, the default (native) first. */
size_t executor_count(void);
const struct executor *executor_at(size_t i);
/* The executor a state file names ("native", "krun"); NULL when unknown. */
const struct executor *executor_by_name(const char *name);
/* The handler `run.oci.handler` or `crun-NAME` may name: every executor but the default; NULL if none. */
const struct executor *executor_handler(const char *name);
/* "krun" (every handler name, comma-separated, for "expected one of" messages). Pure; caller frees. */
char *executor_handler_names(void);
/* Whether `ex` supports every capability in `caps` (enum executor_cap). */
bool executor_can(const struct executor *ex, unsigned caps);
/* `what` (a command) on container `id`, whose state names `executor_name`: -EOPNOTSUPP with a message when
 * that executor lacks `cap`. An unknown or missing name (an older state file) runs natively: 0. */
int executor_require(const char *executor_name, unsigned cap, const char *what, const char *id, struct error **err);
/* Bit i set: executor_at(i) can run on this host. Probes libraries (dlopen, then dlclose). */
unsigned executor_probe_available(void);

/* Picks the executor from the invocation name and the config (run.oci.handler). Pure. */
int executor_select(const char *argv0_basename, const struct oci_spec *spec, const struct executor **out,
                    struct error **err);
/* `delete`: run the container's executor's cleanup_rootfs on `rootfs`, with the config.json copy found in
 * the state directory `state_dir_fd`. A rootfs that is gone already is not an error. */
int executor_cleanup_rootfs(const char *executor_name, const char *id, const char *rootfs, int state_dir_fd,
                            struct error **err);
