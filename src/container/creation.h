/* The steps of `create` that `restore` shares: a container's paths, config, state directory and state
 * record, and the undo of a half-made one. create.c runs them in order; restore.c runs the same ones
 * around CRIU instead of cloning an init. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroup/cgroup.h"
#include "container/lifecycle.h"
#include "container/spawn.h"
#include "executor/executor.h"
#include "oci/spec.h"
#include "oci/state.h"

/* Everything create builds, so that a failure at any step can undo exactly what exists. */
struct creation {
        struct runtime_ctx *rt;
        const struct create_options *opts;
        char *bundle, *config_path, *rootfs, *pid_file, *state_dir;
        char *config_json;
        size_t config_json_len;
        struct oci_spec *spec;
        struct executor_ctx exec_ctx;
        bool executor_loaded;
        int root_fd, dir_fd;
        bool dir_created;
        int exec_sock_fd;
        int sync_fd[2];
        struct spawn_plan plan;
        pid_t pid;
        int pidfd;
        struct cgroup_handle cgroup;
        struct cgroup_handle cgroup_planned; /* what teardown.json records, and the layout found before the clone */
        bool cgroup_created;
        struct container_state state;
        int pty_master;   /* foreground run with a terminal */
        int console_sock; /* --console-socket, connected until the init has its own copy */
};

void creation_init(struct creation *c, struct runtime_ctx *rt, const struct create_options *opts);
/* Undo a failed create: no process, cgroup or state directory may survive it. */
void creation_abort(struct creation *c);
void creation_free(struct creation *c);
/* Bundle, config path and pid file path made absolute. */
int creation_resolve_paths(struct creation *c, struct error **err);
/* Read and parse config.json; resolve the rootfs. */
int creation_load_config(struct creation *c, struct error **err);
/* Select the executor (native or krun) and let it load and adjust the spec. */
int creation_prepare_executor(struct creation *c, struct error **err);
/* Claim the ID: the state directory with its lock and the config copy. */
int creation_open_state(struct creation *c, struct error **err);
/* teardown.json before anything exists: executor and rootfs (what will be written into the image) and the
 * cgroup path the create is about to make; pid 0. */
int creation_record_teardown(struct creation *c, struct error **err);
/* The state record from what exists (pid and start time are set by the caller). */
void creation_fill_state(struct creation *c);
/* The container's cgroup from config.json, with `pid` moved in (create: the init; restore: criu). */
int creation_create_cgroup(struct creation *c, pid_t pid, struct error **err);
/* --pid-file, written atomically (conmon reads it as soon as it exists). */
int creation_write_pid_file(struct creation *c, struct error **err);
