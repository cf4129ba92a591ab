/* `restore`: the steps of `create` (container/creation.h) around `criu restore` instead of a cloned init.
 * CRIU runs as our child, already in the new container's cgroup, pivots into a bind mount of the bundle's
 * rootfs and restores the tree as our child (--restore-sibling), so the restored init is supervised like
 * the init of `run`. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/checkpoint.h"
#include "container/creation.h"
#include "container/criu_plan.h"
#include "container/foreground.h"
#include "core/cleanup.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/mountinfo.h"

#define ROOT_DIR "criu-root" /* in the state directory: the rootfs bind mount CRIU pivots into */
#define HIGH_FD 20           /* the child's own fds stay clear of CRIU_STDIO_INHERIT_BASE.. */

/* What restore adds to a creation. */
struct restoring {
        const struct restore_options *o;
        char *what, *criu, *image, *work, *root, *criu_pid_file, *out_path;
        struct criu_externals x;
        char **cgroup_mount_sources;
        bool root_mounted;
        int stdio_files[CRIU_STDIO_FDS]; /* host files of the checkpoint's stdio, reopened */
};

static void restoring_free(struct restoring *j)
{
        if (j->root_mounted && umount2(j->root, MNT_DETACH) < 0)
                log_warning("restore: unmount `%s`: %s", j->root, strerror(errno));
        if (j->root)
                rmdir(j->root);
        for (int i = 0; i < CRIU_STDIO_FDS; i++)
                if (j->stdio_files[i] >= 0)
                        close(j->stdio_files[i]);
        for (size_t i = 0; j->cgroup_mount_sources && i < j->x.n_cgroup_mounts; i++)
                free(j->cgroup_mount_sources[i]);
        free(j->cgroup_mount_sources);
        criu_externals_clear(&j->x);
        free(j->what);
        free(j->criu);
        free(j->image);
        free(j->work);
        free(j->root);
        free(j->criu_pid_file);
        free(j->out_path);
}

/* The images and the record of externals that checkpoint wrote beside them. */
static int read_image(struct restoring *j, struct error **err)
{
        const struct restore_options *o = j->o;
        j->image = fs_absolute(o->image_path ? o->image_path : "checkpoint");
        j->work = fs_absolute(o->work_path ? o->work_path : (o->image_path ? o->image_path : "checkpoint"));
        _cleanup_free_ char *inventory = NULL, *plan = NULL, *text = NULL;
        if (!j->image || !j->work || asprintf(&inventory, "%s/inventory.img", j->image) < 0 ||
            asprintf(&plan, "%s/" CRIU_PLAN_FILE, j->image) < 0)
                return error_set(err, ENOMEM, "%s", j->what);
        if (access(inventory, R_OK) < 0)
                return error_sys(err, "%s: no checkpoint image in `%s` (`%s`)", j->what, j->image, inventory);
        size_t len = 0;
        int r = fs_read_file(plan, 1 << 20, &text, &len);
        if (r == -ENOENT)
                return 0; /* images of another runtime: nothing recorded as external */
        if (r < 0)
                return error_set(err, -r, "%s: read `%s`", j->what, plan);
        return criu_externals_parse(text, plan, &j->x, err);
}

static int check_config(struct creation *c, struct restoring *j, struct error **err)
{
        const struct executor *ex;
        int r = executor_select(c->rt->argv0_name, c->spec, &ex, err);
        if (r < 0)
                return r;
        if (!executor_can(ex, EXECUTOR_CAN_CHECKPOINT))
                return error_set(err, EOPNOTSUPP,
                                 "%s: the bundle runs its workload %s (%s executor), which CRIU cannot restore",
                                 j->what, ex->workload_place, ex->name);
        c->exec_ctx.ops = ex; /* recorded in the state; nothing to load (EXECUTOR_CAN_CHECKPOINT) */
        if (c->spec->process->terminal)
                return error_set(err, EOPNOTSUPP,
                                 "%s: config.json: process.terminal is true; restoring a container with a terminal "
                                 "is not supported (its pseudo-terminal master lived in the caller)",
                                 j->what);
        return 0;
}

