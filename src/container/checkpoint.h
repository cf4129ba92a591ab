/* `checkpoint` / `restore` through the criu command line (Debian's /usr/sbin/criu, or the global
 * --criu PATH). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "container/lifecycle.h"
#include "core/error.h"

struct checkpoint_options {
        const char *id;
        const char *image_path;          /* default ./checkpoint */
        const char *work_path;           /* default: the image path (CRIU's own default) */
        const char *parent_path;         /* previous pre-dump, relative to the image path */
        const char *manage_cgroups_mode; /* soft (default), full, strict, ignore */
        bool leave_running, tcp_established, ext_unix_sk, shell_job, file_locks, pre_dump;
};

struct restore_options {
        const char *id;
        const char *bundle;
        const char *image_path, *work_path;
        const char *pid_file, *console_socket;
        const char *manage_cgroups_mode;
        const char *lsm_profile, *lsm_mount_context;
        bool tcp_established, tcp_close, ext_unix_sk, shell_job, file_locks, detach;
};

/* Pure: whether `mode` is one of CRIU's --manage-cgroups modes. */
bool checkpoint_cgroups_mode_valid(const char *mode);
/* Pure: the criu argv (NULL-terminated, heap; free with cleanup_strvp) to dump the process tree of `pid`,
 * with absolute image/work paths already resolved in `o`. NULL on ENOMEM. */
char **checkpoint_dump_argv(const char *criu, const struct checkpoint_options *o, pid_t pid);
/* Pure: the last `max_lines` lines of a CRIU log, preferring its "Error" lines; caller frees. */
char *checkpoint_log_tail(const char *log, size_t max_lines);

/* Dump the running container with `criu dump` (or pre-dump); without --leave-running the container is
 * deleted afterwards, as with crun. On failure the error ends with CRIU's log tail. */
int container_checkpoint(struct runtime_ctx *rt, const struct checkpoint_options *opts, struct error **err);
/* Checks the image and that CRIU can work on this host (`criu check`), then fails: re-creating a container
 * around a restored tree is not implemented. */
int container_restore(struct runtime_ctx *rt, const struct restore_options *opts, struct error **err);
