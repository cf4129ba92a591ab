/* checkpoint / restore: option parsing (every error path), the criu argv built from the options, and the
 * CRIU log tail that failures report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "container/checkpoint.h"
#include "container/criu_plan.h"
#include "core/cleanup.h"

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})

static int parse_ckpt(char **argv, int argc, struct checkpoint_options *o, struct error **err)
{
        return cmd_checkpoint_parse(argc, argv, o, err);
}

static void test_checkpoint_options(void **state)
{
        (void)state;
        struct checkpoint_options o;
        _cleanup_error_ struct error *err = NULL;
        char **v = ARGV("checkpoint", "--image-path", "/img", "--work-path=/work", "--parent-path", "../pre",
                        "--leave-running", "--tcp-established", "--ext-unix-sk", "--shell-job", "--file-locks",
                        "--pre-dump", "--manage-cgroups-mode", "full", "c1");
        assert_int_equal(parse_ckpt(v, 15, &o, &err), 0);
        assert_string_equal(o.id, "c1");
        assert_string_equal(o.image_path, "/img");
        assert_string_equal(o.work_path, "/work");
        assert_string_equal(o.parent_path, "../pre");
        assert_string_equal(o.manage_cgroups_mode, "full");
        assert_true(o.leave_running && o.tcp_established && o.ext_unix_sk && o.shell_job && o.file_locks && o.pre_dump);

        char **bad = ARGV("checkpoint", "--manage-cgroups-mode", "bogus", "c1");
        assert_true(parse_ckpt(bad, 4, &o, &err) < 0);
        assert_non_null(strstr(err->msg, "unknown mode `bogus`"));
        error_free(&err);
        char **none = ARGV("checkpoint");
        assert_true(parse_ckpt(none, 1, &o, &err) < 0);
        error_free(&err);
        char **two = ARGV("checkpoint", "a", "b");
        assert_true(parse_ckpt(two, 3, &o, &err) < 0);
        error_free(&err);
        char **help = ARGV("checkpoint", "--help");
        assert_int_equal(parse_ckpt(help, 2, &o, &err), CMD_HELP);
}

static void test_restore_options(void **state)
{
        (void)state;
        struct restore_options o;
        _cleanup_error_ struct error *err = NULL;
        /* conmon's restore command line (cli-contract.md §4). */
        char **v = ARGV("restore", "--bundle", "/b", "--pid-file", "/p", "--no-pivot", "--no-new-keyring", "--detach",
                        "--image-path", "/ck", "--work-path", "/b", "--console-socket", "/s", "--tcp-close",
                        "--lsm-profile", "selinux:x_t", "c2");
        assert_int_equal(cmd_restore_parse(18, v, &o, &err), 0);
        assert_string_equal(o.id, "c2");
        assert_string_equal(o.bundle, "/b");
        assert_string_equal(o.pid_file, "/p");
        assert_string_equal(o.image_path, "/ck");
        assert_string_equal(o.console_socket, "/s");
        assert_string_equal(o.lsm_profile, "selinux:x_t");
        assert_true(o.detach && o.tcp_close && !o.tcp_established);

        char **bad = ARGV("restore", "--lsm-profile", "smack:x", "c2");
        assert_true(cmd_restore_parse(4, bad, &o, &err) < 0);
        assert_non_null(strstr(err->msg, "apparmor:NAME or selinux:LABEL"));
        error_free(&err);
        char **mode = ARGV("restore", "--manage-cgroups-mode=none", "c2");
        assert_true(cmd_restore_parse(3, mode, &o, &err) < 0);
        assert_non_null(strstr(err->msg, "--manage-cgroups-mode"));
}

static bool has(char **argv, const char *s)
{
        for (size_t i = 0; argv[i]; i++)
                if (!strcmp(argv[i], s))
                        return true;
        return false;
}

static void test_dump_argv(void **state)
{
        (void)state;
        static const struct criu_externals none = {0};
        struct checkpoint_options o = {.id = "c", .image_path = "/img", .work_path = "/work"};
        _cleanup_strv_ char **a = checkpoint_dump_argv("/usr/sbin/criu", &o, 1234, &none);
        assert_non_null(a);
        assert_string_equal(a[0], "/usr/sbin/criu");
        assert_string_equal(a[1], "dump");
        assert_true(has(a, "--tree=1234") && has(a, "--images-dir=/img") && has(a, "--work-dir=/work") &&
                    has(a, "--log-file=dump.log") && has(a, "--manage-cgroups=soft"));
        assert_false(has(a, "--leave-running") || has(a, "--track-mem") || has(a, "--shell-job"));

        struct checkpoint_options p = {.image_path = "/img",
                                       .work_path = "/img",
                                       .pre_dump = true,
                                       .leave_running = true,
                                       .tcp_established = true,
                                       .ext_unix_sk = true,
                                       .shell_job = true,
                                       .file_locks = true,
                                       .manage_cgroups_mode = "ignore"};
        _cleanup_strv_ char **b = checkpoint_dump_argv("criu", &p, 1, &none);
        assert_string_equal(b[1], "pre-dump");
        assert_true(has(b, "--track-mem") && has(b, "--tcp-established") && has(b, "--ext-unix-sk") &&
                    has(b, "--shell-job") && has(b, "--file-locks") && has(b, "--manage-cgroups=ignore") &&
                    has(b, "--log-file=pre-dump.log"));
        assert_false(has(b, "--leave-running")); /* a pre-dump always leaves the tree running */

        struct checkpoint_options c = {
            .image_path = "/img", .work_path = "/img", .parent_path = "../pre", .leave_running = true};
        _cleanup_strv_ char **d = checkpoint_dump_argv("criu", &c, 1, &none);
        assert_true(has(d, "--prev-images-dir=../pre") && has(d, "--track-mem") && has(d, "--leave-running"));
}

static void test_log_tail(void **state)
{
        (void)state;
        const char *log = "(0.1) info a\n(0.2) Error (x.c:1): first\n(0.3) info b\n(0.4) Error (y.c:2): second\n"
                          "(0.5) Error (z.c:3): third\n(0.6) done\n";
        _cleanup_free_ char *t = checkpoint_log_tail(log, 2);
        assert_string_equal(t, "(0.4) Error (y.c:2): second\n(0.5) Error (z.c:3): third");
        _cleanup_free_ char *n = checkpoint_log_tail("one\ntwo\nthree", 2);
        assert_string_equal(n, "two\nthree");
        _cleanup_free_ char *e = checkpoint_log_tail("", 3);
        assert_string_equal(e, "(empty log)");
        assert_true(checkpoint_cgroups_mode_valid("strict") && !checkpoint_cgroups_mode_valid("Soft"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_checkpoint_options),
            cmocka_unit_test(test_restore_options),
            cmocka_unit_test(test_dump_argv),
            cmocka_unit_test(test_log_tail),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
