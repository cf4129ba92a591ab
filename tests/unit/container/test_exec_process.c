/* The pure part of `exec` (src/container/exec_process.c): command-line overrides applied to the
 * container's process, the refusals, and the failure statuses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "container/exec.h"
#include "core/cleanup.h"

static char **strv(const char *const *items)
{
        size_t n = 0;
        while (items[n])
                n++;
        char **v = calloc(n + 1, sizeof(*v));
        for (size_t i = 0; i < n; i++)
                v[i] = strdup(items[i]);
        return v;
}

/* A process as oci_spec_parse would leave it (heap-owned fields, freed by oci_process_free). */
static struct oci_process *container_process(void)
{
        struct oci_process *p = calloc(1, sizeof(*p));
        p->args = strv((const char *const[]){"/bin/init", NULL});
        p->env = strv((const char *const[]){"PATH=/bin", "A=old", "TERM=xterm", NULL});
        p->cwd = strdup("/");
        p->uid = 5;
        p->gid = 6;
        p->has_caps = true;
        p->caps.bounding = p->caps.effective = p->caps.permitted = 1ULL << 0;
        return p;
}

static void test_no_overrides(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct oci_process *p = container_process();
        struct exec_options o = {.id = "c1", .process_file = "/p.json", .tty = 1};
        assert_int_equal(exec_apply_overrides(p, &o, &err), 0);
        assert_string_equal(p->args[0], "/bin/init");
        assert_string_equal(p->env[1], "A=old");
        assert_int_equal(p->uid, 5);
        assert_int_equal(p->gid, 6);
        assert_int_equal(p->caps.ambient, 0);
        assert_false(p->terminal); /* --process: the JSON's terminal decides, not -t */
        assert_false(p->no_new_privileges);
        oci_process_free(p);
}

static void test_all_overrides(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct oci_process *p = container_process();
        char *args[] = {"ls", "-l", NULL};
        char *env[] = {"A=new", "B=1", "A=newer", NULL};
        uint32_t gids[] = {10, 11};
        struct exec_options o = {
            .id = "c1",
            .args = args,
            .tty = 1,
            .cwd = "/tmp",
            .env = env,
            .has_user = true,
            .uid = 1000,
            .has_gid = true,
            .gid = 100,
            .additional_gids = gids,
            .n_additional_gids = 2,
            .caps_add = 1ULL << 12,
            .no_new_privs = true,
            .process_label = "system_u:system_r:container_t:s0",
            .apparmor = "myprof",
        };
        assert_int_equal(exec_apply_overrides(p, &o, &err), 0);
        assert_string_equal(p->args[0], "ls");
        assert_string_equal(p->args[1], "-l");
        assert_null(p->args[2]);
        assert_string_equal(p->cwd, "/tmp");
        /* in place, later wins; new names appended in order */
        assert_string_equal(p->env[0], "PATH=/bin");
        assert_string_equal(p->env[1], "A=newer");
        assert_string_equal(p->env[2], "TERM=xterm");
        assert_string_equal(p->env[3], "B=1");
        assert_null(p->env[4]);
        assert_int_equal(p->uid, 1000);
        assert_int_equal(p->gid, 100);
        assert_true(p->has_additional_gids);
        assert_int_equal(p->n_additional_gids, 2);
        assert_int_equal(p->additional_gids[1], 11);
        assert_int_equal(p->caps.bounding, (1ULL << 0) | (1ULL << 12));
        assert_int_equal(p->caps.effective, (1ULL << 0) | (1ULL << 12));
        assert_int_equal(p->caps.permitted, (1ULL << 0) | (1ULL << 12));
        assert_int_equal(p->caps.inheritable, 0);
        assert_int_equal(p->caps.ambient, 0); /* no inheritable: no ambient (runc) */
        assert_true(p->no_new_privileges);
        assert_true(p->terminal);
        assert_string_equal(p->selinux_label, "system_u:system_r:container_t:s0");
        assert_string_equal(p->apparmor_profile, "myprof");
        oci_process_free(p);
}

static void test_caps_ambient_and_user_only(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct oci_process *p = container_process();
        p->caps.inheritable = 1ULL << 0;
        struct exec_options o = {.id = "c1", .tty = 0, .caps_add = 1ULL << 21, .has_user = true, .uid = 7};
        p->terminal = true;
        assert_int_equal(exec_apply_overrides(p, &o, &err), 0);
        assert_int_equal(p->caps.ambient, 1ULL << 21);
        assert_int_equal(p->uid, 7);
        assert_int_equal(p->gid, 6); /* -u UID alone keeps the gid */
        assert_false(p->terminal);   /* --tty=false in the CLI form */
        oci_process_free(p);

        p = container_process();
        p->has_caps = false;
        p->caps = (struct oci_caps){0};
        o = (struct exec_options){.id = "c1", .tty = -1, .caps_add = 1ULL << 1};
        assert_int_equal(exec_apply_overrides(p, &o, &err), 0);
        assert_true(p->has_caps);
        assert_int_equal(p->caps.bounding, 1ULL << 1);
        oci_process_free(p);
}

static void test_invalid_result(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct oci_process *p = container_process();
        free(p->cwd);
        p->cwd = strdup("relative");
        struct exec_options o = {.id = "c1", .tty = -1};
        assert_true(exec_apply_overrides(p, &o, &err) < 0);
        assert_non_null(strstr(err->msg, "process.cwd: expected an absolute path"));
        error_free(&err);
        oci_process_free(p);

        p = container_process();
        cleanup_strvp(&p->args);
        p->args = calloc(1, sizeof(char *));
        assert_true(exec_apply_overrides(p, &o, &err) < 0);
        assert_non_null(strstr(err->msg, "process.args: expected a non-empty array"));
        error_free(&err);
        oci_process_free(p);
}

static void test_check_container(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(exec_check_container("c1", STATUS_RUNNING, "native", &err), 0);
        assert_int_equal(exec_check_container("c1", STATUS_CREATED, NULL, &err), 0);
        assert_true(exec_check_container("c1", STATUS_STOPPED, "native", &err) < 0);
        assert_string_equal(err->msg, "cannot exec in a stopped container");
        error_free(&err);
        assert_true(exec_check_container("c1", STATUS_PAUSED, "native", &err) < 0);
        assert_string_equal(err->msg, "the container `c1` is paused");
        error_free(&err);
        /* krun runs the process in its VM through the in-guest agent (executor exec_process). */
        assert_int_equal(exec_check_container("c1", STATUS_RUNNING, "krun", &err), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_no_overrides),
            cmocka_unit_test(test_all_overrides),
            cmocka_unit_test(test_caps_ambient_and_user_only),
            cmocka_unit_test(test_invalid_result),
            cmocka_unit_test(test_check_container),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
