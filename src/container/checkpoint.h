/* `checkpoint` / `restore` through the criu command line (`criu` on PATH, or the global --criu PATH). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "container/criu_plan.h"
#include "container/lifecycle.h"
#include "core/error.h"

/* The criu binary: --criu PATH, else `criu` on PATH (a fixed list when PATH is unset: CRI-O runs us
 * without one), the first that is executable. Heap; NULL with `err` set when there is none. */
char *checkpoint_criu_path(const struct runtime_ctx *rt, struct error **err);
/* In a forked child: exec criu with stdin /dev/null and stdout/stderr to `out` (exit 127 if it cannot). */
void checkpoint_criu_exec(char *const *argv, int out) __attribute__((noreturn));
/* The error for a failed criu run (wait `status`): its command, and the tail of its log `work`/`log_name`
 * (or of `out_path`, its own output, when it failed before opening the log). Returns -1. */
int checkpoint_criu_failed(struct error **err, const char *what, char *const *argv, int status, const char *work,
                           const char *log_name, const char *out_path);

/* Dump the running container with `criu dump` (or pre-dump); without --leave-running the container is
 * deleted afterwards, as with crun. Beside the images, krun-checkpoint.json records what restore must
 * provide again. On failure the error ends with CRIU's log tail. */
int container_checkpoint(struct runtime_ctx *rt, const struct checkpoint_options *opts, struct error **err);
/* Create a container from the bundle around the process tree restored by `criu restore`: state
 * directory, cgroup (CRIU restores into it), the rootfs and the cgroup mounts of the new container. With
 * --detach it returns once the tree runs; otherwise it waits like `run` and stores the exit status. */
int container_restore(struct runtime_ctx *rt, const struct restore_options *opts, int *exit_status, struct error **err);
