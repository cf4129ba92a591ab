/* man/crun.1 against the command table: every command has its `.SS NAME` section under COMMANDS, and
 * every option a command or the global parser accepts (with help text) is named in its section, so the
 * page cannot fall behind the code. argv[1] is the path of man/crun.1. */
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

static bool names_option(const char *text, const char *name)
{
        char want[128];
        man_option(name, want, sizeof(want));
        /* a whole option name: "\-\-cpu\-share" must not be satisfied by "\-\-cpu\-shares" */
        for (const char *p = strstr(text, want); p; p = strstr(p + 1, want)) {
                char after = p[strlen(want)];
                if (after != '\\' && (after < 'a' || after > 'z'))
                        return true;
        }
        return false;
}

/* A command whose section says "Takes the options of\n.B create" documents the shared ones there. */
static char *inherited_section(const char *text)
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
        return command_section(name);
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
                _cleanup_free_ char *inherited = inherited_section(text);
                for (const struct cmd_option *o = cmd_table[i]->options; o && !cmd_option_is_end(o); o++) {
                        if (!o->name || !o->help)
                                continue; /* short-only or hidden alias */
                        if (names_option(text, o->name) || (inherited && names_option(inherited, o->name)))
                                continue;
                        print_error("man/crun.1: section `%s` does not document --%s\n", cmd_table[i]->name, o->name);
                        missing++;
                }
        }
        assert_int_equal(missing, 0);
}

static void test_every_global_option_is_documented(void **state)
{
        (void)state;
        _cleanup_free_ char *text = section(".SH GLOBAL OPTIONS", ".SH ", ".SH ");
        assert_non_null(text);
        int missing = 0;
        for (const struct cmd_option *o = cmd_global_options; !cmd_option_is_end(o); o++)
                if (o->name && o->help && !names_option(text, o->name)) {
                        print_error("man/crun.1: GLOBAL OPTIONS does not document --%s\n", o->name);
                        missing++;
                }
        assert_int_equal(missing, 0);
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
            cmocka_unit_test(test_checker_sees_gaps),
            cmocka_unit_test(test_every_command_has_a_section),
            cmocka_unit_test(test_every_option_is_documented),
            cmocka_unit_test(test_every_global_option_is_documented),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
