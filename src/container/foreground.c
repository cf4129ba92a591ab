#include "container/foreground.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "init/sync.h"

int foreground_exit_status(int wait_status)
{
        if (WIFEXITED(wait_status))
                return WEXITSTATUS(wait_status);
        if (WIFSIGNALED(wait_status))
                return 128 + WTERMSIG(wait_status);
        return 1;
}

int foreground_start(int sync_fd, struct error **err)
{
        int r = sync_send(sync_fd, SYNC_START, 0, err);
        if (r < 0)
                return r;
        struct sync_msg m;
        ssize_t n;
        do
                n = recv(sync_fd, &m, sizeof(m), 0);
        while (n < 0 && errno == EINTR);
        if (n == 0)
                return 0; /* the socket was closed by execve: the workload runs */
        if (n < 0)
                return error_sys(err, "start: wait for the container");
        if (m.type == SYNC_ERROR) {
                m.text[sizeof(m.text) - 1] = 0;
                return error_set(err, m.errnum, "%s", m.text);
        }
        return error_set(err, EPROTO, "start: unexpected message %u", m.type);
}

static void copy_winsize(int from, int to)
{
        struct winsize ws;
        if (ioctl(from, TIOCGWINSZ, &ws) == 0)
                ioctl(to, TIOCSWINSZ, &ws);
}

/* Copy what is readable from `from` to `to`; returns false at EOF/error of `from`. */
static bool relay(int from, int to)
{
        char buf[8192];
        ssize_t n = read(from, buf, sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return true;
        if (n <= 0)
                return false;
        for (ssize_t off = 0; off < n;) {
                ssize_t w = write(to, buf + off, (size_t)(n - off));
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return true; /* nobody reads our side: drop, keep the container going */
                off += w;
        }
        return true;
}

static void reap(pid_t pid, int *status, bool *init_done)
{
        int ws;
        pid_t w;
        while ((w = waitpid(-1, &ws, WNOHANG)) > 0) {
                if (w == pid) {
                        *status = ws;
                        *init_done = true;
                }
        }
}

int foreground_wait(pid_t pid, int pidfd, int pty_master, int *exit_status, struct error **err)
{
        sigset_t all, old;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &old);
        _cleanup_close_ int sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0) {
                sigprocmask(SIG_SETMASK, &old, NULL);
                return error_sys(err, "signalfd");
        }
        struct termios saved;
        bool raw = false;
        if (pty_master >= 0 && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
                struct termios t = saved;
                cfmakeraw(&t);
                raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
                copy_winsize(STDIN_FILENO, pty_master);
        }
        bool init_done = false, stdin_open = pty_master >= 0, master_open = pty_master >= 0;
        int status = 0;
        /* The init may have exited before SIGCHLD was blocked: that signal is gone, the zombie is not. */
        reap(pid, &status, &init_done);
        while (!init_done || master_open) {
                struct pollfd p[3] = {{sfd, POLLIN, 0},
                                      {master_open ? pty_master : -1, POLLIN, 0},
                                      {stdin_open ? STDIN_FILENO : -1, POLLIN, 0}};
                /* Once the init is gone, drain the terminal without blocking forever. */
                int timeout = init_done ? 100 : -1;
                int n = poll(p, 3, timeout);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n == 0 && init_done)
                        break;
                if (p[1].revents)
                        master_open = relay(pty_master, STDOUT_FILENO);
                if (p[2].revents && !relay(STDIN_FILENO, pty_master))
                        stdin_open = false;
                if (!(p[0].revents & POLLIN))
                        continue;
                struct signalfd_siginfo si;
                while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                        if (si.ssi_signo == SIGCHLD)
                                reap(pid, &status, &init_done);
                        else if (si.ssi_signo == SIGWINCH && pty_master >= 0) {
                                copy_winsize(STDIN_FILENO, pty_master);
                        } else if (!init_done) {
                                syscall(SYS_pidfd_send_signal, pidfd, si.ssi_signo, NULL, 0);
                        }
                }
        }
        if (raw)
                tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        /* Reap whatever else was reparented to us (we are a subreaper). */
        while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
        sigprocmask(SIG_SETMASK, &old, NULL);
        *exit_status = foreground_exit_status(status);
        return 0;
}
