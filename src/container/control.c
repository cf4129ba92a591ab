/* start, kill and delete of an existing container. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container/hooks.h"
#include "container/lifecycle.h"
#include "container/loaded.h"
#include "container/notify.h"
#include "core/cleanup.h"
#include "core/fs.h"
#include "core/log.h"
#include "executor/executor.h"
#include "init/sync.h"
#include "oci/spec.h"
#include "oci/state.h"

/* The config copied into the state directory at create: the poststart and poststop hooks come from it. */
static int load_spec(int dir_fd, const char *id, struct oci_spec **spec, struct error **err)
{
        _cleanup_free_ char *json = NULL;
        size_t len = 0;
        int r = state_read_config(dir_fd, id, &json, &len, err);
        if (r < 0)
                return r;
        return oci_spec_parse(json, len, "config.json", spec, err);
}

/* poststart and poststop: runtime namespace, cwd = bundle. */
static int run_hooks(const struct container_state *st, const struct oci_spec *spec, enum oci_hook_kind kind,
                     bool warn_only, struct error **err)
{
        struct hook_state hs = hook_state_for(spec, st->id, st->pid, st->bundle, st->rootfs);
        struct hooks_run_opts opts = {.cwd = st->bundle, .warn_only = warn_only};
        return hooks_run(spec, kind, &hs, &opts, err);
}

/* A pidfd for the init, only if it is still the process we created (pid reuse check). */
static int open_init_pidfd(const struct container_state *st)
{
        if (st->pid <= 0)
                return -ESRCH;
        int fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
        if (fd < 0)
                return -errno;
        unsigned long long start = 0;
        bool zombie = false;
        if (proc_start_time(st->pid, &start, &zombie) < 0 || zombie || start != st->start_time) {
                close(fd);
                return -ESRCH;
        }
        return fd;
}

/* Wake the init blocked on exec.sock. EOF means execve succeeded (the connection was CLOEXEC); a message
 * means it failed. */
static int start_handshake(int dir_fd, const char *id, struct error **err)
{
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/exec.sock.starting", dir_fd);
        if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0)
                return error_sys(err, "start `%s`: connect to the container", id);
        if (send(s, "S", 1, MSG_NOSIGNAL) != 1)
                return error_sys(err, "start `%s`", id);
        struct sync_msg m;
        ssize_t n;
        do
                n = recv(s, &m, sizeof(m), 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return error_sys(err, "start `%s`", id);
        if (n > 0 && m.type == SYNC_ERROR) {
                m.text[sizeof(m.text) - 1] = 0;
                return error_set(err, m.errnum, "%s", m.text);
        }
        return 0;
}

int container_start(struct runtime_ctx *rt, const char *id, struct error **err)
{
        struct loaded_container l;
        _cleanup_spec_ struct oci_spec *spec = NULL;
        bool started = false;
        int r = loaded_container_open(rt, id, true, &l, err);
        if (r >= 0 && l.status != STATUS_CREATED)
                r = error_set(err, EINVAL, "container `%s` is not in created state (it is %s)", id,
                              state_status_name(l.status));
        if (r >= 0)
                r = load_spec(l.dir_fd, l.st->id, &spec, err);
        /* Rename first: `state` says running from now on, and no second `start` can connect. */
        if (r >= 0 && renameat(l.dir_fd, "exec.sock", l.dir_fd, "exec.sock.starting") < 0)
                r = error_sys(err, "start `%s`", id);
        _cleanup_close_ int notify_fd = -1;
        if (r >= 0)
                r = notify_open(l.dir_fd, &notify_fd, err);
        if (r >= 0) {
                r = start_handshake(l.dir_fd, id, err);
                unlinkat(l.dir_fd, "exec.sock.starting", 0);
                started = r >= 0;
        }
        /* sd_notify: `start` returns once the workload said READY=1 (or died). */
        if (r >= 0 && notify_fd >= 0) {
                _cleanup_close_ int pidfd = open_init_pidfd(l.st);
                r = notify_wait_ready(notify_fd, pidfd, err);
        }
        if (r >= 0)
                r = run_hooks(l.st, spec, HOOK_POSTSTART, false, err);
        loaded_container_clear(&l);
        /* A failed poststart hook: the container is killed and deleted (crun), after our lock is released. */
        if (r < 0 && started) {
                _cleanup_error_ struct error *e2 = NULL;
                if (container_delete(rt, id, true, &e2) < 0)
                        log_warning("delete `%s` after a failed poststart hook: %s", id, e2->msg);
        }
        return r;
}

