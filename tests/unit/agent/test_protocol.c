/* The agent protocol's pure encode/decode (src/agent/protocol.h): byte layout, round trips, and every way a
 * payload from the other side can be malformed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/protocol.h"

static void test_frame_layout(void **state)
{
        (void)state;
        struct agent_buf b = {0};
        agent_frame_begin(&b, AGENT_MSG_HELLO);
        agent_put_u32(&b, AGENT_PROTOCOL_VERSION);
        assert_int_equal(agent_frame_end(&b), 0);
        const uint8_t want[] = {0, 0, 0, 5, AGENT_MSG_HELLO, 0, 0, 0, 1};
        assert_int_equal(b.len, sizeof(want));
        assert_memory_equal(b.data, want, sizeof(want));
        size_t len;
        uint8_t type;
        assert_int_equal(agent_frame_header(b.data, &len, &type), 0);
        assert_int_equal(len, 4);
        assert_int_equal(type, AGENT_MSG_HELLO);
        /* Two frames in one buffer: each length counts only its own frame. */
        agent_frame_begin(&b, AGENT_MSG_OK);
        assert_int_equal(agent_frame_end(&b), 0);
        const uint8_t ok[] = {0, 0, 0, 1, AGENT_MSG_OK};
        assert_memory_equal(b.data + sizeof(want), ok, sizeof(ok));
        agent_buf_free(&b);
}

static void test_header_bounds(void **state)
{
        (void)state;
        size_t len;
        uint8_t type;
        const uint8_t zero[] = {0, 0, 0, 0, 1};
        assert_int_equal(agent_frame_header(zero, &len, &type), -EBADMSG);
        const uint8_t max[] = {0, 0x10, 0, 0, 7}; /* AGENT_FRAME_MAX */
        assert_int_equal(agent_frame_header(max, &len, &type), 0);
        assert_int_equal(len, AGENT_FRAME_MAX - 1);
        const uint8_t over[] = {0, 0x10, 0, 1, 7};
        assert_int_equal(agent_frame_header(over, &len, &type), -EBADMSG);
        const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 7};
        assert_int_equal(agent_frame_header(huge, &len, &type), -EBADMSG);
}

static void test_too_big_frame(void **state)
{
        (void)state;
        struct agent_buf b = {0};
        agent_frame_begin(&b, AGENT_MSG_DATA);
        char *big = calloc(1, AGENT_FRAME_MAX);
        agent_put_bytes(&b, big, AGENT_FRAME_MAX);
        free(big);
        assert_int_equal(agent_frame_end(&b), -E2BIG);
        agent_buf_free(&b);
}

static struct agent_exec_request decode_frame(const struct agent_buf *b)
{
        size_t len;
        uint8_t type;
        assert_int_equal(agent_frame_header(b->data, &len, &type), 0);
        assert_int_equal(type, AGENT_MSG_EXEC);
        assert_int_equal(len + AGENT_HEADER_SIZE, b->len);
        struct agent_exec_request out;
        assert_int_equal(agent_exec_decode(b->data + AGENT_HEADER_SIZE, len, &out), 0);
        return out;
}

static void test_exec_round_trip(void **state)
{
        (void)state;
        char *args[] = {"sh", "-c", "echo \"$A\"", "", NULL};
        char *env[] = {"A=1 2", "PATH=/bin", NULL};
        uint32_t groups[] = {10, 4294967294u};
        struct agent_exec_request req = {.args = args,
                                         .env = env,
                                         .cwd = "/tmp",
                                         .uid = 1000,
                                         .gid = 1001,
                                         .groups = groups,
                                         .n_groups = 2,
                                         .tty = true,
                                         .rows = 24,
                                         .cols = 80};
        struct agent_buf b = {0};
        assert_int_equal(agent_exec_encode(&req, &b), 0);
        struct agent_exec_request out = decode_frame(&b);
        for (int i = 0; i < 4; i++)
                assert_string_equal(out.args[i], args[i]); /* an empty argument survives */
        assert_null(out.args[4]);
        assert_string_equal(out.env[0], "A=1 2");
        assert_string_equal(out.env[1], "PATH=/bin");
        assert_null(out.env[2]);
        assert_string_equal(out.cwd, "/tmp");
        assert_int_equal(out.uid, 1000);
        assert_int_equal(out.gid, 1001);
        assert_int_equal(out.n_groups, 2);
        assert_int_equal(out.groups[1], 4294967294u);
        assert_true(out.tty);
        assert_int_equal(out.rows, 24);
        assert_int_equal(out.cols, 80);
        agent_exec_request_free(&out);
        agent_buf_free(&b);
}

static void test_exec_minimal(void **state)
{
        (void)state;
        char *args[] = {"true", NULL};
        struct agent_exec_request req = {.args = args, .cwd = "/"};
        struct agent_buf b = {0};
        assert_int_equal(agent_exec_encode(&req, &b), 0);
        struct agent_exec_request out = decode_frame(&b);
        assert_non_null(out.env);
        assert_null(out.env[0]); /* no env: an empty, NULL-terminated vector, never NULL */
        assert_false(out.tty);
        assert_int_equal(out.rows, 0);
        assert_int_equal(out.n_groups, 0);
        agent_exec_request_free(&out);
        agent_buf_free(&b);
}

