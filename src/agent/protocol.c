/* Encoding and decoding of the agent protocol (protocol.h). Pure. */
#include "agent/protocol.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void agent_buf_free(struct agent_buf *b)
{
        free(b->data);
        *b = (struct agent_buf){0};
}

static void reserve(struct agent_buf *b, size_t n)
{
        if (b->failed || b->len + n <= b->cap)
                return;
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n)
                cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
                b->failed = true;
                return;
        }
        b->data = d;
        b->cap = cap;
}

void agent_put_bytes(struct agent_buf *b, const void *p, size_t n)
{
        reserve(b, n);
        if (b->failed || n == 0)
                return;
        memcpy(b->data + b->len, p, n);
        b->len += n;
}

void agent_put_u8(struct agent_buf *b, uint8_t v)
{
        agent_put_bytes(b, &v, 1);
}

void agent_put_u16(struct agent_buf *b, uint16_t v)
{
        uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
        agent_put_bytes(b, x, sizeof(x));
}

void agent_put_u32(struct agent_buf *b, uint32_t v)
{
        uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
        agent_put_bytes(b, x, sizeof(x));
}

void agent_frame_begin(struct agent_buf *b, enum agent_msg type)
{
        b->frame_start = b->len;
        agent_put_u32(b, 0); /* the length, filled in by agent_frame_end */
        agent_put_u8(b, (uint8_t)type);
}

void agent_put_field(struct agent_buf *b, enum agent_field tag, const void *p, size_t n)
{
        agent_put_u8(b, (uint8_t)tag);
        agent_put_u32(b, (uint32_t)n);
        agent_put_bytes(b, p, n);
}

int agent_frame_end(struct agent_buf *b)
{
        if (b->failed)
                return -ENOMEM;
        size_t l = b->len - b->frame_start - 4;
        if (l > AGENT_FRAME_MAX)
                return -E2BIG;
        uint8_t *h = b->data + b->frame_start;
        h[0] = (uint8_t)(l >> 24);
        h[1] = (uint8_t)(l >> 16);
        h[2] = (uint8_t)(l >> 8);
        h[3] = (uint8_t)l;
        return 0;
}

int agent_frame_header(const uint8_t hdr[AGENT_HEADER_SIZE], size_t *payload_len, uint8_t *type)
{
        uint32_t l = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
        if (l == 0 || l > AGENT_FRAME_MAX)
                return -EBADMSG;
        *payload_len = l - 1;
        *type = hdr[4];
        return 0;
}

static int take(struct agent_reader *r, size_t n, const uint8_t **p)
{
        if (r->len - r->off < n)
                return -EBADMSG;
        *p = r->p + r->off;
        r->off += n;
        return 0;
}

int agent_get_u8(struct agent_reader *r, uint8_t *v)
{
        const uint8_t *p;
        if (take(r, 1, &p) < 0)
                return -EBADMSG;
        *v = p[0];
        return 0;
}

int agent_get_u16(struct agent_reader *r, uint16_t *v)
{
        const uint8_t *p;
        if (take(r, 2, &p) < 0)
                return -EBADMSG;
        *v = (uint16_t)(p[0] << 8 | p[1]);
        return 0;
}

int agent_get_u32(struct agent_reader *r, uint32_t *v)
{
        const uint8_t *p;
        if (take(r, 4, &p) < 0)
                return -EBADMSG;
        *v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        return 0;
}

int agent_next_field(struct agent_reader *r, uint8_t *tag, const uint8_t **data, uint32_t *len)
{
        if (r->off == r->len)
                return 0;
        if (agent_get_u8(r, tag) < 0 || agent_get_u32(r, len) < 0 || take(r, *len, data) < 0)
                return -EBADMSG;
        return 1;
}

static void put_strv(struct agent_buf *b, enum agent_field tag, char *const *v)
{
        for (; v && *v; v++)
                agent_put_field(b, tag, *v, strlen(*v));
}

static void put_u32_field(struct agent_buf *b, enum agent_field tag, uint32_t v)
{
        agent_put_u8(b, (uint8_t)tag);
        agent_put_u32(b, 4);
        agent_put_u32(b, v);
}

static void put_u16_field(struct agent_buf *b, enum agent_field tag, uint16_t v)
{
        agent_put_u8(b, (uint8_t)tag);
        agent_put_u32(b, 2);
        agent_put_u16(b, v);
}

int agent_exec_encode(const struct agent_exec_request *req, struct agent_buf *b)
{
        agent_frame_begin(b, AGENT_MSG_EXEC);
        put_strv(b, AGENT_FIELD_ARG, req->args);
        put_strv(b, AGENT_FIELD_ENV, req->env);
        if (req->cwd)
                agent_put_field(b, AGENT_FIELD_CWD, req->cwd, strlen(req->cwd));
        put_u32_field(b, AGENT_FIELD_UID, req->uid);
        put_u32_field(b, AGENT_FIELD_GID, req->gid);
        for (size_t i = 0; i < req->n_groups; i++)
                put_u32_field(b, AGENT_FIELD_GROUP, req->groups[i]);
        uint8_t tty = req->tty;
        agent_put_field(b, AGENT_FIELD_TTY, &tty, 1);
        if (req->rows && req->cols) {
                put_u16_field(b, AGENT_FIELD_ROWS, req->rows);
                put_u16_field(b, AGENT_FIELD_COLS, req->cols);
        }
        return agent_frame_end(b);
}

