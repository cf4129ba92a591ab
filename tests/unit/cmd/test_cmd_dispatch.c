/* The commands' run functions: what they pass to the lifecycle (recorded by fakes), exit statuses,
 * and state / list / spec against a real state store and bundle in a temporary directory. */
#include <fcntl.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "core/cleanup.h"
#include "fake_lifecycle.h"
#include "oci/state.h"

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
#define RUN(rt, ...) cmd_find(ARGV(__VA_ARGS__)[0])->run(rt, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &err)

struct fixture {
        char dir[64];
        char root[128];
        struct runtime_ctx rt;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        snprintf(f->dir, sizeof(f->dir), "/tmp/krun-cmd-test.XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        snprintf(f->root, sizeof(f->root), "%s/root", f->dir);
        f->rt = (struct runtime_ctx){.argv0_name = "crun", .state_root = f->root};
        fake_reset();
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
        int r = system(cmd);
        free(f);
        return r == 0 ? 0 : -1;
}

/* Captures what a command writes to fd 1 and fd 2. */
struct capture {
        int saved_out, saved_err, out, err;
};

static void capture_begin(struct capture *c)
{
        fflush(stdout);
        fflush(stderr);
        c->out = memfd_create("out", 0);
        c->err = memfd_create("err", 0);
        c->saved_out = dup(1);
        c->saved_err = dup(2);
        assert_true(c->out >= 0 && c->err >= 0 && c->saved_out >= 0 && c->saved_err >= 0);
        dup2(c->out, 1);
        dup2(c->err, 2);
}

static char *read_memfd(int fd)
{
        off_t size = lseek(fd, 0, SEEK_END);
        char *buf = calloc(1, (size_t)size + 1);
        assert_int_equal(pread(fd, buf, (size_t)size, 0), size);
        close(fd);
        return buf;
}

static void capture_end(struct capture *c, char **out, char **err)
{
        fflush(stdout);
        fflush(stderr);
        dup2(c->saved_out, 1);
        dup2(c->saved_err, 2);
        close(c->saved_out);
        close(c->saved_err);
        *out = read_memfd(c->out);
        *err = read_memfd(c->err);
}

static void test_lifecycle_calls(void **state)
{
        struct fixture *f = *state;
        _cleanup_error_ struct error *err = NULL;

        assert_int_equal(RUN(&f->rt, "create", "--bundle", "/b", "--pid-file=/p", "c1"), 0);
        assert_string_equal(fake_last.fn, "create");
        assert_string_equal(fake_last.id, "c1");
        assert_string_equal(fake_last.create.bundle, "/b");
        assert_string_equal(fake_last.create.pid_file, "/p");

        assert_int_equal(RUN(&f->rt, "start", "c1"), 0);
        assert_string_equal(fake_last.fn, "start");

        assert_int_equal(RUN(&f->rt, "kill", "c1"), 0);
        assert_string_equal(fake_last.fn, "kill");
        assert_int_equal(fake_last.signo, SIGTERM);
        assert_false(fake_last.flag);
        assert_int_equal(RUN(&f->rt, "kill", "--all", "c1", "KILL"), 0);
        assert_int_equal(fake_last.signo, SIGKILL);
        assert_true(fake_last.flag);

        assert_int_equal(RUN(&f->rt, "delete", "--force", "c1"), 0);
        assert_string_equal(fake_last.fn, "delete");
        assert_true(fake_last.flag);
        assert_int_equal(fake_last.calls, 5);
}

static void test_errors_propagate(void **state)
{
        struct fixture *f = *state;
        struct error *err = NULL;
        assert_true(RUN(&f->rt, "kill", "dead", "9") < 0);
        assert_string_equal(err->msg, "container `dead` is not running");
        error_free(&err);
        /* a usage error never reaches the lifecycle */
        fake_reset();
        assert_true(RUN(&f->rt, "kill", "c1", "NOPE") < 0);
        assert_string_equal(err->msg, "unknown signal \"NOPE\"");
        error_free(&err);
        assert_true(RUN(&f->rt, "create") < 0);
        assert_string_equal(err->msg, "`create` requires a minimum of 1 arguments");
        error_free(&err);
        assert_int_equal(fake_last.calls, 0);
}

static void test_run_exit_status(void **state)
{
        struct fixture *f = *state;
        _cleanup_error_ struct error *err = NULL;
        fake_run_exit_status = 128 + SIGKILL;
        assert_int_equal(RUN(&f->rt, "run", "--keep", "c1"), 137);
        assert_string_equal(fake_last.fn, "run");
        assert_true(fake_last.create.keep);
        assert_false(fake_last.create.detach);
        fake_run_exit_status = 0;
        assert_int_equal(RUN(&f->rt, "run", "-d", "c2"), 0);
        assert_true(fake_last.create.detach);
}

static void test_help_exits_zero(void **state)
{
        struct fixture *f = *state;
        _cleanup_error_ struct error *err = NULL;
        for (size_t i = 0; cmd_table[i]; i++) {
                struct capture c;
                _cleanup_free_ char *out = NULL, *errs = NULL;
                char *argv[] = {(char *)cmd_table[i]->name, "--help", NULL};
                capture_begin(&c);
                int r = cmd_table[i]->run(&f->rt, 2, argv, &err);
                capture_end(&c, &out, &errs);
                assert_int_equal(r, 0);
                assert_non_null(strstr(out, "Usage: crun"));
                assert_string_equal(errs, "");
        }
        assert_int_equal(fake_last.calls, 0);
}

/* A state entry as the lifecycle would leave it. */
static void add_container(struct fixture *f, const char *id, pid_t pid, bool created, bool wrong_start_time)
{
        _cleanup_error_ struct error *err = NULL;
        _cleanup_close_ int root_fd = -1, dir_fd = -1;
        assert_int_equal(state_open_root(f->root, &root_fd, &err), 0);
        assert_int_equal(state_create_dir(root_fd, id, &dir_fd, &err), 0);
        unsigned long long start = 0;
        assert_int_equal(proc_start_time(pid, &start, NULL), 0);
        struct container_state st = {
            .id = (char *)id,
            .pid = pid,
            .start_time = wrong_start_time ? start + 1 : start,
            .bundle = "/bundles/x",
            .rootfs = "/bundles/x/rootfs",
            .created = "2026-01-01T00:00:00.000000000Z",
            .owner = "root",
            .cgroup_manager = "cgroupfs",
            .executor = "native",
        };
        assert_int_equal(state_write(dir_fd, &st, &err), 0);
        if (created) {
                int fd = openat(dir_fd, "exec.sock", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
                assert_true(fd >= 0);
                close(fd);
        }
}

static void test_state(void **state)
{
        struct fixture *f = *state;
        struct error *err = NULL;
        add_container(f, "up", getpid(), false, false);
        add_container(f, "gone", getpid(), false, true);

        struct capture c;
        _cleanup_free_ char *out = NULL, *errs = NULL;
        capture_begin(&c);
        int r = RUN(&f->rt, "state", "up");
        capture_end(&c, &out, &errs);
        assert_int_equal(r, 0);
        assert_string_equal(errs, ""); /* go-runc merges stderr into what it decodes */
        assert_int_equal(out[strlen(out) - 1], '\n');
        struct json_object *o = json_tokener_parse(out), *v;
        assert_non_null(o);
        assert_true(json_object_object_get_ex(o, "status", &v));
        assert_string_equal(json_object_get_string(v), "running");
        assert_true(json_object_object_get_ex(o, "pid", &v));
        assert_int_equal(json_object_get_int(v), getpid());
        assert_true(json_object_object_get_ex(o, "id", &v));
        assert_string_equal(json_object_get_string(v), "up");
        json_object_put(o);

        free(out);
        free(errs);
        capture_begin(&c);
        r = RUN(&f->rt, "state", "gone");
        capture_end(&c, &out, &errs);
        assert_int_equal(r, 0);
        o = json_tokener_parse(out);
        assert_true(json_object_object_get_ex(o, "status", &v));
        assert_string_equal(json_object_get_string(v), "stopped");
        assert_true(json_object_object_get_ex(o, "pid", &v));
        assert_int_equal(json_object_get_int(v), 0);
        json_object_put(o);

        assert_true(RUN(&f->rt, "state", "nope") < 0);
        assert_string_equal(err->msg, "container `nope` does not exist");
        error_free(&err);
}

static void test_list(void **state)
{
        struct fixture *f = *state;
        _cleanup_error_ struct error *err = NULL;
        add_container(f, "b-running", getpid(), false, false);
        add_container(f, "a-created", getpid(), true, false);
        add_container(f, "c-stopped", getpid(), false, true);
        /* unreadable: a warning with the reason, and listed as broken (so that it can be found and deleted) */
        char path[256];
        snprintf(path, sizeof(path), "%s/d-corrupt", f->root);
        assert_int_equal(mkdir(path, 0700), 0);
        snprintf(path, sizeof(path), "%s/d-corrupt/state.json", f->root);
        FILE *fp = fopen(path, "w");
        fputs("{not json", fp);
        fclose(fp);
        /* being created (locked, no state.json yet): skipped silently */
        snprintf(path, sizeof(path), "%s/e-creating", f->root);
        assert_int_equal(mkdir(path, 0700), 0);
        _cleanup_close_ int lock_fd = open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        assert_int_equal(flock(lock_fd, LOCK_EX), 0);

        struct capture c;
        char *out, *errs;
        capture_begin(&c);
        assert_int_equal(RUN(&f->rt, "list", "--format=json"), 0);
        capture_end(&c, &out, &errs);
        assert_non_null(strstr(errs, "warning: container `d-corrupt` is broken: state of `d-corrupt`: state.json is "
                                     "corrupt: "));
        assert_null(strstr(errs, "e-creating"));
        struct json_object *a = json_tokener_parse(out), *v;
        assert_non_null(a);
        assert_int_equal(json_object_array_length(a), 4);
        static const char *const ids[] = {"a-created", "b-running", "c-stopped", "d-corrupt"};
        static const char *const status[] = {"created", "running", "stopped", "broken"};
        for (size_t i = 0; i < 4; i++) {
                struct json_object *o = json_object_array_get_idx(a, i);
                assert_true(json_object_object_get_ex(o, "id", &v));
                assert_string_equal(json_object_get_string(v), ids[i]);
                assert_true(json_object_object_get_ex(o, "status", &v));
                assert_string_equal(json_object_get_string(v), status[i]);
                assert_true(json_object_object_get_ex(o, "pid", &v));
                assert_int_equal(json_object_get_int(v), i >= 2 ? 0 : getpid());
                assert_true(json_object_object_get_ex(o, "bundle", &v));
                assert_string_equal(json_object_get_string(v), i == 3 ? "" : "/bundles/x");
        }
        json_object_put(a);
        free(out);
        free(errs);

        capture_begin(&c);
        assert_int_equal(RUN(&f->rt, "list", "-q"), 0);
        capture_end(&c, &out, &errs);
        assert_string_equal(out, "a-created\nb-running\nc-stopped\nd-corrupt\n");
        free(out);
        free(errs);

        capture_begin(&c);
        assert_int_equal(RUN(&f->rt, "list"), 0);
        capture_end(&c, &out, &errs);
        assert_int_equal(strncmp(out, "NAME      PID       STATUS   BUNDLE PATH", 40), 0);
        assert_non_null(strstr(out, "\nc-stopped 0         stopped  /bundles/x"));
        free(out);
        free(errs);
}

static void test_list_empty(void **state)
{
        struct fixture *f = *state;
        _cleanup_error_ struct error *err = NULL;
        struct capture c;
        _cleanup_free_ char *out = NULL, *errs = NULL;
        capture_begin(&c);
        assert_int_equal(RUN(&f->rt, "list", "-f", "json"), 0);
        capture_end(&c, &out, &errs);
        assert_string_equal(out, "[]\n");
        assert_string_equal(errs, "");
}

static void test_spec(void **state)
{
        struct fixture *f = *state;
        struct error *err = NULL;
        char path[256];
        assert_int_equal(RUN(&f->rt, "spec", "--bundle", f->dir), 0);
        snprintf(path, sizeof(path), "%s/config.json", f->dir);
        struct json_object *o = json_object_from_file(path), *v;
        assert_non_null(o);
        assert_true(json_object_object_get_ex(o, "hostname", &v));
        assert_string_equal(json_object_get_string(v), "krun");
        json_object_put(o);

        assert_true(RUN(&f->rt, "spec", "-b", f->dir) < 0);
        assert_string_equal(err->msg, "`config.json` already exists");
        error_free(&err);

        snprintf(path, sizeof(path), "%s/missing", f->dir);
        assert_true(RUN(&f->rt, "spec", "-b", path) < 0);
        assert_non_null(strstr(err->msg, "spec: open bundle"));
        error_free(&err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_lifecycle_calls, setup, teardown),
            cmocka_unit_test_setup_teardown(test_errors_propagate, setup, teardown),
            cmocka_unit_test_setup_teardown(test_run_exit_status, setup, teardown),
            cmocka_unit_test_setup_teardown(test_help_exits_zero, setup, teardown),
            cmocka_unit_test_setup_teardown(test_state, setup, teardown),
            cmocka_unit_test_setup_teardown(test_list, setup, teardown),
            cmocka_unit_test_setup_teardown(test_list_empty, setup, teardown),
            cmocka_unit_test_setup_teardown(test_spec, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
