/* core/mountinfo.c: one table of lines (escapes, optional fields, the separator, every malformed shape)
 * checked field by field, then the iterator over whole texts (blank lines, no final newline, a malformed
 * line between good ones, very long lines) and the reader on this host's own file. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/mountinfo.h"

static const struct {
        const char *line;
        const char *why;
        /* expected fields when the line parses; root == NULL means -EINVAL */
        int id, parent;
        unsigned major, minor;
        const char *root, *mount_point, *options, *optional, *fstype, *source, *super;
} cases[] = {
    {"22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw", "one optional field", 22, 1, 0, 21,
     "/", "/sys", "rw,nosuid,nodev,noexec,relatime", "shared:7", "sysfs", "sysfs", "rw"},
    {"82 72 0:28 /cp1 /sys/fs/cgroup/cpu ro shared:14 master:12 - cgroup cgroup rw,cpu", "two optional fields", 82, 72,
     0, 28, "/cp1", "/sys/fs/cgroup/cpu", "ro", "shared:14 master:12", "cgroup", "cgroup", "rw,cpu"},
    {"65 42 254:0 /tmp/b/rootfs / rw,relatime - ext4 /dev/vda rw", "no optional field", 65, 42, 254, 0, "/tmp/b/rootfs",
     "/", "rw,relatime", "", "ext4", "/dev/vda", "rw"},
    {"1 0 8:1 /a\\040b /mnt/a\\011b\\012c\\134d rw - fuse.my\\040fs my\\040src rw,x=\\040", "each escape", 1, 0, 8, 1,
     "/a b", "/mnt/a\tb\nc\\d", "rw", "", "fuse.my fs", "my src", "rw,x= "},
    {"1 0 8:1 / /m\\101\\377 rw - t s o", "any octal byte", 1, 0, 8, 1, "/", "/mA\xff", "rw", "", "t", "s", "o"},
    {"1 0 8:1 / /a\\b\\04\\0401\\4000\\000\\8 rw - t s o", "not an escape: kept as written", 1, 0, 8, 1, "/",
     "/a\\b\\04 1\\4000\\000\\8", "rw", "", "t", "s", "o"},
    {"1 0 8:1 / /m\\ rw - t s o", "a backslash at the end of a field", 1, 0, 8, 1, "/", "/m\\", "rw", "", "t", "s",
     "o"},
    {"1 0 0:5 / /m rw - tmpfs  rw", "an empty source (mount(2) with \"\")", 1, 0, 0, 5, "/", "/m", "rw", "", "tmpfs",
     "", "rw"},
    {"2147483647 0 4294967295:4294967295 / /m rw - t s o", "largest id and device numbers", 2147483647, 0, 4294967295u,
     4294967295u, "/", "/m", "rw", "", "t", "s", "o"},
    {"1 0 0:1 / /m rw -- - t s o", "an optional field that only looks like the separator", 1, 0, 0, 1, "/", "/m", "rw",
     "--", "t", "s", "o"},

    {"garbage line", "one word after another"},
    {"73 72 0:37 /cp1 /sys/fs/cgroup/unified", "fewer than six fields"},
    {"73 72 0:37 /cp1 /u ro cgroup2 cgroup2 rw", "no separator"},
    {"73 72 0:37 /cp1 /u ro shared:3 - cgroup2 cgroup2", "no super options"},
    {"73 72 0:37 /cp1 /u ro -", "nothing after the separator"},
    {"73 72 0:37 /cp1 /u ro - ", "an empty field after the separator"},
    {"1 0 0:1 / /m rw - t s o extra", "a fourth field after the separator"},
    {"1 0 0:1 / /m rw - t s o ", "a trailing space"},
    {"1 0 0:1 / /m rw -  s o", "an empty fstype"},
    {"1 0 0:1 / /m rw - t s ", "empty super options"},
    {"1  0 0:1 / /m rw - t s o", "two spaces between fields"},
    {" 1 0 0:1 / /m rw - t s o", "a leading space"},
    {"1 0 0:1 / /m rw  shared:1 - t s o", "an empty optional field before"},
    {"1 0 0:1 / /m rw shared:1  - t s o", "an empty optional field after"},
    {"1 0 0:1 / /m rw shared:1  master:2 - t s o", "an empty optional field between"},
    {"x 0 0:1 / /m rw - t s o", "a mount id that is not a number"},
    {"-1 0 0:1 / /m rw - t s o", "a negative mount id"},
    {"2147483648 0 0:1 / /m rw - t s o", "a mount id above INT_MAX"},
    {"1 0x1 0:1 / /m rw - t s o", "a hexadecimal parent id"},
    {"1 0 01 / /m rw - t s o", "a device without a colon"},
    {"1 0 :1 / /m rw - t s o", "a device without a major"},
    {"1 0 1: / /m rw - t s o", "a device without a minor"},
    {"1 0 1:2:3 / /m rw - t s o", "a device with two colons"},
    {"1 0 4294967296:0 / /m rw - t s o", "a major above UINT_MAX"},
    {"short - cgroup", "a separator but too few fields"},
};

