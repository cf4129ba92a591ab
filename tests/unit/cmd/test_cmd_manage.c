/* exec, update, ps, pause/resume and features: option parsing (every error path), the pure output
 * formatters, the features document, and what the run functions hand to the (faked) lifecycle. */
#include <json-c/json.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "linux/mount_options.h"
#include "core/cleanup.h"
#include "fake_lifecycle.h"

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
#define CALL(fn, out, ...) fn(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), out, &err)
#define RUN(rt, ...) cmd_find(ARGV(__VA_ARGS__)[0])->run(rt, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &err)

static void expect_error(int r, struct error **err, const char *want)
{
        assert_true(r < 0);
        assert_non_null(*err);
        if (!strstr((*err)->msg, want))
                fail_msg("error \"%s\" does not contain \"%s\"", (*err)->msg, want);
        error_free(err);
}

/* ---- exec ---- */

static void test_exec_conmon_form(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        _cleanup_(cmd_exec_options_clear) struct exec_options o = {0};
        /* conmon (cli-contract.md §4) */
        int r = CALL(cmd_exec_parse, &o, "exec", "--pid-file", "/p", "--process", "/proc.json", "--detach",
                     "--preserve-fds=3", "--console-socket", "/s", "c1");
        assert_int_equal(r, 0);
        assert_string_equal(o.id, "c1");
        assert_string_equal(o.pid_file, "/p");
        assert_string_equal(o.process_file, "/proc.json");
        assert_string_equal(o.console_socket, "/s");
        assert_true(o.detach);
        assert_int_equal(o.preserve_fds, 3);
        assert_null(o.args);
        assert_int_equal(o.tty, -1);
        assert_false(o.has_user);
        assert_int_equal(o.caps_add, 0);
}

static void test_exec_cli_form(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        _cleanup_(cmd_exec_options_clear) struct exec_options o = {0};
        int r = CALL(cmd_exec_parse, &o, "exec", "-t", "-e", "A=1", "--env=B=2", "-e", "A=3", "-u", "1000:100", "-g",
                     "10", "--additional-gids", "11,12", "-c", "CAP_NET_ADMIN", "--cap", "cap_sys_time", "--cwd",
                     "/tmp", "--no-new-privs", "--process-label", "lbl", "--apparmor", "prof", "--cgroup", "sub/a",
                     "c1", "ls", "-l", "/");
        assert_int_equal(r, 0);
        assert_string_equal(o.id, "c1");
        assert_int_equal(o.tty, 1);
        assert_string_equal(o.env[0], "A=1");
        assert_string_equal(o.env[1], "B=2");
        assert_string_equal(o.env[2], "A=3");
        assert_null(o.env[3]);
        assert_true(o.has_user && o.has_gid);
        assert_int_equal(o.uid, 1000);
        assert_int_equal(o.gid, 100);
        assert_int_equal(o.n_additional_gids, 3);
        assert_int_equal(o.additional_gids[0], 10);
        assert_int_equal(o.additional_gids[1], 11);
        assert_int_equal(o.additional_gids[2], 12);
        assert_int_equal(o.caps_add, (1ULL << 12) | (1ULL << 25)); /* CAP_NET_ADMIN, CAP_SYS_TIME */
        assert_string_equal(o.cwd, "/tmp");
        assert_true(o.no_new_privs);
        assert_string_equal(o.process_label, "lbl");
        assert_string_equal(o.apparmor, "prof");
        assert_string_equal(o.cgroup, "sub/a");
        /* everything after the ID belongs to the command, options included */
        assert_string_equal(o.args[0], "ls");
        assert_string_equal(o.args[1], "-l");
        assert_string_equal(o.args[2], "/");
        assert_null(o.args[3]);
        cmd_exec_options_clear(&o);

        assert_int_equal(CALL(cmd_exec_parse, &o, "exec", "--tty=false", "-u", "7", "c1", "true"), 0);
        assert_int_equal(o.tty, 0);
        assert_true(o.has_user);
        assert_false(o.has_gid);
        assert_int_equal(o.uid, 7);
        cmd_exec_options_clear(&o);
        assert_int_equal(CALL(cmd_exec_parse, &o, "exec", "--tty=true", "c1", "sh"), 0);
        assert_int_equal(o.tty, 1);
}

