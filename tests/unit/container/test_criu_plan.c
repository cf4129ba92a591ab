/* criu_plan.c: the cgroup bind mounts found in a container's mountinfo and their host hierarchies, the
 * CRIU ids of the init's stdio, the krun-checkpoint.json record (round trip and every error path), how
 * the recorded externals and the checkpoint options reach the dump and restore command lines, and the CRIU
 * log tail that failures report. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "container/criu_plan.h"
#include "core/cleanup.h"

/* A container on a hybrid host without a cgroup namespace: the host's cgroup directories of the container
 * bind-mounted at the hierarchy mountpoints (root "/cp1"), optional fields on some lines. */
static const char container_mountinfo[] =
    "65 42 254:0 /tmp/b/rootfs / rw,relatime - ext4 /dev/vda rw\n"
    "66 65 0:40 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
    "72 65 0:41 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755\n"
    "73 72 0:37 /cp1 /sys/fs/cgroup/unified ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw\n"
    "74 72 0:36 /cp1 /sys/fs/cgroup/systemd ro,nosuid,nodev,noexec,relatime master:9 - cgroup cgroup rw,name=systemd\n"
    "82 72 0:28 /cp1 /sys/fs/cgroup/cpu ro,nosuid,nodev,noexec,relatime shared:14 master:12 - cgroup cgroup rw,cpu\n"
    "83 72 0:29 /cp1 /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime - cgroup cgroup ro,cpu,cpuacct\n"
    "84 65 0:42 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n";

/* The host: hierarchy roots, plus a bind mount of a cgroup subdirectory elsewhere that must not match. */
static const char host_mountinfo[] =
    "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
    "25 22 0:27 / /sys/fs/cgroup rw,relatime shared:8 - tmpfs tmpfs rw,mode=755\n"
    "26 25 0:37 / /sys/fs/cgroup/unified rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
    "27 25 0:36 / /sys/fs/cgroup/systemd rw,nosuid shared:10 - cgroup cgroup rw,name=systemd\n"
    "28 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:11 - cgroup cgroup rw,cpu,cpuacct\n"
    "29 22 0:28 /sub /srv/cpu-sub rw,nosuid shared:13 - cgroup cgroup rw,cpu\n"
    "30 25 0:28 / /sys/fs/cgroup/cpu rw,nosuid shared:12 - cgroup cgroup rw,cpu\n";

static bool has(char **argv, const char *s)
{
        for (size_t i = 0; argv[i]; i++)
                if (!strcmp(argv[i], s))
                        return true;
        return false;
}

static size_t count_prefix(char **argv, const char *prefix)
{
        size_t n = 0;
        for (size_t i = 0; argv[i]; i++)
                n += !strncmp(argv[i], prefix, strlen(prefix));
        return n;
}

static void assert_mount(const struct criu_cgroup_mount *m, const char *mountpoint, const char *fstype,
                         const char *controllers)
{
        assert_string_equal(m->mountpoint, mountpoint);
        assert_string_equal(m->fstype, fstype);
        assert_string_equal(m->controllers, controllers);
}

