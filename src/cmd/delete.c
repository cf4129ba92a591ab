/* `delete [OPTION...] ID`: remove a stopped (or, with --force, any) container. */
#include <errno.h>

#include "cmd/cmd.h"

static const struct cmd_option delete_options[] = {
    {"force", 'f', CMD_ARG_NONE, NULL, "kill the container first if needed; an unknown ID is not an error"},
    {0},
};

static int delete_option(void *data, int key, const char *value, struct error **err)
{
        struct delete_options *o = data;
        (void)value;
        if (key == 'f') {
                o->force = true;
                return 0;
        }
        return error_set(err, 0, "delete: unhandled option %d", key);
}

int cmd_delete_parse(int argc, char **argv, struct delete_options *out, struct error **err)
{
        *out = (struct delete_options){0};
        int first;
        int r = cmd_parse(&cmd_delete_desc, argc, argv, delete_option, out, &first, err);
        if (r != 0)
                return r;
        out->id = argv[first];
        return 0;
}

static int delete_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct delete_options opts;
        int r = cmd_delete_parse(argc, argv, &opts, err);
        if (r == CMD_HELP) {
                cmd_print_help(stdout, rt->argv0_name, &cmd_delete_desc);
                return 0;
        }
        if (r < 0)
                return r;
        r = container_delete(rt, opts.id, opts.force, err);
        return r < 0 ? r : 0;
}

const struct cmd_desc cmd_delete_desc = {
    .name = "delete",
    .synopsis = "ID",
    .summary = "delete a container",
    .options = delete_options,
    .min_args = 1,
    .max_args = 1,
    .run = delete_run,
};
