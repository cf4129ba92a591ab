/* mount_options_parse: every table entry value by value, the interactions (last wins, atime modes),
 * data pass-through, the idmap= forms and their error, the data helpers and the default table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "linux/mount_options.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

static struct mount_options parse_ok(char *const *opts)
{
        _cleanup_error_ struct error *err = NULL;
        struct mount_options o;
        memset(&o, 0xa5, sizeof(o));
        int r = mount_options_parse(opts, &o, &err);
        if (r < 0)
                fail_msg("mount_options_parse: %s", err ? err->msg : "?");
        assert_null(err);
        return o;
}

static struct mount_options parse1(const char *opt)
{
        char *v[] = {(char *)opt, NULL};
        return parse_ok(v);
}

static const struct {
        const char *name;
        unsigned long set, clear;
} flag_cases[] = {
    {"ro", MS_RDONLY, 0},
    {"rw", 0, MS_RDONLY},
    {"nosuid", MS_NOSUID, 0},
    {"suid", 0, MS_NOSUID},
    {"nodev", MS_NODEV, 0},
    {"dev", 0, MS_NODEV},
    {"noexec", MS_NOEXEC, 0},
    {"exec", 0, MS_NOEXEC},
    {"sync", MS_SYNCHRONOUS, 0},
    {"async", 0, MS_SYNCHRONOUS},
    {"dirsync", MS_DIRSYNC, 0},
    {"remount", MS_REMOUNT, 0},
    {"mand", MS_MANDLOCK, 0},
    {"nomand", 0, MS_MANDLOCK},
    {"atime", 0, MS_NOATIME},
    {"noatime", MS_NOATIME, MS_RELATIME | MS_STRICTATIME},
    {"diratime", 0, MS_NODIRATIME},
    {"nodiratime", MS_NODIRATIME, 0},
    {"relatime", MS_RELATIME, MS_STRICTATIME | MS_NOATIME},
    {"norelatime", 0, MS_RELATIME},
    {"strictatime", MS_STRICTATIME, MS_RELATIME | MS_NOATIME},
    {"nostrictatime", 0, MS_STRICTATIME},
    {"iversion", MS_I_VERSION, 0},
    {"noiversion", 0, MS_I_VERSION},
    {"lazytime", MS_LAZYTIME, 0},
    {"nolazytime", 0, MS_LAZYTIME},
    {"silent", MS_SILENT, 0},
    {"loud", 0, MS_SILENT},
    {"nosymfollow", MS_NOSYMFOLLOW, 0},
    {"symfollow", 0, MS_NOSYMFOLLOW},
    {"defaults", 0, 0},
};

static void test_flags(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(flag_cases); i++) {
                struct mount_options o = parse1(flag_cases[i].name);
                if (o.flags != flag_cases[i].set || o.clear_flags != flag_cases[i].clear)
                        fail_msg("%s: flags %#lx clear %#lx", flag_cases[i].name, o.flags, o.clear_flags);
                assert_int_equal(o.propagation, 0);
                assert_int_equal(o.attr_set, 0);
                assert_int_equal(o.attr_clr, 0);
                assert_null(o.data);
                assert_false(o.is_bind);
                mount_options_free(&o);
        }
}

static const struct {
        const char *name;
        unsigned long value;
} propagation_cases[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

static void test_propagation(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(propagation_cases); i++) {
                struct mount_options o = parse1(propagation_cases[i].name);
                if (o.propagation != propagation_cases[i].value)
                        fail_msg("%s: %#lx", propagation_cases[i].name, o.propagation);
                assert_int_equal(o.flags, 0);
                mount_options_free(&o);
        }
        char *last[] = {"rshared", "private", NULL};
        struct mount_options o = parse_ok(last);
        assert_int_equal(o.propagation, MS_PRIVATE);
        mount_options_free(&o);
}

static const struct {
        const char *name;
        uint64_t set, clr;
} attr_cases[] = {
    {"rro", MOUNT_ATTR_RDONLY, 0},
    {"rrw", 0, MOUNT_ATTR_RDONLY},
    {"rnosuid", MOUNT_ATTR_NOSUID, 0},
    {"rsuid", 0, MOUNT_ATTR_NOSUID},
    {"rnodev", MOUNT_ATTR_NODEV, 0},
    {"rdev", 0, MOUNT_ATTR_NODEV},
    {"rnoexec", MOUNT_ATTR_NOEXEC, 0},
    {"rexec", 0, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
    {"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
    {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
    {"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rnorelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
};

static void test_recursive_attrs(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(attr_cases); i++) {
                struct mount_options o = parse1(attr_cases[i].name);
                if (o.attr_set != attr_cases[i].set || o.attr_clr != attr_cases[i].clr)
                        fail_msg("%s: set %#llx clr %#llx", attr_cases[i].name, (unsigned long long)o.attr_set,
                                 (unsigned long long)o.attr_clr);
                assert_int_equal(o.flags, 0);
                assert_null(o.data);
                mount_options_free(&o);
        }
        /* Opposites cancel, last wins. */
        char *v[] = {"rro", "rrw", "rnosuid", "rstrictatime", "rnoatime", NULL};
        struct mount_options o = parse_ok(v);
        assert_int_equal(o.attr_set, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME);
        assert_int_equal(o.attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR__ATIME);
        mount_options_free(&o);
}