static int signal_init(const struct container_state *st, int signo, struct error **err)
{
        _cleanup_close_ int pidfd = open_init_pidfd(st);
        if (pidfd < 0)
                return error_set(err, ESRCH, "container `%s` is not running", st->id);
        if (syscall(SYS_pidfd_send_signal, pidfd, signo, NULL, 0) < 0)
                return error_sys(err, "kill container `%s`", st->id);
        return 0;
}

int container_kill(struct runtime_ctx *rt, const char *id, int signo, bool all, struct error **err)
{
        struct loaded_container l;
        int r = loaded_container_open(rt, id, true, &l, err);
        if (r >= 0) {
                struct cgroup_handle cg = loaded_container_cgroup(l.st);
                const struct executor *ex = executor_by_name(l.st->executor);
                /* SIGKILL and SIGSTOP stay on the host: they must work even when the guest does not answer. */
                bool is_guest = ex && ex->signal && l.status == STATUS_RUNNING && signo != SIGKILL && signo != SIGSTOP;
                if (is_guest && (r = ex->signal(l.dir_fd, signo, all, err)) != 0) {
                        r = r < 0 ? error_prefix(err, "kill `%s`", id) : 0;
                } else if (all && cg.path) {
                        r = cgroup_kill_all(&cg, signo, err);
                } else if (l.status == STATUS_STOPPED) {
                        r = error_set(err, ESRCH, "container `%s` is not running", id);
                } else {
                        r = signal_init(l.st, signo, err);
                }
        }
        loaded_container_clear(&l);
        return r;
}

