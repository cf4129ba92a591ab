/* Option parsing of every command and of the global options, generated help, --version, list output. */
#include <json-c/json.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "build_config.h"
#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "executor/executor.h"

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
#define CALL(fn, out, ...) fn(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), out, &err)
#define GLOBAL(out, idx, ...) cmd_global_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), out, idx, &err)

static void expect_error(int r, struct error **err, const char *want)
{
        assert_true(r < 0);
        assert_non_null(*err);
        if (!strstr((*err)->msg, want))
                fail_msg("error \"%s\" does not contain \"%s\"", (*err)->msg, want);
        error_free(err);
}

static void test_create_conmon_argv(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct create_options o;
        /* conmon's order (cli-contract.md §4), with an option given as --opt=value */
        int r = CALL(cmd_create_parse, &o, "create", "--bundle", "/b", "--pid-file", "/p", "--no-pivot",
                     "--no-new-keyring", "--preserve-fds=2", "--console-socket", "/s", "c1");
        assert_int_equal(r, 0);
        assert_string_equal(o.id, "c1");
        assert_string_equal(o.bundle, "/b");
        assert_string_equal(o.pid_file, "/p");
        assert_string_equal(o.console_socket, "/s");
        assert_int_equal(o.preserve_fds, 2);
        assert_true(o.no_pivot);
        assert_true(o.no_new_keyring);
        assert_null(o.config_file);
        assert_false(o.detach);
}

static void test_create_spellings(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct create_options o;
        assert_int_equal(CALL(cmd_create_parse, &o, "create", "c1"), 0);
        assert_string_equal(o.id, "c1");
        assert_null(o.bundle);
        assert_null(o.pid_file);
        assert_int_equal(o.preserve_fds, 0);
        assert_false(o.no_pivot);

        assert_int_equal(CALL(cmd_create_parse, &o, "create", "-b", "b1", "-f", "cfg.json", "c2"), 0);
        assert_string_equal(o.bundle, "b1");
        assert_string_equal(o.config_file, "cfg.json");
        assert_string_equal(o.id, "c2");
        assert_int_equal(CALL(cmd_create_parse, &o, "create", "-bb2", "--config=x.json", "--bundle=b3", "c3"), 0);
        assert_string_equal(o.bundle, "b3"); /* later wins */
        assert_string_equal(o.config_file, "x.json");
        assert_int_equal(CALL(cmd_create_parse, &o, "create", "--pid-file=/p", "--no-subreaper", "--", "c4"), 0);
        assert_string_equal(o.pid_file, "/p");
        assert_string_equal(o.id, "c4");
        /* unambiguous abbreviations, as getopt_long (and crun's argp) allow */
        assert_int_equal(CALL(cmd_create_parse, &o, "create", "--bund", "b5", "c5"), 0);
        assert_string_equal(o.bundle, "b5");
}

static void test_create_errors(void **state)
{
        (void)state;
        struct error *err = NULL;
        struct create_options o;
        expect_error(CALL(cmd_create_parse, &o, "create"), &err, "`create` requires a minimum of 1 arguments");
        expect_error(CALL(cmd_create_parse, &o, "create", "--bundle", "b"), &err,
                     "`create` requires a minimum of 1 arguments");
        expect_error(CALL(cmd_create_parse, &o, "create", "a", "b"), &err,
                     "`create` requires a maximum of 1 arguments");
        /* "+": options after the ID are not options */
        expect_error(CALL(cmd_create_parse, &o, "create", "c1", "--bundle", "b"), &err, "maximum of 1");
        expect_error(CALL(cmd_create_parse, &o, "create", "--bogus", "c1"), &err, "create: unknown option `--bogus`");
        expect_error(CALL(cmd_create_parse, &o, "create", "--bogus=1", "c1"), &err, "unknown option `--bogus`");
        expect_error(CALL(cmd_create_parse, &o, "create", "-x", "c1"), &err, "unknown option `-x`");
        expect_error(CALL(cmd_create_parse, &o, "create", "c1", "--bundle"), &err, "maximum");
        expect_error(CALL(cmd_create_parse, &o, "create", "--bundle"), &err, "option `--bundle` requires an argument");
        expect_error(CALL(cmd_create_parse, &o, "create", "-b"), &err, "option `--bundle` requires an argument");
        expect_error(CALL(cmd_create_parse, &o, "create", "--no-pivot=yes", "c1"), &err,
                     "option `--no-pivot` does not take a value");
        expect_error(CALL(cmd_create_parse, &o, "create", "--preserve-fds=abc", "c1"), &err,
                     "--preserve-fds: invalid number `abc`");
        expect_error(CALL(cmd_create_parse, &o, "create", "--preserve-fds=-1", "c1"), &err, "invalid number `-1`");
        expect_error(CALL(cmd_create_parse, &o, "create", "--preserve-fds=3x", "c1"), &err, "invalid number");
        expect_error(CALL(cmd_create_parse, &o, "create", "--preserve-fds=99999999999", "c1"), &err, "invalid number");
        expect_error(CALL(cmd_create_parse, &o, "create", "--preserve-fds=", "c1"), &err, "invalid number");
        /* run's flags are not create's */
        expect_error(CALL(cmd_create_parse, &o, "create", "-d", "c1"), &err, "unknown option `-d`");
        expect_error(CALL(cmd_create_parse, &o, "create", "--keep", "c1"), &err, "unknown option `--keep`");
}