static void test_bind_and_extras(void **state)
{
        (void)state;
        struct mount_options o = parse1("bind");
        assert_true(o.is_bind);
        assert_false(o.is_rbind);
        mount_options_free(&o);
        o = parse1("rbind");
        assert_true(o.is_bind);
        assert_true(o.is_rbind);
        assert_int_equal(o.flags, 0); /* MS_BIND is never in flags: the mount code decides */
        mount_options_free(&o);

        char *v[] = {"tmpcopyup", "copy-symlink", "src-nofollow", "dest-nofollow", NULL};
        o = parse_ok(v);
        assert_true(o.tmpcopyup);
        assert_true(o.copy_symlink);
        assert_true(o.src_nofollow);
        assert_true(o.dest_nofollow);
        assert_false(o.idmap);
        assert_null(o.data);
        mount_options_free(&o);
}

static void test_idmap(void **state)
{
        (void)state;
        struct mount_options o = parse1("idmap");
        assert_true(o.idmap);
        assert_false(o.ridmap);
        assert_null(o.idmap_value);
        mount_options_free(&o);
        o = parse1("ridmap");
        assert_true(o.idmap);
        assert_true(o.ridmap);
        mount_options_free(&o);
        o = parse1("idmap=uids=0-1000-10;gids=0-1000-10");
        assert_true(o.idmap);
        assert_false(o.ridmap);
        assert_string_equal(o.idmap_value, "uids=0-1000-10;gids=0-1000-10");
        assert_null(o.data);
        mount_options_free(&o);
        o = parse1("ridmap=uids=@1-2-3");
        assert_true(o.ridmap);
        assert_string_equal(o.idmap_value, "uids=@1-2-3");
        mount_options_free(&o);

        _cleanup_error_ struct error *err = NULL;
        char *bad[] = {"idmap=", NULL};
        struct mount_options b = {0};
        assert_true(mount_options_parse(bad, &b, &err) < 0);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "idmap="));
        assert_null(b.data);
}

static void test_data(void **state)
{
        (void)state;
        char *v[] = {"nosuid", "mode=755", "", "size=65536k", "newinstance", "ro", NULL};
        struct mount_options o = parse_ok(v);
        assert_string_equal(o.data, "mode=755,size=65536k,newinstance");
        assert_int_equal(o.flags, MS_NOSUID | MS_RDONLY);
        mount_options_free(&o);
        assert_null(o.data);

        /* Spelling matters: near misses are data, not flags. */
        o = parse1("RO");
        assert_string_equal(o.data, "RO");
        assert_int_equal(o.flags, 0);
        mount_options_free(&o);

        o = parse_ok(NULL);
        assert_int_equal(o.flags, 0);
        assert_null(o.data);
        mount_options_free(&o);
}

