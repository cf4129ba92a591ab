/* Runtime side of the agent protocol (agent_client.h, src/agent/protocol.h). One connection per command. */
#include "executor/krun/agent_client.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "agent/protocol.h"
#include "agent/wire.h"
#include "core/cleanup.h"
#include "core/fdpass.h"
#include "core/fs.h"
#include "executor/krun/agent_config.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* How long a command waits for the agent's socket: libkrun creates it while the guest kernel boots. */
#define CONNECT_WAIT_MS 3000
#define HELLO_WAIT_S 3
#define CONSOLE_SIZE_WAIT_MS 100

static long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connected and greeted; 0 with *out = -1 when the container has no agent or it cannot be reached. */
static int agent_connect(int state_dir_fd, int *out, struct error **err)
{
        *out = -1;
        struct stat st;
        if (fstatat(state_dir_fd, KRUN_AGENT_STATE_DIR, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return 0; /* created without an agent (sev, aws-nitro) */
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        /* Through the fd: a state directory path may be longer than sun_path. */
        snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/" KRUN_AGENT_STATE_DIR "/" KRUN_AGENT_SOCKET,
                 state_dir_fd);
        _cleanup_close_ int fd = -1;
        for (long deadline = now_ms() + CONNECT_WAIT_MS;;) {
                fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        return error_sys(err, "krun: agent: socket");
                if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
                        break;
                if ((errno != ENOENT && errno != ECONNREFUSED) || now_ms() > deadline)
                        return 0;
                close(TAKE_FD(fd));
                usleep(20 * 1000);
        }
        /* libkrun accepts a host connection even when nothing listens in the guest (and closes it ~5 s later):
         * the handshake is bounded. */
        struct timeval tv = {.tv_sec = HELLO_WAIT_S};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        int r = agent_send_u32(fd, AGENT_MSG_HELLO, AGENT_PROTOCOL_VERSION);
        uint8_t type;
        _cleanup_free_ uint8_t *p = NULL;
        size_t len;
        if (r >= 0)
                r = agent_read_frame(fd, &type, &p, &len);
        if (r == -EPIPE || r == -ECONNRESET || r == -EAGAIN)
                return 0; /* a guest that is gone or not listening (yet) */
        tv.tv_sec = 0;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (r < 0)
                return error_set(err, -r, "krun: agent: handshake");
        if (type == AGENT_MSG_ERROR && len >= 4)
                return error_set(err, EPROTO, "krun: agent: %s", (char *)p + 4);
        if (type != AGENT_MSG_HELLO)
                return error_set(err, EPROTO, "krun: agent: unexpected answer %u to HELLO", type);
        *out = TAKE_FD(fd);
        return 0;
}

/* ERROR → err with the agent's message; anything but `expect` is a protocol error. */
static int expect_reply(int fd, uint8_t expect, uint8_t **payload, size_t *len, struct error **err)
{
        uint8_t type;
        int r = agent_read_frame(fd, &type, payload, len);
        if (r < 0)
                return error_set(err, -r, "krun: agent: read the answer");
        if (type == AGENT_MSG_ERROR && *len >= 4) {
                struct agent_reader rd = {.p = *payload, .len = *len};
                uint32_t e = EIO;
                agent_get_u32(&rd, &e);
                r = error_set(err, (int)e, "%s (in the VM)", (char *)*payload + 4);
                free(*payload);
                *payload = NULL;
                return r;
        }
        if (type != expect) {
                free(*payload);
                *payload = NULL;
                return error_set(err, EPROTO, "krun: agent: unexpected answer %u", type);
        }
        return 0;
}

int krun_agent_signal(int state_dir_fd, int signo, bool all, struct error **err)
{
        _cleanup_close_ int fd = -1;
        int r = agent_connect(state_dir_fd, &fd, err);
        if (r < 0 || fd < 0)
                return r;
        r = agent_send_signal(fd, signo, all ? AGENT_SIGNAL_ALL : 0);
        if (r < 0)
                return error_set(err, -r, "krun: agent: send the signal");
        _cleanup_free_ uint8_t *p = NULL;
        size_t len;
        r = expect_reply(fd, AGENT_MSG_OK, &p, &len, err);
        return r < 0 ? r : 1;
}

int krun_agent_list_pids(int state_dir_fd, pid_t **pids, size_t *n, struct error **err)
{
        _cleanup_close_ int fd = -1;
        int r = agent_connect(state_dir_fd, &fd, err);
        if (r < 0 || fd < 0)
                return r;
        r = agent_send_empty(fd, AGENT_MSG_PS);
        if (r < 0)
                return error_set(err, -r, "krun: agent: ask for the processes");
        _cleanup_free_ uint8_t *p = NULL;
        size_t len;
        r = expect_reply(fd, AGENT_MSG_PIDS, &p, &len, err);
        if (r < 0)
                return r;
        *n = len / 4;
        *pids = calloc(*n ? *n : 1, sizeof(pid_t));
        if (!*pids)
                return error_set(err, ENOMEM, "krun: agent");
        struct agent_reader rd = {.p = p, .len = len};
        for (size_t i = 0; i < *n; i++) {
                uint32_t v;
                agent_get_u32(&rd, &v);
                (*pids)[i] = (pid_t)v;
        }
        return 1;
}

/* ---- exec ---- */

struct relay {
        int conn;
        int in, out, err; /* host side: where stdin comes from, where stdout/stderr go */
        int tty;          /* the terminal whose size is the process's (-1 without one) */
        int sfd;          /* signals to forward */
        bool is_raw;
        struct termios saved;
};

/* --console-socket: a pty of our own; its master goes to the caller (conmon), its slave is our end. */
static int console_pty(const char *socket_path, int *slave, struct error **err)
{
        _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        if (strlen(socket_path) >= sizeof(addr.sun_path))
                return error_set(err, ENAMETOOLONG, "exec: --console-socket `%s`: path too long", socket_path);
        strcpy(addr.sun_path, socket_path);
        if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
                return error_sys(err, "exec: connect to --console-socket `%s`", socket_path);
        _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        int unlock = 0;
        if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return error_sys(err, "exec: terminal: open /dev/ptmx");
        *slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (*slave < 0)
                return error_sys(err, "exec: terminal: open the pty slave");
        int r = fdpass_send(sock, master, " ", 1);
        if (r < 0)
                return error_set(err, -r, "--console-socket: send the pty master");
        /* conmon sizes the master as soon as it has it (podman hands it the size before the exec starts); a
         * native process starts after that, and so must ours: give it a moment, then go on regardless (the
         * containerd shim resizes only after the start; later resizes follow as SIGWINCH). */
        for (int i = 0; i < CONSOLE_SIZE_WAIT_MS / 5; i++) {
                struct winsize ws;
                if (ioctl(*slave, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
                        break;
                usleep(5 * 1000);
        }
        return 0;
}

/* Bytes pass through untouched: the guest's pty does the line discipline. */
static void make_raw(struct relay *x, int fd)
{
        struct termios t;
        if (tcgetattr(fd, &t) < 0)
                return;
        x->saved = t;
        cfmakeraw(&t);
        if (tcsetattr(fd, TCSANOW, &t) == 0)
                x->is_raw = true;
}

static void send_size(struct relay *x)
{
        struct winsize ws;
        if (x->tty < 0 || ioctl(x->tty, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
                return;
        struct agent_buf b = {0};
        agent_frame_begin(&b, AGENT_MSG_RESIZE);
        agent_put_u16(&b, ws.ws_row);
        agent_put_u16(&b, ws.ws_col);
        if (agent_frame_end(&b) == 0)
                agent_write(x->conn, &b);
        agent_buf_free(&b);
}

/* A frame from the agent. 1 and *status at EXIT. */
static int from_agent(struct relay *x, int *status, bool *is_signaled, struct error **err)
{
        uint8_t type;
        _cleanup_free_ uint8_t *p = NULL;
        size_t len;
        int r = agent_read_frame(x->conn, &type, &p, &len);
        if (r < 0)
                return error_set(err, -r, "exec: the connection to the VM's agent ended before the process");
        if (type == AGENT_MSG_DATA && len >= 1 && (p[0] == 1 || p[0] == 2)) {
                /* Our reader is gone: the process would have got SIGPIPE writing there itself (`exec c yes |
                 * head -1` must end). */
                if (fs_write_all(p[0] == 1 ? x->out : x->err, p + 1, len - 1) == -EPIPE)
                        agent_send_signal(x->conn, SIGPIPE, 0);
                return 0;
        }
        if (type == AGENT_MSG_EXIT) {
                if (agent_exit_status(p, len, status) < 0)
                        return error_set(err, EPROTO, "exec: malformed EXIT from the agent");
                *is_signaled = p[0] != 0;
                return 1;
        }
        return 0;
}

static int relay_run(struct relay *x, int *status, bool *is_signaled, struct error **err)
{
        char buf[32768];
        send_size(x);
        for (;;) {
                struct pollfd p[3] = {{.fd = x->conn, .events = POLLIN},
                                      {.fd = x->in, .events = POLLIN},
                                      {.fd = x->sfd, .events = POLLIN}};
                if (poll(p, 3, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return error_sys(err, "exec: poll");
                }
                if (p[0].revents) {
                        int r = from_agent(x, status, is_signaled, err);
                        if (r != 0)
                                return r < 0 ? r : 0;
                }
                if (p[1].revents) {
                        ssize_t n = read(x->in, buf, sizeof(buf));
                        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                                continue;
                        agent_send_data(x->conn, 0, buf, n > 0 ? (size_t)n : 0);
                        if (n <= 0)
                                x->in = -1; /* end of stdin, told once */
                }
                struct signalfd_siginfo si;
                if (p[2].revents && read(x->sfd, &si, sizeof(si)) == sizeof(si)) {
                        if (si.ssi_signo == SIGWINCH)
                                send_size(x);
                        else
                                agent_send_signal(x->conn, (int)si.ssi_signo, 0);
                }
        }
}

/* Signals sent to the runtime's process stand for signals to the process in the VM. */
static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP};

static int relay_setup(struct relay *x, const struct executor_exec_request *req, struct error **err)
{
        sigset_t set;
        sigemptyset(&set);
        for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
                sigaddset(&set, forwarded[i]);
        sigprocmask(SIG_BLOCK, &set, NULL);
        /* A reader of our stdout that went away must end the relay with EPIPE, not kill us. */
        signal(SIGPIPE, SIG_IGN);
        x->sfd = signalfd(-1, &set, SFD_CLOEXEC);
        if (x->sfd < 0)
                return error_sys(err, "exec: signalfd");
        x->in = STDIN_FILENO;
        x->out = STDOUT_FILENO;
        x->err = STDERR_FILENO;
        x->tty = -1;
        if (!req->proc->terminal)
                return 0;
        if (req->console_socket) {
                int slave = -1;
                int r = console_pty(req->console_socket, &slave, err);
                if (r < 0)
                        return r;
                x->in = x->out = x->err = x->tty = slave;
                make_raw(x, slave);
        } else if (isatty(STDIN_FILENO)) {
                x->tty = STDIN_FILENO;
                make_raw(x, STDIN_FILENO);
        }
        return 0;
}

static void relay_clear(struct relay *x)
{
        if (x->is_raw)
                tcsetattr(x->tty, TCSANOW, &x->saved);
        if (x->sfd >= 0)
                close(x->sfd);
        if (x->tty > STDERR_FILENO)
                close(x->tty);
}

/* The terminal's size: the one our side of it has now (conmon and the shim size the master as soon as they
 * get it), else consoleSize. */
static int build_request(const struct oci_process *proc, int tty, struct agent_buf *b, struct error **err)
{
        struct winsize ws = {0};
        if (tty < 0 || ioctl(tty, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
                ws = (struct winsize){.ws_row = proc->has_console_size ? (uint16_t)proc->console_height : 0,
                                      .ws_col = proc->has_console_size ? (uint16_t)proc->console_width : 0};
        struct agent_exec_request r = {
            .args = proc->args,
            .env = proc->env,
            .cwd = proc->cwd,
            .uid = proc->uid,
            .gid = proc->gid,
            .groups = proc->additional_gids,
            .n_groups = proc->n_additional_gids,
            .tty = proc->terminal,
            .rows = ws.ws_row,
            .cols = ws.ws_col,
        };
        int e = agent_exec_encode(&r, b);
        return e < 0 ? error_set(err, -e, "exec: the request for the VM's agent") : 0;
}

static int write_pid_file(const char *pid_file, pid_t pid, struct error **err)
{
        _cleanup_free_ char *abs = fs_absolute(pid_file);
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", pid);
        int r = abs ? fs_write_file_atomic(abs, buf, (size_t)n, 0644) : -ENOMEM;
        return r < 0 ? error_set(err, -r, "exec: write pid file `%s`", pid_file) : 0;
}

/* --detach: this child stays to relay, a stand-in for the process in the VM (its pid is the pid file's,
 * its exit status the process's, a signal it gets is forwarded). It leaves like the process: same code, or
 * the same signal. */
/* The stand-in lives as long as the guest process: it keeps only what it relays (not the state root, the
 * runtime's log or anything else the `exec` command had open). */
static void close_other_fds(const struct relay *x)
{
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return;
        int fds[256];
        size_t n = 0;
        for (struct dirent *e; (e = readdir(d)) && n < sizeof(fds) / sizeof(fds[0]);) {
                int fd = atoi(e->d_name);
                if (fd > STDERR_FILENO && fd != dirfd(d) && fd != x->conn && fd != x->sfd && fd != x->tty)
                        fds[n++] = fd;
        }
        closedir(d);
        for (size_t i = 0; i < n; i++)
                close(fds[i]);
}

/* With a console pty our stdio carries nothing for the process: let go of the caller's (the containerd shim
 * waits for EOF on the pipes it gave `exec` before it calls the process started). */
static void drop_stdio(void)
{
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int fd = 0; null >= 0 && fd <= STDERR_FILENO; fd++)
                dup2(null, fd);
        if (null > STDERR_FILENO)
                close(null);
}

static _Noreturn void detached_relay(struct relay *x)
{
        _cleanup_error_ struct error *e = NULL;
        if (x->tty > STDERR_FILENO)
                drop_stdio();
        close_other_fds(x);
        setsid();
        /* Our pty becomes our controlling terminal: a resize of its master (conmon, the containerd shim)
         * then reaches us as SIGWINCH, and the guest pty follows. */
        if (x->tty > STDERR_FILENO)
                ioctl(x->tty, TIOCSCTTY, 0);
        int status = 1;
        bool is_signaled = false;
        if (relay_run(x, &status, &is_signaled, &e) < 0)
                dprintf(STDERR_FILENO, "krun exec: %s\n", e->msg);
        relay_clear(x);
        if (is_signaled) {
                signal(status - 128, SIG_DFL);
                sigset_t all;
                sigfillset(&all);
                sigprocmask(SIG_UNBLOCK, &all, NULL);
                raise(status - 128);
        }
        _exit(status);
}

static int exit_status_for(int errnum)
{
        if (errnum == ENOENT)
                return 127;
        if (errnum == EACCES || errnum == EPERM || errnum == ENOEXEC)
                return 126;
        return 1;
}

int krun_agent_exec(struct executor_exec_request *req, int *exit_status, struct error **err)
{
        *exit_status = 1;
        if (req->preserve_fds > 0)
                return error_set(err, EINVAL,
                                 "exec: --preserve-fds: file descriptors cannot be passed into the container's VM");
        _cleanup_close_ int conn = -1;
        int r = agent_connect(*req->state_dir_fd, &conn, err);
        if (r < 0)
                return r;
        if (conn < 0)
                return error_set(err, EHOSTUNREACH,
                                 "exec: the container's VM has no in-guest agent to run the process (krun runs one "
                                 "with the plain libkrun variant only) or it did not answer");
        /* The terminal first: the master reaches the console socket (and gets sized there) while the guest
         * starts the process. */
        struct relay x = {.conn = conn, .sfd = -1};
        r = relay_setup(&x, req, err);
        struct agent_buf b = {0};
        if (r >= 0)
                r = build_request(req->proc, x.tty, &b, err);
        if (r >= 0 && (r = agent_write(conn, &b)) < 0)
                r = error_set(err, -r, "exec: send the request to the VM's agent");
        agent_buf_free(&b);
        _cleanup_free_ uint8_t *p = NULL;
        size_t len;
        if (r >= 0 && (r = expect_reply(conn, AGENT_MSG_STARTED, &p, &len, err)) < 0)
                *exit_status = exit_status_for((*err)->errnum);
        if (r < 0) {
                relay_clear(&x);
                return r;
        }
        close(*req->state_dir_fd); /* the process runs: release the container's lock */
        *req->state_dir_fd = -1;

        pid_t relay_pid = getpid();
        if (req->detach) {
                fflush(NULL);
                relay_pid = fork();
                if (relay_pid < 0) {
                        relay_clear(&x);
                        return error_sys(err, "exec: fork the relay");
                }
                if (relay_pid == 0)
                        detached_relay(&x);
                close(x.sfd);
                x.sfd = -1;
                x.is_raw = false; /* the relay restores the terminal */
        }
        if (req->pid_file && (r = write_pid_file(req->pid_file, relay_pid, err)) < 0) {
                if (req->detach)
                        kill(relay_pid, SIGKILL);
                relay_clear(&x);
                return r;
        }
        *exit_status = 0;
        if (req->detach) {
                relay_clear(&x);
                return 0;
        }
        bool is_signaled = false;
        r = relay_run(&x, exit_status, &is_signaled, err);
        relay_clear(&x);
        return r;
}
