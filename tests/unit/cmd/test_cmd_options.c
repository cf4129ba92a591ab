/* The option-table machinery of src/cmd/options.c on a table of its own: every row kind (short and
 * long, long only, short-only alias, hidden alias, ignored, optional value), the stock setters, the
 * `seen` flag, and the messages for what getopt refuses. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "core/cleanup.h"

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
#define PARSE(out, first, ...)                                                                                         \
        cmd_parse_options("demo", demo_options, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), out, first, &err)

struct demo {
        int count;
        const char *name;
        bool verbose, count_given;
        enum cmd_format format;
        const char *level; /* --level[=L] */
        int levels;
};

/* An optional value: "--level" alone counts, "--level=x" stores x. */
static int set_level(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        struct demo *d = out;
        d->levels++;
        return value ? cmd_set_string(what, opt, out, value, err) : 0;
}

#define FIELD(member) offsetof(struct demo, member)

static const struct cmd_option demo_options[] = {
    {"name", 'n', CMD_ARG_REQUIRED, "NAME", "a name", cmd_set_string, FIELD(name)},
    {"count", 0, CMD_ARG_REQUIRED, "N", "a count", cmd_set_uint, FIELD(count), FIELD(count_given), .max = 5},
    {"number", 0, CMD_ARG_REQUIRED, "N", NULL, cmd_set_uint, FIELD(count), FIELD(count_given), .max = 5},
    {"verbose", 'v', CMD_ARG_NONE, NULL, "be verbose", cmd_set_true, FIELD(verbose)},
    {NULL, 'V', CMD_ARG_NONE, NULL, NULL, cmd_set_true, FIELD(verbose)},
    {"format", 'f', CMD_ARG_REQUIRED, "FORMAT", "table or json", cmd_set_format, FIELD(format)},
    {"level", 0, CMD_ARG_OPTIONAL, "L", "a level", set_level, FIELD(level)},
    {"compat", 0, CMD_ARG_NONE, NULL, "ignored", NULL, 0},
    {0},
};

static void expect_error(int r, struct error **err, const char *want)
{
        assert_true(r < 0);
        assert_non_null(*err);
        if (strcmp((*err)->msg, want) != 0)
                fail_msg("error \"%s\" is not \"%s\"", (*err)->msg, want);
        error_free(err);
}

static void test_rows(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct demo d = {0};
        int first = -1;
        assert_int_equal(PARSE(&d, &first, "demo", "-nx", "--count=3", "-V", "--format", "json", "--level", "--compat",
                               "--level=hi", "ID", "--name", "ignored"),
                         0);
        assert_int_equal(first, 9);
        assert_string_equal(d.name, "x");
        assert_int_equal(d.count, 3);
        assert_true(d.count_given);
        assert_true(d.verbose);
        assert_int_equal(d.format, CMD_FORMAT_JSON);
        assert_string_equal(d.level, "hi");
        assert_int_equal(d.levels, 2);

        d = (struct demo){0};
        assert_int_equal(PARSE(&d, &first, "demo", "--number", "5", "--name", "y", "--verbose", "--", "-v"), 0);
        assert_int_equal(first, 7); /* after "--" */
        assert_int_equal(d.count, 5);
        assert_true(d.count_given);
        assert_string_equal(d.name, "y");
        assert_true(d.verbose);

        d = (struct demo){0};
        assert_int_equal(PARSE(&d, &first, "demo", "ID"), 0);
        assert_false(d.count_given);
        assert_false(d.verbose);
        assert_int_equal(PARSE(&d, &first, "demo", "-v", "--help", "--bogus"), CMD_HELP);
        assert_int_equal(PARSE(&d, &first, "demo", "-?"), CMD_HELP);
}

static void test_refusals(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct demo d = {0};
        int first = -1;
        expect_error(PARSE(&d, &first, "demo", "--count=6"), &err, "--count: invalid number `6` (expected 0..5)");
        expect_error(PARSE(&d, &first, "demo", "--number=x"), &err, "--number: invalid number `x` (expected 0..5)");
        expect_error(PARSE(&d, &first, "demo", "-f", "yaml"), &err,
                     "demo: unknown format `yaml` (expected table or json)");
        expect_error(PARSE(&d, &first, "demo", "-n"), &err, "demo: option `--name` requires an argument");
        expect_error(PARSE(&d, &first, "demo", "--count"), &err, "demo: option `--count` requires an argument");
        expect_error(PARSE(&d, &first, "demo", "--compat=1"), &err, "demo: option `--compat` does not take a value");
        expect_error(PARSE(&d, &first, "demo", "--verbose=1"), &err, "demo: option `--verbose` does not take a value");
        expect_error(PARSE(&d, &first, "demo", "--help=1"), &err, "demo: option `--help` does not take a value");
        expect_error(PARSE(&d, &first, "demo", "-x"), &err, "demo: unknown option `-x` (see `demo --help`)");
        expect_error(PARSE(&d, &first, "demo", "--bogus=2"), &err,
                     "demo: unknown option `--bogus` (see `demo --help`)");
        /* a prefix of two options is ambiguous */
        expect_error(PARSE(&d, &first, "demo", "--n", "1"), &err, "demo: unknown option `--n` (see `demo --help`)");
}

/* Hidden rows stay out of --help; the others show their short name, value and help. */
static void test_help(void **state)
{
        (void)state;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        assert_non_null(f);
        cmd_print_options(f, demo_options);
        fclose(f);
        assert_non_null(strstr(buf, "  -n, --name=NAME"));
        assert_non_null(strstr(buf, "      --count=N"));
        assert_non_null(strstr(buf, "  -v, --verbose"));
        assert_non_null(strstr(buf, "      --level[=L]"));
        assert_non_null(strstr(buf, "  -?, --help"));
        assert_null(strstr(buf, "--number"));
        assert_null(strstr(buf, "-V"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_rows),
            cmocka_unit_test(test_refusals),
            cmocka_unit_test(test_help),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