static void test_exec_errors(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct exec_options o;
#define EXEC_ERR(want, ...)                                                                                            \
        do {                                                                                                           \
                int r_ = CALL(cmd_exec_parse, &o, __VA_ARGS__);                                                        \
                cmd_exec_options_clear(&o);                                                                            \
                expect_error(r_, &err, want);                                                                          \
        } while (0)
        EXEC_ERR("requires a minimum of 1 arguments", "exec");
        EXEC_ERR("a command (or --process FILE) is required", "exec", "c1");
        EXEC_ERR("cannot be given together with --process", "exec", "-p", "/f", "c1", "ls");
        EXEC_ERR("--tty: invalid value `maybe`", "exec", "--tty=maybe", "c1", "ls");
        EXEC_ERR("--env: `NOEQUALS` is not of the form NAME=VALUE", "exec", "-e", "NOEQUALS", "c1", "ls");
        EXEC_ERR("--env: `=x` is not of the form", "exec", "-e", "=x", "c1", "ls");
        EXEC_ERR("--user: invalid id `root`", "exec", "-u", "root", "c1", "ls");
        EXEC_ERR("--user: invalid id ``", "exec", "-u", ":5", "c1", "ls");
        EXEC_ERR("--user: invalid id `x`", "exec", "-u", "5:x", "c1", "ls");
        EXEC_ERR("--user: invalid id `4294967295`", "exec", "-u", "4294967295", "c1", "ls");
        EXEC_ERR("--user: invalid id `-1`", "exec", "-u", "-1", "c1", "ls");
        EXEC_ERR("--additional-gids: invalid id `a`", "exec", "-g", "a", "c1", "ls");
        EXEC_ERR("--additional-gids: invalid id ``", "exec", "-g", "1,", "c1", "ls");
        EXEC_ERR("--cap: unknown capability `CAP_FLY`", "exec", "-c", "CAP_FLY", "c1", "ls");
        EXEC_ERR("--cap: unknown capability `NET_ADMIN`", "exec", "-c", "NET_ADMIN", "c1", "ls");
        EXEC_ERR("--cwd: `rel` is not an absolute path", "exec", "--cwd", "rel", "c1", "ls");
        EXEC_ERR("--preserve-fds: invalid number `x`", "exec", "--preserve-fds", "x", "c1", "ls");
        EXEC_ERR("--cgroup: `../x` must be a relative path", "exec", "--cgroup", "../x", "c1", "ls");
        EXEC_ERR("--cgroup: `a/../../x` must be", "exec", "--cgroup", "a/../../x", "c1", "ls");
        EXEC_ERR("--cgroup: `/abs` must be", "exec", "--cgroup", "/abs", "c1", "ls");
        EXEC_ERR("unknown option `--bogus`", "exec", "--bogus", "c1", "ls");
        EXEC_ERR("option `--process` requires an argument", "exec", "--process");
#undef EXEC_ERR
        /* "--process" after the ID is the command's, not ours */
        assert_int_equal(CALL(cmd_exec_parse, &o, "exec", "c1", "--process"), 0);
        assert_string_equal(o.args[0], "--process");
        cmd_exec_options_clear(&o);
        assert_int_equal(CALL(cmd_exec_parse, &o, "exec", "--help"), CMD_HELP);
        cmd_exec_options_clear(&o);
}

/* ---- update ---- */

