#include "container/sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core/cleanup.h"

static int send_msg(int fd, const struct sync_msg *m, int fd_to_pass)
{
        struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } ctrl;
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        if (fd_to_pass >= 0) {
                memset(&ctrl, 0, sizeof(ctrl));
                mh.msg_control = ctrl.buf;
                mh.msg_controllen = sizeof(ctrl.buf);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd_to_pass, sizeof(int));
        }
        ssize_t n;
        do
                n = sendmsg(fd, &mh, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : 0;
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
        struct sync_msg *m = msg ? msg : &local;
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } ctrl;
        struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl.buf, .msg_controllen = sizeof(ctrl.buf)};
        if (passed_fd)
                *passed_fd = -1;
        ssize_t n;
        do
                n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return error_sys(err, "sync: receive");
        if (n == 0)
                return error_set(err, EPIPE, "the other side of the setup exited unexpectedly");
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        int got;
                        memcpy(&got, CMSG_DATA(c), sizeof(int));
                        if (passed_fd)
                                *passed_fd = got;
                        else
                                close(got);
                }
        }
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
