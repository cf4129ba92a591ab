/* Table-driven option parsing shared by every command and the global options. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/cleanup.h"

/* getopt_long's value for a long-only option is CMD_KEY_LONG + its row; -?/--help/--usage come above. */
enum { CMD_KEY_LONG = 0x100, KEY_HELP = 0x10000, KEY_USAGE };

#define HELP_COLUMN 32

static size_t count_options(const struct cmd_option *options)
{
        size_t n = 0;
        while (options && !cmd_option_is_end(&options[n]))
                n++;
        return n;
}

/* What getopt_long returns for the row: its short name, which the long name shares. */
static int option_key(const struct cmd_option *options, size_t i)
{
        return options[i].short_name ? options[i].short_name : CMD_KEY_LONG + (int)i;
}

static const struct cmd_option *find_key(const struct cmd_option *options, int key)
{
        size_t n = count_options(options);
        if (key >= CMD_KEY_LONG)
                return key - CMD_KEY_LONG < (int)n ? &options[key - CMD_KEY_LONG] : NULL;
        for (size_t i = 0; i < n; i++)
                if (key > 0 && options[i].short_name == key)
                        return &options[i];
        return NULL;
}

static const int getopt_has_arg[] = {
    [CMD_ARG_NONE] = no_argument,
    [CMD_ARG_REQUIRED] = required_argument,
    [CMD_ARG_OPTIONAL] = optional_argument,
};
static const char *const optstring_suffix[] = {
    [CMD_ARG_NONE] = "", [CMD_ARG_REQUIRED] = ":", [CMD_ARG_OPTIONAL] = "::"};

/* How the user spelled the option `key`, for messages. */
static void option_label(const struct cmd_option *options, int key, char *buf, size_t size)
{
        const struct cmd_option *o = find_key(options, key);
        if (key == KEY_HELP || key == KEY_USAGE)
                snprintf(buf, size, "--%s", key == KEY_HELP ? "help" : "usage");
        else if (o && o->name)
                snprintf(buf, size, "--%s", o->name);
        else
                snprintf(buf, size, "-%c", key);
}

static int report_getopt_error(const char *what, const struct cmd_option *options, int c, int argc, char **argv,
                               struct error **err)
{
        char label[128];
        if (c == ':') {
                option_label(options, optopt, label, sizeof(label));
                return error_set(err, 0, "%s: option `%s` requires an argument", what, label);
        }
        if (optopt != 0 && (find_key(options, optopt) || optopt >= KEY_HELP)) {
                /* A known option: only a value given to a flag (`--detach=x`) makes getopt fail on it. */
                option_label(options, optopt, label, sizeof(label));
                return error_set(err, 0, "%s: option `%s` does not take a value", what, label);
        }
        if (optopt != 0 && optopt < CMD_KEY_LONG)
                return error_set(err, 0, "%s: unknown option `-%c` (see `%s --help`)", what, optopt, what);
        /* Unknown or ambiguous long option: getopt already stepped past it. */
        const char *token = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
        size_t len = strcspn(token, "=");
        return error_set(err, 0, "%s: unknown option `%.*s` (see `%s --help`)", what, (int)len, token, what);
}

/* getopt_long's two tables from ours (plus --help and --usage). Caller frees both. */
static int getopt_tables(const struct cmd_option *options, struct option **longopts, char **shortopts)
{
        size_t n = count_options(options);
        *longopts = calloc(n + 3, sizeof(**longopts));
        /* "+:" + at most 3 characters per option + NUL */
        *shortopts = malloc(2 + 3 * n + 1);
        if (!*longopts || !*shortopts)
                return -ENOMEM;

        size_t nl = 0, ns = 0;
        char *s = *shortopts;
        /* "+": stop at the first positional argument; ":": report a missing value as ':' not '?'. */
        s[ns++] = '+';
        s[ns++] = ':';
        for (size_t i = 0; i < n; i++) {
                const struct cmd_option *o = &options[i];
                if (o->name)
                        (*longopts)[nl++] =
                            (struct option){o->name, getopt_has_arg[o->has_arg], NULL, option_key(options, i)};
                if (o->short_name) {
                        s[ns++] = o->short_name;
                        const char *suffix = optstring_suffix[o->has_arg];
                        memcpy(s + ns, suffix, strlen(suffix));
                        ns += strlen(suffix);
                }
        }
        s[ns] = 0;
        (*longopts)[nl++] = (struct option){"help", no_argument, NULL, KEY_HELP};
        (*longopts)[nl++] = (struct option){"usage", no_argument, NULL, KEY_USAGE};
        (*longopts)[nl] = (struct option){0};
        return 0;
}

int cmd_parse_options(const char *what, const struct cmd_option *options, int argc, char **argv, void *out,
                      int *first_arg, struct error **err)
{
        _cleanup_free_ struct option *longopts = NULL;
        _cleanup_free_ char *shortopts = NULL;
        if (getopt_tables(options, &longopts, &shortopts) < 0)
                return error_set(err, ENOMEM, "%s: parse options", what);

        /* optind = 0 makes glibc reinitialise completely, so parsers can run more than once (tests). */
        optind = 0;
        opterr = 0;
        int c;
        while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
                if (c == KEY_HELP || c == KEY_USAGE || (c == '?' && optopt == '?'))
                        return CMD_HELP;
                if (c == '?' || c == ':')
                        return report_getopt_error(what, options, c, argc, argv, err);
                const struct cmd_option *o = find_key(options, c);
                /* Only a table without rows comes without a struct to fill. */
                if (!o || !out)
                        return error_set(err, EINVAL, "%s: option %d has no table row to store it in", what, c);
                if (o->seen)
                        *(bool *)((char *)out + o->seen) = true;
                int r = o->set ? o->set(what, o, out, optarg, err) : 0;
                if (r < 0)
                        return r;
        }
        *first_arg = optind;
        return 0;
}

