/* Starting passt for a krun container. It runs in the container's mount and network namespaces (it
 * forwards the container's ports) and is a child of the container init, which becomes the VMM. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/path_search.h"
#include "executor/krun/passt.h"

static int is_executable_file(const char *path, void *userdata)
{
        (void)userdata;
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0 ? 0 : -ENOENT;
}

int krun_passt_find(const char *path_env, char **out, struct error **err)
{
        /* Absolute entries only: a relative one would depend on the init's cwd. */
        int r = path_search("passt", path_env && *path_env ? path_env : NULL, NULL, PATH_SEARCH_ABSOLUTE_ONLY,
                            is_executable_file, NULL, out);
        if (r == -ENOMEM)
                return error_set(err, ENOMEM, "krun.use_passt");
        if (r < 0)
                return error_set(err, ENOENT, "krun.use_passt: `passt` not found in $PATH (install passt)");
        return 0;
}

void krun_passt_argv(const char *passt_path, bool has_nitro, int child_fd, char fd_buf[16], const char *argv[12])
{
        size_t n = 0;
        snprintf(fd_buf, 16, "%d", child_fd);
        argv[n++] = passt_path;
        argv[n++] = "-t";
        argv[n++] = "all";
        if (!has_nitro) {
                argv[n++] = "-u";
                argv[n++] = "all";
                argv[n++] = "--no-dhcp-dns";
        }
        /* crun 1.29: keeps a gateway that is also the DNS server reachable. */
        argv[n++] = "--no-map-gw";
        argv[n++] = "--fd";
        argv[n++] = fd_buf;
        argv[n] = NULL;
}

static void exec_child(const char *passt_path, bool has_nitro, int child_fd)
{
        /* passt fails when stdout/stderr are closed; the container's stdio is not its to write on. */
        int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null_fd < 0 || dup2(null_fd, STDOUT_FILENO) < 0 || dup2(null_fd, STDERR_FILENO) < 0)
                _exit(1);
        /* The child end was CLOEXEC like everything we open; this one must reach passt. */
        if (fcntl(child_fd, F_SETFD, 0) < 0)
                _exit(1);
        char fd_buf[16];
        const char *argv[12];
        krun_passt_argv(passt_path, has_nitro, child_fd, fd_buf, argv);
        execv(passt_path, (char *const *)argv);
        _exit(1);
}

int krun_passt_start(const char *passt_path, bool has_nitro, int *parent_fd, struct error **err)
{
        int sv[2];
        *parent_fd = -1;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return error_sys(err, "start passt: socketpair");
        _cleanup_close_ int ours = sv[0], theirs = sv[1];
        pid_t pid = fork();
        if (pid < 0)
                return error_sys(err, "start passt: fork");
        if (pid == 0) {
                close(ours);
                exec_child(passt_path, has_nitro, theirs);
        }
        close(TAKE_FD(theirs));
        int status;
        pid_t w;
        while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
                ;
        if (w < 0)
                return error_sys(err, "start passt: waitpid");
        if (WIFSIGNALED(status))
                return error_set(err, ECHILD, "start passt `%s`: killed by signal %d", passt_path, WTERMSIG(status));
        if (WEXITSTATUS(status) != 0)
                return error_set(err, ECHILD, "start passt `%s`: exited with status %d", passt_path,
                                 WEXITSTATUS(status));
        *parent_fd = TAKE_FD(ours);
        return 0;
}
