/* `exec`: start one more process in an existing container.
 *
 * The runtime (P) forks a first child (C1) that joins the init's namespaces, the user namespace first
 * (so it holds capabilities over the others), while P moves it into the container's cgroup. Joining a
 * pid namespace only affects children, so C1 forks the real process (C2), reports its host pid and
 * exits; C2, inside the container, sets up its terminal, labels, identity and seccomp filter and calls
 * execve (init/exec_child.h). The sync socket is CLOEXEC: its EOF tells P that execve succeeded, a
 * message that it failed. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container/console_socket.h"
#include "container/exec.h"
#include "container/foreground.h"
#include "container/loaded.h"
#include "container/process_inherited.h"
#include "core/cleanup.h"
#include "core/fs.h"
#include "core/log.h"
#include "executor/executor.h"
#include "init/exec_attrs.h"
#include "init/exec_child.h"
#include "init/sync.h"
#include "linux/seccomp_filter.h"
#include "oci/namespaces.h"

struct exec_run {
        struct runtime_ctx *rt;
        const struct exec_options *opts;
        struct loaded_container l;
        struct oci_spec *spec;
        struct oci_process *proc; /* spec->process, or the --process one (then owned) */
        bool proc_owned;
        struct seccomp_filter *seccomp;
        int ns_fds[NS_COUNT]; /* by enum oci_ns_type; -1: not joined */
        bool joins_userns;
        int console_sock;
        int sync[2];
        pid_t pid; /* host pid of the exec'd process */
        int pidfd;
        int pty_master;
        int failure_status; /* 127/126 hint sent by C2 before its error */
};

static void close_fd(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

static void exec_run_clear(struct exec_run *x)
{
        for (int t = 0; t < NS_COUNT; t++)
                close_fd(&x->ns_fds[t]);
        close_fd(&x->console_sock);
        close_fd(&x->sync[0]);
        close_fd(&x->sync[1]);
        close_fd(&x->pidfd);
        close_fd(&x->pty_master);
        if (x->seccomp)
                seccomp_filter_free(x->seccomp);
        if (x->proc_owned)
                oci_process_free(x->proc);
        if (x->spec)
                oci_spec_free(x->spec);
        loaded_container_clear(&x->l);
}

/* The container's config (the copy create made: later edits of the bundle must not matter) and the
 * process to run. */
static int load_process(struct exec_run *x, struct error **err)
{
        const struct exec_options *o = x->opts;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = state_read_config(x->l.dir_fd, o->id, &text, &len, err);
        if (r < 0)
                return error_prefix(err, "exec");
        r = oci_spec_parse(text, len, "config.json", &x->spec, err);
        if (r < 0)
                return error_prefix(err, "exec: container `%s`", o->id);
        if (o->process_file) {
                _cleanup_free_ char *ptext = NULL;
                r = fs_read_file(o->process_file, 16 << 20, &ptext, &len);
                if (r < 0)
                        return error_set(err, -r, "exec: read --process `%s`", o->process_file);
                r = oci_process_parse(ptext, len, o->process_file, &x->proc, err);
                if (r < 0)
                        return r;
                x->proc_owned = true;
        } else {
                if (!x->spec->process)
                        return error_set(err, EINVAL, "exec: the container has no process to copy; use --process");
                x->proc = x->spec->process;
        }
        r = exec_apply_overrides(x->proc, o, err);
        if (r < 0)
                return r;
        if (x->proc->terminal && o->detach && !o->console_socket)
                return error_set(err, EINVAL, "exec: --detach with a terminal requires --console-socket");
        if (x->spec->linux_.seccomp) {
                const char *fail = oci_spec_annotation(x->spec, SECCOMP_FAIL_UNKNOWN_SYSCALL_ANNOTATION);
                r = seccomp_filter_build(x->spec->linux_.seccomp, fail != NULL, &x->seccomp, err);
                if (r < 0)
                        return error_prefix(err, "exec: seccomp");
        }
        return 0;
}

static bool same_file(int fd, const char *path)
{
        struct stat a, b;
        return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Open the init's namespaces that differ from ours, then make sure the pid still is the init we
 * created (not a reused pid) so we never join a stranger's namespaces. */
static int open_namespaces(struct exec_run *x, struct error **err)
{
        const struct container_state *st = x->l.st;
        for (int t = 0; t < NS_COUNT; t++) {
                const char *name = oci_ns_info((enum oci_ns_type)t)->proc_name;
                char path[64], self[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", st->pid, name);
                snprintf(self, sizeof(self), "/proc/self/ns/%s", name);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT && access(self, F_OK) < 0)
                        continue; /* this kernel has no such namespace type */
                if (fd < 0)
                        return error_sys(err, "exec: open `%s`", path);
                if (same_file(fd, self)) {
                        close(fd);
                        continue;
                }
                x->ns_fds[t] = fd;
                if (t == NS_USER)
                        x->joins_userns = true;
        }
        unsigned long long start = 0;
        bool zombie = false;
        if (proc_start_time(st->pid, &start, &zombie) < 0 || zombie || start != st->start_time)
                return error_set(err, ESRCH, "cannot exec in a stopped container");
        return 0;
}

/* ---- C1: join, fork, report ---- */

static int join_one(struct exec_run *x, enum oci_ns_type t, bool defer_eperm)
{
        if (x->ns_fds[t] < 0 || t == NS_USER)
                return 0;
        if (setns(x->ns_fds[t], (int)oci_ns_info(t)->flag) < 0)
                return defer_eperm && errno == EPERM ? 0 : -errno;
        close_fd(&x->ns_fds[t]);
        return 0;
}

/* A namespace owned by the host user namespace (the time namespace the runtime unshares before the init,
 * a network namespace from a path) can only be joined while we still have our capabilities there, and
 * one owned by the container's user namespace may need that namespace's capabilities (a rootless
 * runtime has no others). So: every other namespace first, keeping the EPERM ones for after the user
 * namespace, then the user namespace, then the rest. */
static int join_namespaces(struct exec_run *x, struct error **err)
{
        for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < NS_COUNT; i++) {
                        enum oci_ns_type t = oci_ns_join_order[i];
                        int r = join_one(x, t, pass == 0 && x->joins_userns);
                        if (r < 0) {
                                errno = -r;
                                return error_sys(err, "exec: join the container's %s namespace", oci_ns_type_name(t));
                        }
                }
                if (pass == 0 && x->joins_userns) {
                        if (setns(x->ns_fds[NS_USER], (int)oci_ns_info(NS_USER)->flag) < 0)
                                return error_sys(err, "exec: join the container's user namespace");
                        close_fd(&x->ns_fds[NS_USER]);
                }
        }
        return 0;
}

