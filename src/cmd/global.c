/* Global options: everything between the program name and the command. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "core/cleanup.h"
#include "core/log.h"

enum {
        KEY_ROOT = CMD_KEY_LONG,
        KEY_LOG,
        KEY_LOG_FORMAT,
        KEY_LOG_LEVEL,
        KEY_DEBUG,
        KEY_SYSTEMD_CGROUP,
        KEY_CGROUP_MANAGER,
        KEY_ROOTLESS,
        KEY_CRIU,
};

const struct cmd_option cmd_global_options[] = {
    {"root", KEY_ROOT, CMD_ARG_REQUIRED, "DIR",
     "state directory (default: /run/krun; rootless: $XDG_RUNTIME_DIR/krun)"},
    {"log", KEY_LOG, CMD_ARG_REQUIRED, "DEST", "log to PATH or file:PATH instead of stderr"},
    {"log-format", KEY_LOG_FORMAT, CMD_ARG_REQUIRED, "FORMAT", "text (default) or json"},
    {"log-level", KEY_LOG_LEVEL, CMD_ARG_REQUIRED, "LEVEL", "error (default), warning or debug"},
    {"debug", KEY_DEBUG, CMD_ARG_NONE, NULL, "same as --log-level=debug"},
    {"systemd-cgroup", KEY_SYSTEMD_CGROUP, CMD_ARG_NONE, NULL, "use the systemd cgroup driver"},
    {"cgroup-manager", KEY_CGROUP_MANAGER, CMD_ARG_REQUIRED, "MANAGER", "cgroupfs (default), systemd or disabled"},
    {"rootless", KEY_ROOTLESS, CMD_ARG_REQUIRED, "VALUE", "true, false or auto (default: auto)"},
    {"criu", KEY_CRIU, CMD_ARG_REQUIRED, "PATH", "path of the criu binary"},
    {"version", 'v', CMD_ARG_NONE, NULL, "print the version and exit"},
    {NULL, 'V', CMD_ARG_NONE, NULL, NULL},
    {0},
};

static const struct {
        const char *name;
        enum cmd_rootless value;
} rootless_names[] = {
    {"auto", CMD_ROOTLESS_AUTO},   {"true", CMD_ROOTLESS_TRUE}, {"1", CMD_ROOTLESS_TRUE},
    {"false", CMD_ROOTLESS_FALSE}, {"0", CMD_ROOTLESS_FALSE},
};

static int parse_rootless(const char *value, enum cmd_rootless *out, struct error **err)
{
        for (size_t i = 0; i < ARRAY_SIZE(rootless_names); i++)
                if (!strcasecmp(value, rootless_names[i].name)) {
                        *out = rootless_names[i].value;
                        return 0;
                }
        return error_set(err, 0, "--rootless: invalid value `%s` (expected true, false or auto)", value);
}

static int global_option(void *data, int key, const char *value, struct error **err)
{
        struct global_options *o = data;
        int v;
        switch (key) {
        case KEY_ROOT:
                if (!*value)
                        return error_set(err, 0, "--root: empty path");
                o->root = value;
                return 0;
        case KEY_LOG:
                o->log = value;
                return 0;
        case KEY_LOG_FORMAT:
                if ((v = log_format_from_name(value)) < 0)
                        return error_set(err, 0, "--log-format: unknown format `%s` (expected text or json)", value);
                o->log_format = v;
                return 0;
        case KEY_LOG_LEVEL:
                if ((v = log_level_from_name(value)) < 0)
                        return error_set(
                            err, 0, "--log-level: unknown level `%s` (expected error, warning, info or debug)", value);
                o->log_level = v;
                return 0;
        case KEY_DEBUG:
                o->log_level = LOG_DEBUG;
                return 0;
        case KEY_SYSTEMD_CGROUP:
                o->cgroup_manager = CGROUP_DRIVER_SYSTEMD;
                o->cgroup_manager_given = true;
                return 0;
        case KEY_CGROUP_MANAGER:
                if ((v = cgroup_driver_from_name(value)) < 0)
                        return error_set(
                            err, 0, "--cgroup-manager: unknown manager `%s` (expected cgroupfs, systemd or disabled)",
                            value);
                o->cgroup_manager = v;
                o->cgroup_manager_given = true;
                return 0;
        case KEY_ROOTLESS:
                return parse_rootless(value, &o->rootless, err);
        case KEY_CRIU:
                o->criu = value;
                return 0;
        case 'v':
        case 'V':
                o->want_version = true;
                return 0;
        }
        return error_set(err, 0, "unhandled option %d", key);
}

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
        return cmd_parse_options(slash ? slash + 1 : prog, cmd_global_options, argc, argv, global_option, out,
                                 cmd_index, err);
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
