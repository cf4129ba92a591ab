#include "init/sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core/cleanup.h"
#include "core/fdpass.h"
#include "core/fs.h"

static int send_msg(int fd, const struct sync_msg *m, int fd_to_pass)
{
        int r = fdpass_send(fd, fd_to_pass, m, sizeof(*m));
        /* A seccomp filter loaded without noNewPrivileges may deny sendmsg: the failure report that follows
         * it still reaches the runtime through write(2), which a profile hardly can deny. */
        if ((r == -EPERM || r == -ENOSYS) && fd_to_pass < 0)
                r = fs_write_all(fd, m, sizeof(*m));
        return r;
}

int sync_send(int fd, enum sync_type type, int32_t value, struct error **err)
{
        struct sync_msg m = {.type = type, .value = value};
        int r = send_msg(fd, &m, -1);
        return r < 0 ? error_set(err, -r, "sync: send") : 0;
}

int sync_send_fd(int fd, enum sync_type type, int fd_to_pass, struct error **err)
{
        struct sync_msg m = {.type = type};
        int r = send_msg(fd, &m, fd_to_pass);
        return r < 0 ? error_set(err, -r, "sync: send fd") : 0;
}

void sync_send_error(int fd, const struct error *e)
{
        struct sync_msg m = {.type = SYNC_ERROR, .errnum = e ? e->errnum : 0};
        snprintf(m.text, sizeof(m.text), "%s", e && e->msg ? e->msg : "unknown error");
        send_msg(fd, &m, -1);
}

int sync_expect(int fd, enum sync_type want, struct sync_msg *msg, int *passed_fd, struct error **err)
{
        struct sync_msg local;
        /* cppcheck-suppress uninitvar ; fdpass_recv fills it, and a short read is refused below */
        struct sync_msg *m = msg ? msg : &local;
        ssize_t n = fdpass_recv(fd, m, sizeof(*m), passed_fd);
        if (n < 0)
                return error_set(err, (int)-n, "sync: receive");
        if (n == 0)
                return error_set(err, EPIPE, "the other side of the setup exited unexpectedly");
        if ((size_t)n < sizeof(*m) - sizeof(m->text))
                return error_set(err, EPROTO, "sync: short message");
        if (m->type == SYNC_ERROR) {
                m->text[sizeof(m->text) - 1] = 0;
                return error_set(err, m->errnum, "%s", m->text);
        }
        if (want != 0 && m->type != (uint32_t)want)
                return error_set(err, EPROTO, "sync: expected message %d, got %u", want, m->type);
        return 0;
}
