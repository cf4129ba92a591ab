/* Whole agent-protocol frames over a connected stream socket (both ends: the runtime and the agent). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "agent/protocol.h"

/* All of b's bytes (MSG_NOSIGNAL: a gone peer is -EPIPE). 0 or -errno. */
int agent_write(int fd, const struct agent_buf *b);
/* One frame; *payload is malloc'ed (NUL-terminated for convenience, not counted in *len). 0, -EPIPE on EOF,
 * -EBADMSG on a bad header, or -errno. */
int agent_read_frame(int fd, uint8_t *type, uint8_t **payload, size_t *len);

int agent_send_empty(int fd, enum agent_msg type);
int agent_send_u32(int fd, enum agent_msg type, uint32_t v);
int agent_send_signal(int fd, int signo, uint32_t flags);
int agent_send_data(int fd, uint8_t stream, const void *p, size_t n);
int agent_send_error(int fd, int errnum, const char *msg);
