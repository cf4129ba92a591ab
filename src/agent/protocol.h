/* The runtime ↔ in-guest agent protocol, version 1 (docs/krun-mode.md, "The in-guest agent").
 *
 * A connection carries frames: a 4-byte big-endian length L (1 ≤ L ≤ AGENT_FRAME_MAX) counting the
 * type byte and the payload, then the type, then L-1 payload bytes. Streams only: real vsock cannot pass
 * fds, so stdio travels as DATA frames on every transport. The client opens with HELLO and the agent
 * answers HELLO (or ERROR on a version it does not speak); then one request per connection.
 *
 * Pure: building and parsing byte buffers, no syscalls (the agent is a static binary and links this too). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENT_PROTOCOL_VERSION 1u
#define AGENT_FRAME_MAX (1u << 20)
#define AGENT_HEADER_SIZE 5u
/* The vsock port the agent listens on. Not 620 and not 1024–1031: libkrun's TSI uses those. */
#define AGENT_VSOCK_PORT 10700u

enum agent_msg {
        AGENT_MSG_HELLO = 1,   /* u32 version */
        AGENT_MSG_EXEC = 2,    /* fields (enum agent_field) */
        AGENT_MSG_SIGNAL = 3,  /* u32 signal, u8 flags: to the workload, or inside an exec to its process */
        AGENT_MSG_PS = 4,      /* empty */
        AGENT_MSG_PIDS = 5,    /* u32 guest pid, repeated */
        AGENT_MSG_STARTED = 6, /* u32 guest pid of the exec'd process */
        AGENT_MSG_DATA = 7,    /* u8 stream (0 stdin, 1 stdout, 2 stderr), bytes; no bytes = end of stream */
        AGENT_MSG_RESIZE = 8,  /* u16 rows, u16 columns */
        AGENT_MSG_EXIT = 9,    /* u8 is_signaled, u32 exit code or signal number */
        AGENT_MSG_ERROR = 10,  /* u32 errno, message bytes */
        AGENT_MSG_OK = 11,     /* empty */
};

#define AGENT_SIGNAL_ALL 1u /* every process of the guest but its init and the agent */

enum agent_field {
        AGENT_FIELD_ARG = 1,   /* repeated, in order */
        AGENT_FIELD_ENV = 2,   /* repeated K=V */
        AGENT_FIELD_CWD = 3,   /* absolute path */
        AGENT_FIELD_UID = 4,   /* u32 */
        AGENT_FIELD_GID = 5,   /* u32 */
        AGENT_FIELD_GROUP = 6, /* u32, repeated: supplementary groups */
        AGENT_FIELD_TTY = 7,   /* u8 */
        AGENT_FIELD_ROWS = 8,  /* u16 */
        AGENT_FIELD_COLS = 9,  /* u16 */
};

/* A growable buffer holding one or more frames. On allocation failure `failed` is set and later puts do
 * nothing; agent_frame_end reports it. */
struct agent_buf {
        uint8_t *data;
        size_t len, cap;
        size_t frame_start;
        bool failed;
};

void agent_buf_free(struct agent_buf *b);
void agent_frame_begin(struct agent_buf *b, enum agent_msg type);
void agent_put_u8(struct agent_buf *b, uint8_t v);
void agent_put_u16(struct agent_buf *b, uint16_t v);
void agent_put_u32(struct agent_buf *b, uint32_t v);
void agent_put_bytes(struct agent_buf *b, const void *p, size_t n);
void agent_put_field(struct agent_buf *b, enum agent_field tag, const void *p, size_t n);
/* Fills in the frame's length. 0, -ENOMEM, or -E2BIG when the frame exceeds AGENT_FRAME_MAX. */
int agent_frame_end(struct agent_buf *b);

/* The payload length (L - 1) and type of a header; -EBADMSG when L is 0 or above AGENT_FRAME_MAX. */
int agent_frame_header(const uint8_t hdr[AGENT_HEADER_SIZE], size_t *payload_len, uint8_t *type);

/* Reading a payload; every get returns 0 or -EBADMSG when the payload is too short. */
struct agent_reader {
        const uint8_t *p;
        size_t len, off;
};
int agent_get_u8(struct agent_reader *r, uint8_t *v);
int agent_get_u16(struct agent_reader *r, uint16_t *v);
int agent_get_u32(struct agent_reader *r, uint32_t *v);
/* 1 and the next field, 0 at the end of the payload, -EBADMSG on a truncated field. */
int agent_next_field(struct agent_reader *r, uint8_t *tag, const uint8_t **data, uint32_t *len);

struct agent_exec_request {
        char **args; /* NULL-terminated, at least one */
        char **env;  /* NULL-terminated */
        char *cwd;
        uint32_t uid, gid;
        uint32_t *groups;
        size_t n_groups;
        bool tty;
        uint16_t rows, cols; /* 0: not given */
};

/* One EXEC frame appended to b. */
int agent_exec_encode(const struct agent_exec_request *req, struct agent_buf *b);
/* From an EXEC payload: 0, -ENOMEM, -EBADMSG (truncated, no args, a string with a NUL, a bad number) or
 * -EINVAL (cwd missing or not absolute). On failure *out is empty. */
int agent_exec_decode(const uint8_t *payload, size_t len, struct agent_exec_request *out);
void agent_exec_request_free(struct agent_exec_request *req);

/* Shell-style status of an EXIT payload: the code, or 128+signal. -EBADMSG when malformed. */
int agent_exit_status(const uint8_t *payload, size_t len, int *status);
