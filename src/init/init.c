#include "init/init.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "container/hooks.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "init/exec_attrs.h"
#include "init/process.h"
#include "init/sync.h"
#include "init/terminal.h"
#include "linux/loopback.h"
#include "linux/lsm.h"
#include "linux/rootfs.h"
#include "linux/seccomp_filter.h"
#include "linux/sysctl.h"

extern char **environ;

static bool spec_has_new_ns(const struct oci_spec *spec, enum oci_ns_type type)
{
        const struct oci_namespace *ns = oci_spec_namespace(spec, type);
        return ns && !ns->path;
}

/* What setup prepares for the moment of `start`. */
struct init_late {
        pid_t host_pid; /* our pid as the runtime sees it (SYNC_GO) */
        struct seccomp_filter *seccomp;
        int seccomp_listener; /* connected listenerPath, -1 when none */
        int listen_fds;       /* LISTEN_FDS of the runtime's environment: socket activation fds kept */
        int *idmapped_fds;    /* detached idmapped mounts from the runtime, in mounts[] order */
        size_t n_idmapped_fds;
        bool cwd_pending; /* process.cwd was not accessible as root: retried as the container user */
};

/* Attached by rootfs_prepare (or unused after a failure): either way no longer ours to keep. */
static void init_late_close_idmapped(struct init_late *l)
{
        for (size_t i = 0; i < l->n_idmapped_fds; i++)
                close(l->idmapped_fds[i]);
        free(l->idmapped_fds);
        l->idmapped_fds = NULL;
        l->n_idmapped_fds = 0;
}

/* Before GO the runtime sends the idmapped mounts it prepared with its host privileges (linux/idmap.h). */
static int wait_for_go(struct init_args *a, struct init_late *late, struct sync_msg *go, struct error **err)
{
        for (;;) {
                int fd = -1;
                int r = sync_expect(a->sync_fd, 0, go, &fd, err);
                if (r < 0)
                        return r;
                if (go->type == SYNC_GO && fd < 0)
                        return 0;
                if (go->type != SYNC_IDMAP_MOUNT || fd < 0) {
                        if (fd >= 0)
                                close(fd);
                        return error_set(err, EPROTO, "sync: unexpected message %u before GO", go->type);
                }
                int *grown = realloc(late->idmapped_fds, (late->n_idmapped_fds + 1) * sizeof(int));
                if (!grown) {
                        close(fd);
                        return error_set(err, ENOMEM, "receive the idmapped mounts");
                }
                late->idmapped_fds = grown;
                late->idmapped_fds[late->n_idmapped_fds++] = fd;
        }
}

static void init_late_clear(struct init_late *l)
{
        seccomp_filter_free(l->seccomp);
        l->seccomp = NULL;
        if (l->seccomp_listener >= 0)
                close(l->seccomp_listener);
        l->seccomp_listener = -1;
}

static bool spec_has_ns(const struct oci_spec *spec, enum oci_ns_type type)
{
        return oci_spec_namespace(spec, type) != NULL;
}

/* Written through our own /proc before the rootfs exists: /proc/sys resolves ipc and net keys against the
 * writer's namespaces, which are already the container's. */
static int apply_sysctl(const struct init_args *a, struct error **err)
{
        const struct oci_spec *spec = a->spec;
        struct sysctl_namespaces ns = {
            .has_ipcns = spec_has_ns(spec, NS_IPC),
            .has_netns = spec_has_ns(spec, NS_NET),
            .has_utsns = spec_has_ns(spec, NS_UTS),
            .has_userns = a->has_new_userns,
            .domainname = spec->domainname,
        };
        return sysctl_apply(spec->linux_.sysctl, spec->linux_.n_sysctl, &ns, err);
}

/* createContainer and startContainer run here, in the container's namespaces; they see the pid inside. */
static int run_container_hooks(const struct init_args *a, enum oci_hook_kind kind, struct error **err)
{
        struct hook_state st = hook_state_for(a->spec, a->exec_ctx->container_id, getpid(), a->bundle, a->rootfs);
        /* After pivot_root the bundle is usually not reachable: crun tolerates that for startContainer. */
        struct hooks_run_opts opts = {.cwd = a->bundle, .tolerate_cwd = kind == HOOK_START_CONTAINER};
        return hooks_run(a->spec, kind, &st, &opts, err);
}

/* Built at create so that a bad profile fails `create`; the listener is connected while its host path is
 * still reachable (before pivot_root). */