static void test_find_cgroup_mounts(void **state)
{
        (void)state;
        struct criu_externals x = {0};
        assert_int_equal(criu_find_cgroup_mounts(container_mountinfo, &x), 0);
        assert_int_equal(x.n_cgroup_mounts, 4);
        assert_mount(&x.cgroup_mounts[0], "/sys/fs/cgroup/unified", "cgroup2", "");
        assert_mount(&x.cgroup_mounts[1], "/sys/fs/cgroup/systemd", "cgroup", "name=systemd");
        assert_mount(&x.cgroup_mounts[2], "/sys/fs/cgroup/cpu", "cgroup", "cpu");
        assert_mount(&x.cgroup_mounts[3], "/sys/fs/cgroup/cpu,cpuacct", "cgroup", "cpu,cpuacct");
        for (int i = 0; i < CRIU_STDIO_FDS; i++)
                assert_null(x.stdio[i]);
        criu_externals_clear(&x);
        assert_int_equal(x.n_cgroup_mounts, 0);
        assert_null(x.cgroup_mounts);

        /* With a cgroup namespace the container sees its hierarchy roots: nothing is external. No trailing
         * newline and blank lines are fine. */
        const char *cgroupns = "73 72 0:37 / /sys/fs/cgroup rw,nosuid shared:3 - cgroup2 cgroup2 rw\n\n"
                               "74 72 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
                               "65 42 254:0 /tmp/b/rootfs / rw,relatime - ext4 /dev/vda rw";
        assert_int_equal(criu_find_cgroup_mounts(cgroupns, &x), 0);
        assert_int_equal(x.n_cgroup_mounts, 0);
        criu_externals_clear(&x);
        assert_int_equal(criu_find_cgroup_mounts("", &x), 0);
        assert_int_equal(x.n_cgroup_mounts, 0);
        criu_externals_clear(&x);

        /* Only v1 super options lose rw/ro; "rwx"-like names are not rw. */
        const char *opts = "90 72 0:50 /cp1 /sys/fs/cgroup/net_cls ro - cgroup cgroup rw,net_cls,rwx,ro,net_prio\n";
        assert_int_equal(criu_find_cgroup_mounts(opts, &x), 0);
        assert_int_equal(x.n_cgroup_mounts, 1);
        assert_mount(&x.cgroup_mounts[0], "/sys/fs/cgroup/net_cls", "cgroup", "net_cls,rwx,net_prio");
        criu_externals_clear(&x);
}

static void test_find_cgroup_mounts_malformed(void **state)
{
        (void)state;
        static const char *const bad[] = {
            "73 72 0:37 /cp1 /sys/fs/cgroup/unified\n",                               /* fewer than 6 fields */
            "73 72 0:37 /cp1 /sys/fs/cgroup/unified ro cgroup2 cgroup2 rw\n",         /* no "-" separator */
            "73 72 0:37 /cp1 /sys/fs/cgroup/unified ro shared:3 - cgroup2 cgroup2\n", /* no super options */
            "73 72 0:37 /cp1 /sys/fs/cgroup/unified ro -\n",                          /* nothing after "-" */
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct criu_externals x = {0};
                assert_int_equal(criu_find_cgroup_mounts(bad[i], &x), -EINVAL);
                criu_externals_clear(&x);
        }
        /* A bad line after good ones fails the whole text; what was found so far is the caller's to clear. */
        struct criu_externals x = {0};
        char *text = NULL;
        assert_true(asprintf(&text, "%sgarbage\n", container_mountinfo) > 0);
        assert_int_equal(criu_find_cgroup_mounts(text, &x), -EINVAL);
        free(text);
        criu_externals_clear(&x);
}

static void test_host_hierarchy(void **state)
{
        (void)state;
        struct criu_cgroup_mount cpu = {"/sys/fs/cgroup/cpu", "cgroup", "cpu"};
        struct criu_cgroup_mount cpu_acct = {"/sys/fs/cgroup/cpu,cpuacct", "cgroup", "cpu,cpuacct"};
        struct criu_cgroup_mount systemd = {"/sys/fs/cgroup/systemd", "cgroup", "name=systemd"};
        struct criu_cgroup_mount unified = {"/sys/fs/cgroup/unified", "cgroup2", ""};
        struct criu_cgroup_mount memory = {"/sys/fs/cgroup/memory", "cgroup", "memory"};

        /* "cpu" skips the "cpu,cpuacct" hierarchy and the non-root bind mount of the cpu hierarchy. */
        _cleanup_free_ char *a = criu_host_hierarchy(host_mountinfo, &cpu);
        assert_string_equal(a, "/sys/fs/cgroup/cpu");
        _cleanup_free_ char *b = criu_host_hierarchy(host_mountinfo, &cpu_acct);
        assert_string_equal(b, "/sys/fs/cgroup/cpu,cpuacct");
        _cleanup_free_ char *c = criu_host_hierarchy(host_mountinfo, &systemd);
        assert_string_equal(c, "/sys/fs/cgroup/systemd");
        /* cgroup2 has one hierarchy: its super options (nsdelegate) do not matter. */
        _cleanup_free_ char *d = criu_host_hierarchy(host_mountinfo, &unified);
        assert_string_equal(d, "/sys/fs/cgroup/unified");
        assert_null(criu_host_hierarchy(host_mountinfo, &memory));

        /* Only the bind mount of a subdirectory on the host: no hierarchy root to bind from. */
        const char *sub_only = "29 22 0:28 /sub /srv/cpu-sub rw,nosuid shared:13 - cgroup cgroup rw,cpu\n";
        assert_null(criu_host_hierarchy(sub_only, &cpu));
        /* "cpu" is not a prefix match of "cpu,cpuacct" either way. */
        const char *combined_only = "28 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
        assert_null(criu_host_hierarchy(combined_only, &cpu));
        const char *cpu_only = "30 25 0:28 / /sys/fs/cgroup/cpu rw shared:12 - cgroup cgroup rw,cpu\n";
        assert_null(criu_host_hierarchy(cpu_only, &cpu_acct));
        assert_null(criu_host_hierarchy("", &cpu));

        /* The hierarchies found in the container map to the host ones. */
        struct criu_externals x = {0};
        assert_int_equal(criu_find_cgroup_mounts(container_mountinfo, &x), 0);
        static const char *const want[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/cpu",
                                           "/sys/fs/cgroup/cpu,cpuacct"};
        assert_int_equal(x.n_cgroup_mounts, 4);
        for (size_t i = 0; i < x.n_cgroup_mounts; i++) {
                _cleanup_free_ char *h = criu_host_hierarchy(host_mountinfo, &x.cgroup_mounts[i]);
                assert_non_null(h);
                assert_string_equal(h, want[i]);
        }
        criu_externals_clear(&x);
}

