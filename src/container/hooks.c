#include "container/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/log.h"

extern char **environ;

static const struct {
        const char *name, *status;
} kinds[HOOK_KIND_COUNT] = {
    [HOOK_PRESTART] = {"prestart", "creating"},
    [HOOK_CREATE_RUNTIME] = {"createRuntime", "creating"},
    [HOOK_CREATE_CONTAINER] = {"createContainer", "creating"},
    [HOOK_START_CONTAINER] = {"startContainer", "created"},
    [HOOK_POSTSTART] = {"poststart", "running"},
    [HOOK_POSTSTOP] = {"poststop", "stopped"},
};

const char *hook_kind_name(enum oci_hook_kind kind)
{
        return kind < HOOK_KIND_COUNT ? kinds[kind].name : "?";
}

const char *hook_kind_status(enum oci_hook_kind kind)
{
        return kind < HOOK_KIND_COUNT ? kinds[kind].status : "unknown";
}

struct hook_state hook_state_for(const struct oci_spec *spec, const char *id, pid_t pid, const char *bundle,
                                 const char *rootfs)
{
        return (struct hook_state){.id = id,
                                   .pid = pid,
                                   .bundle = bundle,
                                   .rootfs = rootfs,
                                   .annotations = spec->annotations,
                                   .n_annotations = spec->n_annotations};
}

char *hook_state_json(const struct hook_state *st, enum oci_hook_kind kind)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "ociVersion", json_object_new_string("1.0.0"));
        json_object_object_add(o, "id", json_object_new_string(st->id ? st->id : ""));
        json_object_object_add(o, "pid", json_object_new_int64(kind == HOOK_POSTSTOP ? 0 : st->pid));
        json_object_object_add(o, "status", json_object_new_string(hook_kind_status(kind)));
        json_object_object_add(o, "bundle", json_object_new_string(st->bundle ? st->bundle : ""));
        if (st->rootfs)
                json_object_object_add(o, "rootfs", json_object_new_string(st->rootfs));
        struct json_object *a = json_object_new_object();
        for (size_t i = 0; i < st->n_annotations; i++)
                json_object_object_add(
                    a, st->annotations[i].key,
                    json_object_new_string(st->annotations[i].value ? st->annotations[i].value : ""));
        json_object_object_add(o, "annotations", a);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        char *out = text ? strdup(text) : NULL;
        json_object_put(o);
        return out;
}

char *hook_describe_status(int wait_status)
{
        char *s = NULL;
        int r;
        if (WIFEXITED(wait_status))
                r = asprintf(&s, "exited with status %d", WEXITSTATUS(wait_status));
        else if (WIFSIGNALED(wait_status))
                r = asprintf(&s, "killed by signal %d (%s)", WTERMSIG(wait_status), strsignal(WTERMSIG(wait_status)));
        else
                r = asprintf(&s, "stopped with wait status %#x", (unsigned)wait_status);
        return r < 0 ? NULL : s;
}

static int open_output(const char *path, int *fd, struct error **err)
{
        /* crun's mode for these files. */
        *fd = open(path ? path : "/dev/null", O_WRONLY | O_APPEND | O_CLOEXEC | (path ? O_CREAT : 0), 0700);
        if (*fd < 0)
                return error_sys(err, "open hook output `%s`", path ? path : "/dev/null");
        return 0;
}

/* In the forked child: never returns. A failure before execve travels back through err_fd as an errno. */
__attribute__((noreturn)) static void exec_hook(const struct oci_hook *hook, const struct hooks_run_opts *opts,
                                                int in_fd, int out_fd, int err_out_fd, int report_fd)
{
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        int e = 0;
        if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_out_fd, 2) < 0)
                e = errno;
        if (!e && opts->cwd && chdir(opts->cwd) < 0 && !opts->tolerate_cwd)
                e = errno;
        if (!e) {
                char *fallback[] = {hook->path, NULL};
                execve(hook->path, hook->args ? hook->args : fallback, hook->env ? hook->env : environ);
                e = errno;
        }
        (void)!write(report_fd, &e, sizeof(e));
        _exit(127);
}

/* Feed stdin without ever blocking past the deadline: the hook may not read it at all. */
static void feed_stdin(int fd, const char *data, size_t len, int pidfd, long long deadline_ms)
{
        fcntl(fd, F_SETFL, O_NONBLOCK);
        size_t off = 0;
        while (off < len) {
                ssize_t n = write(fd, data + off, len - off);
                if (n > 0) {
                        off += (size_t)n;
                        continue;
                }
                if (n < 0 && errno != EAGAIN && errno != EINTR)
                        return; /* EPIPE: the hook closed its stdin */
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                long long left = deadline_ms < 0 ? -1 : deadline_ms - (now.tv_sec * 1000LL + now.tv_nsec / 1000000);
                if (deadline_ms >= 0 && left <= 0)
                        return;
                struct pollfd p[2] = {{fd, POLLOUT, 0}, {pidfd, POLLIN, 0}};
                if (poll(p, 2, (int)(left > 1000000 ? 1000000 : left)) > 0 && (p[1].revents & POLLIN))
                        return; /* the hook exited */
        }
}