static void test_help_everywhere(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct create_options co;
        struct kill_options ko;
        struct delete_options dop;
        struct list_options lo;
        struct spec_options so;
        const char *id;
        assert_int_equal(CALL(cmd_create_parse, &co, "create", "--help"), CMD_HELP);
        assert_int_equal(CALL(cmd_create_parse, &co, "create", "-?"), CMD_HELP);
        assert_int_equal(CALL(cmd_create_parse, &co, "create", "--usage"), CMD_HELP);
        assert_int_equal(CALL(cmd_create_parse, &co, "create", "-b", "x", "--help", "c1"), CMD_HELP);
        assert_int_equal(CALL(cmd_run_parse, &co, "run", "--help"), CMD_HELP);
        assert_int_equal(CALL(cmd_start_parse, &id, "start", "--help"), CMD_HELP);
        assert_int_equal(CALL(cmd_kill_parse, &ko, "kill", "--help"), CMD_HELP);
        assert_int_equal(CALL(cmd_delete_parse, &dop, "delete", "--help"), CMD_HELP);
        assert_int_equal(CALL(cmd_state_parse, &id, "state", "--help"), CMD_HELP);
        assert_int_equal(CALL(cmd_list_parse, &lo, "list", "--help"), CMD_HELP);
        assert_int_equal(CALL(cmd_spec_parse, &so, "spec", "--help"), CMD_HELP);
        assert_null(err);
}

static void test_run(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct create_options o;
        assert_int_equal(CALL(cmd_run_parse, &o, "run", "c1"), 0);
        assert_string_equal(o.id, "c1");
        assert_false(o.detach);
        assert_false(o.keep);
        assert_int_equal(CALL(cmd_run_parse, &o, "run", "-d", "--keep", "-b", "/b", "--pid-file", "p",
                              "--console-socket=/s", "--preserve-fds", "1", "--no-pivot", "c2"),
                         0);
        assert_true(o.detach);
        assert_true(o.keep);
        assert_string_equal(o.bundle, "/b");
        assert_string_equal(o.pid_file, "p");
        assert_string_equal(o.console_socket, "/s");
        assert_int_equal(o.preserve_fds, 1);
        assert_true(o.no_pivot);
        assert_string_equal(o.id, "c2");
        assert_int_equal(CALL(cmd_run_parse, &o, "run", "--detach", "c3"), 0);
        assert_true(o.detach);
        /* a clustered short flag followed by a short option with its value */
        assert_int_equal(CALL(cmd_run_parse, &o, "run", "-db", "/x", "c4"), 0);
        assert_true(o.detach);
        assert_string_equal(o.bundle, "/x");
        expect_error(CALL(cmd_run_parse, &o, "run"), &err, "`run` requires a minimum of 1 arguments");
}

static void test_start_state(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        const char *id = NULL;
        assert_int_equal(CALL(cmd_start_parse, &id, "start", "c1"), 0);
        assert_string_equal(id, "c1");
        expect_error(CALL(cmd_start_parse, &id, "start"), &err, "`start` requires a minimum of 1 arguments");
        expect_error(CALL(cmd_start_parse, &id, "start", "-a", "c1"), &err, "unknown option `-a`");
        assert_int_equal(CALL(cmd_state_parse, &id, "state", "c2"), 0);
        assert_string_equal(id, "c2");
        expect_error(CALL(cmd_state_parse, &id, "state"), &err, "`state` requires a minimum of 1 arguments");
        expect_error(CALL(cmd_state_parse, &id, "state", "a", "b"), &err, "`state` requires a maximum of 1 arguments");
}