/* Wait (bounded) until the init is gone, so the cgroup can be removed. */
static void wait_stopped(int dir_fd, const struct container_state *st)
{
        for (int i = 0; i < 500 && state_status(dir_fd, st) != STATUS_STOPPED; i++) {
                struct timespec ts = {0, 10L * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
}

static int kill_everything(struct loaded_container *l, struct error **err)
{
        struct cgroup_handle cg = loaded_container_cgroup(l->st);
        _cleanup_error_ struct error *e = NULL;
        if (cg.path && (!l->st->has_pidns || l->status == STATUS_PAUSED)) {
                if (cgroup_kill_all(&cg, SIGKILL, &e) < 0)
                        log_warning("delete: %s", e->msg);
        }
        signal_init(l->st, SIGKILL, NULL);
        /* Frozen tasks cannot die until thawed. */
        if (l->status == STATUS_PAUSED && cg.path && cgroup_freeze(&cg, false, &e) < 0)
                log_warning("delete: thaw: %s", e ? e->msg : "");
        wait_stopped(l->dir_fd, l->st);
        /* An init in a pid namespace exits only once every task of the namespace is gone; when it is still
         * there, kill the whole cgroup (on a loaded host the kernel's own sweep can outlast the first wait). */
        if (state_status(l->dir_fd, l->st) != STATUS_STOPPED && cg.path && l->st->has_pidns) {
                _cleanup_error_ struct error *e2 = NULL;
                if (cgroup_kill_all(&cg, SIGKILL, &e2) < 0)
                        log_warning("delete: %s", e2->msg);
                wait_stopped(l->dir_fd, l->st);
        }
        if (state_status(l->dir_fd, l->st) != STATUS_STOPPED)
                return error_set(err, EBUSY, "delete `%s`: the container init did not die", l->st->id);
        return 0;
}

/* delete --force when state.json cannot be used (missing, damaged, hostile): teardown.json, written
 * before anything of the container existed, says what to undo. 1: nothing was ever made (or the
 * directory is gone): only the directory is left to remove. */
static int open_teardown(struct loaded_container *l, const char *id, struct error **err)
{
        if (l->dir_fd < 0)
                return (*err)->errnum == ENOENT ? 1 : error_status(*err);
        _cleanup_error_ struct error *e = NULL;
        int r = state_read_teardown(l->dir_fd, id, &l->st, &e);
        bool no_state = (*err)->errnum == ENOENT;
        if (r < 0 && e->errnum == ENOENT && no_state)
                return 1; /* killed before its first record: nothing exists but the directory */
        if (r < 0)
                return error_set(err, (*err)->errnum, "delete `%s`: cannot tell what to undo: %s; %s", id, (*err)->msg,
                                 e->errnum == ENOENT ? "no " STATE_TEARDOWN_FILE : e->msg);
        if (!no_state)
                log_warning("delete `%s`: %s; undoing what " STATE_TEARDOWN_FILE " records", id, (*err)->msg);
        error_free(err);
        l->status = loaded_container_status(l->dir_fd, l->st);
        return 0;
}

/* The cgroup, also when processes we did not know about (no pid recorded yet, no pid namespace) are
 * still in it. */
static int destroy_cgroup(const struct loaded_container *l, bool force, const struct cgroup_handle *made,
                          struct error **err)
{
        struct cgroup_handle cg = loaded_container_cgroup(l->st);
        if (!cg.path)
                return 0;
        /* The layout only: the path is the state's, which says what this container's cgroup is. */
        cg.layout = made ? made->layout : NULL;
        _cleanup_error_ struct error *first = NULL;
        if (cgroup_destroy(&cg, &first) >= 0)
                return 0;
        if (!force || first->errnum != EBUSY) {
                *err = TAKE_PTR(first);
                return error_status(*err);
        }
        _cleanup_error_ struct error *e = NULL;
        if (cgroup_kill_all(&cg, SIGKILL, &e) < 0 && e->errnum != ENOENT)
                log_warning("delete: %s", e->msg);
        return cgroup_destroy(&cg, err);
}

int container_delete(struct runtime_ctx *rt, const char *id, bool force, struct error **err)
{
        return container_delete_parsed(rt, id, force, NULL, NULL, err);
}

int container_delete_parsed(struct runtime_ctx *rt, const char *id, bool force, const struct oci_spec *parsed,
                            const struct cgroup_handle *made, struct error **err)
{
        struct loaded_container l;
        _cleanup_spec_ struct oci_spec *loaded = NULL;
        const struct oci_spec *spec = parsed;
        _cleanup_error_ struct error *spec_err = NULL;
        int r = loaded_container_open(rt, id, true, &l, err);
        if (r < 0 && force && l.root_fd >= 0 && state_validate_id(id, NULL) >= 0) {
                r = open_teardown(&l, id, err);
                if (r > 0) {
                        /* --force succeeds when there is nothing, and removes what a create killed early left. */
                        error_free(err);
                        r = state_remove(l.root_fd, id, err);
                        loaded_container_clear(&l);
                        return r;
                }
        }
        if (r < 0)
                goto out;
        if ((l.status == STATUS_RUNNING || l.status == STATUS_PAUSED) && !force) {
                r = error_set(err, EBUSY, "the container `%s` is not in created or stopped state (it is %s)", id,
                              state_status_name(l.status));
                goto out;
        }
        if (l.status != STATUS_STOPPED) {
                r = kill_everything(&l, err);
                if (r < 0)
                        goto out;
        }
        /* Read before the state directory goes: poststop hooks run once everything is gone. */
        if (!spec && l.st->bundle && load_spec(l.dir_fd, l.st->id, &loaded, &spec_err) >= 0)
                spec = loaded;
        else if (!spec && l.st->bundle)
                log_warning("delete `%s`: no poststop hooks: %s", id, spec_err ? spec_err->msg : "config.json");
        r = destroy_cgroup(&l, force, made, err);
        /* What the executor wrote into the rootfs (krun: /.krun_config.json); needs the state's config copy.
         * Left in place, it would outlive the container: the state stays so that delete can be retried. */
        if (r >= 0 && executor_cleanup_rootfs(l.st->executor, l.st->id, l.st->rootfs, l.dir_fd, err) < 0)
                r = error_prefix(err, "delete `%s`", id);
        if (r >= 0)
                r = state_remove(l.root_fd, id, err);
        if (r >= 0 && spec)
                run_hooks(l.st, spec, HOOK_POSTSTOP, true, NULL);
out:
        loaded_container_clear(&l);
        return r;
}
