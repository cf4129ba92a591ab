/* init/terminal.c: the one pty setup of the init and of exec's process, against the host's /dev/ptmx. Each
 * case runs in a forked child (../child_check.h): the hand-over makes the pty its stdio and its controlling
 * terminal. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "child_check.h"
#include "core/cleanup.h"
#include "core/fdpass.h"
#include "init/sync.h"
#include "init/terminal.h"

static bool is_ptmx(int fd)
{
        char path[64], target[PATH_MAX] = "";
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        return readlink(path, target, sizeof(target) - 1) > 0 && strstr(target, "ptmx") != NULL;
}

/* The slave is the master's peer, and consoleSize is applied to it. */
static void child_open_pty(void)
{
        struct oci_process proc = {.has_console_size = true, .console_height = 24, .console_width = 100};
        int master = -1, slave = -1;
        _cleanup_error_ struct error *err = NULL;
        expect_ok(terminal_open_pty(-1, &proc, &master, &slave, &err), &err, "open pty in the current root");
        struct winsize ws = {0};
        EXPECT(ioctl(slave, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 24 && ws.ws_col == 100, "size %ux%u", ws.ws_row,
               ws.ws_col);
        EXPECT(write(master, "hi\n", 3) == 3, "write the master: %m");
        char buf[8] = "";
        EXPECT(read(slave, buf, sizeof(buf)) == 3 && memcmp(buf, "hi\n", 3) == 0, "read the slave: `%s`", buf);
        EXPECT(fcntl(master, F_GETFD) & FD_CLOEXEC, "the master is not close-on-exec");
        EXPECT(fcntl(slave, F_GETFD) & FD_CLOEXEC, "the slave is not close-on-exec");
}

static void test_open_pty(void **state)
{
        (void)state;
        run_in_child(child_open_pty);
}

/* A root without /dev/ptmx: the error names what was looked for, and no fd is returned. */
static void child_open_pty_missing(void)
{
        char dir[] = "/tmp/terminal-root-XXXXXX";
        EXPECT(mkdtemp(dir), "mkdtemp: %m");
        int root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        rmdir(dir);
        struct oci_process proc = {0};
        int master = 0, slave = 0;
        _cleanup_error_ struct error *err = NULL;
        int r = terminal_open_pty(root, &proc, &master, &slave, &err);
        EXPECT(r == -ENOENT && err && err->errnum == ENOENT, "expected ENOENT, got %d", r);
        const char *want = "terminal: open /dev/ptmx of the container";
        EXPECT(strncmp(err->msg, want, strlen(want)) == 0, "message `%s`", err->msg);
        EXPECT(master == -1 && slave == -1, "fds %d %d after a failure", master, slave);
}

static void test_open_pty_missing(void **state)
{
        (void)state;
        run_in_child(child_open_pty_missing);
}

static void open_and_hand_over(int console_sock, int sync_fd)
{
        struct oci_process proc = {.uid = getuid()};
        int master = -1, slave = -1;
        _cleanup_error_ struct error *err = NULL;
        EXPECT(setsid() >= 0, "setsid: %m");
        expect_ok(terminal_open_pty(-1, &proc, &master, &slave, &err), &err, "open pty");
        expect_ok(terminal_hand_over(master, slave, &proc, console_sock, sync_fd, &err), &err, "hand over");
        for (int fd = 0; fd < 3; fd++)
                EXPECT(isatty(fd), "fd %d is not the pty", fd);
        EXPECT(tcgetsid(0) == getsid(0), "the pty is not our controlling terminal");
        EXPECT(fcntl(master, F_GETFD) < 0 && fcntl(slave, F_GETFD) < 0, "the pty fds were not closed");
}

/* --console-socket: one byte " " with the master attached, as conmon expects. */
static void child_hand_over_console_socket(void)
{
        int sv[2];
        EXPECT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair: %m");
        open_and_hand_over(sv[0], -1);
        char buf[4] = "";
        int fd = -1;
        EXPECT(fdpass_recv(sv[1], buf, sizeof(buf), &fd) == 1 && buf[0] == ' ', "payload `%s`", buf);
        EXPECT(fd >= 0 && is_ptmx(fd), "no pty master came with it");
}

static void test_hand_over_console_socket(void **state)
{
        (void)state;
        run_in_child(child_hand_over_console_socket);
}

/* Without a console socket the master goes to the foreground runtime as SYNC_PTY. */
static void child_hand_over_sync(void)
{
        int sv[2];
        EXPECT(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0, "socketpair: %m");
        open_and_hand_over(-1, sv[0]);
        int fd = -1;
        _cleanup_error_ struct error *err = NULL;
        expect_ok(sync_expect(sv[1], SYNC_PTY, NULL, &fd, &err), &err, "SYNC_PTY");
        EXPECT(fd >= 0 && is_ptmx(fd), "no pty master came with it");
}

static void test_hand_over_sync(void **state)
{
        (void)state;
        run_in_child(child_hand_over_sync);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_open_pty),
            cmocka_unit_test(test_open_pty_missing),
            cmocka_unit_test(test_hand_over_console_socket),
            cmocka_unit_test(test_hand_over_sync),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