static void test_kill(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct kill_options o;
        assert_int_equal(CALL(cmd_kill_parse, &o, "kill", "c1"), 0);
        assert_string_equal(o.id, "c1");
        assert_int_equal(o.signo, SIGTERM);
        assert_false(o.all);
        assert_int_equal(CALL(cmd_kill_parse, &o, "kill", "c1", "9"), 0);
        assert_int_equal(o.signo, 9);
        assert_int_equal(CALL(cmd_kill_parse, &o, "kill", "c1", "KILL"), 0);
        assert_int_equal(o.signo, SIGKILL);
        assert_int_equal(CALL(cmd_kill_parse, &o, "kill", "c1", "SIGUSR1"), 0);
        assert_int_equal(o.signo, SIGUSR1);
        assert_int_equal(CALL(cmd_kill_parse, &o, "kill", "--all", "c1", "15"), 0); /* podman */
        assert_true(o.all);
        assert_int_equal(o.signo, 15);
        assert_int_equal(CALL(cmd_kill_parse, &o, "kill", "-a", "c2", "9"), 0); /* CRI-O */
        assert_true(o.all);
        assert_string_equal(o.id, "c2");
        assert_int_equal(CALL(cmd_kill_parse, &o, "kill", "c1", "RTMIN+1"), 0);
        assert_int_equal(o.signo, SIGRTMIN + 1);
        expect_error(CALL(cmd_kill_parse, &o, "kill", "c1", "FOO"), &err, "unknown signal \"FOO\"");
        expect_error(CALL(cmd_kill_parse, &o, "kill", "c1", "9", "x"), &err,
                     "`kill` requires a maximum of 2 arguments");
        expect_error(CALL(cmd_kill_parse, &o, "kill"), &err, "`kill` requires a minimum of 1 arguments");
        expect_error(CALL(cmd_kill_parse, &o, "kill", "--all=1", "c1"), &err, "option `--all` does not take a value");
}

static void test_delete(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct delete_options o;
        assert_int_equal(CALL(cmd_delete_parse, &o, "delete", "c1"), 0);
        assert_string_equal(o.id, "c1");
        assert_false(o.force);
        assert_int_equal(CALL(cmd_delete_parse, &o, "delete", "--force", "c1"), 0);
        assert_true(o.force);
        assert_int_equal(CALL(cmd_delete_parse, &o, "delete", "-f", "c2"), 0);
        assert_true(o.force);
        assert_string_equal(o.id, "c2");
        assert_false(o.is_regex);
        assert_int_equal(CALL(cmd_delete_parse, &o, "delete", "--regex", "-f", "^web-.*"), 0);
        assert_true(o.is_regex && o.force);
        assert_string_equal(o.id, "^web-.*");
        assert_int_equal(CALL(cmd_delete_parse, &o, "delete", "-r", "x"), 0);
        assert_true(o.is_regex);
        assert_false(o.force);
        expect_error(CALL(cmd_delete_parse, &o, "delete", "-f"), &err, "`delete` requires a minimum of 1 arguments");
}

static void test_list_spec(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct list_options lo;
        assert_int_equal(CALL(cmd_list_parse, &lo, "list"), 0);
        assert_int_equal(lo.format, CMD_FORMAT_TABLE);
        assert_false(lo.quiet);
        assert_int_equal(CALL(cmd_list_parse, &lo, "list", "--format=json"), 0); /* go-runc */
        assert_int_equal(lo.format, CMD_FORMAT_JSON);
        assert_int_equal(CALL(cmd_list_parse, &lo, "list", "-q", "-f", "table"), 0);
        assert_int_equal(lo.format, CMD_FORMAT_TABLE);
        assert_true(lo.quiet);
        assert_int_equal(CALL(cmd_list_parse, &lo, "list", "--quiet", "-fjson"), 0);
        assert_int_equal(lo.format, CMD_FORMAT_JSON);
        expect_error(CALL(cmd_list_parse, &lo, "list", "--format", "yaml"), &err, "unknown format `yaml`");
        expect_error(CALL(cmd_list_parse, &lo, "list", "x"), &err, "`list` requires a maximum of 0 arguments");

        struct spec_options so;
        assert_int_equal(CALL(cmd_spec_parse, &so, "spec"), 0);
        assert_null(so.bundle);
        assert_false(so.rootless);
        assert_int_equal(CALL(cmd_spec_parse, &so, "spec", "--rootless", "-b", "/d"), 0);
        assert_true(so.rootless);
        assert_string_equal(so.bundle, "/d");
        assert_int_equal(CALL(cmd_spec_parse, &so, "spec", "--bundle=/e"), 0);
        assert_string_equal(so.bundle, "/e");
        expect_error(CALL(cmd_spec_parse, &so, "spec", "x"), &err, "maximum of 0");
}