static void test_parse_bytes(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        static const struct {
                const char *text;
                int64_t want;
        } ok[] = {
            {"0", 0},
            {"1024", 1024},
            {"-1", -1},
            {"1k", 1024},
            {"1K", 1024},
            {"512m", 512LL << 20},
            {"512M", 512LL << 20},
            {"512mb", 512LL << 20},
            {"512MiB", 512LL << 20},
            {"2g", 2LL << 30},
            {"2 GB", 2LL << 30},
            {"1t", 1LL << 40},
            {"1p", 1LL << 50},
            {"1.5g", 3LL << 29},
            {"0.5k", 512},
            {"10b", 10},
            {"8191p", 8191LL << 50},
        };
        for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
                int64_t v = 0;
                if (cmd_parse_bytes("memory", ok[i].text, &v, &err) < 0)
                        fail_msg("`%s`: %s", ok[i].text, err->msg);
                if (v != ok[i].want)
                        fail_msg("`%s`: got %lld, want %lld", ok[i].text, (long long)v, (long long)ok[i].want);
        }
        static const char *const bad[] = {"",    "m",   "-2",     "1x", "1mm",   "1kbb",
                                          "1ib", "1.m", "1.5.5g", " 1", "8192p", "99999999999999999999",
                                          "1 ",  "-1k"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                int64_t v;
                int r = cmd_parse_bytes("memory", bad[i], &v, &err);
                if (r >= 0)
                        fail_msg("`%s` accepted as %lld", bad[i], (long long)v);
                expect_error(r, &err, "update: --memory: invalid size");
        }
}

static void test_update_flags(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct update_options o;
        int r =
            CALL(cmd_update_parse, &o, "update", "--blkio-weight", "500", "--cpu-period", "100000", "--cpu-quota", "-1",
                 "--cpu-burst", "10", "--cpu-share", "512", "--cpu-rt-period", "1000", "--cpu-rt-runtime", "500",
                 "--cpu-idle", "1", "--cpuset-cpus", "0-1", "--cpuset-mems", "0", "--memory", "512m",
                 "--memory-reservation", "256m", "--memory-swap", "1g", "--kernel-memory", "1m", "--kernel-memory-tcp",
                 "2m", "--pids-limit", "100", "--l3-cache-schema", "L3:0=f", "--mem-bw-schema", "MB:0=50", "c1");
        assert_int_equal(r, 0);
        assert_string_equal(o.id, "c1");
        assert_null(o.resources_file);
        const struct oci_resources *res = &o.res;
        assert_true(res->has_blkio_weight);
        assert_int_equal(res->blkio_weight, 500);
        assert_true(res->has_cpu_period);
        assert_int_equal(res->cpu_period, 100000);
        assert_true(res->has_cpu_quota);
        assert_int_equal(res->cpu_quota, -1);
        assert_true(res->has_cpu_burst);
        assert_int_equal(res->cpu_burst, 10);
        assert_true(res->has_cpu_shares);
        assert_int_equal(res->cpu_shares, 512);
        assert_true(res->has_cpu_rt_period);
        assert_int_equal(res->cpu_rt_period, 1000);
        assert_true(res->has_cpu_rt_runtime);
        assert_int_equal(res->cpu_rt_runtime, 500);
        assert_true(res->has_cpu_idle);
        assert_int_equal(res->cpu_idle, 1);
        assert_string_equal(res->cpu_cpus, "0-1");
        assert_string_equal(res->cpu_mems, "0");
        assert_true(res->has_memory_limit);
        assert_int_equal(res->memory_limit, 512LL << 20);
        assert_true(res->has_memory_reservation);
        assert_int_equal(res->memory_reservation, 256LL << 20);
        assert_true(res->has_memory_swap);
        assert_int_equal(res->memory_swap, 1LL << 30);
        assert_true(res->has_memory_kernel);
        assert_int_equal(res->memory_kernel, 1 << 20);
        assert_true(res->has_memory_kernel_tcp);
        assert_int_equal(res->memory_kernel_tcp, 2 << 20);
        assert_true(res->has_pids_limit);
        assert_int_equal(res->pids_limit, 100);
        assert_string_equal(o.l3_cache_schema, "L3:0=f");
        assert_string_equal(o.mem_bw_schema, "MB:0=50");

        /* nothing given: nothing set */
        assert_int_equal(CALL(cmd_update_parse, &o, "update", "c1"), 0);
        assert_false(o.res.has_memory_limit || o.res.has_memory_swap || o.res.has_cpu_shares || o.res.has_pids_limit);
        assert_null(o.res.cpu_cpus);
        /* runc: memory -1 without swap lifts swap too; with swap given, swap is kept */
        assert_int_equal(CALL(cmd_update_parse, &o, "update", "--memory", "-1", "c1"), 0);
        assert_true(o.res.has_memory_swap);
        assert_int_equal(o.res.memory_swap, -1);
        assert_int_equal(CALL(cmd_update_parse, &o, "update", "--memory=-1", "--memory-swap=2g", "c1"), 0);
        assert_int_equal(o.res.memory_swap, 2LL << 30);
        assert_int_equal(CALL(cmd_update_parse, &o, "update", "--memory=1g", "c1"), 0);
        assert_false(o.res.has_memory_swap);
        /* alias */
        assert_int_equal(CALL(cmd_update_parse, &o, "update", "--cpu-shares", "2", "c1"), 0);
        assert_int_equal(o.res.cpu_shares, 2);
        /* the JSON forms */
        assert_int_equal(CALL(cmd_update_parse, &o, "update", "--resources=/tmp/podman1", "c1"), 0);
        assert_string_equal(o.resources_file, "/tmp/podman1");
        assert_int_equal(CALL(cmd_update_parse, &o, "update", "-r", "-", "c1"), 0);
        assert_string_equal(o.resources_file, "-");
}

