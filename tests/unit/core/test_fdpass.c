/* fdpass over a real socketpair: the fd arrives (close-on-exec) with the payload, long payloads arrive
 * whole, a message without an fd gives -1, an unwanted fd is closed, a closed peer is EPIPE. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/fdpass.h"

static void pair(int type, int sv[2])
{
        assert_int_equal(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv), 0);
}

/* Two fds name the same open file. */
static void assert_same_file(int a, int b)
{
        struct stat sa, sb;
        assert_int_equal(fstat(a, &sa), 0);
        assert_int_equal(fstat(b, &sb), 0);
        assert_int_equal(sa.st_dev, sb.st_dev);
        assert_int_equal(sa.st_ino, sb.st_ino);
}

static void test_fd_with_payload(void **state)
{
        (void)state;
        int sv[2], p[2];
        pair(SOCK_SEQPACKET, sv);
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(fdpass_send(sv[0], p[1], "hello", 5), 0);
        char buf[16] = {0};
        int got = -2;
        assert_int_equal(fdpass_recv(sv[1], buf, sizeof(buf), &got), 5);
        assert_string_equal(buf, "hello");
        assert_true(got >= 0 && got != p[1]);
        assert_same_file(got, p[1]);
        assert_true(fcntl(got, F_GETFD) & FD_CLOEXEC);
        close(got);
        close(p[0]);
        close(p[1]);
        close(sv[0]);
        close(sv[1]);
}

static void test_no_fd_and_unwanted_fd(void **state)
{
        (void)state;
        int sv[2];
        pair(SOCK_SEQPACKET, sv);
        assert_int_equal(fdpass_send(sv[0], -1, "x", 1), 0);
        char c = 0;
        int got = -2;
        assert_int_equal(fdpass_recv(sv[1], &c, 1, &got), 1);
        assert_int_equal(c, 'x');
        assert_int_equal(got, -1);

        /* Nobody wants the fd: it is closed rather than leaked. */
        int probe = dup(STDIN_FILENO);
        assert_true(probe >= 0);
        close(probe);
        assert_int_equal(fdpass_send(sv[0], STDIN_FILENO, "y", 1), 0);
        assert_int_equal(fdpass_recv(sv[1], &c, 1, NULL), 1);
        assert_int_equal(c, 'y');
        /* The lowest free number is the one the received fd took; free again if it was closed. */
        int again = dup(STDIN_FILENO);
        assert_int_equal(again, probe);
        close(again);
        close(sv[0]);
        close(sv[1]);
}

/* A payload larger than the socket buffer: what the first sendmsg leaves follows with plain sends. */
static void test_long_payload_on_a_stream(void **state)
{
        (void)state;
        int sv[2];
        pair(SOCK_STREAM, sv);
        int small = 4096;
        assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
        size_t len = 1 << 20;
        char *data = malloc(len), *back = malloc(len);
        assert_non_null(data);
        assert_non_null(back);
        for (size_t i = 0; i < len; i++)
                data[i] = (char)(i * 7);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(sv[1]);
                _exit(fdpass_send(sv[0], STDIN_FILENO, data, len) == 0 ? 0 : 1);
        }
        close(sv[0]);
        size_t off = 0;
        int got = -1;
        ssize_t n = fdpass_recv(sv[1], back, len, &got);
        assert_true(n > 0);
        assert_true(got >= 0);
        close(got);
        for (off = (size_t)n; off < len; off += (size_t)n) {
                n = read(sv[1], back + off, len - off);
                assert_true(n > 0);
        }
        assert_memory_equal(data, back, len);
        int status = -1;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(sv[1]);
        free(data);
        free(back);
}

static void test_errors(void **state)
{
        (void)state;
        int sv[2];
        pair(SOCK_SEQPACKET, sv);
        close(sv[1]);
        assert_int_equal(fdpass_send(sv[0], STDIN_FILENO, "z", 1), -EPIPE);
        char c;
        int got = -2;
        assert_int_equal(fdpass_recv(sv[0], &c, 1, &got), 0); /* EOF */
        assert_int_equal(got, -1);
        close(sv[0]);
        assert_int_equal(fdpass_send(sv[0], -1, "z", 1), -EBADF);
        assert_int_equal(fdpass_recv(sv[0], &c, 1, NULL), -EBADF);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_fd_with_payload),
            cmocka_unit_test(test_no_fd_and_unwanted_fd),
            cmocka_unit_test(test_long_payload_on_a_stream),
            cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