static int prepare_seccomp(const struct init_args *a, struct init_late *late, struct error **err)
{
        const struct oci_seccomp *sc = a->spec->linux_.seccomp;
        if (!sc)
                return 0;
        bool fail_unknown = oci_spec_annotation(a->spec, SECCOMP_FAIL_UNKNOWN_SYSCALL_ANNOTATION) != NULL;
        int r = seccomp_filter_build(sc, fail_unknown, &late->seccomp, err);
        if (r >= 0 && seccomp_filter_wants_listener(late->seccomp))
                r = seccomp_listener_connect(late->seccomp, &late->seccomp_listener, err);
        return r;
}

static int load_seccomp(const struct init_args *a, struct init_late *late, enum oci_hook_kind phase, struct error **err)
{
        if (!late->seccomp)
                return 0;
        struct hook_state st = hook_state_for(a->spec, a->exec_ctx->container_id, late->host_pid, a->bundle, a->rootfs);
        _cleanup_free_ char *state_json = hook_state_json(&st, phase);
        int r = seccomp_filter_load(late->seccomp, late->seccomp_listener, late->host_pid, state_json, err);
        init_late_clear(late);
        return r;
}

/* Socket activation: the fds systemd passed to the runtime stay open for the workload. */
static int listen_fds_count(void)
{
        const char *v = getenv("LISTEN_FDS");
        int n = v ? atoi(v) : 0;
        return n > 0 ? n : 0;
}

