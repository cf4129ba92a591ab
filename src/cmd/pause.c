/* `pause ID` / `resume ID`: freeze and thaw every process of the container (its cgroup). */
#include "cmd/cmd.h"

static const struct cmd_option no_options[] = {{0}};

int cmd_pause_parse(int argc, char **argv, const char **id, struct error **err)
{
        return cmd_parse_id(&cmd_pause_desc, argc, argv, NULL, id, err);
}

int cmd_resume_parse(int argc, char **argv, const char **id, struct error **err)
{
        return cmd_parse_id(&cmd_resume_desc, argc, argv, NULL, id, err);
}

static int pause_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        return cmd_run_on_id(rt, &cmd_pause_desc, argc, argv, container_pause, err);
}

static int resume_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        return cmd_run_on_id(rt, &cmd_resume_desc, argc, argv, container_resume, err);
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