static void test_update_errors(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct update_options o;
        expect_error(CALL(cmd_update_parse, &o, "update"), &err, "requires a minimum of 1 arguments");
        expect_error(CALL(cmd_update_parse, &o, "update", "a", "b"), &err, "requires a maximum of 1 arguments");
        expect_error(CALL(cmd_update_parse, &o, "update", "--blkio-weight", "5", "c1"), &err,
                     "--blkio-weight: invalid value `5` (expected an integer between 10 and 1000)");
        expect_error(CALL(cmd_update_parse, &o, "update", "--blkio-weight", "1001", "c1"), &err, "between 10 and 1000");
        expect_error(CALL(cmd_update_parse, &o, "update", "--cpu-period", "-5", "c1"), &err,
                     "--cpu-period: invalid value `-5` (expected a non-negative integer)");
        expect_error(CALL(cmd_update_parse, &o, "update", "--cpu-share", "x", "c1"), &err,
                     "--cpu-share: invalid value");
        expect_error(CALL(cmd_update_parse, &o, "update", "--cpu-quota", "-2", "c1"), &err,
                     "--cpu-quota: invalid value `-2`");
        expect_error(CALL(cmd_update_parse, &o, "update", "--cpu-quota", "", "c1"), &err, "--cpu-quota: invalid value");
        expect_error(CALL(cmd_update_parse, &o, "update", "--cpu-idle", "2", "c1"), &err, "between 0 and 1");
        expect_error(CALL(cmd_update_parse, &o, "update", "--pids-limit", "1.5", "c1"), &err,
                     "--pids-limit: invalid value");
        expect_error(CALL(cmd_update_parse, &o, "update", "--memory", "lots", "c1"), &err, "--memory: invalid size");
        expect_error(CALL(cmd_update_parse, &o, "update", "--memory-swap", "1q", "c1"), &err,
                     "--memory-swap: invalid size");
        expect_error(CALL(cmd_update_parse, &o, "update", "--cpu-rt-period", "99999999999999999999", "c1"), &err,
                     "--cpu-rt-period: invalid value");
}

