/* `checkpoint` through the criu command line. The runtime runs `criu dump` on the container's init (its
 * whole process tree) and reports CRIU's own reason when that fails: CRIU depends on kernel features (it
 * reads the vDSO layout, soft-dirty bits, ...) that some kernels lack, and its log says which one. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/checkpoint.h"
#include "container/criu_plan.h"
#include "container/loaded.h"
#include "core/cleanup.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/mountinfo.h"
#include "core/path_search.h"
#include "executor/executor.h"

#define LOG_TAIL_LINES 6

static int is_executable(const char *path, void *userdata)
{
        (void)userdata;
        return access(path, X_OK) < 0 ? -ENOENT : 0;
}

char *checkpoint_criu_path(const struct runtime_ctx *rt, struct error **err)
{
        if (rt->criu)
                return strdup(rt->criu);
        const char *path = getenv("PATH");
        if (!path || !*path)
                path = PATH_SEARCH_DEFAULT;
        /* Absolute entries only: where the runtime was started from is no place to pick criu up. */
        char *found = NULL;
        int r = path_search("criu", path, NULL, PATH_SEARCH_ABSOLUTE_ONLY, is_executable, NULL, &found);
        if (r >= 0 || r == -ENOMEM)
                return found;
        error_set(err, ENOENT, "criu: not found on PATH (%s); install CRIU (scripts/criu.sh) or pass --criu PATH",
                  path);
        return NULL;
}

int checkpoint_criu_failed(struct error **err, const char *what, char *const *argv, int status, const char *work,
                           const char *log_name, const char *out_path)
{
        _cleanup_free_ char *log_path = NULL, *text = NULL;
        size_t len = 0;
        const char *shown = out_path;
        if (asprintf(&log_path, "%s/%s", work, log_name) >= 0 && fs_read_file(log_path, 64 << 20, &text, &len) >= 0 &&
            len)
                shown = log_path;
        else {
                free(text);
                text = NULL;
                if (fs_read_file(out_path, 1 << 20, &text, &len) < 0)
                        text = NULL;
        }
        _cleanup_free_ char *tail = checkpoint_log_tail(text ? text : "", LOG_TAIL_LINES);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        error_set(err, 0, "%s: `%s %s` failed (exit status %d); CRIU log `%s`:\n%s", what, argv[0], argv[1], code,
                  shown, tail ? tail : "");
        return -1;
}

void checkpoint_criu_exec(char *const *argv, int out)
{
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
                _exit(127);
        execv(argv[0], argv);
        dprintf(2, "exec `%s`: %s\n", argv[0], strerror(errno));
        _exit(127);
}

static int make_dir(const char *what, const char *path, struct error **err)
{
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return error_sys(err, "%s `%s`", what, path);
        return 0;
}

/* Run criu with stdout/stderr in <work>/<log_name>.out; failures carry the tail of its log. */
static int run_criu(char **argv, const char *work, const char *log_name, const char *what, struct error **err)
{
        _cleanup_free_ char *out_path = NULL, *log_path = NULL;
        if (asprintf(&out_path, "%s/%s.out", work, log_name) < 0 || asprintf(&log_path, "%s/%s", work, log_name) < 0)
                return error_set(err, ENOMEM, "%s", what);
        unlink(log_path); /* a stale log from an earlier attempt must not be reported */
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out < 0)
                return error_sys(err, "%s: create `%s`", what, out_path);
        log_debug("%s: running %s %s", what, argv[0], argv[1]);
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                close(out);
                return error_sys(err, "%s: fork", what);
        }
        if (pid == 0)
                checkpoint_criu_exec(argv, out);
        close(out);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return error_sys(err, "%s: wait for criu", what);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        return checkpoint_criu_failed(err, what, argv, status, work, log_name, out_path);
}

static int refuse_by_executor(const char *what, const struct container_state *st, struct error **err)
{
        const struct executor *ex = executor_by_name(st->executor);
        if (ex && !executor_can(ex, EXECUTOR_CAN_CHECKPOINT))
                return error_set(err, EOPNOTSUPP, "%s: the workload of container `%s` runs %s; %s", what, st->id,
                                 ex->workload_place, ex->checkpoint_refusal);
        return 0;
}

