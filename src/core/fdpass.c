#include "core/fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for exactly one fd, aligned as a cmsghdr. */
union fd_control {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
};

int fdpass_send(int sock, int fd, const void *data, size_t len)
{
        union fd_control ctrl;
        struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        if (fd >= 0) {
                memset(&ctrl, 0, sizeof(ctrl));
                mh.msg_control = ctrl.buf;
                mh.msg_controllen = sizeof(ctrl.buf);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        ssize_t n;
        do
                n = sendmsg(sock, &mh, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        for (size_t off = (size_t)n; off < len; off += (size_t)n) {
                n = send(sock, (const char *)data + off, len - off, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        n = 0;
                else if (n < 0)
                        return -errno;
        }
        return 0;
}

ssize_t fdpass_recv(int sock, void *buf, size_t len, int *fd)
{
        union fd_control ctrl;
        struct iovec iov = {.iov_base = buf, .iov_len = len};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl.buf, .msg_controllen = sizeof(ctrl.buf)};
        if (fd)
                *fd = -1;
        ssize_t n;
        do
                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                int got;
                memcpy(&got, CMSG_DATA(c), sizeof(int));
                if (fd)
                        *fd = got;
                else
                        close(got);
        }
        return n;
}