static void test_global(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct global_options g;
        int idx = -1;
        /* CRI-O / go-runc / podman spellings */
        assert_int_equal(GLOBAL(&g, &idx, "/usr/bin/crun", "--root=/r", "--log", "/l.json", "--log-format=json",
                                "--log-level", "warn", "--systemd-cgroup", "--rootless=false", "--criu", "/c", "create",
                                "--bundle", "b", "c1"),
                         0);
        assert_int_equal(idx, 11);
        assert_string_equal(g.root, "/r");
        assert_string_equal(g.log, "/l.json");
        assert_int_equal(g.log_format, LOG_JSON);
        assert_int_equal(g.log_level, LOG_WARNING);
        assert_int_equal(g.cgroup_manager, CGROUP_DRIVER_SYSTEMD);
        assert_true(g.cgroup_manager_given);
        assert_int_equal(g.rootless, CMD_ROOTLESS_FALSE);
        assert_string_equal(g.criu, "/c");
        assert_false(g.want_version);

        /* defaults; options after the command are the command's */
        assert_int_equal(GLOBAL(&g, &idx, "crun", "state", "--root", "x"), 0);
        assert_int_equal(idx, 1);
        assert_null(g.root);
        assert_null(g.log);
        assert_int_equal(g.log_format, LOG_TEXT);
        assert_int_equal(g.log_level, LOG_ERROR);
        assert_int_equal(g.cgroup_manager, CGROUP_DRIVER_CGROUPFS);
        assert_false(g.cgroup_manager_given);
        assert_int_equal(g.rootless, CMD_ROOTLESS_AUTO);

        assert_int_equal(
            GLOBAL(&g, &idx, "crun", "--debug", "--cgroup-manager", "disabled", "--rootless", "TRUE", "list"), 0);
        assert_int_equal(g.log_level, LOG_DEBUG);
        assert_int_equal(g.cgroup_manager, CGROUP_DRIVER_DISABLED);
        assert_true(g.cgroup_manager_given);
        assert_int_equal(g.rootless, CMD_ROOTLESS_TRUE);
        assert_int_equal(idx, 6);
        assert_int_equal(GLOBAL(&g, &idx, "crun", "--log-level=info", "--rootless=auto", "list"), 0);
        assert_int_equal(g.log_level, LOG_DEBUG);
        assert_int_equal(GLOBAL(&g, &idx, "crun", "--log-level=error", "list"), 0);
        assert_int_equal(g.log_level, LOG_ERROR);
        assert_int_equal(GLOBAL(&g, &idx, "crun", "--cgroup-manager=systemd", "list"), 0);
        assert_int_equal(g.cgroup_manager, CGROUP_DRIVER_SYSTEMD);

        assert_int_equal(GLOBAL(&g, &idx, "crun"), 0);
        assert_int_equal(idx, 1);
        static const char *const version_flags[] = {"-v", "-V", "--version"};
        for (size_t i = 0; i < ARRAY_SIZE(version_flags); i++) {
                char *argv[] = {"crun", (char *)version_flags[i], NULL};
                assert_int_equal(cmd_global_parse(2, argv, &g, &idx, &err), 0);
                assert_true(g.want_version);
        }
        assert_int_equal(GLOBAL(&g, &idx, "crun", "--help"), CMD_HELP);
        assert_int_equal(GLOBAL(&g, &idx, "crun", "-?"), CMD_HELP);
        assert_int_equal(GLOBAL(&g, &idx, "crun", "--usage"), CMD_HELP);

        expect_error(GLOBAL(&g, &idx, "/bin/crun", "--bogus", "list"), &err, "crun: unknown option `--bogus`");
        expect_error(GLOBAL(&g, &idx, "crun", "--log-format=xml", "list"), &err, "--log-format: unknown format `xml`");
        expect_error(GLOBAL(&g, &idx, "crun", "--log-level", "loud", "list"), &err,
                     "--log-level: unknown level `loud`");
        expect_error(GLOBAL(&g, &idx, "crun", "--cgroup-manager=cgroupv3", "list"), &err,
                     "--cgroup-manager: unknown manager `cgroupv3`");
        expect_error(GLOBAL(&g, &idx, "crun", "--rootless=maybe", "list"), &err, "--rootless: invalid value `maybe`");
        expect_error(GLOBAL(&g, &idx, "crun", "--root"), &err, "option `--root` requires an argument");
        expect_error(GLOBAL(&g, &idx, "crun", "--root="), &err, "--root: empty path");
        expect_error(GLOBAL(&g, &idx, "crun", "--debug=1", "list"), &err, "does not take a value");
}

