/* The real thing, as root on this host (hybrid here; any layout works): create a cgroup for a forked
 * sleeping child with limits, read the files back, freeze/thaw, update, enter, kill_all, destroy, and
 * check nothing is left under /sys/fs/cgroup. Skipped when not root or /sys/fs/cgroup is not writable.
 * The teardown kills and removes everything even when an assertion failed. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "core/cleanup.h"
#include "core/fs.h"

struct fixture {
        char path[64];
        pid_t kids[4];
        int n_kids;
        int go[2]; /* children block on it until told to act */
        struct cgroup_layout layout;
};

static pid_t spawn(struct fixture *f, int (*body)(void))
{
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char c;
                close(f->go[1]);
                if (read(f->go[0], &c, 1) != 1)
                        _exit(100);
                _exit(body());
        }
        f->kids[f->n_kids++] = pid;
        return pid;
}

static int sleep_forever(void)
{
        pause();
        return 0;
}

static int open_kmsg(void)
{
        /* /dev/kmsg (c 1:11) is not in the default allow-list. */
        int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
        if (fd >= 0)
                return 1;
        return errno == EPERM ? 0 : 2;
}

static int setup(void **state)
{
        if (geteuid() != 0 || access("/sys/fs/cgroup", W_OK) < 0)
                return 0; /* the tests skip */
        struct fixture *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        snprintf(f->path, sizeof(f->path), "/krun-unit-%d", (int)getpid());
        assert_int_equal(pipe(f->go), 0);
        if (cgroup_layout_detect(&f->layout, NULL) < 0) {
                free(f);
                return 0;
        }
        *state = f;
        return 0;
}

static bool exists_anywhere(const struct fixture *f)
{
        for (size_t i = 0; i <= f->layout.n_v1; i++) {
                const char *root = i < f->layout.n_v1 ? f->layout.v1[i].mount : f->layout.unified;
                char p[512];
                if (!root)
                        continue;
                snprintf(p, sizeof(p), "%s%s", root, f->path);
                if (access(p, F_OK) == 0)
                        return true;
        }
        return false;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        if (!f)
                return 0;
        for (int i = 0; i < f->n_kids; i++) {
                kill(f->kids[i], SIGKILL);
                waitpid(f->kids[i], NULL, 0);
        }
        struct cgroup_handle h = {CGROUP_DRIVER_CGROUPFS, f->path, NULL};
        char thaw[512];
        const struct cgroup_hierarchy *fz = cgroup_layout_v1(&f->layout, "freezer");
        if (fz) {
                snprintf(thaw, sizeof(thaw), "%s%s", fz->mount, f->path);
                cgroup_write_file(thaw, "freezer.state", "THAWED", NULL);
        }
        cgroup_destroy(&h, NULL);
        close(f->go[0]);
        close(f->go[1]);
        cgroup_layout_clear(&f->layout);
        free(f);
        return 0;
}

static char *read_back(const struct fixture *f, const char *controller, const char *file)
{
        char dir[512];
        const char *root = f->layout.unified;
        if (*controller) {
                const struct cgroup_hierarchy *h = cgroup_layout_v1(&f->layout, controller);
                if (!h)
                        return NULL;
                root = h->mount;
        }
        if (!root)
                return NULL;
        snprintf(dir, sizeof(dir), "%s%s", root, f->path);
        char *s = NULL;
        if (cgroup_read_file(dir, file, &s) < 0)
                return NULL;
        s[strcspn(s, "\n")] = '\0';
        return s;
}

static void assert_file(const struct fixture *f, const char *controller, const char *file, const char *want)
{
        _cleanup_free_ char *got = read_back(f, controller, file);
        if (!got)
                fail_msg("%s: cannot read", file);
        if (strcmp(got, want) != 0)
                fail_msg("%s: `%s`, expected `%s`", file, got, want);
}

static bool has_pid(const struct cgroup_handle *h, pid_t pid)
{
        pid_t *pids = NULL;
        size_t n = 0;
        _cleanup_error_ struct error *err = NULL;
        if (cgroup_pids(h, &pids, &n, &err) < 0)
                fail_msg("cgroup_pids: %s", err->msg);
        bool found = false;
        for (size_t i = 0; i < n; i++)
                found |= pids[i] == pid;
        free(pids);
        return found;
}