static int set_names(const struct oci_spec *spec, struct error **err)
{
        if (spec->hostname && *spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
                return error_sys(err, "set hostname `%s`", spec->hostname);
        if (spec->domainname && *spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
                return error_sys(err, "set domainname `%s`", spec->domainname);
        return 0;
}

/* Block until `start`: either the runtime that ran create is still here (run) and says START, or it
 * detaches (create) and a later `start` connects to exec.sock. Returns the connection to report an exec
 * failure on (CLOEXEC: its EOF tells `start` that execve succeeded). */
static int wait_for_start(struct init_args *a, int *report_fd, struct error **err)
{
        struct sync_msg m;
        int r = sync_expect(a->sync_fd, 0, &m, NULL, err);
        if (r < 0)
                return r;
        if (m.type == SYNC_START) {
                close(a->exec_sock_fd);
                *report_fd = a->sync_fd;
                return 0;
        }
        if (m.type != SYNC_DETACH)
                return error_set(err, EPROTO, "sync: unexpected message %u while waiting for start", m.type);
        /* The runtime is about to exit: it must not take us with it. */
        if (prctl(PR_SET_PDEATHSIG, 0) < 0)
                return error_sys(err, "prctl(PR_SET_PDEATHSIG)");
        r = sync_send(a->sync_fd, SYNC_ACK, 0, err);
        if (r < 0)
                return r;
        close(a->sync_fd);
        a->sync_fd = -1;
        for (;;) {
                int c = accept4(a->exec_sock_fd, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        return error_sys(err, "wait for start: accept");
                }
                char byte = 0;
                ssize_t n;
                do
                        n = read(c, &byte, 1);
                while (n < 0 && errno == EINTR);
                if (n == 1 && byte == 'S') {
                        close(a->exec_sock_fd);
                        *report_fd = c;
                        return 0;
                }
                close(c); /* a stray connection: keep waiting */
        }
}

/* Leftover fds are marked CLOEXEC before the seccomp filter loads (execve closes them). Everything the
 * init opens afterwards is O_CLOEXEC. */
static int mark_fds_cloexec(const struct init_args *a, const struct init_late *late, struct error **err)
{
        int keep[9];
        size_t n_keep = 0;
        if (a->exec_ctx->ops->keep_fds)
                a->exec_ctx->ops->keep_fds(a->exec_ctx, keep, &n_keep);
        return process_close_fds(a->preserve_fds + late->listen_fds, keep, n_keep, err);
}

/* The namespaces the runtime could not create for us, and root in the user namespace. */
static int enter_namespaces(const struct init_args *a, struct error **err)
{
        /* The cgroup namespace comes after the runtime placed us in our cgroup, so that its root is the
         * container's cgroup. */
        if (a->user_ns_fd >= 0 && setns(a->user_ns_fd, CLONE_NEWUSER) < 0)
                return error_sys(err, "join user namespace");
        if (a->unshare_flags && unshare((int)a->unshare_flags) < 0)
                return error_sys(err, "unshare namespaces");
        /* In a user namespace we start as the overflow uid until we switch: files created while setting up
         * the rootfs (mount targets, device nodes) would fail with EOVERFLOW. Become its root, which the
         * mappings written by the runtime must provide, as with runc and crun. */
        if (a->has_new_userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
                return error_sys(err, "become root of the user namespace (are uid 0 and gid 0 mapped in "
                                      "linux.uidMappings and linux.gidMappings?)");
        return 0;
}

/* Settings of the new namespaces themselves: sysctls, and the loopback device of a new network namespace. */
static int configure_namespaces(const struct init_args *a, struct error **err)
{
        int r = apply_sysctl(a, err);
        if (r >= 0 && spec_has_new_ns(a->spec, NS_NET))
                r = loopback_up(err);
        return r;
}

static struct rootfs_config rootfs_config_of(const struct init_args *a, const struct init_late *late)
{
        const struct oci_spec *spec = a->spec;
        return (struct rootfs_config){
            .spec = spec,
            .bundle = a->bundle,
            .rootfs = a->rootfs,
            .has_new_mntns = spec_has_new_ns(spec, NS_MOUNT),
            .has_new_netns = spec_has_new_ns(spec, NS_NET),
            .has_new_userns = a->has_new_userns,
            .has_new_pidns = spec_has_new_ns(spec, NS_PID),
            .has_new_ipcns = spec_has_new_ns(spec, NS_IPC),
            .has_new_cgroupns = spec_has_new_ns(spec, NS_CGROUP),
            .no_pivot = a->no_pivot,
            .console_slave_fd = -1,
            .idmapped_fds = late->idmapped_fds,
            .n_idmapped_fds = late->n_idmapped_fds,
        };
}

/* process.terminal's pty between its creation (before pivot_root) and its hand-over (in our session). */
struct init_pty {
        int master, slave;
};

static void init_pty_close(struct init_pty *p)
{
        if (p->master >= 0)
                close(p->master);
        if (p->slave >= 0)
                close(p->slave);
        p->master = p->slave = -1;
}

/* Mounts, devices, the executor's files and the pty, in the rootfs reached through its host path. */
static int build_rootfs(const struct init_args *a, struct init_late *late, struct rootfs_config *cfg, int *rootfs_fd,
                        struct init_pty *pty, struct error **err)
{
        int r = rootfs_prepare(cfg, rootfs_fd, err);
        init_late_close_idmapped(late);
        cfg->idmapped_fds = NULL;
        cfg->n_idmapped_fds = 0;
        if (r < 0)
                return error_prefix(err, "rootfs");
        if (a->exec_ctx->ops->prepare_rootfs) {
                r = a->exec_ctx->ops->prepare_rootfs(a->exec_ctx, *rootfs_fd, PHASE_AFTER_MOUNTS, err);
                if (r < 0)
                        return r;
        }
        /* The pty comes from the container's devpts, mounted by rootfs_prepare. */
        const struct oci_process *proc = a->spec->process;
        if (proc && proc->terminal)
                return terminal_open_console(*rootfs_fd, proc, &pty->master, &pty->slave, err);
        return 0;
}

/* prestart and createRuntime hooks run in the runtime, then createContainer here, all with our mounts in
 * place and before pivot_root. */
static int run_create_hooks(const struct init_args *a, struct error **err)
{
        int r = sync_send(a->sync_fd, SYNC_MOUNTS_DONE, 0, err);
        if (r >= 0)
                r = sync_expect(a->sync_fd, SYNC_HOOKS_DONE, NULL, NULL, err);
        if (r >= 0)
                r = run_container_hooks(a, HOOK_CREATE_CONTAINER, err);
        return r;
}

/* pivot_root, then masked and read-only paths, then the LSM labels the workload gets at execve. */
static int enter_rootfs(const struct init_args *a, const struct rootfs_config *cfg, int rootfs_fd, struct error **err)
{
        int r = rootfs_pivot(cfg, rootfs_fd, err);
        if (r >= 0)
                r = rootfs_finalize(cfg, err);
        if (r < 0)
                return error_prefix(err, "rootfs");
        /* Labels apply at execve; written to the container's /proc now that it is ours. */
        const struct oci_process *proc = a->spec->process;
        return proc ? lsm_apply_exec_labels(proc, err) : 0;
}

/* Hostname and domainname of the UTS namespace, personality and memory policy of this task (inherited by
 * the workload). */
static int apply_container_attrs(const struct oci_spec *spec, struct error **err)
{
        int r = set_names(spec, err);
        if (r >= 0)
                r = exec_attrs_apply_personality(&spec->linux_, err);
        if (r >= 0)
                r = exec_attrs_apply_memory_policy(&spec->linux_, err);
        return r;
}

/* A new session, so the container never shares the caller's controlling terminal; the pty's slave becomes
 * its controlling terminal, and the master leaves: to the console socket, or to the foreground runtime. */
static int take_terminal(struct init_args *a, struct init_pty *pty, struct error **err)
{
        if (setsid() < 0 && errno != EPERM)
                return error_sys(err, "setsid");
        if (pty->slave < 0)
                return 0;
        int r = terminal_hand_over(TAKE_FD(pty->master), TAKE_FD(pty->slave), a->spec->process, a->console_socket_fd,
                                   a->sync_fd, err);
        if (a->console_socket_fd >= 0)
                close(a->console_socket_fd);
        a->console_socket_fd = -1;
        return r;
}

/* process.env with what the runtime passes on: LISTEN_FDS (socket activation) and NOTIFY_SOCKET. */
static int build_env(const struct init_args *a, struct init_late *late, char ***envp, struct error **err)
{
        late->listen_fds = listen_fds_count();
        char listen_env[32], notify_env[PATH_MAX + 16];
        char *extra[4];
        size_t n_extra = 0;
        if (late->listen_fds > 0) {
                snprintf(listen_env, sizeof(listen_env), "LISTEN_FDS=%d", late->listen_fds);
                extra[n_extra++] = listen_env;
                extra[n_extra++] = "LISTEN_PID=1";
        }
        if (a->notify_socket) {
                snprintf(notify_env, sizeof(notify_env), "NOTIFY_SOCKET=%s", a->notify_socket);
                extra[n_extra++] = notify_env;
        }
        extra[n_extra] = NULL;
        return process_build_env(a->spec->process, n_extra ? extra : NULL, envp, err);
}

/* Environment, cwd, executable and the scheduling attributes of the workload. */
static int prepare_process(const struct init_args *a, struct init_late *late, char ***envp, char **exec_path,
                           struct error **err)
{
        const struct oci_process *proc = a->spec->process;
        int r = build_env(a, late, envp, err);
        if (r < 0)
                return r;
        r = process_chdir(proc, err);
        if (r < 0) {
                if (!process_chdir_retry_as_user(*err))
                        return r;
                error_free(err); /* retried as the container user at start (root-squashed NFS) */
                late->cwd_pending = true;
        }
        if (a->exec_ctx->ops->resolves_executable) {
                r = process_resolve_executable(proc, exec_path, err);
                if (r < 0)
                        return r;
        }
        /* A SCHED_DEADLINE init cannot fork startContainer hooks unless the policy has
         * SCHED_FLAG_RESET_ON_FORK (the kernel refuses, as with crun). */
        return exec_attrs_apply_before_identity(proc, err);
}

/* Everything up to READY, in phases whose order is the security-relevant part: each comment says why a
 * phase stands where it does. */
static int setup(struct init_args *a, struct init_late *late, char ***envp, char **exec_path, struct error **err)
{
        const struct oci_process *proc = a->spec->process;
        struct rootfs_config cfg = rootfs_config_of(a, late);
        _cleanup_close_ int rootfs_fd = -1;
        _cleanup_(init_pty_close) struct init_pty pty = {.master = -1, .slave = -1};

        /* First, so that it covers all of our setup work: execCPUAffinity.initial (`final` replaces it
         * before exec). */
        int r = exec_attrs_apply_cpu_affinity(proc ? proc->cpu_affinity_initial : NULL,
                                              "process.execCPUAffinity.initial", err);
        /* Before any other step, which must act inside the container's namespaces and as their root. */
        if (r >= 0)
                r = enter_namespaces(a, err);
        /* Before the rootfs: written through our own /proc, whose /proc/sys resolves ipc and net keys
         * against the writer's namespaces, which are now the container's. */
        if (r >= 0)
                r = configure_namespaces(a, err);
        /* While the host paths (bundle, rootfs, bind sources) are reachable: before pivot_root. */
        if (r >= 0)
                r = build_rootfs(a, late, &cfg, &rootfs_fd, &pty, err);
        /* Before pivot_root: the profile's listenerPath is a host path. */
        if (r >= 0)
                r = prepare_seccomp(a, late, err);
        /* Where the spec puts prestart, createRuntime and createContainer: mounts done, not yet pivoted. */
        if (r >= 0)
                r = run_create_hooks(a, err);
        /* pivot_root after createContainer, as the spec orders; masked and read-only paths after every hook
         * that sees the rootfs, so that no hook's mount lands on top of them. */
        if (r >= 0)
                r = enter_rootfs(a, &cfg, rootfs_fd, err);
        /* Needs only our namespaces (the UTS one for the names); the workload inherits the task's attributes. */
        if (r >= 0)
                r = apply_container_attrs(a->spec, err);
        /* TIOCSCTTY needs a session leader; the pty was opened before pivot_root, in build_rootfs. */
        if (r >= 0)
                r = take_terminal(a, &pty, err);
        /* Last: HOME, cwd and args[0] are looked up in the container's root, as the workload sees it.
         * Created without `process`: start_workload refuses to start it. */
        if (r >= 0 && proc)
                r = prepare_process(a, late, envp, exec_path, err);
        return r;
}

/* After `start`: the seccomp filter and the identity switch come last, so that a filter loaded while we
 * still need CAP_SYS_ADMIN (no noNewPrivileges) sees only the identity switch and execve, never our
 * sync protocol: a deny-by-default profile need not allow sendmsg, accept4 or close_range (issue 11). */
static int switch_identity(struct init_args *a, struct init_late *late, struct error **err)
{
        const struct oci_process *proc = a->spec->process;
        /* Leftover fds are marked CLOEXEC before any filter loads; whatever we open later is O_CLOEXEC. */
        int r = mark_fds_cloexec(a, late, err);
        process_hand_over_stdio(proc); /* fchown: before any filter, which may deny it */
        /* Without noNewPrivileges, loading a filter needs CAP_SYS_ADMIN: before the user switch drops it. */
        bool is_filtered = late->seccomp && !proc->no_new_privileges;
        if (r >= 0 && !proc->no_new_privileges)
                r = load_seccomp(a, late, HOOK_CREATE_CONTAINER, err);
        if (r >= 0 && (r = process_set_identity(proc, a->has_new_userns, err)) < 0 && is_filtered)
                r = seccomp_blame_profile(err);
        if (r >= 0 && late->cwd_pending)
                r = process_chdir(proc, err);
        return r;
}

static int start_workload(struct init_args *a, struct init_late *late, char **envp, const char *exec_path,
                          int report_fd, struct error **err)
{
        if (!a->spec->process)
                return error_set(err, EINVAL, "config.json: process: missing (required to start a container)");
        int r = switch_identity(a, late, err);
        if (r < 0)
                return r;
        /* With noNewPrivileges the filter goes in as late as possible: it covers as little runtime code as
         * possible (crun). startContainer hooks then run under it, as the spec wants. */
        r = load_seccomp(a, late, HOOK_START_CONTAINER, err);
        if (r >= 0)
                r = run_container_hooks(a, HOOK_START_CONTAINER, err);
        if (r < 0)
                return r;
        (void)report_fd;
        environ = envp;
        return a->exec_ctx->ops->exec(a->exec_ctx, a->spec->process, exec_path, err);
}

void container_init(struct init_args *a)
{
        _cleanup_error_ struct error *err = NULL;
        _cleanup_strv_ char **envp = NULL;
        _cleanup_free_ char *exec_path = NULL;
        int report_fd = -1;
        struct init_late late = {.seccomp_listener = -1};
        struct sync_msg go;
        int r;

        r = wait_for_go(a, &late, &go, &err);
        if (r < 0)
                _exit(1); /* the runtime is gone or failed: nobody to report to */
        late.host_pid = go.value;
        if (a->is_dumpable_until_go && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                _exit(1);

        r = setup(a, &late, &envp, &exec_path, &err);
        if (r >= 0)
                r = sync_send(a->sync_fd, SYNC_READY, 0, &err);
        if (r >= 0)
                r = wait_for_start(a, &report_fd, &err);
        if (r >= 0) {
                r = start_workload(a, &late, envp, exec_path, report_fd, &err);
                /* Only reached when exec failed. */
                if (r >= 0)
                        error_set(&err, EIO, "executor returned without running the workload");
                sync_send_error(report_fd, err);
                _exit(127);
        }
        sync_send_error(a->sync_fd, err);
        _exit(1);
}