/* --help text comes from the tables: every visible option of every command appears in it. */
static void test_help_generated_from_tables(void **state)
{
        (void)state;
        for (size_t i = 0; cmd_table[i]; i++) {
                const struct cmd_desc *cmd = cmd_table[i];
                assert_ptr_equal(cmd_find(cmd->name), cmd);
                _cleanup_free_ char *buf = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&buf, &size);
                assert_non_null(f);
                cmd_print_help(f, "crun", cmd);
                fclose(f);
                char usage[128];
                snprintf(usage, sizeof(usage), "Usage: crun [GLOBAL-OPTION...] %s [OPTION...]", cmd->name);
                assert_non_null(strstr(buf, usage));
                assert_non_null(strstr(buf, "--help"));
                for (const struct cmd_option *o = cmd->options; !cmd_option_is_end(o); o++) {
                        char want[64];
                        if (!o->help)
                                continue;
                        bool optional = o->has_arg == CMD_ARG_OPTIONAL; /* --tty[=BOOL] */
                        if (o->name)
                                snprintf(want, sizeof(want), "--%s%s%s%s", o->name,
                                         o->metavar ? (optional ? "[=" : "=") : "", o->metavar ? o->metavar : "",
                                         optional ? "]" : "");
                        else
                                snprintf(want, sizeof(want), "-%c", o->short_name);
                        if (!strstr(buf, want))
                                fail_msg("%s --help lacks %s:\n%s", cmd->name, want, buf);
                        assert_non_null(strstr(buf, o->help));
                }
        }
        assert_null(cmd_find("bogus"));

        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        cmd_print_global_help(f, "krun");
        fclose(f);
        for (size_t i = 0; cmd_table[i]; i++)
                assert_non_null(strstr(buf, cmd_table[i]->name));
        for (const struct cmd_option *o = cmd_global_options; !cmd_option_is_end(o); o++)
                if (o->name)
                        assert_non_null(strstr(buf, o->name));
        assert_non_null(strstr(buf, "-v, --version"));
}

static void test_version(void **state)
{
        (void)state;
        _cleanup_free_ char *with = cmd_version_features(false, ~0u);
        _cleanup_free_ char *without = cmd_version_features(false, 0);
        _cleanup_free_ char *criu = cmd_version_features(true, 0);
        assert_string_equal(with, "+SECCOMP +CAP +SYSTEMD +LIBKRUN +JSON_C");
        assert_string_equal(without, "+SECCOMP +CAP +SYSTEMD -LIBKRUN +JSON_C");
        assert_string_equal(criu, "+SECCOMP +CAP +SYSTEMD +CRIU -LIBKRUN +JSON_C");

        _cleanup_free_ char *text = cmd_version_text("/run/krun", false, 0);
        char want[512];
        snprintf(
            want, sizeof(want),
            "crun version %s\ncommit: %s\nrundir: /run/krun\nspec: 1.0.0\n+SECCOMP +CAP +SYSTEMD -LIBKRUN +JSON_C\n",
            KRUN_VERSION, KRUN_COMMIT);
        assert_string_equal(text, want);
        /* go-runc cuts line 1 after the first 13 bytes; crun's own first line starts the same way */
        assert_int_equal(strncmp(text, "crun version ", 13), 0);
        assert_string_equal(KRUN_VERSION, "0.1.0");
        /* No libkrun on this machine (no /dev/kvm, no library); the probe must not claim one. */
        (void)executor_probe_available();
}