static void test_lifecycle(void **state)
{
        struct fixture *f = *state;
        if (!f)
                skip();
        pid_t child = spawn(f, sleep_forever);
        struct oci_hugepage_limit huge = {"2MB", 2 << 20};
        struct oci_resources res = {.has_memory_limit = true,
                                    .memory_limit = 64 << 20,
                                    .has_pids_limit = true,
                                    .pids_limit = 16,
                                    .has_cpu_shares = true,
                                    .cpu_shares = 512,
                                    .has_cpu_quota = true,
                                    .cpu_quota = 50000,
                                    .has_cpu_period = true,
                                    .cpu_period = 100000,
                                    .hugepage_limits = &huge,
                                    .n_hugepage_limits = 1};
        struct cgroup_create_args a = {
            .driver = CGROUP_DRIVER_CGROUPFS, .id = "unused", .cgroups_path = f->path, .resources = &res, .pid = child};
        struct cgroup_handle h;
        _cleanup_error_ struct error *err = NULL;
        if (cgroup_create(&a, &h, &err) < 0)
                fail_msg("cgroup_create: %s", err->msg);
        assert_string_equal(h.path, f->path);
        assert_null(h.scope);

        bool v1mem = cgroup_layout_v1(&f->layout, "memory") != NULL;
        assert_file(f, v1mem ? "memory" : "", v1mem ? "memory.limit_in_bytes" : "memory.max", "67108864");
        assert_file(f, cgroup_layout_v1(&f->layout, "pids") ? "pids" : "", "pids.max", "16");
        if (cgroup_layout_v1(&f->layout, "cpu")) {
                assert_file(f, "cpu", "cpu.shares", "512");
                assert_file(f, "cpu", "cpu.cfs_quota_us", "50000");
        } else {
                assert_file(f, "", "cpu.weight", "59");
                assert_file(f, "", "cpu.max", "50000 100000");
        }
        if (!cgroup_layout_v1(&f->layout, "hugetlb") && f->layout.unified) {
                /* hybrid: hugetlb lives in the unified hierarchy */
                _cleanup_free_ char *v = read_back(f, "", "hugetlb.2MB.max");
                if (v)
                        assert_string_equal(v, "2097152");
        }
        assert_true(has_pid(&h, child));
        if (f->layout.unified) {
                _cleanup_free_ char *procs = read_back(f, "", "cgroup.procs");
                assert_int_equal(atoi(procs), child);
        }

        /* a second create on the same, busy, cgroup is refused and leaves it alone */
        struct cgroup_handle h2;
        pid_t other = spawn(f, sleep_forever);
        a.pid = other;
        assert_true(cgroup_create(&a, &h2, &err) < 0);
        assert_non_null(strstr(err->msg, "already has processes"));
        error_free(&err);
        assert_true(exists_anywhere(f));

        /* freeze / thaw */
        assert_int_equal(cgroup_is_frozen(&h), 0);
        if (cgroup_freeze(&h, true, &err) < 0)
                fail_msg("freeze: %s", err->msg);
        assert_int_equal(cgroup_is_frozen(&h), 1);
        if (cgroup_freeze(&h, false, &err) < 0)
                fail_msg("thaw: %s", err->msg);
        assert_int_equal(cgroup_is_frozen(&h), 0);

        /* update */
        struct oci_resources up = {
            .has_memory_limit = true, .memory_limit = 128 << 20, .has_pids_limit = true, .pids_limit = -1};
        if (cgroup_update(&h, &up, &err) < 0)
                fail_msg("update: %s", err->msg);
        assert_file(f, v1mem ? "memory" : "", v1mem ? "memory.limit_in_bytes" : "memory.max", "134217728");
        assert_file(f, cgroup_layout_v1(&f->layout, "pids") ? "pids" : "", "pids.max", "max");
        /* a limit the kernel refuses names the field, the file and the value */
        struct oci_resources bad = {
            .has_cpu_quota = true, .cpu_quota = 10, .has_cpu_period = true, .cpu_period = 100000};
        assert_true(cgroup_update(&h, &bad, &err) < 0);
        assert_non_null(strstr(err->msg, "linux.resources.cpu.quota"));
        assert_non_null(strstr(err->msg, "`10"));
        error_free(&err);

        /* enter (exec): the other child joins; the devices rules apply to it */
        kill(other, SIGKILL);
        waitpid(other, NULL, 0);
        f->n_kids--;
        pid_t kmsg = spawn(f, open_kmsg);
        if (cgroup_enter(&h, kmsg, NULL, &err) < 0)
                fail_msg("enter: %s", err->msg);
        assert_true(has_pid(&h, kmsg));
        assert_true(cgroup_enter(&h, kmsg, "../x", &err) < 0);
        assert_non_null(strstr(err->msg, ".."));
        error_free(&err);
        assert_int_equal(write(f->go[1], "gg", 2), 2); /* both children run */
        int st;
        assert_int_equal(waitpid(kmsg, &st, 0), kmsg);
        f->n_kids--;
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0); /* EPERM from the device cgroup */

        /* kill --all, then destroy */
        if (cgroup_kill_all(&h, SIGKILL, &err) < 0)
                fail_msg("kill_all: %s", err->msg);
        assert_int_equal(waitpid(child, &st, 0), child);
        f->n_kids = 0;
        assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
        if (cgroup_destroy(&h, &err) < 0)
                fail_msg("destroy: %s", err->msg);
        assert_false(exists_anywhere(f));
        /* destroying twice is fine */
        assert_int_equal(cgroup_destroy(&h, &err), 0);
        cgroup_handle_clear(&h);
}