static void test_mountinfo_has_id(void **state)
{
        (void)state;
        assert_true(criu_mountinfo_has_id(container_mountinfo, 65));
        assert_true(criu_mountinfo_has_id(container_mountinfo, 82));
        assert_true(criu_mountinfo_has_id(container_mountinfo, 84));  /* the last line */
        assert_false(criu_mountinfo_has_id(container_mountinfo, 42)); /* a parent id, not a mount id */
        assert_false(criu_mountinfo_has_id(container_mountinfo, 8));  /* not a prefix match of 82..84 */
        assert_false(criu_mountinfo_has_id(container_mountinfo, 0));
        assert_false(criu_mountinfo_has_id("", 65));
}

static void test_stdio_id(void **state)
{
        (void)state;
        bool is_file = true;
        _cleanup_free_ char *pipe = criu_stdio_id("pipe:[123456]", 13, 123456, false, &is_file);
        assert_string_equal(pipe, "pipe:[123456]");
        assert_false(is_file);
        is_file = true;
        _cleanup_free_ char *sock = criu_stdio_id("socket:[99]", 9, 99, false, &is_file);
        assert_string_equal(sock, "socket:[99]");
        assert_false(is_file);

        /* A host file outside the container: CRIU's key with mnt_id and inode in hex. */
        _cleanup_free_ char *null = criu_stdio_id("/dev/null", 23, 3, false, &is_file);
        assert_string_equal(null, "file[17:3]");
        assert_true(is_file);
        _cleanup_free_ char *log = criu_stdio_id("/var/log/c.log", 255, 0x1234abcdULL, false, &is_file);
        assert_string_equal(log, "file[ff:1234abcd]");
        assert_true(is_file);

        /* A file on the container's own mounts: CRIU restores it from the images. */
        is_file = true;
        assert_null(criu_stdio_id("/tmp/out", 65, 12, true, &is_file));
        assert_false(is_file);
        is_file = true;
        assert_null(criu_stdio_id("anon_inode:[eventfd]", 14, 1, false, &is_file));
        assert_false(is_file);
}

static void fill_externals(struct criu_externals *x)
{
        memset(x, 0, sizeof(*x));
        x->stdio[0] = strdup("file[17:3]");
        x->stdio_is_file[0] = true;
        x->stdio[2] = strdup("pipe:[4242]");
        x->n_cgroup_mounts = 3;
        x->cgroup_mounts = calloc(3, sizeof(*x->cgroup_mounts));
        assert_non_null(x->cgroup_mounts);
        static const char *const m[][3] = {{"/sys/fs/cgroup/unified", "cgroup2", ""},
                                           {"/sys/fs/cgroup/systemd", "cgroup", "name=systemd"},
                                           {"/sys/fs/cgroup/cpu", "cgroup", "cpu"}};
        for (size_t i = 0; i < 3; i++)
                x->cgroup_mounts[i] = (struct criu_cgroup_mount){strdup(m[i][0]), strdup(m[i][1]), strdup(m[i][2])};
}

