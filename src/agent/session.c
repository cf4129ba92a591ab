/* One runtime connection to the agent (protocol.h): HELLO, then SIGNAL, PS or EXEC. Runs in a child of
 * the agent that dies with it (PR_SET_PDEATHSIG). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/protocol.h"
#include "agent/wire.h"
#include "init/exec_path.h"

extern char **environ;

/* Guest processes the runtime may see and signal: all but init (pid 1), the agent and this session. */
static size_t guest_pids(const struct agent_self *self, pid_t *out, size_t max)
{
        size_t n = 0;
        DIR *d = opendir("/proc");
        for (struct dirent *e; d && (e = readdir(d));) {
                char *end;
                long pid = strtol(e->d_name, &end, 10);
                if (*end || pid <= 1 || pid == self->agent || pid == getpid())
                        continue;
                /* Kernel threads have no command line; they are the guest kernel's, not the container's. */
                char path[64], c;
                snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                bool is_user = fd >= 0 && read(fd, &c, 1) == 1;
                if (fd >= 0)
                        close(fd);
                if (is_user && n < max)
                        out[n++] = (pid_t)pid;
        }
        if (d)
                closedir(d);
        return n;
}

static int do_ps(int conn, const struct agent_self *self)
{
        static pid_t pids[65536];
        size_t n = guest_pids(self, pids, sizeof(pids) / sizeof(pids[0]));
        struct agent_buf b = {0};
        agent_frame_begin(&b, AGENT_MSG_PIDS);
        for (size_t i = 0; i < n; i++)
                agent_put_u32(&b, (uint32_t)pids[i]);
        int r = agent_frame_end(&b);
        if (r >= 0)
                r = agent_write(conn, &b);
        agent_buf_free(&b);
        return r;
}

static int do_signal(int conn, const struct agent_self *self, const uint8_t *payload, size_t len)
{
        struct agent_reader rd = {.p = payload, .len = len};
        uint32_t sig;
        uint8_t flags;
        if (agent_get_u32(&rd, &sig) < 0 || agent_get_u8(&rd, &flags) < 0)
                return agent_send_error(conn, EBADMSG, "malformed SIGNAL");
        if (flags & AGENT_SIGNAL_ALL) {
                static pid_t pids[65536];
                size_t n = guest_pids(self, pids, sizeof(pids) / sizeof(pids[0]));
                for (size_t i = 0; i < n; i++)
                        kill(pids[i], (int)sig);
        } else if (kill(self->workload, (int)sig) < 0) {
                char msg[64];
                int e = errno;
                snprintf(msg, sizeof(msg), "signal %u to the workload", sig);
                return agent_send_error(conn, e, msg);
        }
        return agent_send_empty(conn, AGENT_MSG_OK);
}

/* ---- exec ---- */

struct exec_io {
        int in, out, err; /* our ends: child's stdin (write), stdout and stderr (read); -1 when closed */
        int pty;          /* the pty master with a terminal (then in == out == pty, err -1) */
        char pending[65536];
        size_t pending_len; /* stdin bytes not yet written */
};

/* HOME when the request has none, as a native exec sets it: the user's home in the guest's /etc/passwd,
 * else "/". Read by hand: a static binary cannot use NSS. */
static void default_home(uid_t uid)
{
        if (getenv("HOME"))
                return;
        const char *home = "/";
        char line[1024], *f[7];
        FILE *pw = fopen("/etc/passwd", "re");
        while (pw && fgets(line, sizeof(line), pw)) {
                char *p = line;
                int n = 0;
                line[strcspn(line, "\n")] = 0;
                /* strsep keeps empty fields (a blank gecos), strtok would not. */
                while (n < 7 && (f[n] = strsep(&p, ":")))
                        n++;
                if (n == 7 && strtoul(f[2], NULL, 10) == uid && f[5][0] == '/') {
                        home = f[5];
                        break;
                }
        }
        setenv("HOME", home, 1);
        if (pw)
                fclose(pw);
}

/* The exec'd process, in its own session; reports an exec failure's errno on `report` (CLOEXEC). */
static _Noreturn void exec_child(const struct agent_exec_request *req, int fds[3], const char *slave, int report)
{
        int e = 0;
        const char *step = "setsid";
        if (setsid() < 0)
                goto fail;
        if (slave) {
                step = "open the terminal";
                int t = open(slave, O_RDWR);
                if (t < 0 || ioctl(t, TIOCSCTTY, 0) < 0)
                        goto fail;
                if (req->rows && req->cols) {
                        struct winsize ws = {.ws_row = req->rows, .ws_col = req->cols};
                        ioctl(t, TIOCSWINSZ, &ws);
                }
                fds[0] = fds[1] = fds[2] = t;
        }
        step = "set up stdio";
        for (int i = 0; i < 3; i++)
                if (dup2(fds[i], i) < 0)
                        goto fail;
        step = "set the user";
        /* Only what changes: a guest agent is root, but one without CAP_SETGID (the test double's) can still
         * run a process as itself. */
        bool is_same = req->uid == getuid() && req->gid == getgid() && req->n_groups == 0 && getgroups(0, NULL) == 0;
        if (!is_same && (setgroups(req->n_groups, req->groups) < 0 || setgid(req->gid) < 0 || setuid(req->uid) < 0))
                goto fail;
        step = "chdir";
        if (chdir(req->cwd) < 0)
                goto fail;
        step = "exec";
        environ = req->env;
        default_home(req->uid);
        execvp(req->args[0], req->args);
fail:
        e = errno;
        dprintf(report, "%d %s", e, step);
        _exit(127);
}