static void test_failed_create_leaves_nothing(void **state)
{
        struct fixture *f = *state;
        if (!f)
                skip();
        snprintf(f->path, sizeof(f->path), "/krun-unit-%d/nested/leaf", (int)getpid());
        pid_t child = spawn(f, sleep_forever);
        struct oci_resources res = {
            .has_memory_limit = true, .memory_limit = 64 << 20, .has_cpu_quota = true, .cpu_quota = 10};
        struct cgroup_create_args a = {
            .driver = CGROUP_DRIVER_CGROUPFS, .id = "x", .cgroups_path = f->path, .resources = &res, .pid = child};
        struct cgroup_handle h;
        _cleanup_error_ struct error *err = NULL;
        assert_true(cgroup_create(&a, &h, &err) < 0);
        assert_non_null(strstr(err->msg, "cpu.quota"));
        assert_null(h.path);
        /* the parents we made went too */
        snprintf(f->path, sizeof(f->path), "/krun-unit-%d", (int)getpid());
        assert_false(exists_anywhere(f));
}

static void test_bpf_attach(void **state)
{
        struct fixture *f = *state;
        if (!f || !f->layout.unified)
                skip();
        char dir[256];
        snprintf(dir, sizeof(dir), "%s%s", f->layout.unified, f->path);
        assert_int_equal(mkdir(dir, 0755), 0);
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY);
        assert_true(fd >= 0);
        _cleanup_error_ struct error *err = NULL;
        if (cgroup_bpf_devices_attach(fd, NULL, 0, &err) < 0)
                fail_msg("attach: %s", err->msg);
        /* attach again (update): the first program is replaced, not stacked */
        if (cgroup_bpf_devices_attach(fd, NULL, 0, &err) < 0)
                fail_msg("re-attach: %s", err->msg);
        pid_t kid = spawn(f, open_kmsg);
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int)kid);
        assert_int_equal(cgroup_write_file(dir, "cgroup.procs", buf, &err), 0);
        assert_int_equal(write(f->go[1], "g", 1), 1);
        int st;
        assert_int_equal(waitpid(kid, &st, 0), kid);
        f->n_kids = 0;
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
            cmocka_unit_test_setup_teardown(test_failed_create_leaves_nothing, setup, teardown),
            cmocka_unit_test_setup_teardown(test_bpf_attach, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