int cmd_check_nargs(const struct cmd_desc *cmd, int nargs, struct error **err)
{
        if (nargs < cmd->min_args)
                return error_set(err, 0, "`%s` requires a minimum of %d arguments", cmd->name, cmd->min_args);
        if (cmd->max_args >= 0 && nargs > cmd->max_args)
                return error_set(err, 0, "`%s` requires a maximum of %d arguments", cmd->name, cmd->max_args);
        return 0;
}

int cmd_parse(const struct cmd_desc *cmd, int argc, char **argv, void *out, int *first_arg, struct error **err)
{
        int r = cmd_parse_options(cmd->name, cmd->options, argc, argv, out, first_arg, err);
        if (r != 0)
                return r;
        return cmd_check_nargs(cmd, argc - *first_arg, err);
}

int cmd_parse_id(const struct cmd_desc *cmd, int argc, char **argv, void *out, const char **id, struct error **err)
{
        int first = 0;
        int r = cmd_parse(cmd, argc, argv, out, &first, err);
        if (r != 0)
                return r;
        *id = argv[first];
        return 0;
}

int cmd_help_or_error(const struct runtime_ctx *rt, const struct cmd_desc *cmd, int r)
{
        if (r != CMD_HELP)
                return r;
        cmd_print_help(stdout, rt->argv0_name, cmd);
        return 0;
}

int cmd_run_on_id(struct runtime_ctx *rt, const struct cmd_desc *cmd, int argc, char **argv,
                  int (*fn)(struct runtime_ctx *rt, const char *id, struct error **err), struct error **err)
{
        const char *id = NULL;
        int r = cmd_parse_id(cmd, argc, argv, NULL, &id, err);
        if (r != 0)
                return cmd_help_or_error(rt, cmd, r);
        r = fn(rt, id, err);
        return r < 0 ? r : 0;
}

static void print_option_line(FILE *f, const char *left, const char *help)
{
        int len = fprintf(f, "%s", left);
        if (len >= HELP_COLUMN - 1) {
                fputc('\n', f);
                len = 0;
        }
        fprintf(f, "%*s%s\n", HELP_COLUMN - len, "", help);
}

void cmd_print_options(FILE *f, const struct cmd_option *options)
{
        for (size_t i = 0; options && !cmd_option_is_end(&options[i]); i++) {
                const struct cmd_option *o = &options[i];
                if (!o->help)
                        continue;
                char left[128], shortpart[8] = "    ", value[64] = "";
                if (o->short_name)
                        snprintf(shortpart, sizeof(shortpart), "-%c%s", o->short_name, o->name ? ", " : "");
                if (o->has_arg == CMD_ARG_REQUIRED)
                        snprintf(value, sizeof(value), "%s%s", o->name ? "=" : " ", o->metavar);
                else if (o->has_arg == CMD_ARG_OPTIONAL)
                        snprintf(value, sizeof(value), "[=%s]", o->metavar);
                snprintf(left, sizeof(left), "  %s%s%s%s", shortpart, o->name ? "--" : "", o->name ? o->name : "",
                         value);
                print_option_line(f, left, o->help);
        }
        print_option_line(f, "  -?, --help", "give this help list");
        print_option_line(f, "      --usage", "give this help list");
}

void cmd_print_help(FILE *f, const char *prog, const struct cmd_desc *cmd)
{
        fprintf(f, "Usage: %s [GLOBAL-OPTION...] %s [OPTION...]%s%s\n%s\n\nOptions:\n", prog, cmd->name,
                *cmd->synopsis ? " " : "", cmd->synopsis, cmd->summary);
        cmd_print_options(f, cmd->options);
}

int cmd_parse_uint(const char *opt, const char *value, int max, int *out, struct error **err)
{
        if (!value || value[0] < '0' || value[0] > '9')
                return error_set(err, 0, "%s: invalid number `%s` (expected 0..%d)", opt, value ? value : "", max);
        errno = 0;
        char *end;
        long v = strtol(value, &end, 10);
        if (errno || *end || v > max)
                return error_set(err, 0, "%s: invalid number `%s` (expected 0..%d)", opt, value, max);
        *out = (int)v;
        return 0;
}

int cmd_set_string(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        (void)what;
        (void)err;
        /* memcpy: the member may be declared `char *` (strings borrowed from argv, never written). */
        memcpy(cmd_option_field(opt, out), &value, sizeof(value));
        return 0;
}

int cmd_set_true(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        (void)what;
        (void)value;
        (void)err;
        *(bool *)cmd_option_field(opt, out) = true;
        return 0;
}

int cmd_set_uint(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        (void)what;
        char label[64];
        snprintf(label, sizeof(label), "--%s", opt->name);
        return cmd_parse_uint(label, value, (int)opt->max, cmd_option_field(opt, out), err);
}

static const char *const format_names[] = {[CMD_FORMAT_TABLE] = "table", [CMD_FORMAT_JSON] = "json"};

int cmd_set_format(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        for (size_t i = 0; i < ARRAY_SIZE(format_names); i++)
                if (!strcmp(value, format_names[i])) {
                        *(enum cmd_format *)cmd_option_field(opt, out) = (enum cmd_format)i;
                        return 0;
                }
        return error_set(err, 0, "%s: unknown format `%s` (expected table or json)", what, value);
}
