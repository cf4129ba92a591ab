#include "child_check.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

int child_report_fd = -1;

void child_fail(const char *fmt, ...)
{
        char buf[1024];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n > 0 && write(child_report_fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1) < 0)
                _exit(3);
        _exit(1);
}

void expect_ok(int r, struct error **errp, const char *what)
{
        struct error *err = *errp;
        EXPECT(r >= 0 && !err, "%s: unexpected failure: %s (errno %d)", what, err ? err->msg : "?",
               err ? err->errnum : 0);
}

void expect_error(int r, struct error **errp, int errnum, const char *msg)
{
        struct error *err = *errp;
        EXPECT(r < 0 && err, "expected failure `%s`, got success", msg);
        EXPECT(err->errnum == errnum && strcmp(err->msg, msg) == 0, "expected `%s` (errno %d), got `%s` (errno %d)",
               msg, errnum, err->msg, err->errnum);
}

void run_in_child(void (*fn)(void))
{
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                /* Out of the way of the fds the tests dup2 over. */
                child_report_fd = fcntl(p[1], F_DUPFD_CLOEXEC, 100);
                close(p[1]);
                fn();
                _exit(0);
        }
        close(p[1]);
        char buf[1024] = "";
        ssize_t n = read(p[0], buf, sizeof(buf) - 1);
        close(p[0]);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (n > 0)
                fail_msg("child: %s", buf);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

char *status_field(const char *key, char *buf, size_t size)
{
        FILE *f = fopen("/proc/self/status", "re");
        char line[512];
        size_t klen = strlen(key);
        buf[0] = '\0';
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
                        char *v = line + klen + 1;
                        v += strspn(v, " \t");
                        v[strcspn(v, "\n")] = '\0';
                        while (*v && v[strlen(v) - 1] == ' ')
                                v[strlen(v) - 1] = '\0';
                        snprintf(buf, size, "%s", v);
                }
        if (f)
                fclose(f);
        return buf;
}

bool has_cap_sys_resource(void)
{
        char buf[64];
        status_field("CapEff", buf, sizeof(buf));
        return strtoull(buf, NULL, 16) & (1ULL << CAP_SYS_RESOURCE);
}