static void test_lines(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *line = strdup(cases[i].line);
                struct mountinfo_entry e;
                int r = mountinfo_parse_line(line, &e);
                if (!cases[i].root) {
                        if (r != -EINVAL)
                                fail_msg("case %zu (%s): parsed, expected -EINVAL", i, cases[i].why);
                        continue;
                }
                if (r != 0)
                        fail_msg("case %zu (%s): %d, expected to parse", i, cases[i].why, r);
                assert_int_equal(e.mount_id, cases[i].id);
                assert_int_equal(e.parent_id, cases[i].parent);
                assert_int_equal(e.major, cases[i].major);
                assert_int_equal(e.minor, cases[i].minor);
                assert_string_equal(e.root, cases[i].root);
                assert_string_equal(e.mount_point, cases[i].mount_point);
                assert_string_equal(e.options, cases[i].options);
                assert_string_equal(e.optional, cases[i].optional);
                assert_string_equal(e.fstype, cases[i].fstype);
                assert_string_equal(e.source, cases[i].source);
                assert_string_equal(e.super_options, cases[i].super);
        }
}

/* The mount ids the iterator returns, with 0 for a rejected line, as "ids" text; the last status too. */
static int walk(const char *text, char *ids, size_t size)
{
        struct mountinfo_iter it;
        struct mountinfo_entry e;
        int r;
        ids[0] = '\0';
        mountinfo_iter_init(&it, text);
        while ((r = mountinfo_next(&it, &e)) != 0) {
                if (r < 0 && r != -EINVAL)
                        break;
                size_t n = strlen(ids);
                snprintf(ids + n, size - n, "%s%d@%zu", n ? " " : "", r == 1 ? e.mount_id : 0, it.line);
        }
        mountinfo_iter_done(&it);
        assert_null(it.buf);
        return r;
}

static void test_texts(void **state)
{
        (void)state;
        static const struct {
                const char *text, *ids, *why;
        } texts[] = {
            {"", "", "empty text"},
            {"\n\n", "", "blank lines only"},
            {"1 0 0:1 / /a rw - t s o\n2 1 0:2 / /b rw - t s o\n", "1@1 2@2", "two lines"},
            {"1 0 0:1 / /a rw - t s o\n2 1 0:2 / /b rw - t s o", "1@1 2@2", "no final newline"},
            {"\n1 0 0:1 / /a rw - t s o\n\n\n2 1 0:2 / /b rw - t s o\n\n", "1@2 2@5", "blank lines skipped"},
            {"1 0 0:1 / /a rw - t s o\ngarbage\n3 1 0:2 / /b rw - t s o", "1@1 0@2 3@3",
             "a malformed line is reported and passed"},
            {"garbage", "0@1", "only a malformed line, no newline"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
                char ids[128];
                assert_int_equal(walk(texts[i].text, ids, sizeof(ids)), 0);
                if (strcmp(ids, texts[i].ids) != 0)
                        fail_msg("%s: got \"%s\", expected \"%s\"", texts[i].why, ids, texts[i].ids);
        }
}

/* Lines far longer than any buffer the iterator starts with, growing and shrinking again. */
static void test_long_lines(void **state)
{
        (void)state;
        const size_t sizes[] = {100, 70000, 10, 300000, 5000};
        size_t total = 0;
        for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
                total += sizes[i] + 64;
        _cleanup_free_ char *text = malloc(total + 1);
        assert_non_null(text);
        char *p = text;
        for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
                p += sprintf(p, "%zu 0 0:1 / /", i + 1);
                memset(p, 'x', sizes[i]);
                p += sizes[i];
                p += sprintf(p, " rw - t s o\n");
        }
        struct mountinfo_iter it;
        struct mountinfo_entry e;
        mountinfo_iter_init(&it, text);
        for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
                assert_int_equal(mountinfo_next(&it, &e), 1);
                assert_int_equal(e.mount_id, (int)i + 1);
                assert_int_equal(strlen(e.mount_point), sizes[i] + 1);
                assert_string_equal(e.super_options, "o");
        }
        assert_int_equal(mountinfo_next(&it, &e), 0);
        assert_int_equal(mountinfo_next(&it, &e), 0);
        mountinfo_iter_done(&it);
}

/* This process's own mountinfo reads and parses without a malformed line, and has a root mount. */
static void test_read_this_host(void **state)
{
        (void)state;
        _cleanup_free_ char *text = NULL;
        _cleanup_error_ struct error *err = NULL;
        if (mountinfo_read(0, &text, &err) < 0)
                fail_msg("%s", err->msg);
        struct mountinfo_iter it;
        struct mountinfo_entry e;
        int r;
        bool has_root = false;
        mountinfo_iter_init(&it, text);
        while ((r = mountinfo_next(&it, &e)) == 1)
                has_root |= strcmp(e.mount_point, "/") == 0;
        if (r != 0)
                fail_msg("line %zu: %d", it.line, r);
        mountinfo_iter_done(&it);
        assert_true(has_root);

        _cleanup_free_ char *none = NULL;
        assert_true(mountinfo_read(999999999, &none, &err) < 0);
        assert_null(none);
        assert_non_null(strstr(err->msg, "/proc/999999999/mountinfo"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_lines),
            cmocka_unit_test(test_texts),
            cmocka_unit_test(test_long_lines),
            cmocka_unit_test(test_read_this_host),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