/* The bundle's rootfs bound on a private mount point for CRIU's --root. */
static int mount_root(struct creation *c, struct restoring *j, struct error **err)
{
        if (asprintf(&j->root, "%s/" ROOT_DIR, c->state_dir) < 0)
                return error_set(err, ENOMEM, "%s", j->what);
        if (mkdir(j->root, 0700) < 0) {
                free(j->root);
                j->root = NULL;
                return error_sys(err, "%s: mkdir `%s/%s`", j->what, c->state_dir, ROOT_DIR);
        }
        if (mount(c->rootfs, j->root, NULL, MS_BIND | MS_REC, NULL) < 0)
                return error_sys(err, "%s: bind mount the rootfs `%s` on `%s`", j->what, c->rootfs, j->root);
        j->root_mounted = true;
        if (mount(NULL, j->root, NULL, MS_PRIVATE | MS_REC, NULL) < 0)
                return error_sys(err, "%s: make `%s` private", j->what, j->root);
        return 0;
}

/* The host directory of the new container's cgroup for each cgroup mount the checkpoint recorded. */
static int cgroup_mount_sources(struct creation *c, struct restoring *j, struct error **err)
{
        if (!j->x.n_cgroup_mounts)
                return 0;
        if (!c->cgroup.path)
                return error_set(err, EINVAL,
                                 "%s: the checkpoint has cgroup mounts but the new container has no cgroup", j->what);
        _cleanup_free_ char *mountinfo = NULL;
        int r = mountinfo_read(0, &mountinfo, err);
        if (r < 0)
                return error_prefix(err, "%s", j->what);
        j->cgroup_mount_sources = calloc(j->x.n_cgroup_mounts, sizeof(char *));
        if (!j->cgroup_mount_sources)
                return error_set(err, ENOMEM, "%s", j->what);
        for (size_t i = 0; i < j->x.n_cgroup_mounts; i++) {
                const struct criu_cgroup_mount *m = &j->x.cgroup_mounts[i];
                _cleanup_free_ char *hierarchy = criu_host_hierarchy(mountinfo, m);
                if (!hierarchy)
                        return error_set(err, ENOENT,
                                         "%s: the checkpoint has a %s mount at `%s` (%s) but this host has no "
                                         "such cgroup hierarchy mounted",
                                         j->what, m->fstype, m->mountpoint, *m->controllers ? m->controllers : "v2");
                if (asprintf(&j->cgroup_mount_sources[i], "%s%s", hierarchy, c->cgroup.path) < 0)
                        return error_set(err, ENOMEM, "%s", j->what);
        }
        return 0;
}

/* The child that becomes criu: waits for its argv (NUL-separated, then EOF) on `go`, so that it can join
 * the cgroup before CRIU forks anything. `stdio` (ours, or the host files the checkpoint recorded) goes to
 * it at CRIU_STDIO_INHERIT_BASE + 0..2. */
static void criu_child(int go, int out, const int *stdio)
{
        size_t cap = 4096, len = 0;
        char *buf = malloc(cap);
        for (ssize_t n; buf && (n = read(go, buf + len, cap - len)) != 0;) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        _exit(127);
                len += (size_t)n;
                char *bigger = len == cap ? realloc(buf, cap *= 2) : buf;
                if (!bigger)
                        _exit(127);
                buf = bigger;
        }
        size_t argc = 0;
        for (size_t i = 0; i < len; i++)
                argc += buf[i] == 0;
        char **argv = calloc(argc + 1, sizeof(char *));
        if (!buf || !len || !argv)
                _exit(127); /* the runtime gave up: no argv */
        for (size_t i = 0, k = 0; i < len; i += strlen(buf + i) + 1)
                argv[k++] = buf + i;
        for (int fd = 0; fd < CRIU_STDIO_FDS; fd++)
                if (dup2(stdio[fd], CRIU_STDIO_INHERIT_BASE + fd) < 0 && errno != EBADF)
                        _exit(127);
        checkpoint_criu_exec(argv, out);
}

