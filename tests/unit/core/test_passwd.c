/* passwd_field (pure): the name and home fields, the first entry for a uid, malformed lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/passwd.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "# comment:x:5:5::/comment:\n"
                             "broken line without fields\n"
                             "short:x:7\n"
                             "nonnum:x:1x:0::/bad:/bin/sh\n"
                             "huge:x:99999999999:0::/huge:/bin/sh\n"
                             "user:x:1000:1000:User,,,:/home/user:/bin/bash\n"
                             "dup:x:1000:1000::/home/dup:/bin/sh\n"
                             ":x:2000:2000:::/bin/sh\n"
                             "last:x:4000:4000::/last:/bin/sh";

static int field_of(uid_t uid, enum passwd_field field, char **out)
{
        FILE *f = fmemopen((void *)passwd, strlen(passwd), "r");
        assert_non_null(f);
        int r = passwd_field(f, uid, field, out);
        fclose(f);
        return r;
}

static void test_name(void **state)
{
        (void)state;
        const struct {
                uid_t uid;
                int r;
                const char *name;
        } cases[] = {
            {0, 1, "root"},    {1000, 1, "user"}, /* the first entry for 1000 decides */
            {4000, 1, "last"}, {7, 1, "short"},   /* no home, but a name */
            {2000, 0, NULL},                      /* empty name */
            {5, 0, NULL},                         /* a comment */
            {1, 0, NULL},                         /* "1x" is no uid */
            {42, 0, NULL},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char *name = (char *)"untouched";
                int r = field_of(cases[i].uid, PASSWD_NAME, &name);
                assert_int_equal(r, cases[i].r);
                if (cases[i].name)
                        assert_string_equal(name, cases[i].name);
                else
                        assert_null(name);
                if (r > 0)
                        free(name);
        }
}

static void test_home(void **state)
{
        (void)state;
        _cleanup_free_ char *home = NULL;
        assert_int_equal(field_of(1000, PASSWD_HOME, &home), 1);
        assert_string_equal(home, "/home/user");
}

static void test_empty_file(void **state)
{
        (void)state;
        char *name = NULL;
        FILE *f = fopen("/dev/null", "r");
        assert_non_null(f);
        assert_int_equal(passwd_field(f, 0, PASSWD_NAME, &name), 0);
        fclose(f);
        assert_null(name);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_name),
            cmocka_unit_test(test_home),
            cmocka_unit_test(test_empty_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
