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
        int log_level;
};

struct create_options {
        const char *id;
        const char *bundle;         /* default: cwd */
        const char *config_file;    /* default: config.json in the bundle */
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
