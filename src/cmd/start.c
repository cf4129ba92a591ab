/* `start ID`: let a created container's process exec the workload. */
#include "cmd/cmd.h"

static const struct cmd_option start_options[] = {{0}};

int cmd_start_parse(int argc, char **argv, const char **id, struct error **err)
{
        return cmd_parse_id(&cmd_start_desc, argc, argv, NULL, id, err);
}

static int start_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        return cmd_run_on_id(rt, &cmd_start_desc, argc, argv, container_start, err);
}

const struct cmd_desc cmd_start_desc = {
    .name = "start",
    .synopsis = "ID",
    .summary = "start a created container",
    .options = start_options,
    .min_args = 1,
    .max_args = 1,
    .run = start_run,
};
