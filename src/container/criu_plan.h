/* Pure planning for `checkpoint` / `restore`: the criu command lines, what of a container is external to
 * its images (stdio from the host, the host cgroup directories bind-mounted into it) and the record of
 * those externals kept beside the images. No syscalls here: unit-tested in tests/unit/container. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/error.h"

/* The options of `checkpoint` and `restore`, as the command line gave them. */
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

/* Beside CRIU's images: what restore must provide again. */
#define CRIU_PLAN_FILE "krun-checkpoint.json"
#define CRIU_STDIO_FDS 3
/* Restore hands the runtime's stdio to CRIU at these fds (its 0-2 go to its own output file). */
#define CRIU_STDIO_INHERIT_BASE 10

/* A host cgroup directory bind-mounted into the container (no cgroup namespace): it is named by the
 * container's cgroup path, which differs on restore, so it is recorded by its hierarchy instead. */
struct criu_cgroup_mount {
        char *mountpoint;  /* in the container, e.g. /sys/fs/cgroup/cpu */
        char *fstype;      /* cgroup or cgroup2 */
        char *controllers; /* v1 super options without rw/ro, e.g. "cpu,cpuacct" or "name=systemd"; "" for v2 */
};

struct criu_externals {
        char *stdio[CRIU_STDIO_FDS];        /* CRIU's id of fd 0-2 of the init ("pipe:[N]", "file[M:I]"...), or NULL */
        bool stdio_is_file[CRIU_STDIO_FDS]; /* a file outside the container's mounts: `--external` at dump */
        /* Its host path: restore hands CRIU that same file again (CRIU checks its mode and size), while
         * pipes and sockets are replaced by restore's own stdio. */
        char *stdio_path[CRIU_STDIO_FDS];
        struct criu_cgroup_mount *cgroup_mounts;
        size_t n_cgroup_mounts;
};

void criu_externals_clear(struct criu_externals *x);

/* Whether `mode` is one of CRIU's --manage-cgroups modes. */
bool checkpoint_cgroups_mode_valid(const char *mode);

/* The cgroup bind mounts found in the container's /proc/<init>/mountinfo (cgroup/cgroup2 mounts whose
 * root is not the hierarchy root). -ENOMEM or -EINVAL (unparsable line). */
int criu_find_cgroup_mounts(const char *mountinfo, struct criu_externals *x);
/* CRIU's id for one stdio fd of the init, from its /proc link text, its fdinfo mnt_id and inode, and
 * whether that mount is in the container. NULL (nothing to record: a file of the container, a tty) or heap. */
char *criu_stdio_id(const char *link, int mnt_id, unsigned long long ino, bool mount_in_container, bool *is_file);
/* Whether mount id `mnt_id` is listed in a mountinfo text. */
bool criu_mountinfo_has_id(const char *mountinfo, int mnt_id);
/* The mountpoint of the host hierarchy root (root "/") matching `m` in the host's mountinfo; heap or NULL. */
char *criu_host_hierarchy(const char *mountinfo, const struct criu_cgroup_mount *m);

/* The JSON kept as CRIU_PLAN_FILE, and back. Errors name `what` (the file). */
char *criu_externals_to_json(const struct criu_externals *x);
int criu_externals_parse(const char *text, const char *what, struct criu_externals *x, struct error **err);

/* The criu argv (NULL-terminated, heap; free with cleanup_strvp) to dump the process tree of `pid`, with
 * absolute image/work paths already resolved in `o`. NULL on ENOMEM. */
char **checkpoint_dump_argv(const char *criu, const struct checkpoint_options *o, pid_t pid,
                            const struct criu_externals *x);

struct criu_restore_plan {
        const struct restore_options *o;
        const char *criu, *image_path, *work_path; /* absolute */
        const char *root;                          /* the rootfs bind mount CRIU pivots into */
        const char *pid_file;                      /* where CRIU writes the restored init's host pid */
        const char *cgroup_path;                   /* the new container's cgroup (every hierarchy), or NULL */
        const struct criu_externals *x;
        const char *const *cgroup_mount_sources; /* host directory for each x->cgroup_mounts[i] */
};
char **checkpoint_restore_argv(const struct criu_restore_plan *p);

/* The last `max_lines` lines of a CRIU log, preferring its "Error" lines; caller frees. */
char *checkpoint_log_tail(const char *log, size_t max_lines);