static void test_externals_round_trip(void **state)
{
        (void)state;
        struct criu_externals x;
        fill_externals(&x);
        _cleanup_free_ char *json = criu_externals_to_json(&x);
        assert_non_null(json);
        assert_non_null(strstr(json, "\"/sys/fs/cgroup/cpu\"")); /* paths unescaped, readable */

        struct criu_externals y;
        _cleanup_error_ struct error *err = NULL;
        assert_int_equal(criu_externals_parse(json, CRIU_PLAN_FILE, &y, &err), 0);
        assert_null(err);
        assert_string_equal(y.stdio[0], "file[17:3]");
        assert_true(y.stdio_is_file[0]);
        assert_null(y.stdio[1]);
        assert_false(y.stdio_is_file[1]);
        assert_string_equal(y.stdio[2], "pipe:[4242]");
        assert_false(y.stdio_is_file[2]);
        assert_int_equal(y.n_cgroup_mounts, 3);
        for (size_t i = 0; i < 3; i++)
                assert_mount(&y.cgroup_mounts[i], x.cgroup_mounts[i].mountpoint, x.cgroup_mounts[i].fstype,
                             x.cgroup_mounts[i].controllers);

        /* And again: the text is stable. */
        _cleanup_free_ char *again = criu_externals_to_json(&y);
        assert_string_equal(again, json);
        criu_externals_clear(&x);
        criu_externals_clear(&y);

        /* Nothing external. */
        struct criu_externals none = {0};
        _cleanup_free_ char *empty = criu_externals_to_json(&none);
        assert_int_equal(criu_externals_parse(empty, CRIU_PLAN_FILE, &y, &err), 0);
        for (int i = 0; i < CRIU_STDIO_FDS; i++)
                assert_null(y.stdio[i]);
        assert_int_equal(y.n_cgroup_mounts, 0);
        criu_externals_clear(&y);

        /* hostFile is optional (false). */
        assert_int_equal(criu_externals_parse("{\"stdio\":[{\"id\":\"pipe:[1]\"},null,null],\"cgroupMounts\":[]}",
                                              CRIU_PLAN_FILE, &y, &err),
                         0);
        assert_string_equal(y.stdio[0], "pipe:[1]");
        assert_false(y.stdio_is_file[0]);
        criu_externals_clear(&y);
}

static void assert_parse_error(const char *text, const char *want1, const char *want2)
{
        struct criu_externals x;
        _cleanup_error_ struct error *err = NULL;
        assert_true(criu_externals_parse(text, "/img/krun-checkpoint.json", &x, &err) < 0);
        assert_non_null(err);
        if (strncmp(err->msg, "/img/krun-checkpoint.json: ", 27) != 0 || !strstr(err->msg, want1) ||
            (want2 && !strstr(err->msg, want2)))
                fail_msg("for %s: got `%s`, expected `%s` and `%s`", text, err->msg, want1, want2 ? want2 : "");
        /* A failed parse leaves nothing to free. */
        assert_int_equal(x.n_cgroup_mounts, 0);
        assert_null(x.cgroup_mounts);
        for (int i = 0; i < CRIU_STDIO_FDS; i++)
                assert_null(x.stdio[i]);
}