static void strv_free(char **v)
{
        for (char **p = v; p && *p; p++)
                free(*p);
        free(v);
}

void agent_exec_request_free(struct agent_exec_request *req)
{
        strv_free(req->args);
        strv_free(req->env);
        free(req->cwd);
        free(req->groups);
        *req = (struct agent_exec_request){0};
}

/* A string field: no NUL inside (it would silently cut an argument). */
static int dup_string(const uint8_t *data, uint32_t len, char **out)
{
        if (memchr(data, 0, len))
                return -EBADMSG;
        *out = strndup((const char *)data, len);
        return *out ? 0 : -ENOMEM;
}

static int push_string(char ***v, size_t *n, const uint8_t *data, uint32_t len)
{
        char **nv = realloc(*v, (*n + 2) * sizeof(char *));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        nv[*n] = nv[*n + 1] = NULL; /* still a valid vector for agent_exec_request_free if the copy fails */
        int r = dup_string(data, len, &nv[*n]);
        if (r < 0)
                return r;
        (*n)++;
        return 0;
}

static int number(const uint8_t *data, uint32_t len, uint32_t size, uint32_t *v)
{
        if (len != size)
                return -EBADMSG;
        struct agent_reader r = {.p = data, .len = len};
        if (size == 2) {
                uint16_t s;
                agent_get_u16(&r, &s);
                *v = s;
                return 0;
        }
        return agent_get_u32(&r, v);
}

static int decode_field(struct agent_exec_request *out, size_t *n_args, size_t *n_env, uint8_t tag, const uint8_t *data,
                        uint32_t len)
{
        uint32_t v = 0;
        int r;
        switch (tag) {
        case AGENT_FIELD_ARG:
                return push_string(&out->args, n_args, data, len);
        case AGENT_FIELD_ENV:
                return push_string(&out->env, n_env, data, len);
        case AGENT_FIELD_CWD:
                free(out->cwd);
                out->cwd = NULL; /* a failed copy must not leave the freed pointer for agent_exec_request_free */
                return dup_string(data, len, &out->cwd);
        case AGENT_FIELD_UID:
                return number(data, len, 4, &out->uid);
        case AGENT_FIELD_GID:
                return number(data, len, 4, &out->gid);
        case AGENT_FIELD_GROUP: {
                if ((r = number(data, len, 4, &v)) < 0)
                        return r;
                uint32_t *g = realloc(out->groups, (out->n_groups + 1) * sizeof(*g));
                if (!g)
                        return -ENOMEM;
                g[out->n_groups++] = v;
                out->groups = g;
                return 0;
        }
        case AGENT_FIELD_TTY:
                if (len != 1)
                        return -EBADMSG;
                out->tty = data[0] != 0;
                return 0;
        case AGENT_FIELD_ROWS:
                r = number(data, len, 2, &v);
                out->rows = (uint16_t)v;
                return r;
        case AGENT_FIELD_COLS:
                r = number(data, len, 2, &v);
                out->cols = (uint16_t)v;
                return r;
        }
        return 0; /* unknown fields are skipped: a newer runtime may add optional ones */
}

int agent_exec_decode(const uint8_t *payload, size_t len, struct agent_exec_request *out)
{
        *out = (struct agent_exec_request){0};
        struct agent_reader rd = {.p = payload, .len = len};
        size_t n_args = 0, n_env = 0;
        uint8_t tag;
        const uint8_t *data;
        uint32_t flen;
        int r;
        while ((r = agent_next_field(&rd, &tag, &data, &flen)) > 0)
                if ((r = decode_field(out, &n_args, &n_env, tag, data, flen)) < 0)
                        break;
        if (r == 0 && n_args == 0)
                r = -EBADMSG;
        if (r == 0 && (!out->cwd || out->cwd[0] != '/'))
                r = -EINVAL;
        if (r == 0 && !out->env && !(out->env = calloc(1, sizeof(char *))))
                r = -ENOMEM;
        if (r < 0)
                agent_exec_request_free(out);
        return r;
}

int agent_exit_status(const uint8_t *payload, size_t len, int *status)
{
        struct agent_reader r = {.p = payload, .len = len};
        uint8_t is_signaled;
        uint32_t v;
        if (agent_get_u8(&r, &is_signaled) < 0 || agent_get_u32(&r, &v) < 0 || v > 255)
                return -EBADMSG;
        *status = is_signaled ? 128 + (int)v : (int)v;
        return 0;
}
