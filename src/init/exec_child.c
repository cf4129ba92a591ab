#include "init/exec_child.h"

#include <errno.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "init/exec_attrs.h"
#include "init/exec_path.h"
#include "init/process.h"
#include "init/sync.h"
#include "init/terminal.h"
#include "linux/lsm.h"

extern char **environ;

/* A pty from the container's devpts (we are in its mount namespace): the master leaves through the
 * console socket or to the foreground runtime, the slave becomes our terminal. */
static int setup_terminal(struct exec_child *c, struct error **err)
{
        int master = -1, slave = -1;
        int r = terminal_open_pty(-1, c->proc, &master, &slave, err);
        if (r >= 0)
                r = terminal_hand_over(master, slave, c->proc, c->console_sock, c->sync_fd, err);
        if (c->console_sock >= 0)
                close(c->console_sock);
        c->console_sock = -1;
        return r < 0 ? error_prefix(err, "exec") : 0;
}

static int load_seccomp(struct exec_child *c, struct error **err)
{
        if (!c->seccomp)
                return 0;
        /* The notify listener is told about the container init at create; exec'd processes share the
         * filter's semantics without a second listener connection. */
        int r = seccomp_filter_load(c->seccomp, -1, 0, NULL, err);
        return r < 0 ? error_prefix(err, "exec: seccomp") : 0;
}

static int prepare_and_exec(struct exec_child *c, int *failure_status, struct error **err)
{
        const struct oci_process *proc = c->proc;
        /* A session of its own: never the caller's controlling terminal. */
        if (setsid() < 0)
                return error_sys(err, "exec: setsid");
        int r;
        if (proc->terminal) {
                r = setup_terminal(c, err);
                if (r < 0)
                        return r;
        }
        r = lsm_apply_exec_labels(proc, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **envp = NULL;
        _cleanup_free_ char *path = NULL;
        r = process_build_env(proc, NULL, &envp, err);
        if (r < 0)
                return r;
        _cleanup_error_ struct error *cwd_err = NULL;
        int cwd_r = process_chdir(proc, &cwd_err);
        if (cwd_r < 0 && !process_chdir_retry_as_user(cwd_err)) {
                *err = TAKE_PTR(cwd_err);
                return cwd_r;
        }
        r = process_resolve_executable(proc, &path, err);
        if (r < 0) {
                *failure_status = exec_path_failure_status((*err)->errnum);
                return r;
        }
        r = exec_attrs_apply_before_identity(proc, err);
        if (r < 0)
                return r;
        /* Before any filter loads: a profile need not allow close_range. Later fds are all O_CLOEXEC. */
        int keep[] = {c->sync_fd};
        r = process_close_fds(c->preserve_fds, keep, ARRAY_SIZE(keep), err);
        if (r < 0)
                return r;
        /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: before dropping privileges. */
        if (!proc->no_new_privileges && (r = load_seccomp(c, err)) < 0)
                return r;
        r = process_set_identity(proc, c->joins_userns, err);
        if (r < 0)
                return c->seccomp && !proc->no_new_privileges ? seccomp_blame_profile(err) : r;
        /* Retried as the container user (root-squashed NFS). */
        if (cwd_r < 0 && (r = process_chdir(proc, err)) < 0)
                return r;
        /* With no_new_privs the filter comes last, so it never sees the runtime's own syscalls. */
        if (proc->no_new_privileges && (r = load_seccomp(c, err)) < 0)
                return r;
        environ = envp;
        execve(path, proc->args, envp);
        *failure_status = exec_path_failure_status(errno);
        return error_sys(err, "exec `%s`", path);
}

void exec_child_run(struct exec_child *c)
{
        _cleanup_error_ struct error *err = NULL;
        int failure_status = 1;
        prepare_and_exec(c, &failure_status, &err);
        sync_send(c->sync_fd, SYNC_ACK, failure_status, NULL);
        sync_send_error(c->sync_fd, err);
        _exit(failure_status);
}