/* A payload built field by field, to feed the decoder what an encoder never writes. */
static void field(struct agent_buf *b, uint8_t tag, const void *p, uint32_t n)
{
        agent_put_u8(b, tag);
        agent_put_u32(b, n);
        agent_put_bytes(b, p, n);
}

static int decode(const struct agent_buf *b)
{
        struct agent_exec_request out;
        int r = agent_exec_decode(b->data, b->len, &out);
        if (r == 0)
                agent_exec_request_free(&out);
        else
                assert_null(out.args);
        return r;
}

static void test_exec_malformed(void **state)
{
        (void)state;
        struct agent_buf b = {0};
        /* no args */
        field(&b, AGENT_FIELD_CWD, "/", 1);
        assert_int_equal(decode(&b), -EBADMSG);
        /* no cwd, relative cwd */
        agent_buf_free(&b);
        field(&b, AGENT_FIELD_ARG, "true", 4);
        assert_int_equal(decode(&b), -EINVAL);
        field(&b, AGENT_FIELD_CWD, "tmp", 3);
        assert_int_equal(decode(&b), -EINVAL);
        /* a NUL inside a string would cut an argument short */
        agent_buf_free(&b);
        field(&b, AGENT_FIELD_CWD, "/", 1);
        field(&b, AGENT_FIELD_ARG, "a\0b", 3);
        assert_int_equal(decode(&b), -EBADMSG);
        /* a second cwd with a NUL, after a good one (the first copy is freed before the second is made) */
        agent_buf_free(&b);
        field(&b, AGENT_FIELD_ARG, "x", 1);
        field(&b, AGENT_FIELD_CWD, "/", 1);
        field(&b, AGENT_FIELD_CWD, "/a\0b", 4);
        assert_int_equal(decode(&b), -EBADMSG);
        /* a number of the wrong size */
        agent_buf_free(&b);
        field(&b, AGENT_FIELD_CWD, "/", 1);
        field(&b, AGENT_FIELD_ARG, "x", 1);
        field(&b, AGENT_FIELD_UID, "\0\0\1", 3);
        assert_int_equal(decode(&b), -EBADMSG);
        /* a field longer than the payload */
        agent_buf_free(&b);
        field(&b, AGENT_FIELD_CWD, "/", 1);
        agent_put_u8(&b, AGENT_FIELD_ARG);
        agent_put_u32(&b, 100);
        agent_put_bytes(&b, "short", 5);
        assert_int_equal(decode(&b), -EBADMSG);
        /* a truncated field header */
        agent_buf_free(&b);
        field(&b, AGENT_FIELD_CWD, "/", 1);
        agent_put_u8(&b, AGENT_FIELD_ARG);
        agent_put_u16(&b, 0);
        assert_int_equal(decode(&b), -EBADMSG);
        agent_buf_free(&b);
}

static void test_exec_unknown_field_skipped(void **state)
{
        (void)state;
        struct agent_buf b = {0};
        field(&b, AGENT_FIELD_CWD, "/", 1);
        field(&b, 200, "future", 6);
        field(&b, AGENT_FIELD_ARG, "x", 1);
        assert_int_equal(decode(&b), 0);
        agent_buf_free(&b);
}

static void test_exit_status(void **state)
{
        (void)state;
        int status;
        const uint8_t code[] = {0, 0, 0, 0, 42};
        assert_int_equal(agent_exit_status(code, sizeof(code), &status), 0);
        assert_int_equal(status, 42);
        const uint8_t sig[] = {1, 0, 0, 0, 9};
        assert_int_equal(agent_exit_status(sig, sizeof(sig), &status), 0);
        assert_int_equal(status, 137);
        const uint8_t short_[] = {0, 0, 0};
        assert_int_equal(agent_exit_status(short_, sizeof(short_), &status), -EBADMSG);
        const uint8_t big[] = {0, 0, 0, 1, 0};
        assert_int_equal(agent_exit_status(big, sizeof(big), &status), -EBADMSG);
}

static void test_reader(void **state)
{
        (void)state;
        const uint8_t p[] = {1, 0, 2, 0, 0, 0, 3};
        struct agent_reader r = {.p = p, .len = sizeof(p)};
        uint8_t a;
        uint16_t b;
        uint32_t c;
        assert_int_equal(agent_get_u8(&r, &a), 0);
        assert_int_equal(agent_get_u16(&r, &b), 0);
        assert_int_equal(agent_get_u32(&r, &c), 0);
        assert_int_equal(a, 1);
        assert_int_equal(b, 2);
        assert_int_equal(c, 3);
        assert_int_equal(agent_get_u8(&r, &a), -EBADMSG);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_frame_layout),
            cmocka_unit_test(test_header_bounds),
            cmocka_unit_test(test_too_big_frame),
            cmocka_unit_test(test_exec_round_trip),
            cmocka_unit_test(test_exec_minimal),
            cmocka_unit_test(test_exec_malformed),
            cmocka_unit_test(test_exec_unknown_field_skipped),
            cmocka_unit_test(test_exit_status),
            cmocka_unit_test(test_reader),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
