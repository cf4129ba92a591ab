/* `create [OPTION...] ID`: set the container up and leave its init waiting for `start`. */
#include "cmd/cmd.h"

static const struct cmd_option create_options[] = {
    CMD_CREATE_OPTIONS,
    {0},
};

int cmd_create_parse(int argc, char **argv, struct create_options *out, struct error **err)
{
        *out = (struct create_options){0};
        return cmd_parse_id(&cmd_create_desc, argc, argv, out, &out->id, err);
}

static int create_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct create_options opts;
        int r = cmd_create_parse(argc, argv, &opts, err);
        if (r != 0)
                return cmd_help_or_error(rt, &cmd_create_desc, r);
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
