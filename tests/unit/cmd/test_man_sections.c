/* man/crun.1 against the command table: every command has its `.SS NAME` section under COMMANDS, and
 * every option a command or the global parser accepts (its long name, hidden aliases included, and its
 * short name) is named in its section, so the page cannot fall behind the code. argv[1] is the path of
 * man/crun.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "core/cleanup.h"

static const char *man_text;

/* The text from the line starting with `head` up to the next line starting with `next_a` or `next_b`;
 * NULL when there is no such line. */
static char *section(const char *head, const char *next_a, const char *next_b)
{
        size_t hl = strlen(head);
        const char *start = NULL;
        for (const char *p = man_text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (!strncmp(p, head, hl) && (p[hl] == ' ' || p[hl] == '\n')) {
                        start = p;
                        break;
                }
        if (!start)
                return NULL;
        const char *end = start + strlen(start);
        for (const char *p = strchr(start, '\n'); p; p = strchr(p + 1, '\n'))
                if (!strncmp(p + 1, next_a, strlen(next_a)) || !strncmp(p + 1, next_b, strlen(next_b))) {
                        end = p + 1;
                        break;
                }
        return strndup(start, (size_t)(end - start));
}

static char *command_section(const char *name)
{
        char head[64];
        snprintf(head, sizeof(head), ".SS %s", name);
        return section(head, ".SS ", ".SH ");
}

/* "--no-pivot" as groff source: "\-\-no\-pivot". */
static void man_option(const char *name, char *out, size_t size)
{
        size_t n = 0;
        for (const char *s = "--"; *s && n + 3 < size; s++)
                n += (size_t)snprintf(out + n, size - n, "\\-");
        for (const char *s = name; *s && n + 3 < size; s++)
                n += (size_t)snprintf(out + n, size - n, *s == '-' ? "\\-" : "%c", *s);
}

/* Whether `want` stands in `text` as a whole option ("\-\-cpu\-share" is not in "\-\-cpu\-shares",
 * "\-d" is not in "\-\-detach" nor in "\-de"). */
static bool names_word(const char *text, const char *want)
{
        for (const char *p = strstr(text, want); p; p = strstr(p + 1, want)) {
                char before = p > text ? p[-1] : ' ';
                char after = p[strlen(want)];
                if (before != '-' && after != '\\' && (after < 'a' || after > 'z') && (after < 'A' || after > 'Z'))
                        return true;
        }
        return false;
}

static bool names_option(const char *text, const char *name)
{
        char want[128];
        man_option(name, want, sizeof(want));
        return names_word(text, want);
}

/* 'b' as groff source: "\-b". */
static bool names_short_option(const char *text, char short_name)
{
        char want[4] = {'\\', '-', short_name, 0};
        return names_word(text, want);
}

/* Every name of every row of `options` in `text` (or, for a command that takes the options of another,
 * in that one's section `inherited`); returns how many are missing, printed when `where` is not NULL. */
static int missing_options(const char *where, const struct cmd_option *options, const char *text, const char *inherited)
{
        int missing = 0;
        for (const struct cmd_option *o = options; o && !cmd_option_is_end(o); o++) {
                if (o->name && !names_option(text, o->name) && !(inherited && names_option(inherited, o->name))) {
                        if (where)
                                print_error("man/crun.1: %s does not document --%s\n", where, o->name);
                        missing++;
                }
                if (o->short_name && !names_short_option(text, o->short_name) &&
                    !(inherited && names_short_option(inherited, o->short_name))) {
                        if (where)
                                print_error("man/crun.1: %s does not document -%c\n", where, o->short_name);
                        missing++;
                }
        }
        return missing;
}

/* A command whose section says "Takes the options of\n.B create" documents the shared ones there. */
static const struct cmd_desc *inherited_command(const char *text)
{
        const char *p = strstr(text, "options of\n.B ");
        if (!p)
                return NULL;
        p += strlen("options of\n.B ");
        char name[32];
        size_t n = strcspn(p, " \n.");
        if (n >= sizeof(name))
                return NULL;
        memcpy(name, p, n);
        name[n] = '\0';
        return cmd_find(name);
}

static bool table_has(const struct cmd_option *options, const char *name)
{
        for (const struct cmd_option *o = options; o && !cmd_option_is_end(o); o++)
                if (o->name && !strcmp(o->name, name))
                        return true;
        return false;
}

/* An option named at `at` in `text` exists: in `own` or `inherited`, among the global options or those
 * of every command, or in the table of the command written just before it (".B delete \-\-force"). */
static bool option_exists(const char *name, const struct cmd_option *own, const struct cmd_option *inherited,
                          const char *text, const char *at)
{
        if (!strcmp(name, "help") || !strcmp(name, "usage") || table_has(own, name) || table_has(inherited, name) ||
            table_has(cmd_global_options, name))
                return true;
        for (size_t i = 0; cmd_table[i]; i++) {
                size_t n = strlen(cmd_table[i]->name);
                if ((size_t)(at - text) > n && at[-1] == ' ' && !strncmp(at - n - 1, cmd_table[i]->name, n) &&
                    table_has(cmd_table[i]->options, name))
                        return true;
        }
        return false;
}

static bool is_name_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* The options "\-\-name" written in `text` that the code does not accept; returns how many, printed
 * when `where` is not NULL. */
static int invented_options(const char *where, const struct cmd_option *own, const struct cmd_option *inherited,
                            const char *text)
{
        int invented = 0;
        for (const char *p = strstr(text, "\\-\\-"); p; p = strstr(p + 1, "\\-\\-")) {
                char name[64];
                size_t n = 0;
                for (const char *q = p + 4; n + 1 < sizeof(name);) {
                        if (is_name_char(*q)) {
                                name[n++] = *q++;
                        } else if (q[0] == '\\' && q[1] == '-' && is_name_char(q[2])) {
                                name[n++] = '-';
                                q += 2;
                        } else {
                                break;
                        }
                }
                name[n] = '\0';
                if (n == 0 || option_exists(name, own, inherited, text, p))
                        continue;
                if (where)
                        print_error("man/crun.1: %s documents --%s, which the code does not accept\n", where, name);
                invented++;
        }
        return invented;
}

static void test_every_command_has_a_section(void **state)
{
        (void)state;
        int missing = 0;
        for (size_t i = 0; cmd_table[i]; i++) {
                _cleanup_free_ char *text = command_section(cmd_table[i]->name);
                if (!text) {
                        print_error("man/crun.1: no `.SS %s` section for the command `%s`\n", cmd_table[i]->name,
                                    cmd_table[i]->name);
                        missing++;
                }
        }
        assert_int_equal(missing, 0);
}

static void test_every_option_is_documented(void **state)
{
        (void)state;
        int missing = 0;
        for (size_t i = 0; cmd_table[i]; i++) {
                _cleanup_free_ char *text = command_section(cmd_table[i]->name);
                if (!text)
                        continue; /* reported by test_every_command_has_a_section */
                const struct cmd_desc *parent = inherited_command(text);
                _cleanup_free_ char *inherited = parent ? command_section(parent->name) : NULL;
                char where[64];
                snprintf(where, sizeof(where), "section `%s`", cmd_table[i]->name);
                missing += missing_options(where, cmd_table[i]->options, text, inherited);
        }
        assert_int_equal(missing, 0);
}

/* The other way round: the page names no option the code would refuse. */
static void test_no_option_is_invented(void **state)
{
        (void)state;
        int invented = 0;
        for (size_t i = 0; cmd_table[i]; i++) {
                _cleanup_free_ char *text = command_section(cmd_table[i]->name);
                if (!text)
                        continue;
                const struct cmd_desc *parent = inherited_command(text);
                char where[64];
                snprintf(where, sizeof(where), "section `%s`", cmd_table[i]->name);
                invented += invented_options(where, cmd_table[i]->options, parent ? parent->options : NULL, text);
        }
        _cleanup_free_ char *global = section(".SH GLOBAL OPTIONS", ".SH ", ".SH ");
        invented += invented_options("GLOBAL OPTIONS", NULL, NULL, global);
        assert_int_equal(invented, 0);
}

static void test_every_global_option_is_documented(void **state)
{
        (void)state;
        _cleanup_free_ char *text = section(".SH GLOBAL OPTIONS", ".SH ", ".SH ");
        assert_non_null(text);
        assert_int_equal(missing_options("GLOBAL OPTIONS", cmd_global_options, text, NULL), 0);
}

/* The checker itself: a missing section and a missing option are seen. */
static void test_checker_sees_gaps(void **state)
{
        (void)state;
        const char *saved = man_text;
        man_text = ".SH COMMANDS\n.SS start ID\nStart.\n.SS run ID\n.BI \\-\\-cpu\\-shares= N\n.SH EXIT\n";
        _cleanup_free_ char *start = command_section("start");
        _cleanup_free_ char *run = command_section("run");
        _cleanup_free_ char *missing = command_section("exec");
        man_text = saved;
        assert_non_null(start);
        assert_null(strstr(start, "run"));
        assert_null(missing);
        assert_true(names_option(run, "cpu-shares"));
        assert_false(names_option(run, "cpu-share"));
        assert_false(names_option(start, "cpu-shares"));
        assert_false(names_short_option(run, 'c'));

        static const struct cmd_option table[] = {
            {"cpu-shares", 0, CMD_ARG_REQUIRED, "N", NULL},
            {"cpu-share", 0, CMD_ARG_REQUIRED, "N", "shares"},
            {"detach", 'd', CMD_ARG_NONE, NULL, "detach"},
            {0},
        };
        /* the hidden alias is documented; --cpu-share, --detach and -d are not */
        assert_int_equal(missing_options(NULL, table, run, NULL), 3);
        /* an option of no table, and one of another command not written after that command's name */
        assert_int_equal(invented_options(NULL, table, NULL, ".B \\-\\-cpu\\-share \\-\\-bogus \\-\\-all"), 2);
        assert_int_equal(invented_options(NULL, NULL, NULL, ".B kill \\-\\-all, \\-\\-help, \\-\\-root\n"), 0);
        assert_true(names_short_option("\n.BR \\-d \", \" \\-\\-detach\n", 'd'));
        assert_false(names_short_option("\n.B \\-\\-detach\n", 'd'));
}

static char *read_file(const char *path)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        char *buf = NULL;
        size_t size = 0;
        _cleanup_fclose_ FILE *out = open_memstream(&buf, &size);
        if (!out)
                return NULL;
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                fwrite(chunk, 1, n, out);
        fclose(out);
        out = NULL;
        return buf;
}

int main(int argc, char **argv)
{
        if (argc != 2) {
                fprintf(stderr, "usage: %s MAN-PAGE\n", argv[0]);
                return 2;
        }
        _cleanup_free_ char *text = read_file(argv[1]);
        man_text = text;
        if (!text) {
                fprintf(stderr, "%s: cannot read\n", argv[1]);
                return 2;
        }
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_checker_sees_gaps),          cmocka_unit_test(test_every_command_has_a_section),
            cmocka_unit_test(test_every_option_is_documented), cmocka_unit_test(test_every_global_option_is_documented),
            cmocka_unit_test(test_no_option_is_invented),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
