/* fs_write_all and fs_read_fd / fs_read_file on real files in a private temp directory. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/fs.h"

struct tmp {
        char dir[64];
        char file[96];
};

static int setup(void **state)
{
        struct tmp *t = calloc(1, sizeof(*t));
        if (!t)
                return -1;
        strcpy(t->dir, "/tmp/krun-test-fs-XXXXXX");
        if (!mkdtemp(t->dir)) {
                free(t);
                return -1;
        }
        snprintf(t->file, sizeof(t->file), "%s/f", t->dir);
        *state = t;
        return 0;
}

static int teardown(void **state)
{
        struct tmp *t = *state;
        unlink(t->file);
        rmdir(t->dir);
        free(t);
        return 0;
}

static void test_write_all_then_read(void **state)
{
        struct tmp *t = *state;
        size_t len = 200000; /* more than one read of the initial 4 KiB guess for a pipe */
        char *data = malloc(len);
        assert_non_null(data);
        for (size_t i = 0; i < len; i++)
                data[i] = (char)('a' + i % 26);
        int fd = open(t->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(fs_write_all(fd, data, len), 0);
        close(fd);

        char *back = NULL;
        size_t n = 0;
        assert_int_equal(fs_read_file(t->file, len, &back, &n), 0);
        assert_int_equal(n, len);
        assert_memory_equal(back, data, len);
        assert_int_equal(back[len], '\0');
        free(back);

        back = NULL;
        assert_int_equal(fs_read_file(t->file, len - 1, &back, &n), -EFBIG);
        assert_null(back);
        free(data);
}

static void test_read_fd_from_a_pipe(void **state)
{
        (void)state;
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(fs_write_all(p[1], "state", 5), 0);
        close(p[1]);
        char *back = NULL;
        size_t n = 0;
        assert_int_equal(fs_read_fd(p[0], 5, &back, &n), 0);
        assert_int_equal(n, 5);
        assert_string_equal(back, "state");
        free(back);
        close(p[0]);

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(fs_write_all(p[1], "toolong", 7), 0);
        close(p[1]);
        back = NULL;
        assert_int_equal(fs_read_fd(p[0], 6, &back, NULL), -EFBIG);
        assert_null(back);
        close(p[0]);
}

static void test_errors(void **state)
{
        struct tmp *t = *state;
        char *back = NULL;
        assert_int_equal(fs_read_file(t->dir, 10, &back, NULL), -EISDIR);
        assert_int_equal(fs_read_fd(-1, 10, &back, NULL), -EBADF);
        assert_null(back);
        assert_int_equal(fs_write_all(-1, "x", 1), -EBADF);
        int fd = open(t->file, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(fs_write_all(fd, "x", 1), -EBADF);
        close(fd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_write_all_then_read, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_fd_from_a_pipe, setup, teardown),
            cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
