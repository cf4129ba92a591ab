/* `run [OPTION...] ID`: create + start; in the foreground, wait and exit with the container's status. */
#include "cmd/cmd.h"

static const struct cmd_option run_options[] = {
    CMD_CREATE_OPTIONS,
    {"detach", 'd', CMD_ARG_NONE, NULL, "return once the container is started", cmd_set_true, CMD_CREATE_FIELD(detach)},
    {"keep", 0, CMD_ARG_NONE, NULL, "do not delete the container after it exits", cmd_set_true, CMD_CREATE_FIELD(keep)},
    {0},
};

int cmd_run_parse(int argc, char **argv, struct create_options *out, struct error **err)
{
        *out = (struct create_options){0};
        return cmd_parse_id(&cmd_run_desc, argc, argv, out, &out->id, err);
}

static int run_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct create_options opts;
        int r = cmd_run_parse(argc, argv, &opts, err);
        if (r != 0)
                return cmd_help_or_error(rt, &cmd_run_desc, r);
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