static void test_list_format(void **state)
{
        (void)state;
        const struct list_entry e[] = {
            {.id = "c1",
             .pid = 4242,
             .status = "running",
             .bundle = "/b/1",
             .created = "2026-01-01T00:00:00Z",
             .owner = "root"},
            {.id = "a-much-longer-container-id",
             .pid = 0,
             .status = "stopped",
             .bundle = "/b/\"2\"\\\n\x01",
             .created = "2026-01-02T00:00:00Z",
             .owner = "user"},
        };
        struct list_options table = {.format = CMD_FORMAT_TABLE}, json = {.format = CMD_FORMAT_JSON},
                            quiet = {.format = CMD_FORMAT_TABLE, .quiet = true};

        _cleanup_free_ char *empty = cmd_list_format(NULL, 0, &table);
        /* crun 1.8's header, byte for byte */
        assert_string_equal(empty, "NAME PID       STATUS   BUNDLE PATH                             CREATED        "
                                   "                OWNER\n");
        _cleanup_free_ char *empty_json = cmd_list_format(NULL, 0, &json);
        assert_string_equal(empty_json, "[]\n");
        _cleanup_free_ char *empty_quiet = cmd_list_format(NULL, 0, &quiet);
        assert_string_equal(empty_quiet, "");

        _cleanup_free_ char *t = cmd_list_format(e, 2, &table);
        char *line2 = strchr(t, '\n') + 1;
        assert_int_equal(strncmp(t, "NAME                       PID", 30), 0);
        assert_int_equal(strncmp(line2, "c1                         4242      running  /b/1 ", 51), 0);
        assert_non_null(strstr(line2, "2026-01-01T00:00:00Z           root\n"));
        assert_non_null(strstr(t, "a-much-longer-container-id 0         stopped  "));

        _cleanup_free_ char *q = cmd_list_format(e, 2, &quiet);
        assert_string_equal(q, "c1\na-much-longer-container-id\n");

        _cleanup_free_ char *j = cmd_list_format(e, 2, &json);
        struct json_object *a = json_tokener_parse(j);
        assert_non_null(a);
        assert_int_equal(json_object_array_length(a), 2);
        struct json_object *o = json_object_array_get_idx(a, 1), *v;
        assert_true(json_object_object_get_ex(o, "id", &v));
        assert_string_equal(json_object_get_string(v), "a-much-longer-container-id");
        assert_true(json_object_object_get_ex(o, "pid", &v));
        assert_int_equal(json_object_get_int(v), 0);
        assert_true(json_object_object_get_ex(o, "bundle", &v));
        assert_string_equal(json_object_get_string(v), "/b/\"2\"\\\n\x01");
        static const char *const keys[] = {"id", "pid", "status", "bundle", "created", "owner"};
        assert_int_equal(json_object_object_length(o), ARRAY_SIZE(keys));
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
                assert_true(json_object_object_get_ex(o, keys[i], NULL));
        json_object_put(a);
}

static void test_parse_uint(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        int v = -1;
        assert_int_equal(cmd_parse_uint("--n", "0", 10, &v, &err), 0);
        assert_int_equal(v, 0);
        assert_int_equal(cmd_parse_uint("--n", "10", 10, &v, &err), 0);
        assert_int_equal(v, 10);
        expect_error(cmd_parse_uint("--n", "11", 10, &v, &err), &err, "--n: invalid number `11` (expected 0..10)");
        expect_error(cmd_parse_uint("--n", NULL, 10, &v, &err), &err, "--n: invalid number");
        expect_error(cmd_parse_uint("--n", " 1", 10, &v, &err), &err, "--n: invalid number");
        assert_int_equal(v, 10);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_create_conmon_argv),
            cmocka_unit_test(test_create_spellings),
            cmocka_unit_test(test_create_errors),
            cmocka_unit_test(test_help_everywhere),
            cmocka_unit_test(test_run),
            cmocka_unit_test(test_start_state),
            cmocka_unit_test(test_kill),
            cmocka_unit_test(test_delete),
            cmocka_unit_test(test_list_spec),
            cmocka_unit_test(test_global),
            cmocka_unit_test(test_help_generated_from_tables),
            cmocka_unit_test(test_version),
            cmocka_unit_test(test_list_format),
            cmocka_unit_test(test_parse_uint),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