/* One stdio fd of the init: CRIU's id for it when it comes from outside the container. */
static char *stdio_id(pid_t pid, int fd, const char *mountinfo, bool *is_file, char **host_path)
{
        char path[64], link[PATH_MAX];
        snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
        ssize_t n = readlink(path, link, sizeof(link) - 1);
        struct stat st;
        *is_file = false;
        if (n < 0 || stat(path, &st) < 0)
                return NULL; /* closed */
        link[n] = 0;
        snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
        _cleanup_free_ char *info = NULL;
        size_t len = 0;
        int mnt_id = -1;
        if (fs_read_file(path, 1 << 16, &info, &len) >= 0) {
                const char *m = strstr(info, "mnt_id:");
                if (m)
                        mnt_id = atoi(m + 7);
        }
        bool inside = mnt_id >= 0 && criu_mountinfo_has_id(mountinfo, mnt_id);
        char *id = criu_stdio_id(link, mnt_id, (unsigned long long)st.st_ino, inside, is_file);
        if (id && *is_file)
                *host_path = strdup(link);
        return id;
}

/* What of the container is outside its images (its stdio, the cgroup mounts), read from /proc. */
static int find_externals(const char *what, pid_t pid, struct criu_externals *x, struct error **err)
{
        _cleanup_free_ char *mountinfo = NULL;
        int r = mountinfo_read(pid, &mountinfo, err);
        if (r < 0)
                return error_prefix(err, "%s", what);
        r = criu_find_cgroup_mounts(mountinfo, x);
        if (r < 0)
                return error_set(err, -r, "%s: parse /proc/%d/mountinfo", what, pid);
        for (int fd = 0; fd < CRIU_STDIO_FDS; fd++)
                x->stdio[fd] = stdio_id(pid, fd, mountinfo, &x->stdio_is_file[fd], &x->stdio_path[fd]);
        return 0;
}

static int write_externals(const char *what, const char *image, const struct criu_externals *x, struct error **err)
{
        _cleanup_free_ char *json = criu_externals_to_json(x), *path = NULL;
        if (!json || asprintf(&path, "%s/" CRIU_PLAN_FILE, image) < 0)
                return error_set(err, ENOMEM, "%s", what);
        int r = fs_write_file_atomic(path, json, strlen(json), 0600);
        return r < 0 ? error_set(err, -r, "%s: write `%s`", what, path) : 0;
}

int container_checkpoint(struct runtime_ctx *rt, const struct checkpoint_options *opts, struct error **err)
{
        _cleanup_free_ char *what = NULL;
        if (asprintf(&what, "checkpoint `%s`", opts->id) < 0)
                return error_set(err, ENOMEM, "checkpoint");
        struct checkpoint_options o = *opts;
        _cleanup_free_ char *image = fs_absolute(opts->image_path ? opts->image_path : "checkpoint");
        _cleanup_free_ char *work = opts->work_path ? fs_absolute(opts->work_path) : NULL;
        if (!image || (opts->work_path && !work))
                return error_set(err, ENOMEM, "%s", what);
        o.image_path = image;
        o.work_path = work ? work : image;

        _cleanup_(loaded_container_clear) struct loaded_container l = {.root_fd = -1, .dir_fd = -1};
        int r = loaded_container_open(rt, opts->id, true, &l, err);
        if (r < 0)
                return r;
        if (l.status != STATUS_RUNNING)
                return error_set(err, EINVAL, "%s: the container is %s (only a running container can be checkpointed)",
                                 what, state_status_name(l.status));
        if ((r = refuse_by_executor(what, l.st, err)) < 0)
                return r;
        _cleanup_free_ char *criu = checkpoint_criu_path(rt, err);
        if (!criu)
                return error_prefix(err, "%s", what);
        if ((r = make_dir("checkpoint: --image-path", o.image_path, err)) < 0 ||
            (r = make_dir("checkpoint: --work-path", o.work_path, err)) < 0)
                return r;
        _cleanup_(criu_externals_clear) struct criu_externals x = {0};
        if ((r = find_externals(what, l.st->pid, &x, err)) < 0 || (r = write_externals(what, image, &x, err)) < 0)
                return r;
        _cleanup_strv_ char **argv = checkpoint_dump_argv(criu, &o, l.st->pid, &x);
        if (!argv)
                return error_set(err, ENOMEM, "%s", what);
        r = run_criu(argv, o.work_path, o.pre_dump ? "pre-dump.log" : "dump.log", what, err);
        if (r < 0 || o.pre_dump || o.leave_running)
                return r;
        /* CRIU killed the tree: the container is gone, as with crun and runc. */
        loaded_container_clear(&l);
        return container_delete(rt, opts->id, true, err);
}
