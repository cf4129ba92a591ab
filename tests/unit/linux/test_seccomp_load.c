/* Loading real filters, each in a forked child (a filter can never be removed again): mkdir denied with
 * EPERM while getpid works, argument conditions (AND and the OR split on a repeated index), and the
 * notify fd sent to listenerPath with the container process state. */
#include <errno.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "linux/seccomp_filter.h"

/* Runs `body` in a child after loading `s`; the child's exit status is what body returns (0 = ok). */
static int in_child(const struct oci_seccomp *s, int (*body)(void))
{
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct seccomp_filter *f = NULL;
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_filter_build(s, false, &f, NULL) < 0 ||
                    seccomp_filter_load(f, -1, 0, NULL, NULL) < 0)
                        _exit(100);
                _exit(body());
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static char dir[64];

static int mkdir_body(void)
{
        if (getpid() <= 0)
                return 1;
        if (mkdir(dir, 0700) == 0)
                return 2;
        if (errno != EPERM)
                return 3;
        return 0;
}

static void test_mkdir_denied(void **state)
{
        (void)state;
        char *names[] = {"mkdir", "mkdirat", NULL};
        struct oci_seccomp_syscall sc = {
            .names = names, .action_name = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = EPERM};
        char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL};
        struct oci_seccomp s = {
            .default_action = "SCMP_ACT_ALLOW", .architectures = arches, .syscalls = &sc, .n_syscalls = 1};
        snprintf(dir, sizeof(dir), "/tmp/krun-seccomp-test-%d", getpid());
        assert_int_equal(in_child(&s, mkdir_body), 0);
        struct stat st;
        assert_int_equal(stat(dir, &st), -1); /* never created */
}

static int close_body(void)
{
        if (close(1000) == 0 || errno != ENOTSUP)
                return 1;
        if (close(1001) == 0 || errno != ENOTSUP)
                return 2;
        if (close(1002) == 0 || errno != EBADF) /* no rule matches: the real syscall runs */
                return 3;
        return 0;
}

static void test_args_or_on_same_index(void **state)
{
        (void)state;
        char *names[] = {"close", NULL};
        struct oci_seccomp_arg args[2] = {{.index = 0, .value = 1000, .op = SCMP_CMP_EQ},
                                          {.index = 0, .value = 1001, .op = SCMP_CMP_EQ}};
        struct oci_seccomp_syscall sc = {.names = names,
                                         .action_name = "SCMP_ACT_ERRNO",
                                         .has_errno_ret = true,
                                         .errno_ret = ENOTSUP,
                                         .args = args,
                                         .n_args = 2};
        struct oci_seccomp s = {.default_action = "SCMP_ACT_ALLOW", .syscalls = &sc, .n_syscalls = 1};
        assert_int_equal(in_child(&s, close_body), 0);
}

static int dup3_body(void)
{
        /* Denied only when both conditions hold: oldfd == 0 AND newfd == 1000. */
        if (dup3(0, 1000, 0) >= 0 || errno != EDOM)
                return 1;
        if (dup3(0, 1001, 0) != 1001)
                return 2;
        if (dup3(1, 1000, 0) != 1000)
                return 3;
        return 0;
}

static void test_args_and(void **state)
{
        (void)state;
        char *names[] = {"dup3", NULL};
        struct oci_seccomp_arg args[2] = {{.index = 0, .value = 0, .op = SCMP_CMP_EQ},
                                          {.index = 1, .value = 0xffff, .value_two = 1000, .op = SCMP_CMP_MASKED_EQ}};
        struct oci_seccomp_syscall sc = {.names = names,
                                         .action_name = "SCMP_ACT_ERRNO",
                                         .has_errno_ret = true,
                                         .errno_ret = EDOM,
                                         .args = args,
                                         .n_args = 2};
        struct oci_seccomp s = {.default_action = "SCMP_ACT_ALLOW", .syscalls = &sc, .n_syscalls = 1};
        assert_int_equal(in_child(&s, dup3_body), 0);
}

/* syscall(2): glibc's getppid() assumes it cannot fail and skips errno. */
static int getppid_body(void)
{
        return syscall(SYS_getppid) == -1 && errno == EXDEV ? 0 : 1;
}

static void test_listener(void **state)
{
        (void)state;
        char path[108];
        snprintf(path, sizeof(path), "/tmp/krun-seccomp-listener-%d.sock", getpid());
        unlink(path);
        int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        strcpy(addr.sun_path, path);
        assert_int_equal(bind(ls, (struct sockaddr *)&addr, sizeof(addr)), 0);
        assert_int_equal(listen(ls, 1), 0);

        char *names[] = {"getppid", NULL};
        struct oci_seccomp_syscall sc = {.names = names, .action_name = "SCMP_ACT_NOTIFY"};
        struct oci_seccomp s = {.default_action = "SCMP_ACT_ALLOW",
                                .syscalls = &sc,
                                .n_syscalls = 1,
                                .listener_path = path,
                                .listener_metadata = "hello"};
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct seccomp_filter *f = NULL;
                int sock = -1;
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_filter_build(&s, false, &f, NULL) < 0 ||
                    seccomp_listener_connect(f, &sock, NULL) < 0 ||
                    seccomp_filter_load(f, sock, 777, "{\"id\":\"ctr\"}", NULL) < 0)
                        _exit(100);
                close(sock);
                _exit(getppid_body());
        }
        int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        assert_true(c >= 0);
        char buf[4096] = {0};
        union {
                char b[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } ctrl;
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl.b, .msg_controllen = sizeof(ctrl.b)};
        ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
        assert_true(n > 0);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        assert_non_null(cm);
        assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
        assert_int_equal(cm->cmsg_len, CMSG_LEN(sizeof(int)));
        int notify_fd;
        memcpy(&notify_fd, CMSG_DATA(cm), sizeof(int));
        /* The rest of the payload, if any, until EOF. */
        for (ssize_t m; (m = read(c, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0;)
                n += m;
        struct json_object *o = json_tokener_parse(buf);
        assert_non_null(o);
        struct json_object *v;
        assert_true(json_object_object_get_ex(o, "pid", &v));
        assert_int_equal(json_object_get_int(v), 777);
        assert_true(json_object_object_get_ex(o, "metadata", &v));
        assert_string_equal(json_object_get_string(v), "hello");
        json_object_put(o);

        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        assert_int_equal(seccomp_notify_alloc(&req, &resp), 0);
        assert_int_equal(seccomp_notify_receive(notify_fd, req), 0);
        assert_int_equal(req->pid, pid);
        resp->id = req->id;
        resp->val = 0;
        resp->error = -EXDEV;
        resp->flags = 0;
        assert_int_equal(seccomp_notify_respond(notify_fd, resp), 0);
        seccomp_notify_free(req, resp);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        close(notify_fd);
        close(c);
        close(ls);
        unlink(path);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_mkdir_denied),
            cmocka_unit_test(test_args_or_on_same_index),
            cmocka_unit_test(test_args_and),
            cmocka_unit_test(test_listener),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