/* ---- ps, pause, resume ---- */

static void test_ps(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct ps_options o;
        assert_int_equal(CALL(cmd_ps_parse, &o, "ps", "c1"), 0);
        assert_string_equal(o.id, "c1");
        assert_int_equal(o.format, CMD_FORMAT_TABLE);
        assert_int_equal(CALL(cmd_ps_parse, &o, "ps", "--format", "json", "c1"), 0);
        assert_int_equal(o.format, CMD_FORMAT_JSON);
        assert_int_equal(CALL(cmd_ps_parse, &o, "ps", "-f", "table", "c1", "-ef"), 0); /* runc's PS-ARGS */
        assert_int_equal(o.format, CMD_FORMAT_TABLE);
        expect_error(CALL(cmd_ps_parse, &o, "ps", "-f", "yaml", "c1"), &err,
                     "ps: unknown format `yaml` (expected table or json)");
        expect_error(CALL(cmd_ps_parse, &o, "ps"), &err, "requires a minimum of 1 arguments");

        pid_t pids[] = {1234, 1240};
        _cleanup_free_ char *j = cmd_ps_format(pids, 2, CMD_FORMAT_JSON);
        assert_string_equal(j, "[1234,1240]\n");
        _cleanup_free_ char *t = cmd_ps_format(pids, 2, CMD_FORMAT_TABLE);
        assert_string_equal(t, "PID\n1234\n1240\n");
        _cleanup_free_ char *je = cmd_ps_format(NULL, 0, CMD_FORMAT_JSON);
        assert_string_equal(je, "[]\n");
        _cleanup_free_ char *te = cmd_ps_format(NULL, 0, CMD_FORMAT_TABLE);
        assert_string_equal(te, "PID\n");
}

static void test_pause_resume_parse(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        const char *id = NULL;
        assert_int_equal(CALL(cmd_pause_parse, &id, "pause", "c1"), 0);
        assert_string_equal(id, "c1");
        assert_int_equal(CALL(cmd_resume_parse, &id, "resume", "c2"), 0);
        assert_string_equal(id, "c2");
        expect_error(CALL(cmd_pause_parse, &id, "pause"), &err, "`pause` requires a minimum of 1 arguments");
        expect_error(CALL(cmd_resume_parse, &id, "resume", "a", "b"), &err,
                     "`resume` requires a maximum of 1 arguments");
        expect_error(CALL(cmd_pause_parse, &id, "pause", "-x", "c1"), &err, "unknown option `-x`");
        assert_int_equal(CALL(cmd_resume_parse, &id, "resume", "--help"), CMD_HELP);
}

/* ---- features ---- */

static bool array_has(struct json_object *a, const char *s)
{
        for (size_t i = 0; i < json_object_array_length(a); i++)
                if (!strcmp(json_object_get_string(json_object_array_get_idx(a, i)), s))
                        return true;
        return false;
}

static struct json_object *member(struct json_object *o, const char *key, json_type type)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(o, key, &v))
                fail_msg("features: `%s` missing", key);
        assert_int_equal(json_object_get_type(v), type);
        return v;
}

