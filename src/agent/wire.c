/* Frame I/O for the agent protocol (wire.h). */
#include "agent/wire.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int agent_write(int fd, const struct agent_buf *b)
{
        for (size_t off = 0; off < b->len;) {
                ssize_t n = send(fd, b->data + off, b->len - off, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                off += (size_t)n;
        }
        return 0;
}

static int read_exact(int fd, void *buf, size_t len, bool eof_ok)
{
        for (size_t off = 0; off < len;) {
                ssize_t n = read(fd, (char *)buf + off, len - off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return off == 0 && eof_ok ? -EPIPE : -ECONNRESET;
                off += (size_t)n;
        }
        return 0;
}

int agent_read_frame(int fd, uint8_t *type, uint8_t **payload, size_t *len)
{
        uint8_t hdr[AGENT_HEADER_SIZE];
        *payload = NULL;
        int r = read_exact(fd, hdr, sizeof(hdr), true);
        if (r < 0)
                return r;
        r = agent_frame_header(hdr, len, type);
        if (r < 0)
                return r;
        uint8_t *p = malloc(*len + 1);
        if (!p)
                return -ENOMEM;
        r = read_exact(fd, p, *len, false);
        if (r < 0) {
                free(p);
                return r;
        }
        p[*len] = 0;
        *payload = p;
        return 0;
}

static int finish(int fd, struct agent_buf *b)
{
        int r = agent_frame_end(b);
        if (r >= 0)
                r = agent_write(fd, b);
        agent_buf_free(b);
        return r;
}

int agent_send_empty(int fd, enum agent_msg type)
{
        struct agent_buf b = {0};
        agent_frame_begin(&b, type);
        return finish(fd, &b);
}

int agent_send_u32(int fd, enum agent_msg type, uint32_t v)
{
        struct agent_buf b = {0};
        agent_frame_begin(&b, type);
        agent_put_u32(&b, v);
        return finish(fd, &b);
}

int agent_send_signal(int fd, int signo, uint32_t flags)
{
        struct agent_buf b = {0};
        agent_frame_begin(&b, AGENT_MSG_SIGNAL);
        agent_put_u32(&b, (uint32_t)signo);
        agent_put_u8(&b, (uint8_t)flags);
        return finish(fd, &b);
}

int agent_send_data(int fd, uint8_t stream, const void *p, size_t n)
{
        struct agent_buf b = {0};
        agent_frame_begin(&b, AGENT_MSG_DATA);
        agent_put_u8(&b, stream);
        agent_put_bytes(&b, p, n);
        return finish(fd, &b);
}

int agent_send_error(int fd, int errnum, const char *msg)
{
        struct agent_buf b = {0};
        agent_frame_begin(&b, AGENT_MSG_ERROR);
        agent_put_u32(&b, (uint32_t)errnum);
        agent_put_bytes(&b, msg, strlen(msg));
        return finish(fd, &b);
}