__attribute__((noreturn)) static void join_child(struct exec_run *x)
{
        _cleanup_error_ struct error *err = NULL;
        close_fd(&x->sync[0]);
        /* If the runtime dies during setup, do not leave a half-joined process behind. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int r = sync_expect(x->sync[1], SYNC_GO, NULL, NULL, &err);
        if (r < 0)
                _exit(1);
        /* rlimits and oomScoreAdj while we still have the host's capabilities (raising a hard limit
         * needs CAP_SYS_RESOURCE in the initial user namespace). */
        r = process_apply_inherited(x->proc, &err);
        /* execCPUAffinity.initial covers our setup in the container, `final` replaces it before execve. */
        if (r >= 0)
                r = exec_attrs_apply_cpu_affinity(x->proc->cpu_affinity_initial, "process.execCPUAffinity.initial",
                                                  &err);
        /* CVE-2019-5736: from here until execve our /proc/<pid>/exe is the runtime binary, and C2 lives in
         * the container's pid namespace. Non-dumpable (inherited by C2; execve resets it), no process of the
         * container may open it, our memory or our fds through /proc. After the rlimits and oomScoreAdj:
         * a non-dumpable process's /proc/self files belong to root, which a rootless runtime is not.
         * Why not also a sealed memfd copy of the binary: README, "Exec and seccomp hardening". */
        if (r >= 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                r = error_sys(&err, "exec: prctl(PR_SET_DUMPABLE, 0)");
        /* CVE-2024-21626: the state directory fds must not be reachable as /proc/self/fd/N in the container
         * (a cwd or an executable path through them is on the host). */
        close_fd(&x->l.dir_fd);
        close_fd(&x->l.root_fd);
        if (r >= 0)
                r = join_namespaces(x, &err);
        if (r < 0) {
                sync_send_error(x->sync[1], err);
                _exit(1);
        }
        pid_t pid = fork();
        if (pid < 0) {
                error_sys(&err, "exec: fork into the container's pid namespace");
                sync_send_error(x->sync[1], err);
                _exit(1);
        }
        if (pid == 0) {
                prctl(PR_SET_PDEATHSIG, 0);
                exec_child_run(&(struct exec_child){.proc = x->proc,
                                                    .seccomp = x->seccomp,
                                                    .sync_fd = x->sync[1],
                                                    .console_sock = x->console_sock,
                                                    .preserve_fds = x->opts->preserve_fds,
                                                    .joins_userns = x->joins_userns});
        }
        /* We stayed in the runtime's pid namespace: this is the host pid. */
        sync_send(x->sync[1], SYNC_READY, pid, NULL);
        _exit(0);
}

/* ---- P ---- */

/* Messages until EOF: READY (pid), PTY (the master, foreground), ACK (failure status), ERROR. */
static int supervise(struct exec_run *x, struct error **err)
{
        for (;;) {
                struct sync_msg m;
                int fd = -1;
                _cleanup_error_ struct error *e = NULL;
                int r = sync_expect(x->sync[0], 0, &m, &fd, &e);
                if (r < 0 && e->errnum == EPIPE && x->pid > 0)
                        return 0; /* EOF after the pid: execve closed the CLOEXEC socket */
                if (r < 0) {
                        *err = TAKE_PTR(e);
                        return r;
                }
                if (m.type == SYNC_READY)
                        x->pid = m.value;
                else if (m.type == SYNC_ACK)
                        x->failure_status = m.value;
                else if (m.type == SYNC_PTY && fd >= 0) {
                        close_fd(&x->pty_master);
                        x->pty_master = fd;
                } else if (fd >= 0)
                        close(fd);
        }
}

static int write_pid_file(const char *pid_file, pid_t pid, struct error **err)
{
        _cleanup_free_ char *abs = fs_absolute(pid_file);
        if (!abs)
                return error_set(err, ENOMEM, "exec: --pid-file");
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", pid);
        int r = fs_write_file_atomic(abs, buf, (size_t)n, 0644);
        return r < 0 ? error_set(err, -r, "exec: write pid file `%s`", abs) : 0;
}

static int start_process(struct exec_run *x, struct error **err)
{
        const struct exec_options *o = x->opts;
        if (x->proc->terminal && o->console_socket) {
                int r = console_socket_connect(o->console_socket, &x->console_sock, err);
                if (r < 0)
                        return r;
        }
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, x->sync) < 0)
                return error_sys(err, "exec: socketpair");
        fflush(NULL);
        pid_t c1 = fork();
        if (c1 < 0)
                return error_sys(err, "exec: fork");
        if (c1 == 0)
                join_child(x);
        close_fd(&x->sync[1]);
        close_fd(&x->console_sock);

        int r = 0;
        struct cgroup_handle cg = loaded_container_cgroup(x->l.st);
        if (cg.path)
                r = cgroup_enter(&cg, c1, o->cgroup, err);
        else if (o->cgroup)
                r = error_set(err, ENOENT, "exec: --cgroup `%s`: the container has no cgroup", o->cgroup);
        if (r >= 0)
                r = sync_send(x->sync[0], SYNC_GO, 0, err);
        if (r >= 0)
                r = supervise(x, err);
        if (r < 0)
                kill(c1, SIGKILL);
        waitpid(c1, NULL, 0);
        if (r < 0 && x->pid > 0 && !o->detach)
                waitpid(x->pid, NULL, 0); /* we are its subreaper: do not leave a zombie */
        return r;
}