static int open_pty(int *master, char *slave, size_t size)
{
        *master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (*master < 0 || grantpt(*master) < 0 || unlockpt(*master) < 0 || ptsname_r(*master, slave, size) != 0)
                return -errno;
        return 0;
}

/* Start the process; on failure tell the runtime (ERROR with the errno and the step) and return < 0. */
static int spawn(int conn, const struct agent_exec_request *req, struct exec_io *io, pid_t *pid)
{
        int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, report[2];
        char slave[128];
        int r = 0;
        if (req->tty)
                r = open_pty(&io->pty, slave, sizeof(slave));
        else if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
                r = -errno;
        if (r < 0 || pipe2(report, O_CLOEXEC) < 0) {
                return agent_send_error(conn, r ? -r : errno, req->tty ? "exec: terminal" : "exec: pipes"), -1;
        }
        *pid = fork();
        if (*pid == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                int fds[3] = {in[0], out[1], err[1]};
                exec_child(req, fds, req->tty ? slave : NULL, report[1]);
        }
        close(report[1]);
        int child_fds[] = {in[0], out[1], err[1]};
        for (size_t i = 0; i < 3; i++)
                if (child_fds[i] >= 0)
                        close(child_fds[i]);
        io->in = req->tty ? io->pty : in[1];
        io->out = req->tty ? io->pty : out[0];
        io->err = req->tty ? -1 : err[0];
        char buf[256] = "";
        ssize_t n = *pid > 0 ? read(report[0], buf, sizeof(buf) - 1) : -1;
        close(report[0]);
        if (*pid > 0 && n == 0)
                return agent_send_u32(conn, AGENT_MSG_STARTED, (uint32_t)*pid);
        int e = *pid < 0 ? errno : atoi(buf);
        const char *step = strchr(buf, ' ') ? strchr(buf, ' ') + 1 : "fork";
        char msg[512];
        /* The runtime adds strerror(e) itself. */
        if (strcmp(step, "exec") == 0) /* runc's wording, which clients map to 127 and 126 */
                e = exec_path_error_text(e, req->args[0], msg, sizeof(msg));
        else
                snprintf(msg, sizeof(msg), "exec `%s`: %s", req->args[0], step);
        if (*pid > 0)
                waitpid(*pid, NULL, 0);
        agent_send_error(conn, e, msg);
        return -1;
}

static void close_in(struct exec_io *io)
{
        if (io->in >= 0 && io->in != io->pty)
                close(io->in);
        io->in = -1;
}

/* A frame from the runtime during an exec: stdin, a signal, a resize. < 0: the runtime is gone. */
static int from_runtime(int conn, struct exec_io *io, pid_t pid)
{
        uint8_t type, *p;
        size_t len;
        int r = agent_read_frame(conn, &type, &p, &len);
        if (r < 0)
                return r;
        struct agent_reader rd = {.p = p, .len = len};
        uint8_t stream;
        uint32_t sig;
        uint16_t rows, cols;
        if (type == AGENT_MSG_DATA && agent_get_u8(&rd, &stream) == 0 && stream == 0) {
                if (len == 1 && io->pty < 0)
                        close_in(io); /* end of stdin; a terminal has no such thing */
                else if (io->in >= 0 && len - 1 <= sizeof(io->pending)) {
                        memcpy(io->pending, p + 1, len - 1);
                        io->pending_len = len - 1;
                }
        } else if (type == AGENT_MSG_SIGNAL && agent_get_u32(&rd, &sig) == 0) {
                kill(pid, (int)sig);
        } else if (type == AGENT_MSG_RESIZE && agent_get_u16(&rd, &rows) == 0 && agent_get_u16(&rd, &cols) == 0 &&
                   io->pty >= 0) {
                struct winsize ws = {.ws_row = rows, .ws_col = cols};
                ioctl(io->pty, TIOCSWINSZ, &ws);
        }
        free(p);
        return 0;
}

