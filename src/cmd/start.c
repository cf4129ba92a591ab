/* `start ID`: let a created container's process exec the workload. */
#include <errno.h>

#include "cmd/cmd.h"

static const struct cmd_option start_options[] = {{0}};

static int no_option(void *data, int key, const char *value, struct error **err)
{
        (void)data;
        (void)value;
        return error_set(err, 0, "start: unhandled option %d", key);
}

int cmd_start_parse(int argc, char **argv, const char **id, struct error **err)
{
        int first;
        int r = cmd_parse(&cmd_start_desc, argc, argv, no_option, NULL, &first, err);
        if (r != 0)
                return r;
        *id = argv[first];
        return 0;
}

static int start_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        const char *id = NULL;
        int r = cmd_start_parse(argc, argv, &id, err);
        if (r == CMD_HELP) {
                cmd_print_help(stdout, rt->argv0_name, &cmd_start_desc);
                return 0;
        }
        if (r < 0)
                return r;
        r = container_start(rt, id, err);
        return r < 0 ? r : 0;
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