static long long now_ms(void)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return now.tv_sec * 1000LL + now.tv_nsec / 1000000;
}

/* Wait for the hook; false when the deadline passed first (it was killed and reaped). */
static bool wait_hook(pid_t pid, int pidfd, long long deadline_ms, int *status)
{
        for (;;) {
                long long left = deadline_ms < 0 ? -1 : deadline_ms - now_ms();
                if (deadline_ms >= 0 && left <= 0)
                        break;
                struct pollfd p = {pidfd, POLLIN, 0};
                int n = poll(&p, 1, (int)(left > 1000000 ? 1000000 : left));
                if (n > 0)
                        break;
                if (n < 0 && errno != EINTR)
                        break;
        }
        pid_t w;
        do
                w = waitpid(pid, status, WNOHANG);
        while (w < 0 && errno == EINTR);
        if (w == pid)
                return true;
        kill(pid, SIGKILL);
        while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
        return false;
}

int hook_run_one(const struct oci_hook *hook, enum oci_hook_kind kind, size_t index, const char *stdin_json,
                 const struct hooks_run_opts *opts, const char *stdout_path, const char *stderr_path,
                 struct error **err)
{
        const char *kname = hook_kind_name(kind);
        _cleanup_close_ int out_fd = -1, err_out_fd = -1, pidfd = -1;
        int in[2] = {-1, -1}, report[2] = {-1, -1};
        int r = open_output(stdout_path, &out_fd, err);
        if (r >= 0)
                r = open_output(stderr_path, &err_out_fd, err);
        if (r < 0)
                return error_prefix(err, "%s hook #%zu `%s`", kname, index, hook->path);
        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0) {
                r = error_sys(err, "%s hook #%zu `%s`: pipe", kname, index, hook->path);
                goto out;
        }
        pid_t pid = fork();
        if (pid < 0) {
                r = error_sys(err, "%s hook #%zu `%s`: fork", kname, index, hook->path);
                goto out;
        }
        if (pid == 0)
                exec_hook(hook, opts, in[0], out_fd, err_out_fd, report[1]);
        close(in[0]);
        close(report[1]);
        in[0] = report[1] = -1;

        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        long long deadline = hook->timeout > 0 ? now_ms() + hook->timeout * 1000LL : -1;
        /* A hook that does not read its stdin must cost us an EPIPE, not a SIGPIPE. */
        struct sigaction ign = {.sa_handler = SIG_IGN}, old;
        sigaction(SIGPIPE, &ign, &old);
        feed_stdin(in[1], stdin_json ? stdin_json : "", stdin_json ? strlen(stdin_json) : 0, pidfd, deadline);
        sigaction(SIGPIPE, &old, NULL);
        close(in[1]);
        in[1] = -1;

        int status = 0;
        if (!wait_hook(pid, pidfd, deadline, &status)) {
                r = error_set(err, ETIMEDOUT, "%s hook #%zu `%s`: hook ran past specified timeout of %ds", kname, index,
                              hook->path, hook->timeout);
                goto out;
        }
        int exec_errno = 0;
        if (read(report[0], &exec_errno, sizeof(exec_errno)) == (ssize_t)sizeof(exec_errno) && exec_errno) {
                r = error_set(err, exec_errno, "%s hook #%zu `%s`: exec", kname, index, hook->path);
                goto out;
        }
        if (status != 0) {
                _cleanup_free_ char *why = hook_describe_status(status);
                r = error_set(err, 0, "%s hook #%zu `%s`: %s", kname, index, hook->path, why ? why : "failed");
                goto out;
        }
        r = 0;
out:
        for (int i = 0; i < 2; i++) {
                if (in[i] >= 0)
                        close(in[i]);
                if (report[i] >= 0)
                        close(report[i]);
        }
        return r;
}

int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const struct hook_state *st,
              const struct hooks_run_opts *opts, struct error **err)
{
        size_t n = spec->hooks.n[kind];
        if (n == 0)
                return 0;
        _cleanup_free_ char *json = hook_state_json(st, kind);
        if (!json)
                return error_set(err, ENOMEM, "%s hooks: state JSON", hook_kind_name(kind));
        const char *out = oci_spec_annotation(spec, "run.oci.hooks.stdout");
        const char *errp = oci_spec_annotation(spec, "run.oci.hooks.stderr");
        for (size_t i = 0; i < n; i++) {
                _cleanup_error_ struct error *e = NULL;
                int r = hook_run_one(&spec->hooks.list[kind][i], kind, i, json, opts, out, errp, &e);
                if (r >= 0)
                        continue;
                if (!opts->warn_only) {
                        if (err) {
                                error_free(err);
                                *err = TAKE_PTR(e);
                        }
                        return r;
                }
                log_required_warning("%s", e->msg);
        }
        return 0;
}