static void test_externals_parse_errors(void **state)
{
        (void)state;
        assert_parse_error("not json", "invalid JSON", NULL);
        assert_parse_error("[]", "expected a JSON object", NULL);
        assert_parse_error("{\"cgroupMounts\":[]}", "stdio: required field is missing", NULL);
        assert_parse_error("{\"stdio\":{},\"cgroupMounts\":[]}", "stdio: expected an array", NULL);
        assert_parse_error("{\"stdio\":[null,null],\"cgroupMounts\":[]}", "stdio: expected an array of 3 entries",
                           NULL);
        assert_parse_error("{\"stdio\":[null,{\"hostFile\":true},null],\"cgroupMounts\":[]}",
                           "stdio[1].id: required field is missing", NULL);
        assert_parse_error("{\"stdio\":[null,null,\"pipe:[1]\"],\"cgroupMounts\":[]}", "stdio[2]: expected an object",
                           NULL);
        assert_parse_error("{\"stdio\":[{\"id\":7},null,null],\"cgroupMounts\":[]}", "stdio[0].id: expected a string",
                           NULL);
        assert_parse_error("{\"stdio\":[{\"id\":\"file[1:2]\",\"hostFile\":\"yes\"},null,null],\"cgroupMounts\":[]}",
                           "stdio[0].hostFile: expected a boolean", NULL);
        assert_parse_error("{\"stdio\":[null,null,null]}", "cgroupMounts: required field is missing", NULL);
        assert_parse_error("{\"stdio\":[null,null,null],\"cgroupMounts\":[null]}",
                           "cgroupMounts[0]: expected an object", NULL);
        assert_parse_error("{\"stdio\":[null,null,null],\"cgroupMounts\":[{\"mountpoint\":\"/sys/fs/cgroup/cpu\","
                           "\"fstype\":\"cgroup\"}]}",
                           "cgroupMounts[0].controllers: required field is missing", NULL);
        assert_parse_error("{\"stdio\":[{\"id\":\"pipe:[1]\"},null,null],\"cgroupMounts\":["
                           "{\"mountpoint\":\"/sys/fs/cgroup/cpu\",\"fstype\":\"cgroup\",\"controllers\":\"cpu\"},"
                           "{\"mountpoint\":\"/data\",\"fstype\":\"ext4\",\"controllers\":\"\"}]}",
                           "cgroupMounts[1].fstype: expected cgroup or cgroup2", "`ext4`");
}

static void test_dump_argv_externals(void **state)
{
        (void)state;
        struct criu_externals x;
        fill_externals(&x);
        struct checkpoint_options o = {.image_path = "/img", .work_path = "/work"};
        _cleanup_strv_ char **a = checkpoint_dump_argv("criu", &o, 77, &x);
        assert_non_null(a);
        assert_true(has(a, "--external=mnt[/sys/fs/cgroup/unified]:cgroup/sys/fs/cgroup/unified"));
        assert_true(has(a, "--external=mnt[/sys/fs/cgroup/systemd]:cgroup/sys/fs/cgroup/systemd"));
        assert_true(has(a, "--external=mnt[/sys/fs/cgroup/cpu]:cgroup/sys/fs/cgroup/cpu"));
        /* Only the host file is external; CRIU dumps its end of a pipe. */
        assert_true(has(a, "--external=file[17:3]"));
        assert_int_equal(count_prefix(a, "--external="), 4);
        assert_int_equal(count_prefix(a, "--inherit-fd"), 0);
        assert_true(has(a, "--ext-mount-map=auto") && has(a, "--tree=77") && has(a, "--manage-cgroups=soft"));

        /* Stdio of pipes only: no file externals. */
        free(x.stdio[0]);
        x.stdio[0] = strdup("pipe:[1]");
        x.stdio_is_file[0] = false;
        _cleanup_strv_ char **b = checkpoint_dump_argv("criu", &o, 77, &x);
        assert_int_equal(count_prefix(b, "--external=file"), 0);
        assert_int_equal(count_prefix(b, "--external=mnt["), 3);
        criu_externals_clear(&x);
}

