/* Global options: everything between the program name and the command. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "core/cleanup.h"
#include "core/log.h"

static const struct {
        const char *name;
        enum cmd_rootless value;
} rootless_names[] = {
    {"auto", CMD_ROOTLESS_AUTO},   {"true", CMD_ROOTLESS_TRUE}, {"1", CMD_ROOTLESS_TRUE},
    {"false", CMD_ROOTLESS_FALSE}, {"0", CMD_ROOTLESS_FALSE},
};

static int set_rootless(const char *what, const struct cmd_option *opt, void *out, const char *value,
                        struct error **err)
{
        (void)what;
        (void)opt;
        struct global_options *o = out;
        for (size_t i = 0; i < ARRAY_SIZE(rootless_names); i++)
                if (!strcasecmp(value, rootless_names[i].name)) {
                        o->rootless = rootless_names[i].value;
                        return 0;
                }
        return error_set(err, 0, "--rootless: invalid value `%s` (expected true, false or auto)", value);
}

static int set_root(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        if (!*value)
                return error_set(err, 0, "--root: empty path");
        return cmd_set_string(what, opt, out, value, err);
}

static int set_log_format(const char *what, const struct cmd_option *opt, void *out, const char *value,
                          struct error **err)
{
        (void)what;
        (void)opt;
        int v = log_format_from_name(value);
        if (v < 0)
                return error_set(err, 0, "--log-format: unknown format `%s` (expected text or json)", value);
        ((struct global_options *)out)->log_format = v;
        return 0;
}

static int set_log_level(const char *what, const struct cmd_option *opt, void *out, const char *value,
                         struct error **err)
{
        (void)what;
        (void)opt;
        int v = value ? log_level_from_name(value) : LOG_DEBUG; /* --debug: no value */
        if (v < 0)
                return error_set(err, 0, "--log-level: unknown level `%s` (expected error, warning, info or debug)",
                                 value);
        ((struct global_options *)out)->log_level = v;
        return 0;
}

static int set_cgroup_manager(const char *what, const struct cmd_option *opt, void *out, const char *value,
                              struct error **err)
{
        (void)what;
        (void)opt;
        /* --systemd-cgroup: no value */
        int v = value ? cgroup_driver_from_name(value) : CGROUP_DRIVER_SYSTEMD;
        if (v < 0)
                return error_set(
                    err, 0, "--cgroup-manager: unknown manager `%s` (expected cgroupfs, systemd or disabled)", value);
        ((struct global_options *)out)->cgroup_manager = v;
        return 0;
}

#define FIELD(member) offsetof(struct global_options, member)

const struct cmd_option cmd_global_options[] = {
    {"root", 0, CMD_ARG_REQUIRED, "DIR",
     "state directory (default: /run/krun; rootless: $XDG_RUNTIME_DIR/krun, else /run/user/UID/krun)", set_root,
     FIELD(root)},
    {"log", 0, CMD_ARG_REQUIRED, "DEST", "log to PATH or file:PATH instead of stderr", cmd_set_string, FIELD(log)},
    {"log-format", 0, CMD_ARG_REQUIRED, "FORMAT", "text (default) or json", set_log_format},
    {"log-level", 0, CMD_ARG_REQUIRED, "LEVEL", "error (default), warning or debug", set_log_level},
    {"debug", 0, CMD_ARG_NONE, NULL, "same as --log-level=debug", set_log_level},
    {"systemd-cgroup", 0, CMD_ARG_NONE, NULL, "use the systemd cgroup driver", set_cgroup_manager, 0,
     FIELD(cgroup_manager_given)},
    {"cgroup-manager", 0, CMD_ARG_REQUIRED, "MANAGER", "cgroupfs (default), systemd or disabled", set_cgroup_manager, 0,
     FIELD(cgroup_manager_given)},
    {"rootless", 0, CMD_ARG_REQUIRED, "VALUE", "true, false or auto (default: auto)", set_rootless},
    {"criu", 0, CMD_ARG_REQUIRED, "PATH", "path of the criu binary", cmd_set_string, FIELD(criu)},
    {"version", 'v', CMD_ARG_NONE, NULL, "print the version and exit", cmd_set_true, FIELD(want_version)},
    {NULL, 'V', CMD_ARG_NONE, NULL, NULL, cmd_set_true, FIELD(want_version)},
    {0},
};

int cmd_global_parse(int argc, char **argv, struct global_options *out, int *cmd_index, struct error **err)
{
        *out = (struct global_options){
            .log_format = LOG_TEXT,
            .log_level = LOG_ERROR,
            .cgroup_manager = CGROUP_DRIVER_CGROUPFS,
            .rootless = CMD_ROOTLESS_AUTO,
        };
        const char *prog = argc > 0 && argv[0] ? argv[0] : "crun";
        const char *slash = strrchr(prog, '/');
        return cmd_parse_options(slash ? slash + 1 : prog, cmd_global_options, argc, argv, out, cmd_index, err);
}

void cmd_print_global_help(FILE *f, const char *prog)
{
        fprintf(f,
                "Usage: %s [GLOBAL-OPTION...] COMMAND [OPTION...] [ARG...]\n"
                "OCI container runtime; invoked as `krun`, containers run in a libkrun microVM.\n\nCommands:\n",
                prog);
        for (size_t i = 0; cmd_table[i]; i++)
                fprintf(f, "  %-12s%s\n", cmd_table[i]->name, cmd_table[i]->summary);
        fprintf(f, "\nGlobal options:\n");
        cmd_print_options(f, cmd_global_options);
        fprintf(f, "\nRun `%s COMMAND --help` for the options of a command.\n", prog);
}
