/* checkpoint / restore commands: option parsing, every error path. The criu argv built from the options and
 * the CRIU log tail are tested with the rest of src/container/criu_plan.c in tests/unit/container. */
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

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_checkpoint_options),
            cmocka_unit_test(test_restore_options),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