int container_exec(struct runtime_ctx *rt, const struct exec_options *opts, int *exit_status, struct error **err)
{
        _cleanup_(exec_run_clear) struct exec_run x = {
            .rt = rt,
            .opts = opts,
            .l = {.root_fd = -1, .dir_fd = -1},
            .console_sock = -1,
            .sync = {-1, -1},
            .pidfd = -1,
            .pty_master = -1,
            .failure_status = 1,
        };
        for (int t = 0; t < NS_COUNT; t++)
                x.ns_fds[t] = -1;
        *exit_status = 1;

        /* The lock keeps delete/kill of this container out until the process runs. */
        int r = loaded_container_open(rt, opts->id, true, &x.l, err);
        if (r >= 0)
                r = exec_check_container(opts->id, x.l.status, x.l.st->executor, err);
        if (r >= 0)
                r = load_process(&x, err);
        /* A workload out of reach of setns (krun: in a VM) gets the process from its executor. */
        const struct executor *ex = r >= 0 ? executor_by_name(x.l.st->executor) : NULL;
        if (ex && ex->exec_process)
                return ex->exec_process(&(struct executor_exec_request){.state_dir_fd = &x.l.dir_fd,
                                                                        .proc = x.proc,
                                                                        .detach = opts->detach,
                                                                        .pid_file = opts->pid_file,
                                                                        .console_socket = opts->console_socket,
                                                                        .preserve_fds = opts->preserve_fds},
                                        exit_status, err);
        if (r >= 0)
                r = open_namespaces(&x, err);
        if (r < 0)
                return r;
        /* Foreground: the process is re-parented to us when C1 exits, so we get its exit status. */
        if (!opts->detach && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return error_sys(err, "exec: become a subreaper");
        r = start_process(&x, err);
        if (r < 0) {
                *exit_status = x.failure_status;
                return r;
        }
        if (!opts->detach)
                x.pidfd = (int)syscall(SYS_pidfd_open, x.pid, 0);
        /* Only now: conmon treats an existing pid file as "the process started". */
        if (opts->pid_file) {
                r = write_pid_file(opts->pid_file, x.pid, err);
                if (r < 0)
                        return r;
        }
        close_fd(&x.l.dir_fd); /* release the container's lock */
        *exit_status = 0;
        if (opts->detach)
                return 0;
        return foreground_wait(x.pid, x.pidfd, x.pty_master, exit_status, err);
}
