/* krun-agent, the in-guest agent (docs/krun-mode.md, "The in-guest agent"). Started by libkrun's guest
 * init as `krun-agent --port N -- CMD ARGS...` in place of the workload, it
 *   - runs CMD as its child with the environment and cwd init gave it (so `execvp` fails with 127/126 just as
 *     init's would),
 *   - forwards the signals other processes send it to the workload,
 *   - reaps, and when the workload ends exits with its status, or re-raises its signal, so init records
 *     exactly what it would have recorded for the workload itself,
 *   - serves the runtime on vsock port N: each connection is a session in a child process.
 * Static, no dependencies beyond libc: it must run in any image. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "agent/agent.h"
#include "agent/protocol.h"

static void warn(const char *what)
{
        dprintf(STDERR_FILENO, "krun-agent: %s: %s\n", what, strerror(errno));
}

/* A guest without AF_VSOCK (the libkrun test double) hands over a listening socket per mapped port:
 * VSOCK_LISTEN_FDS=<port>:<fd>[,...]. Removed, and the others closed, so the workload sees none of it. */
static int inherited_listener(unsigned port)
{
        const char *v = getenv("VSOCK_LISTEN_FDS");
        int ours = -1;
        for (const char *p = v; p && *p;) {
                unsigned long pt = strtoul(p, (char **)&p, 10);
                int fd = *p == ':' ? (int)strtol(p + 1, (char **)&p, 10) : -1;
                if (fd >= 0 && pt == port && ours < 0)
                        ours = fd;
                else if (fd >= 0)
                        close(fd);
                p += strcspn(p, ",");
                p += *p == ',';
        }
        unsetenv("VSOCK_LISTEN_FDS");
        if (ours >= 0)
                fcntl(ours, F_SETFD, FD_CLOEXEC);
        return ours;
}

static int vsock_listener(unsigned port)
{
        int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        struct sockaddr_vm addr = {.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = port};
        if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

#define SESSION_GRACE_MS 200

static int ms_until(const struct timespec *t)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long ms = (t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
        return ms > 0 ? (int)ms : 0;
}

/* The workload: signals unblocked (they were blocked before the fork), then init's exec rules. */
static _Noreturn void run_workload(char **argv, const sigset_t *old)
{
        sigprocmask(SIG_SETMASK, old, NULL);
        execvp(argv[0], argv);
        int e = errno;
        dprintf(STDERR_FILENO, "krun-agent: exec `%s`: %s\n", argv[0], strerror(e));
        _exit(e == ENOENT ? 127 : 126);
}

/* Leave the way the workload left: its code, or its signal re-raised (no core file of ours). */
static _Noreturn void exit_like(int status)
{
        if (WIFSIGNALED(status)) {
                int sig = WTERMSIG(status);
                struct rlimit no_core = {0, 0};
                setrlimit(RLIMIT_CORE, &no_core);
                signal(sig, SIG_DFL);
                sigset_t one;
                sigemptyset(&one);
                sigaddset(&one, sig);
                sigprocmask(SIG_UNBLOCK, &one, NULL);
                raise(sig);
                _exit(128 + sig);
        }
        _exit(WEXITSTATUS(status));
}

static void start_session(int listener, int sfd, const struct agent_self *self)
{
        int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0)
                return;
        pid_t pid = fork();
        if (pid == 0) {
                /* A session (and what it runs) ends with the agent, as everything in the VM does. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                close(listener);
                close(sfd);
                _exit(agent_session(conn, self));
        }
        close(conn);
}

/* A signal another process sent us goes to the workload; one the kernel generated (a terminal's ^C,
 * which already reached the workload in our process group) does not. */
static void on_signal(const struct signalfd_siginfo *si, pid_t workload)
{
        if (si->ssi_signo != SIGCHLD && si->ssi_code != SI_KERNEL)
                kill(workload, (int)si->ssi_signo);
}

int main(int argc, char **argv)
{
        unsigned port = AGENT_VSOCK_PORT;
        int i = 1;
        if (i + 1 < argc && strcmp(argv[i], "--port") == 0) {
                port = (unsigned)strtoul(argv[i + 1], NULL, 10);
                i += 2;
        }
        if (i < argc && strcmp(argv[i], "--") == 0)
                i++;
        if (i >= argc) {
                dprintf(STDERR_FILENO, "usage: krun-agent [--port N] -- CMD [ARG...]\n");
                return 125;
        }

        sigset_t all, old;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &old);
        int listener = inherited_listener(port);
        if (listener < 0 && (listener = vsock_listener(port)) < 0)
                warn("listen on vsock (exec, kill and ps will not reach this VM)");
        int sfd = signalfd(-1, &all, SFD_CLOEXEC);
        if (sfd < 0) {
                warn("signalfd");
                return 125;
        }
        struct agent_self self = {.agent = getpid()};
        self.workload = fork();
        if (self.workload < 0) {
                warn("fork");
                return 125;
        }
        if (self.workload == 0)
                run_workload(argv + i, &old);

        /* Once the workload is gone the agent follows, after a short grace in which sessions whose processes
         * are ending too (`kill --all`) can still report their status to the runtime. */
        bool is_done = false;
        int workload_status = 0;
        struct timespec deadline = {0};
        for (;;) {
                if (is_done && ms_until(&deadline) == 0)
                        exit_like(workload_status); /* grace over */
                struct pollfd p[2] = {{.fd = sfd, .events = POLLIN}, {.fd = is_done ? -1 : listener, .events = POLLIN}};
                if (poll(p, listener >= 0 ? 2 : 1, is_done ? ms_until(&deadline) : -1) <= 0)
                        continue;
                if (p[1].revents & POLLIN)
                        start_session(listener, sfd, &self);
                struct signalfd_siginfo si;
                if (!(p[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
                        continue;
                if (!is_done)
                        on_signal(&si, self.workload);
                int status;
                pid_t w;
                while ((w = waitpid(-1, &status, WNOHANG)) > 0)
                        if (w == self.workload) {
                                is_done = true;
                                workload_status = status;
                                clock_gettime(CLOCK_MONOTONIC, &deadline);
                                deadline.tv_nsec += SESSION_GRACE_MS * 1000000L;
                        }
                if (is_done && w < 0 && errno == ECHILD)
                        exit_like(workload_status); /* no session left */
        }
}