static void test_restore_argv(void **state)
{
        (void)state;
        struct criu_externals x;
        fill_externals(&x);
        static const char *const sources[] = {"/sys/fs/cgroup/unified/krun/c2", "/sys/fs/cgroup/systemd/krun/c2",
                                              "/sys/fs/cgroup/cpu/krun/c2"};
        struct restore_options o = {.id = "c2"};
        struct criu_restore_plan p = {.o = &o,
                                      .criu = "/usr/sbin/criu",
                                      .image_path = "/ck",
                                      .work_path = "/wk",
                                      .root = "/run/krun/c2/root",
                                      .pid_file = "/run/krun/c2/criu.pid",
                                      .cgroup_path = "/krun/c2",
                                      .x = &x,
                                      .cgroup_mount_sources = sources};
        _cleanup_strv_ char **a = checkpoint_restore_argv(&p);
        assert_non_null(a);
        assert_string_equal(a[0], "/usr/sbin/criu");
        assert_string_equal(a[1], "restore");
        assert_true(has(a, "--images-dir=/ck") && has(a, "--work-dir=/wk") && has(a, "--log-file=restore.log"));
        assert_true(has(a, "--root=/run/krun/c2/root"));
        assert_true(has(a, "--restore-detached") && has(a, "--restore-sibling"));
        assert_true(has(a, "--pidfile=/run/krun/c2/criu.pid"));
        assert_true(has(a, "--cgroup-root=/krun/c2"));
        assert_true(has(a, "--external=mnt[cgroup/sys/fs/cgroup/unified]:/sys/fs/cgroup/unified/krun/c2"));
        assert_true(has(a, "--external=mnt[cgroup/sys/fs/cgroup/systemd]:/sys/fs/cgroup/systemd/krun/c2"));
        assert_true(has(a, "--external=mnt[cgroup/sys/fs/cgroup/cpu]:/sys/fs/cgroup/cpu/krun/c2"));
        assert_int_equal(count_prefix(a, "--external="), 3);
        /* Every recorded stdio entry (files and pipes alike) comes from our fds CRIU_STDIO_INHERIT_BASE + i. */
        assert_int_equal(CRIU_STDIO_INHERIT_BASE, 10);
        assert_true(has(a, "--inherit-fd=fd[10]:file[17:3]"));
        assert_true(has(a, "--inherit-fd=fd[12]:pipe:[4242]"));
        assert_int_equal(count_prefix(a, "--inherit-fd="), 2);
        assert_true(has(a, "--manage-cgroups=soft"));
        static const char *const off[] = {"--tcp-established", "--tcp-close",   "--ext-unix-sk",      "--shell-job",
                                          "--file-locks",      "--lsm-profile", "--lsm-mount-context"};
        for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
                assert_int_equal(count_prefix(a, off[i]), 0);

        /* Every option, no cgroup path, nothing external. */
        struct criu_externals none = {0};
        struct restore_options all = {.manage_cgroups_mode = "ignore",
                                      .lsm_profile = "apparmor:krun-default",
                                      .lsm_mount_context = "system_u:object_r:container_file_t:s0",
                                      .tcp_established = true,
                                      .tcp_close = true,
                                      .ext_unix_sk = true,
                                      .shell_job = true,
                                      .file_locks = true};
        struct criu_restore_plan q = p;
        q.o = &all;
        q.cgroup_path = NULL;
        q.x = &none;
        q.cgroup_mount_sources = NULL;
        _cleanup_strv_ char **b = checkpoint_restore_argv(&q);
        assert_non_null(b);
        assert_int_equal(count_prefix(b, "--cgroup-root"), 0);
        assert_int_equal(count_prefix(b, "--external="), 0);
        assert_int_equal(count_prefix(b, "--inherit-fd"), 0);
        assert_true(has(b, "--manage-cgroups=ignore") && !has(b, "--manage-cgroups=soft"));
        assert_true(has(b, "--tcp-established") && has(b, "--tcp-close") && has(b, "--ext-unix-sk") &&
                    has(b, "--shell-job") && has(b, "--file-locks"));
        assert_true(has(b, "--lsm-profile=apparmor:krun-default"));
        assert_true(has(b, "--lsm-mount-context=system_u:object_r:container_file_t:s0"));
        assert_true(has(b, "--root=/run/krun/c2/root") && has(b, "--restore-detached") && has(b, "--restore-sibling"));
        criu_externals_clear(&x);
}

static void test_dump_argv_options(void **state)
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
            cmocka_unit_test(test_find_cgroup_mounts),
            cmocka_unit_test(test_find_cgroup_mounts_malformed),
            cmocka_unit_test(test_host_hierarchy),
            cmocka_unit_test(test_mountinfo_has_id),
            cmocka_unit_test(test_stdio_id),
            cmocka_unit_test(test_externals_round_trip),
            cmocka_unit_test(test_externals_parse_errors),
            cmocka_unit_test(test_dump_argv_externals),
            cmocka_unit_test(test_restore_argv),
            cmocka_unit_test(test_dump_argv_options),
            cmocka_unit_test(test_log_tail),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
