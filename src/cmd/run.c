/* `run [OPTION...] ID`: create + start; in the foreground, wait and exit with the container's status. */
#include <errno.h>

#include "cmd/cmd.h"

static const struct cmd_option run_options[] = {
    CMD_CREATE_OPTIONS,
    {"detach", 'd', CMD_ARG_NONE, NULL, "return once the container is started"},
    {"keep", CMD_KEY_KEEP, CMD_ARG_NONE, NULL, "do not delete the container after it exits"},
    {0},
};

static int run_option(void *data, int key, const char *value, struct error **err)
{
        struct create_options *o = data;
        switch (key) {
        case 'd':
                o->detach = true;
                return 0;
        case CMD_KEY_KEEP:
                o->keep = true;
                return 0;
        }
        return cmd_create_option(data, key, value, err);
}

int cmd_run_parse(int argc, char **argv, struct create_options *out, struct error **err)
{
        *out = (struct create_options){0};
        int first;
        int r = cmd_parse(&cmd_run_desc, argc, argv, run_option, out, &first, err);
        if (r != 0)
                return r;
        out->id = argv[first];
        return 0;
}

static int run_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct create_options opts;
        int r = cmd_run_parse(argc, argv, &opts, err);
        if (r == CMD_HELP) {
                cmd_print_help(stdout, rt->argv0_name, &cmd_run_desc);
                return 0;
        }
        if (r < 0)
                return r;
        int exit_status = 0;
        r = container_run(rt, &opts, &exit_status, err);
        if (r < 0)
                return r;
        return opts.detach ? 0 : exit_status;
}

const struct cmd_desc cmd_run_desc = {
    .name = "run",
    .synopsis = "ID",
    .summary = "create and start a container; in the foreground, exit with its status",
    .options = run_options,
    .min_args = 1,
    .max_args = 1,
    .run = run_run,
};
