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

struct executor {
        const char *name; /* "native", "krun" */
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

/* Picks the executor from the invocation name and the config (run.oci.handler). Pure. */
int executor_select(const char *argv0_basename, const struct oci_spec *spec, const struct executor **out,
                    struct error **err);
/* The executor a state file names ("native", "krun"); NULL when unknown. */
const struct executor *executor_by_name(const char *name);
/* `delete`: run the container's executor's cleanup_rootfs on `rootfs`, with the config.json copy found in
 * the state directory `state_dir_fd`. A rootfs that is gone already is not an error. */
int executor_cleanup_rootfs(const char *executor_name, const char *id, const char *rootfs, int state_dir_fd,
                            struct error **err);
