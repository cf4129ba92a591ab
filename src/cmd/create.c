/* `create [OPTION...] ID`: set the container up and leave its init waiting for `start`. */
#include <errno.h>
#include <limits.h>

#include "cmd/cmd.h"

static const struct cmd_option create_options[] = {
    CMD_CREATE_OPTIONS,
    {0},
};

int cmd_create_option(void *data, int key, const char *value, struct error **err)
{
        struct create_options *o = data;
        switch (key) {
        case 'b':
                o->bundle = value;
                return 0;
        case 'f':
                o->config_file = value;
                return 0;
        case CMD_KEY_CONSOLE_SOCKET:
                o->console_socket = value;
                return 0;
        case CMD_KEY_PID_FILE:
                o->pid_file = value;
                return 0;
        case CMD_KEY_PRESERVE_FDS:
                /* fds 3..3+N-1 must stay representable as ints */
                return cmd_parse_uint("--preserve-fds", value, INT_MAX - 3, &o->preserve_fds, err);
        case CMD_KEY_NO_PIVOT:
                o->no_pivot = true;
                return 0;
        case CMD_KEY_NO_NEW_KEYRING:
                o->no_new_keyring = true;
                return 0;
        case CMD_KEY_NO_SUBREAPER:
                /* runc's flag; the caller (conmon, containerd shim) is the subreaper anyway. */
                return 0;
        }
        return error_set(err, 0, "unhandled option %d", key);
}

int cmd_create_parse(int argc, char **argv, struct create_options *out, struct error **err)
{
        *out = (struct create_options){0};
        int first;
        int r = cmd_parse(&cmd_create_desc, argc, argv, cmd_create_option, out, &first, err);
        if (r != 0)
                return r;
        out->id = argv[first];
        return 0;
}

static int create_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct create_options opts;
        int r = cmd_create_parse(argc, argv, &opts, err);
        if (r == CMD_HELP) {
                cmd_print_help(stdout, rt->argv0_name, &cmd_create_desc);
                return 0;
        }
        if (r < 0)
                return r;
        r = container_create(rt, &opts, err);
        return r < 0 ? r : 0;
}

const struct cmd_desc cmd_create_desc = {
    .name = "create",
    .synopsis = "ID",
    .summary = "create a container (its process waits for `start`)",
    .options = create_options,
    .min_args = 1,
    .max_args = 1,
    .run = create_run,
};