static int send_argv(int fd, char **argv)
{
        for (; *argv; argv++)
                if (fs_write_all(fd, *argv, strlen(*argv) + 1) < 0)
                        return -1;
        return 0;
}

static int read_restored_pid(struct restoring *j, pid_t *pid, struct error **err)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = fs_read_file(j->criu_pid_file, 64, &text, &len);
        if (r < 0)
                return error_set(err, -r, "%s: read CRIU's pid file `%s`", j->what, j->criu_pid_file);
        char *end = NULL;
        long v = strtol(text, &end, 10);
        if (v <= 0 || end == text)
                return error_set(err, EINVAL, "%s: CRIU's pid file `%s` holds `%s`", j->what, j->criu_pid_file, text);
        *pid = (pid_t)v;
        return 0;
}

/* Fork the criu child, put it in the new cgroup (recorded in the state first, so that `delete --force`
 * finds it if we die), hand it its argv and wait for the restored tree. */
static int run_criu_restore(struct creation *c, struct restoring *j, struct error **err)
{
        if (asprintf(&j->criu_pid_file, "%s/restore.pid", j->work) < 0 ||
            asprintf(&j->out_path, "%s/restore.log.out", j->work) < 0)
                return error_set(err, ENOMEM, "%s", j->what);
        unlink(j->criu_pid_file);
        _cleanup_close_ int out = open(j->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int pipefd[2];
        if (out < 0)
                return error_sys(err, "%s: create `%s`", j->what, j->out_path);
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return error_sys(err, "%s: pipe", j->what);
        _cleanup_close_ int go_read = fcntl(pipefd[0], F_DUPFD_CLOEXEC, HIGH_FD);
        _cleanup_close_ int go_write = pipefd[1];
        _cleanup_close_ int out_high = fcntl(out, F_DUPFD_CLOEXEC, HIGH_FD);
        close(pipefd[0]);
        if (go_read < 0 || out_high < 0)
                return error_sys(err, "%s: fcntl", j->what);
        int stdio[CRIU_STDIO_FDS] = {0, 1, 2};
        for (int i = 0; i < CRIU_STDIO_FDS; i++)
                if (j->x.stdio_path[i] &&
                    (stdio[i] = j->stdio_files[i] = open(j->x.stdio_path[i], O_PATH | O_CLOEXEC | O_NOCTTY)) < 0)
                        return error_sys(err, "%s: reopen the container's stdio file `%s` (fd %d at checkpoint)",
                                         j->what, j->x.stdio_path[i], i);
        fflush(NULL);
        pid_t criu_pid = fork();
        if (criu_pid < 0)
                return error_sys(err, "%s: fork", j->what);
        if (criu_pid == 0) {
                close(go_write);
                criu_child(go_read, out_high, stdio);
        }
        c->pid = criu_pid; /* until the restored init replaces it: creation_abort kills and reaps it */
        int status = 0;
        int r = creation_create_cgroup(c, criu_pid, err);
        if (r < 0)
                return error_prefix(err, "%s: cgroup", j->what);
        proc_start_time(criu_pid, &c->state.start_time, NULL);
        c->state.pid = criu_pid;
        creation_fill_state(c);
        if ((r = state_write(c->dir_fd, &c->state, err)) < 0 || (r = cgroup_mount_sources(c, j, err)) < 0)
                return r;
        struct criu_restore_plan plan = {
            .o = j->o,
            .criu = j->criu,
            .image_path = j->image,
            .work_path = j->work,
            .root = j->root,
            .pid_file = j->criu_pid_file,
            .cgroup_path = c->cgroup.path,
            .x = &j->x,
            .cgroup_mount_sources = (const char *const *)j->cgroup_mount_sources,
        };
        _cleanup_strv_ char **argv = checkpoint_restore_argv(&plan);
        if (!argv)
                return error_set(err, ENOMEM, "%s", j->what);
        log_debug("%s: running %s restore", j->what, argv[0]);
        if (send_argv(go_write, argv) < 0)
                return error_sys(err, "%s: hand its arguments to criu", j->what);
        close(TAKE_FD(go_write));
        while (waitpid(criu_pid, &status, 0) < 0)
                if (errno != EINTR)
                        return error_sys(err, "%s: wait for criu", j->what);
        c->pid = 0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return checkpoint_criu_failed(err, j->what, argv, status, j->work, "restore.log", j->out_path);
        return 0;
}

/* The restored init replaces criu in the state: the container is running. */
static int adopt_init(struct creation *c, struct restoring *j, struct error **err)
{
        int r = read_restored_pid(j, &c->pid, err);
        if (r < 0)
                return r;
        c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
        if (c->pidfd < 0)
                return error_sys(err, "%s: pidfd_open(%d)", j->what, c->pid);
        c->state.pid = c->pid;
        c->state.start_time = 0;
        proc_start_time(c->pid, &c->state.start_time, NULL);
        if ((r = state_write(c->dir_fd, &c->state, err)) < 0)
                return r;
        return creation_write_pid_file(c, err);
}

static int do_restore(struct creation *c, struct restoring *j, struct error **err)
{
        int r = state_validate_id(j->o->id, err);
        if (r >= 0 && asprintf(&j->what, "restore `%s`", j->o->id) < 0)
                r = error_set(err, ENOMEM, "restore");
        if (r >= 0 && !(j->criu = checkpoint_criu_path(c->rt, err)))
                r = error_prefix(err, "restore `%s`", j->o->id);
        if (r >= 0)
                r = read_image(j, err);
        if (r >= 0)
                r = creation_resolve_paths(c, err);
        if (r >= 0)
                r = creation_load_config(c, err);
        if (r >= 0)
                r = check_config(c, j, err);
        if (r >= 0 && mkdir(j->work, 0700) < 0 && errno != EEXIST)
                r = error_sys(err, "restore: --work-path `%s`", j->work);
        if (r >= 0)
                r = creation_open_state(c, err);
        if (r >= 0)
                r = creation_record_teardown(c, err);
        if (r >= 0)
                r = mount_root(c, j, err);
        if (r >= 0)
                r = run_criu_restore(c, j, err);
        if (r >= 0)
                r = adopt_init(c, j, err);
        return r;
}

int container_restore(struct runtime_ctx *rt, const struct restore_options *opts, int *exit_status, struct error **err)
{
        *exit_status = 0;
        struct create_options co = {.id = opts->id,
                                    .bundle = opts->bundle,
                                    .pid_file = opts->pid_file,
                                    .console_socket = opts->console_socket,
                                    .detach = opts->detach,
                                    .is_run = true};
        /* Foreground, as `run`: we reap the init and whatever is reparented to us. */
        if (!opts->detach)
                prctl(PR_SET_CHILD_SUBREAPER, 1);
        struct restoring j = {.o = opts, .stdio_files = {-1, -1, -1}};
        struct creation c;
        creation_init(&c, rt, &co);
        int r = do_restore(&c, &j, err);
        restoring_free(&j); /* the root mount goes before the state directory may be removed */
        if (r < 0) {
                creation_abort(&c);
                creation_free(&c);
                return r;
        }
        if (opts->detach) {
                creation_free(&c);
                return 0;
        }
        if (c.dir_fd >= 0) {
                close(c.dir_fd); /* its flock would block every command on the container while we wait */
                c.dir_fd = -1;
        }
        r = foreground_wait(c.pid, c.pidfd, -1, exit_status, err);
        creation_free(&c);
        _cleanup_error_ struct error *e2 = NULL;
        if (container_delete(rt, opts->id, true, &e2) < 0 && r >= 0)
                log_warning("delete `%s` after restore: %s", opts->id, e2->msg);
        return r;
}