/* Output of the process to the runtime. Returns false at end of that stream. */
static bool forward(int conn, int *fd, uint8_t stream)
{
        char buf[32768];
        ssize_t n = read(*fd, buf, sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return true;
        if (n <= 0) { /* EOF, or EIO on a pty master once the last slave is gone */
                if (*fd >= 0)
                        close(*fd);
                *fd = -1;
                return false;
        }
        return agent_send_data(conn, stream, buf, (size_t)n) >= 0;
}

static void write_pending(struct exec_io *io)
{
        ssize_t n = write(io->in, io->pending, io->pending_len);
        if (n > 0) {
                memmove(io->pending, io->pending + n, io->pending_len - (size_t)n);
                io->pending_len -= (size_t)n;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                io->pending_len = 0; /* the process closed its stdin */
                close_in(io);
        }
}

static int send_exit(int conn, int status)
{
        struct agent_buf b = {0};
        agent_frame_begin(&b, AGENT_MSG_EXIT);
        agent_put_u8(&b, WIFSIGNALED(status) ? 1 : 0);
        agent_put_u32(&b, (uint32_t)(WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status)));
        int r = agent_frame_end(&b);
        if (r >= 0)
                r = agent_write(conn, &b);
        agent_buf_free(&b);
        return r;
}

/* Relay until the process is gone and its output drained; then EXIT. */
static int relay(int conn, struct exec_io *io, pid_t pid, int sfd)
{
        int status = 0;
        bool is_gone = false;
        if (io->in >= 0 && io->in != io->pty)
                fcntl(io->in, F_SETFL, O_NONBLOCK);
        while (!is_gone || io->out >= 0 || io->err >= 0) {
                struct pollfd p[5] = {
                    {.fd = io->out, .events = POLLIN},
                    {.fd = io->err, .events = POLLIN},
                    {.fd = sfd, .events = POLLIN},
                    {.fd = io->pending_len ? -1 : conn, .events = POLLIN},
                    {.fd = io->pending_len ? io->in : -1, .events = POLLOUT},
                };
                /* Once the process is gone only what is already buffered is still forwarded: a daemon it
                 * left behind may keep the pipes open forever. */
                if (poll(p, 5, is_gone ? 0 : -1) <= 0) {
                        if (is_gone)
                                break;
                        continue;
                }
                if (p[0].revents)
                        forward(conn, &io->out, 1);
                if (p[1].revents)
                        forward(conn, &io->err, 2);
                if (p[3].revents && from_runtime(conn, io, pid) < 0 && !is_gone)
                        kill(pid, SIGKILL); /* the runtime side went away: like a hangup, nobody waits */
                if (p[4].revents)
                        write_pending(io);
                struct signalfd_siginfo si;
                if (p[2].revents && read(sfd, &si, sizeof(si)) == sizeof(si) && waitpid(pid, &status, WNOHANG) == pid)
                        is_gone = true;
        }
        return send_exit(conn, status);
}

static int do_exec(int conn, const uint8_t *payload, size_t len)
{
        struct agent_exec_request req;
        int r = agent_exec_decode(payload, len, &req);
        if (r < 0)
                return agent_send_error(conn, -r, "malformed EXEC request");
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        int sfd = signalfd(-1, &chld, SFD_CLOEXEC);
        struct exec_io io = {.in = -1, .out = -1, .err = -1, .pty = -1};
        pid_t pid = -1;
        r = sfd < 0 ? agent_send_error(conn, errno, "signalfd") : spawn(conn, &req, &io, &pid);
        if (r >= 0)
                r = relay(conn, &io, pid, sfd);
        agent_exec_request_free(&req);
        return r;
}

int agent_session(int conn, const struct agent_self *self)
{
        uint8_t type, *p = NULL;
        size_t len;
        /* A client that stops mid-handshake does not keep a session forever; an exec's relay polls. */
        struct timeval tv = {.tv_sec = 10};
        setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        int r = agent_read_frame(conn, &type, &p, &len);
        struct agent_reader rd = {.p = p, .len = len};
        uint32_t version = 0;
        if (r < 0 || type != AGENT_MSG_HELLO || agent_get_u32(&rd, &version) < 0)
                return free(p), 1;
        free(p);
        if (version != AGENT_PROTOCOL_VERSION) {
                char msg[96];
                snprintf(msg, sizeof(msg), "protocol version %u is not supported (the agent speaks %u)", version,
                         AGENT_PROTOCOL_VERSION);
                agent_send_error(conn, EPROTONOSUPPORT, msg);
                return 1;
        }
        if (agent_send_u32(conn, AGENT_MSG_HELLO, AGENT_PROTOCOL_VERSION) < 0)
                return 1;
        r = agent_read_frame(conn, &type, &p, &len);
        if (r < 0)
                return 1;
        tv.tv_sec = 0;
        setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        switch (type) {
        case AGENT_MSG_PS:
                r = do_ps(conn, self);
                break;
        case AGENT_MSG_SIGNAL:
                r = do_signal(conn, self, p, len);
                break;
        case AGENT_MSG_EXEC:
                r = do_exec(conn, p, len);
                break;
        default:
                r = agent_send_error(conn, EOPNOTSUPP, "unknown request");
        }
        free(p);
        return r < 0 ? 1 : 0;
}