static void test_flag_overrides(void **state)
{
        (void)state;
        char *v[] = {"ro", "rw", "nosuid", "noatime", "strictatime", NULL};
        struct mount_options o = parse_ok(v);
        assert_int_equal(o.flags, MS_NOSUID | MS_STRICTATIME);
        assert_int_equal(o.clear_flags, MS_RDONLY | MS_NOATIME | MS_RELATIME);
        mount_options_free(&o);
}

static void test_data_helpers(void **state)
{
        (void)state;
        assert_true(mount_data_has_key("size=1k,mode=755", "mode"));
        assert_true(mount_data_has_key("newinstance", "newinstance"));
        assert_false(mount_data_has_key("modes=1", "mode"));
        assert_false(mount_data_has_key("xmode=1", "mode"));
        assert_false(mount_data_has_key(NULL, "mode"));
        assert_false(mount_data_has_key("", "mode"));

        char *d = mount_data_append(NULL, "a=1");
        d = mount_data_append(d, "b");
        assert_string_equal(d, "a=1,b");
        free(d);

        char *r = mount_data_remove("newinstance,gid=5,mode=620", "gid=5");
        assert_string_equal(r, "newinstance,mode=620");
        free(r);
        assert_null(mount_data_remove("gid=5", "gid=5"));
        r = mount_data_remove("gid=50,gid=5", "gid=5");
        assert_string_equal(r, "gid=50");
        free(r);
}

static void test_defaults(void **state)
{
        (void)state;
        assert_null(mount_default_options("/proc"));
        assert_null(mount_default_options("/mnt"));
        const char *const *d = mount_default_options("/dev/shm");
        assert_non_null(d);
        struct mount_options o = parse_ok((char *const *)d);
        assert_int_equal(o.flags, MS_NOEXEC | MS_NOSUID | MS_NODEV);
        assert_string_equal(o.data, "mode=1777,size=65536k");
        mount_options_free(&o);
        o = parse_ok((char *const *)mount_default_options("/dev/pts"));
        assert_int_equal(o.flags, MS_NOEXEC | MS_NOSUID);
        assert_string_equal(o.data, "newinstance,ptmxmode=0666,mode=620,gid=5");
        mount_options_free(&o);
        o = parse_ok((char *const *)mount_default_options("/dev"));
        assert_int_equal(o.flags, MS_NOEXEC | MS_STRICTATIME);
        assert_string_equal(o.data, "mode=755");
        mount_options_free(&o);
        const char *nnn[] = {"/sys", "/dev/mqueue"};
        for (size_t i = 0; i < 2; i++) {
                o = parse_ok((char *const *)mount_default_options(nnn[i]));
                assert_int_equal(o.flags, MS_NOEXEC | MS_NOSUID | MS_NODEV);
                assert_null(o.data);
                mount_options_free(&o);
        }
        o = parse_ok((char *const *)mount_default_options("/sys/fs/cgroup"));
        assert_int_equal(o.flags, MS_NOEXEC | MS_NOSUID | MS_STRICTATIME);
        mount_options_free(&o);
}

static void test_names(void **state)
{
        (void)state;
        size_t n = mount_option_count();
        assert_true(n > 60);
        for (size_t i = 0; i < n; i++) {
                const char *name = mount_option_name(i);
                assert_non_null(name);
                /* Every listed name parses to something other than data. */
                struct mount_options o = parse1(name);
                if (o.data)
                        fail_msg("%s parsed as data", name);
                mount_options_free(&o);
                for (size_t j = 0; j < i; j++)
                        if (strcmp(mount_option_name(j), name) == 0)
                                fail_msg("duplicate option %s", name);
        }
        assert_null(mount_option_name(n));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_flags),           cmocka_unit_test(test_propagation),
            cmocka_unit_test(test_recursive_attrs), cmocka_unit_test(test_bind_and_extras),
            cmocka_unit_test(test_idmap),           cmocka_unit_test(test_data),
            cmocka_unit_test(test_flag_overrides),  cmocka_unit_test(test_data_helpers),
            cmocka_unit_test(test_defaults),        cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