static void test_features(void **state)
{
        (void)state;
        _cleanup_free_ char *text = cmd_features_json(0, false);
        assert_non_null(text);
        assert_int_equal(text[strlen(text) - 1], '\n');
        struct json_object *f = json_tokener_parse(text);
        assert_non_null(f);
        assert_string_equal(json_object_get_string(member(f, "ociVersionMin", json_type_string)), "1.0.0");
        assert_string_equal(json_object_get_string(member(f, "ociVersionMax", json_type_string)), "1.1.0");
        struct json_object *hooks = member(f, "hooks", json_type_array);
        assert_int_equal(json_object_array_length(hooks), 6);
        assert_true(array_has(hooks, "createRuntime") && array_has(hooks, "poststop"));
        struct json_object *mo = member(f, "mountOptions", json_type_array);
        assert_true(array_has(mo, "rbind") && array_has(mo, "nosuid") && array_has(mo, "rro"));
        /* Exactly the mount option table: each listed name is understood by the parser (not passed on
         * as filesystem data), and data options are not listed. */
        assert_int_equal(json_object_array_length(mo), mount_option_count());
        for (size_t i = 0; i < json_object_array_length(mo); i++) {
                char *opt[] = {(char *)json_object_get_string(json_object_array_get_idx(mo, i)), NULL};
                if (!strcmp(opt[0], "idmap") || !strcmp(opt[0], "ridmap"))
                        continue; /* `idmap` alone is valid; parsed in the idmap tests */
                _cleanup_mount_options_ struct mount_options m = {0};
                _cleanup_error_ struct error *e = NULL;
                assert_int_equal(mount_options_parse(opt, &m, &e), 0);
                if (m.data)
                        fail_msg("mountOptions: `%s` is passed as filesystem data", opt[0]);
        }
        assert_false(array_has(mo, "size=64k"));

        struct json_object *lx = member(f, "linux", json_type_object);
        struct json_object *ns = member(lx, "namespaces", json_type_array);
        static const char *const ns_names[] = {"mount", "pid", "network", "ipc", "uts", "user", "cgroup", "time"};
        assert_int_equal(json_object_array_length(ns), ARRAY_SIZE(ns_names));
        for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++)
                assert_true(array_has(ns, ns_names[i]));
        struct json_object *caps = member(lx, "capabilities", json_type_array);
        assert_true(array_has(caps, "CAP_CHOWN") && array_has(caps, "CAP_SYS_ADMIN") &&
                    array_has(caps, "CAP_NET_BIND_SERVICE"));
        assert_int_equal(json_object_array_length(caps), CAP_LAST_CAP + 1);
        for (size_t i = 0; i < json_object_array_length(caps); i++) {
                const char *c = json_object_get_string(json_object_array_get_idx(caps, i));
                assert_true(!strncmp(c, "CAP_", 4));
                for (const char *p = c; *p; p++)
                        assert_true((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_');
        }
        struct json_object *cg = member(lx, "cgroup", json_type_object);
        assert_true(json_object_get_boolean(member(cg, "v1", json_type_boolean)));
        assert_true(json_object_get_boolean(member(cg, "v2", json_type_boolean)));
        struct json_object *sc = member(lx, "seccomp", json_type_object);
        assert_true(json_object_get_boolean(member(sc, "enabled", json_type_boolean)));
        assert_true(array_has(member(sc, "actions", json_type_array), "SCMP_ACT_ERRNO"));
        assert_true(array_has(member(sc, "actions", json_type_array), "SCMP_ACT_NOTIFY"));
        assert_true(array_has(member(sc, "operators", json_type_array), "SCMP_CMP_MASKED_EQ"));
        assert_int_equal(json_object_array_length(member(sc, "operators", json_type_array)), 7);
        assert_true(array_has(member(sc, "archs", json_type_array), "SCMP_ARCH_X86_64"));
        assert_true(array_has(member(sc, "knownFlags", json_type_array), "SECCOMP_FILTER_FLAG_TSYNC"));
        member(sc, "supportedFlags", json_type_array);

        struct json_object *an = member(f, "annotations", json_type_object);
        assert_string_equal(json_object_get_string(member(an, "org.krun.libkrun.available", json_type_string)),
                            "false");
        assert_string_equal(json_object_get_string(member(an, "org.krun.checkpoint.enabled", json_type_string)),
                            "false");
        member(an, "org.krun.version", json_type_string);
        member(an, "org.krun.commit", json_type_string);
        struct json_object *unsafe = member(f, "potentiallyUnsafeConfigAnnotations", json_type_array);
        assert_true(array_has(unsafe, "run.oci.") && array_has(unsafe, "krun."));
        json_object_put(f);

        _cleanup_free_ char *with = cmd_features_json(~0u, true);
        assert_non_null(strstr(with, "\"org.krun.libkrun.available\": \"true\""));
        /* checkpoint and restore work wherever a criu binary is found */
        assert_non_null(strstr(with, "\"org.krun.checkpoint.enabled\": \"true\""));
}

/* ---- the run functions against the fakes ---- */

static char *capture_stdout(int (*fn)(void *), void *arg, int *ret)
{
        fflush(stdout);
        int mem = memfd_create("out", 0), saved = dup(1);
        dup2(mem, 1);
        *ret = fn(arg);
        fflush(stdout);
        dup2(saved, 1);
        close(saved);
        off_t size = lseek(mem, 0, SEEK_END);
        char *buf = calloc(1, (size_t)size + 1);
        assert_int_equal(pread(mem, buf, (size_t)size, 0), size);
        close(mem);
        return buf;
}

static int run_ps_json(void *arg)
{
        struct error *err = NULL;
        int r = RUN(arg, "ps", "--format=json", "c1");
        error_free(&err);
        return r;
}

static void test_runs(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct runtime_ctx rt = {.argv0_name = "crun", .state_root = "/nonexistent"};
        fake_reset();
        fake_manage.exec_status = 42;
        assert_int_equal(RUN(&rt, "exec", "c1", "sh", "-c", "exit 42"), 42);
        assert_string_equal(fake_last.fn, "exec");
        assert_string_equal(fake_manage.exec_args0, "sh");
        /* --detach: 0 whatever the fake says */
        assert_int_equal(RUN(&rt, "exec", "-d", "c1", "sh"), 0);
        assert_true(fake_manage.exec_detach);
        /* a missing executable: the status the lifecycle chose (127), error already reported */
        fake_manage.exec_status = 127;
        fake_manage.exec_fail = true;
        assert_int_equal(RUN(&rt, "exec", "c1", "nope"), 127);
        assert_null(err);
        /* other failures go to main as errors */
        fake_manage.exec_status = 1;
        expect_error(RUN(&rt, "exec", "c1", "nope"), &err, "not found");

        assert_int_equal(RUN(&rt, "pause", "c1"), 0);
        assert_string_equal(fake_last.fn, "pause");
        assert_int_equal(RUN(&rt, "resume", "c1"), 0);
        assert_string_equal(fake_last.fn, "resume");

        assert_int_equal(RUN(&rt, "update", "--pids-limit", "5", "c1"), 0);
        assert_true(fake_manage.update_has_flags);
        assert_null(fake_manage.update_file);
        assert_int_equal(fake_manage.update_flags.pids_limit, 5);
        /* --resources wins over the flags */
        assert_int_equal(RUN(&rt, "update", "-r", "-", "--pids-limit", "5", "c1"), 0);
        assert_false(fake_manage.update_has_flags);
        assert_string_equal(fake_manage.update_file, "-");
        fake_last.calls = 0;
        expect_error(RUN(&rt, "update", "--l3-cache-schema", "L3:0=f", "c1"), &err, "Intel RDT");
        assert_int_equal(fake_last.calls, 0);

        int r;
        _cleanup_free_ char *out = capture_stdout(run_ps_json, &rt, &r);
        assert_int_equal(r, 0);
        assert_string_equal(out, "[10,42]\n");

        assert_non_null(cmd_find("features"));
        assert_non_null(cmd_find("exec"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_exec_conmon_form),
            cmocka_unit_test(test_exec_cli_form),
            cmocka_unit_test(test_exec_errors),
            cmocka_unit_test(test_parse_bytes),
            cmocka_unit_test(test_update_flags),
            cmocka_unit_test(test_update_errors),
            cmocka_unit_test(test_ps),
            cmocka_unit_test(test_pause_resume_parse),
            cmocka_unit_test(test_features),
            cmocka_unit_test(test_runs),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
