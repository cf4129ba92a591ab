/* `pause ID` / `resume ID`: freeze and thaw every process of the container (its cgroup). */
#include "cmd/cmd.h"

static const struct cmd_option no_options[] = {{0}};

static int no_option(void *data, int key, const char *value, struct error **err)
{
        (void)data;
        (void)value;
        return error_set(err, 0, "unhandled option %d", key);
}

static int parse_id_only(const struct cmd_desc *desc, int argc, char **argv, const char **id, struct error **err)
{
        int first;
        int r = cmd_parse(desc, argc, argv, no_option, NULL, &first, err);
        if (r != 0)
                return r;
        *id = argv[first];
        return 0;
}

int cmd_pause_parse(int argc, char **argv, const char **id, struct error **err)
{
        return parse_id_only(&cmd_pause_desc, argc, argv, id, err);
}

int cmd_resume_parse(int argc, char **argv, const char **id, struct error **err)
{
        return parse_id_only(&cmd_resume_desc, argc, argv, id, err);
}

static int run_id_command(struct runtime_ctx *rt, const struct cmd_desc *desc, int argc, char **argv,
                          int (*fn)(struct runtime_ctx *, const char *, struct error **), struct error **err)
{
        const char *id = NULL;
        int r = parse_id_only(desc, argc, argv, &id, err);
        if (r == CMD_HELP) {
                cmd_print_help(stdout, rt->argv0_name, desc);
                return 0;
        }
        if (r < 0)
                return r;
        r = fn(rt, id, err);
        return r < 0 ? r : 0;
}

static int pause_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        return run_id_command(rt, &cmd_pause_desc, argc, argv, container_pause, err);
}

static int resume_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        return run_id_command(rt, &cmd_resume_desc, argc, argv, container_resume, err);
}

const struct cmd_desc cmd_pause_desc = {
    .name = "pause",
    .synopsis = "ID",
    .summary = "freeze every process of a running container",
    .options = no_options,
    .min_args = 1,
    .max_args = 1,
    .run = pause_run,
};

const struct cmd_desc cmd_resume_desc = {
    .name = "resume",
    .synopsis = "ID",
    .summary = "thaw a paused container",
    .options = no_options,
    .min_args = 1,
    .max_args = 1,
    .run = resume_run,
};
