/* `checkpoint` / `restore` through the criu command line. The runtime runs `criu dump` on the container's
 * init (its whole process tree) and reports CRIU's own reason when that fails: CRIU depends on kernel
 * features (it reads the vDSO layout, soft-dirty bits, ...) that some kernels lack, and its log says
 * which one. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/checkpoint.h"
#include "container/loaded.h"
#include "core/cleanup.h"
#include "core/fs.h"
#include "core/log.h"

#define CRIU_DEFAULT "/usr/sbin/criu" /* never PATH: CRI-O runs us without one */
#define LOG_TAIL_LINES 6

static const char *const cgroups_modes[] = {"soft", "full", "strict", "ignore"};

bool checkpoint_cgroups_mode_valid(const char *mode)
{
        for (size_t i = 0; i < ARRAY_SIZE(cgroups_modes); i++)
                if (!strcmp(mode, cgroups_modes[i]))
                        return true;
        return false;
}

/* A growable argv; on ENOMEM it is freed and stays NULL. */
struct argv_buf {
        char **v;
        size_t n;
};

static void argv_add(struct argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void argv_add(struct argv_buf *a, const char *fmt, ...)
{
        if (!a->v)
                return;
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        char **v = n < 0 ? NULL : realloc(a->v, (a->n + 2) * sizeof(*v));
        if (!v) {
                if (n >= 0)
                        free(s);
                cleanup_strvp(&a->v);
                return;
        }
        v[a->n++] = s;
        v[a->n] = NULL;
        a->v = v;
}

char **checkpoint_dump_argv(const char *criu, const struct checkpoint_options *o, pid_t pid)
{
        struct argv_buf a = {.v = calloc(1, sizeof(char *))};
        argv_add(&a, "%s", criu);
        argv_add(&a, "%s", o->pre_dump ? "pre-dump" : "dump");
        argv_add(&a, "--tree=%d", pid);
        argv_add(&a, "--images-dir=%s", o->image_path);
        argv_add(&a, "--work-dir=%s", o->work_path);
        argv_add(&a, "--log-file=%s", o->pre_dump ? "pre-dump.log" : "dump.log");
        argv_add(&a, "-v4");
        /* The mounts the runtime made from host paths (the rootfs, bind mounts) are external to the
         * init's mount namespace: recorded as such, to be provided again at restore. */
        argv_add(&a, "--ext-mount-map=auto");
        argv_add(&a, "--enable-external-sharing");
        argv_add(&a, "--enable-external-masters");
        argv_add(&a, "--manage-cgroups=%s", o->manage_cgroups_mode ? o->manage_cgroups_mode : "soft");
        if (o->parent_path)
                argv_add(&a, "--prev-images-dir=%s", o->parent_path);
        if (o->pre_dump || o->parent_path)
                argv_add(&a, "--track-mem"); /* dirty-page tracking links the chain of images */
        if (o->leave_running && !o->pre_dump)
                argv_add(&a, "--leave-running");
        if (o->tcp_established)
                argv_add(&a, "--tcp-established");
        if (o->ext_unix_sk)
                argv_add(&a, "--ext-unix-sk");
        if (o->shell_job)
                argv_add(&a, "--shell-job");
        if (o->file_locks)
                argv_add(&a, "--file-locks");
        return a.v;
}

char *checkpoint_log_tail(const char *log, size_t max_lines)
{
        /* Two passes over the lines: the "Error" ones if any, else all; keep the last max_lines. */
        for (int errors_only = 1; errors_only >= 0; errors_only--) {
                size_t total = 0;
                for (const char *p = log; *p;) {
                        size_t len = strcspn(p, "\n");
                        if (len && (!errors_only || memmem(p, len, "Error", 5)))
                                total++;
                        p += len + (p[len] == '\n');
                }
                if (!total)
                        continue;
                size_t skip = total > max_lines ? total - max_lines : 0, seen = 0, used = 0;
                char *out = malloc(strlen(log) + 1);
                if (!out)
                        return NULL;
                for (const char *p = log; *p;) {
                        size_t len = strcspn(p, "\n");
                        if (len && (!errors_only || memmem(p, len, "Error", 5)) && seen++ >= skip) {
                                if (used)
                                        out[used++] = '\n';
                                memcpy(out + used, p, len);
                                used += len;
                        }
                        p += len + (p[len] == '\n');
                }
                out[used] = 0;
                return out;
        }
        return strdup("(empty log)");
}

static int make_dir(const char *what, const char *path, struct error **err)
{
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return error_sys(err, "%s `%s`", what, path);
        return 0;
}

/* Run criu with stdout/stderr in <work>/<name>.out; on failure the error carries the tail of the CRIU
 * log (or of that output when CRIU failed before opening its log). */
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
        if (pid == 0) {
                int null = open("/dev/null", O_RDONLY);
                if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
                        _exit(127);
                execv(argv[0], argv);
                dprintf(2, "exec `%s`: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        close(out);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return error_sys(err, "%s: wait for criu", what);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        const char *shown = log_path;
        if (fs_read_file(log_path, 64 << 20, &text, &len) < 0 || !len) {
                free(text);
                text = NULL;
                shown = out_path;
                if (fs_read_file(out_path, 1 << 20, &text, &len) < 0)
                        text = NULL;
        }
        _cleanup_free_ char *tail = checkpoint_log_tail(text ? text : "", LOG_TAIL_LINES);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return error_set(err, 0, "%s: `%s %s` failed (exit status %d); CRIU log `%s`:\n%s", what, argv[0], argv[1],
                         code, shown, tail ? tail : "");
}

static int refuse_vm(const char *what, const struct container_state *st, struct error **err)
{
        if (st->executor && !strcmp(st->executor, "krun"))
                return error_set(err, EOPNOTSUPP,
                                 "%s: the workload of container `%s` runs inside a libkrun microVM; CRIU would "
                                 "dump the VMM process, not the guest, which cannot be restored",
                                 what, st->id);
        return 0;
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
        if ((r = refuse_vm(what, l.st, err)) < 0)
                return r;
        if ((r = make_dir("checkpoint: --image-path", o.image_path, err)) < 0 ||
            (r = make_dir("checkpoint: --work-path", o.work_path, err)) < 0)
                return r;
        _cleanup_strv_ char **argv = checkpoint_dump_argv(rt->criu ? rt->criu : CRIU_DEFAULT, &o, l.st->pid);
        if (!argv)
                return error_set(err, ENOMEM, "%s", what);
        r = run_criu(argv, o.work_path, o.pre_dump ? "pre-dump.log" : "dump.log", what, err);
        if (r < 0 || o.pre_dump || o.leave_running)
                return r;
        /* CRIU killed the tree: the container is gone, as with crun and runc. */
        loaded_container_clear(&l);
        return container_delete(rt, opts->id, true, err);
}

int container_restore(struct runtime_ctx *rt, const struct restore_options *opts, struct error **err)
{
        _cleanup_free_ char *what = NULL;
        if (asprintf(&what, "restore `%s`", opts->id) < 0)
                return error_set(err, ENOMEM, "restore");
        _cleanup_free_ char *image = fs_absolute(opts->image_path ? opts->image_path : "checkpoint");
        _cleanup_free_ char *work = opts->work_path ? fs_absolute(opts->work_path) : NULL;
        _cleanup_free_ char *inventory = NULL;
        if (!image || (opts->work_path && !work) || asprintf(&inventory, "%s/inventory.img", image) < 0)
                return error_set(err, ENOMEM, "%s", what);
        if (access(inventory, R_OK) < 0)
                return error_sys(err, "%s: no checkpoint image in `%s` (`%s`)", what, image, inventory);
        if (make_dir("restore: --work-path", work ? work : image, err) < 0)
                return -1;
        /* What CRIU needs from this kernel first: when it cannot work here, its own reason is the answer. */
        char *check[] = {(char *)(rt->criu ? rt->criu : CRIU_DEFAULT), "check", NULL}; /* its report: stderr */
        int r = run_criu(check, work ? work : image, "check", what, err);
        if (r < 0)
                return r;
        /* CRIU works here, but re-creating the container around the restored tree (rootfs and mounts,
         * namespaces, cgroup, state) was never built: this host's kernel could not run CRIU to test it. */
        return error_set(err, ENOTSUP,
                         "%s: restoring into a new container is not implemented by this runtime (only checkpoint "
                         "is)",
                         what);
}
