/* path_search: execvp's rules (order, empty and relative elements, EACCES kept until a match) and the
 * absolute-only mode of host helpers, against a fake filesystem table. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/path_search.h"

struct fake_entry {
        const char *path;
        int result;
};

struct fake_fs {
        const struct fake_entry *entries;
        char tried[16][64]; /* candidates in the order they were asked */
        size_t n_tried;
};

static int fake_check(const char *candidate, void *userdata)
{
        struct fake_fs *fs = userdata;
        if (fs->n_tried < 16)
                strncpy(fs->tried[fs->n_tried++], candidate, 63);
        for (const struct fake_entry *e = fs->entries; e && e->path; e++)
                if (!strcmp(e->path, candidate))
                        return e->result;
        return -ENOENT;
}

static int search(struct fake_fs *fs, const char *name, const char *path_env, const char *cwd, unsigned flags,
                  char **out)
{
        return path_search(name, path_env, cwd, flags, fake_check, fs, out);
}

static void test_default_path_in_order(void **state)
{
        (void)state;
        const struct fake_entry e[] = {{"/usr/bin/sh", 0}, {"/bin/sh", 0}, {NULL, 0}};
        struct fake_fs fs = {.entries = e};
        char *out = NULL;
        assert_int_equal(search(&fs, "sh", NULL, "/", 0, &out), 0);
        assert_string_equal(out, "/usr/bin/sh");
        assert_int_equal(fs.n_tried, 4); /* /usr/local/sbin, /usr/local/bin, /usr/sbin, /usr/bin */
        assert_string_equal(fs.tried[0], "/usr/local/sbin/sh");
        free(out);
}

static void test_not_found(void **state)
{
        (void)state;
        struct fake_fs fs = {0};
        char *out = NULL;
        assert_int_equal(search(&fs, "nope", "/a:/b", "/", 0, &out), -ENOENT);
        assert_null(out);
        assert_int_equal(fs.n_tried, 2);
}

static void test_enotdir_is_not_found(void **state)
{
        (void)state;
        const struct fake_entry e[] = {{"/a/x", -ENOTDIR}, {NULL, 0}};
        struct fake_fs fs = {.entries = e};
        char *out = NULL;
        assert_int_equal(search(&fs, "x", "/a", "/", 0, &out), -ENOENT);
}

static void test_eacces_kept_until_a_match(void **state)
{
        (void)state;
        const struct fake_entry e[] = {{"/a/x", -EACCES}, {"/c/x", 0}, {NULL, 0}};
        struct fake_fs fs = {.entries = e};
        char *out = NULL;
        assert_int_equal(search(&fs, "x", "/a:/b", "/", 0, &out), -EACCES);
        assert_null(out);
        fs.n_tried = 0;
        assert_int_equal(search(&fs, "x", "/a:/b:/c", "/", 0, &out), 0);
        assert_string_equal(out, "/c/x");
        free(out);
}

static void test_first_other_error_wins(void **state)
{
        (void)state;
        const struct fake_entry e[] = {{"/a/x", -ELOOP}, {"/b/x", -EACCES}, {NULL, 0}};
        struct fake_fs fs = {.entries = e};
        char *out = NULL;
        assert_int_equal(search(&fs, "x", "/a:/b", "/", 0, &out), -ELOOP);
}

static void test_empty_and_relative_elements_use_cwd(void **state)
{
        (void)state;
        struct fake_fs fs = {0};
        char *out = NULL;
        /* leading empty, relative, trailing empty */
        assert_int_equal(search(&fs, "x", ":bin:/abs:", "/work", 0, &out), -ENOENT);
        assert_int_equal(fs.n_tried, 4);
        assert_string_equal(fs.tried[0], "/work/x");
        assert_string_equal(fs.tried[1], "/work/bin/x");
        assert_string_equal(fs.tried[2], "/abs/x");
        assert_string_equal(fs.tried[3], "/work/x");
        /* a cwd ending in '/' (or none) gives no double slash */
        fs.n_tried = 0;
        assert_int_equal(search(&fs, "x", "bin:", "/w/", 0, &out), -ENOENT);
        assert_string_equal(fs.tried[0], "/w/bin/x");
        assert_string_equal(fs.tried[1], "/w/x");
        fs.n_tried = 0;
        assert_int_equal(search(&fs, "x", "", NULL, 0, &out), -ENOENT);
        assert_int_equal(fs.n_tried, 1);
        assert_string_equal(fs.tried[0], "/x");
}

static void test_absolute_only_skips_empty_and_relative(void **state)
{
        (void)state;
        const struct fake_entry e[] = {{"/work/x", 0}, {"/work/bin/x", 0}, {"/abs/x", 0}, {NULL, 0}};
        struct fake_fs fs = {.entries = e};
        char *out = NULL;
        assert_int_equal(search(&fs, "x", ":bin::/abs:", "/work", PATH_SEARCH_ABSOLUTE_ONLY, &out), 0);
        assert_string_equal(out, "/abs/x");
        assert_int_equal(fs.n_tried, 1);
        free(out);
        fs.n_tried = 0;
        assert_int_equal(search(&fs, "x", "rel:", "/work", PATH_SEARCH_ABSOLUTE_ONLY, &out), -ENOENT);
        assert_int_equal(fs.n_tried, 0);
}

static void test_join(void **state)
{
        (void)state;
        char *s = path_search_join("/c", "/d", 2, "n");
        assert_string_equal(s, "/d/n");
        free(s);
        s = path_search_join("/c", "rel:more", 3, "n");
        assert_string_equal(s, "/c/rel/n");
        free(s);
        s = path_search_join(NULL, NULL, 0, "n");
        assert_string_equal(s, "/n");
        free(s);
        s = path_search_join("", "", 0, "sub/n");
        assert_string_equal(s, "/sub/n");
        free(s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_default_path_in_order),
            cmocka_unit_test(test_not_found),
            cmocka_unit_test(test_enotdir_is_not_found),
            cmocka_unit_test(test_eacces_kept_until_a_match),
            cmocka_unit_test(test_first_other_error_wins),
            cmocka_unit_test(test_empty_and_relative_elements_use_cwd),
            cmocka_unit_test(test_absolute_only_skips_empty_and_relative),
            cmocka_unit_test(test_join),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
