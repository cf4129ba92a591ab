/* Create / start / kill / delete orchestration. The commands in src/cmd/ parse options and call these. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "cgroup/cgroup.h"
#include "core/error.h"

/* Global options shared by every command. */
struct runtime_ctx {
        const char *argv0_name; /* basename of argv[0]: "crun", "krun", "crun-krun" */
        const char *state_root;
        enum cgroup_driver cgroup_manager;
        bool cgroup_manager_given; /* --systemd-cgroup / --cgroup-manager on this command line */
        bool is_rootless;
        const char *criu; /* --criu PATH; NULL: `criu` on PATH */
        int log_level;
};

struct create_options {
        const char *id;
        const char *bundle;      /* default: cwd */
        const char *config_file; /* default: config.json in the bundle */
        const char *console_socket;
        const char *pid_file;
        int preserve_fds;
        bool no_pivot;
        bool no_new_keyring;
        /* run only */
        bool detach;
        bool keep;
        bool is_run; /* set by container_run: the runtime stays to start and wait */
};

int container_create(struct runtime_ctx *rt, const struct create_options *opts, struct error **err);
int container_start(struct runtime_ctx *rt, const char *id, struct error **err);
/* run = create + start; foreground returns the exit status to use (128+N for signal N) in *exit_status. */
int container_run(struct runtime_ctx *rt, const struct create_options *opts, int *exit_status, struct error **err);
int container_kill(struct runtime_ctx *rt, const char *id, int signo, bool all, struct error **err);
int container_delete(struct runtime_ctx *rt, const char *id, bool force, struct error **err);
/* The same, for `run`, which still holds the parsed config and the cgroup it made: poststop hooks come
 * from `spec` instead of a second read and parse of the state's copy (the largest part of the runtime's own
 * CPU in `run`), and the cgroup is removed with the layout create found (`made->layout`, may be NULL)
 * instead of reading /proc/self/mountinfo again. What is removed still comes from the state directory. */
int container_delete_parsed(struct runtime_ctx *rt, const char *id, bool force, const struct oci_spec *spec,
                            const struct cgroup_handle *made, struct error **err);

/* ---- exec, pause/resume, update, ps of an existing container (src/container/exec.c, manage.c) ---- */

/* `exec` as parsed from the command line. Strings are borrowed from argv; env and additional_gids are
 * heap-owned (cmd_exec_options_clear frees them). */
struct exec_options {
        const char *id;
        const char *process_file; /* --process: an OCI `process` JSON; excludes `args` */
        char **args;              /* CMD ARGS after the ID (NULL-terminated, borrowed), NULL when none */
        int tty;                  /* -1 not given, 0 or 1 (the CLI form only; --process: `terminal` decides) */
        bool detach;
        const char *pid_file;
        const char *console_socket;
        const char *cwd;
        char **env; /* K=V, in order (later wins), NULL when none */
        bool has_user, has_gid;
        uint32_t uid, gid;
        uint32_t *additional_gids;
        size_t n_additional_gids;
        uint64_t caps_add; /* CAP_* bits added to bounding/effective/permitted (runc's meaning) */
        int preserve_fds;
        bool no_new_privs;
        const char *process_label, *apparmor;
        const char *cgroup; /* sub-cgroup of the container's cgroup, relative, no ".." */
};

/* Start a process inside a created/running container. Foreground: waits and stores its status
 * (128+N on signal N) in *exit_status. --detach: returns once it runs (pid file written then).
 * On failure *exit_status is 127 (executable not found), 126 (not executable) or 1. */
int container_exec(struct runtime_ctx *rt, const struct exec_options *opts, int *exit_status, struct error **err);
/* Freeze / thaw the container's cgroup: pause needs `running`, resume needs `paused`. */
int container_pause(struct runtime_ctx *rt, const char *id, struct error **err);
int container_resume(struct runtime_ctx *rt, const char *id, struct error **err);
/* Change the resources of a created/running/paused container. `resources_file` ("-" = stdin) is a
 * linux.resources JSON object; when NULL, `flags` (from the individual options) is applied. */
int container_update(struct runtime_ctx *rt, const char *id, const char *resources_file,
                     const struct oci_resources *flags, struct error **err);
/* Host pids of every process in the container's cgroup; caller frees *pids. */
int container_pids(struct runtime_ctx *rt, const char *id, pid_t **pids, size_t *n, struct error **err);
