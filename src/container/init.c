#include "container/init.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "container/process.h"
#include "container/sync.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "linux/rootfs.h"

extern char **environ;

static bool spec_has_new_ns(const struct oci_spec *spec, enum oci_ns_type type)
{
        const struct oci_namespace *ns = oci_spec_namespace(spec, type);
        return ns && !ns->path;
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

static int setup(struct init_args *a, char ***envp, char **exec_path, struct error **err)
{
        const struct oci_spec *spec = a->spec;
        const struct oci_process *proc = spec->process;
        int r;

        /* The namespaces the runtime could not create for us: the cgroup namespace comes after the
         * runtime placed us in our cgroup, so that its root is the container's cgroup. */
        if (a->user_ns_fd >= 0 && setns(a->user_ns_fd, CLONE_NEWUSER) < 0)
                return error_sys(err, "join user namespace");
        if (a->unshare_flags && unshare((int)a->unshare_flags) < 0)
                return error_sys(err, "unshare namespaces");

        struct rootfs_config cfg = {
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
        };
        _cleanup_close_ int rootfs_fd = -1;
        r = rootfs_prepare(&cfg, &rootfs_fd, err);
        if (r < 0)
                return error_prefix(err, "rootfs");
        if (a->exec_ctx->ops->prepare_rootfs) {
                r = a->exec_ctx->ops->prepare_rootfs(a->exec_ctx, rootfs_fd, PHASE_AFTER_MOUNTS, err);
                if (r < 0)
                        return r;
        }

        /* prestart and createRuntime hooks run in the runtime now, with our mounts in place. */
        r = sync_send(a->sync_fd, SYNC_MOUNTS_DONE, 0, err);
        if (r >= 0)
                r = sync_expect(a->sync_fd, SYNC_HOOKS_DONE, NULL, NULL, err);
        if (r < 0)
                return r;

        r = rootfs_pivot(&cfg, rootfs_fd, err);
        if (r >= 0)
                r = rootfs_finalize(&cfg, err);
        if (r < 0)
                return error_prefix(err, "rootfs");

        r = set_names(spec, err);
        if (r < 0)
                return r;
        /* A new session, so the container never shares the caller's controlling terminal. */
        if (setsid() < 0 && errno != EPERM)
                return error_sys(err, "setsid");

        if (!proc)
                return error_set(err, EINVAL, "config.json: process: missing (required to start a container)");

        r = process_build_env(proc, NULL, envp, err);
        if (r < 0)
                return r;
        int cwd_r = process_chdir(proc, err);
        if (cwd_r < 0)
                error_free(err); /* retried as the container user below (root-squashed NFS) */
        if (a->exec_ctx->ops->resolves_executable) {
                r = process_resolve_executable(proc, exec_path, err);
                if (r < 0)
                        return r;
        }
        r = process_set_identity(proc, a->has_new_userns, err);
        if (r < 0)
                return r;
        if (cwd_r < 0) {
                r = process_chdir(proc, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int start_workload(struct init_args *a, char **envp, const char *exec_path, int report_fd,
                          struct error **err)
{
        int keep[9];
        size_t n_keep = 0;
        if (a->exec_ctx->ops->keep_fds)
                a->exec_ctx->ops->keep_fds(a->exec_ctx, keep, &n_keep);
        int r = process_close_fds(a->preserve_fds, keep, n_keep, err);
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
        int r;

        r = sync_expect(a->sync_fd, SYNC_GO, NULL, NULL, &err);
        if (r < 0)
                _exit(1); /* the runtime is gone or failed: nobody to report to */

        r = setup(a, &envp, &exec_path, &err);
        if (r >= 0)
                r = sync_send(a->sync_fd, SYNC_READY, 0, &err);
        if (r >= 0)
                r = wait_for_start(a, &report_fd, &err);
        if (r >= 0) {
                r = start_workload(a, envp, exec_path, report_fd, &err);
                /* Only reached when exec failed. */
                if (r >= 0)
                        r = error_set(&err, EIO, "executor returned without running the workload");
                sync_send_error(report_fd, err);
                _exit(127);
        }
        sync_send_error(a->sync_fd, err);
        _exit(1);
}
