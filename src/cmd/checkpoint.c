/* `checkpoint [OPTION...] ID`: dump a running container with CRIU (crun's and runc's common options). */
#include "cmd/cmd.h"
#include "container/checkpoint.h"
#include "container/criu_plan.h"

int cmd_set_cgroups_mode(const char *what, const struct cmd_option *opt, void *out, const char *value,
                         struct error **err)
{
        if (!checkpoint_cgroups_mode_valid(value))
                return error_set(err, 0, "%s: --%s: unknown mode `%s` (expected soft, full, strict or ignore)", what,
                                 opt->name, value);
        return cmd_set_string(what, opt, out, value, err);
}

#define FIELD(member) offsetof(struct checkpoint_options, member)

static const struct cmd_option checkpoint_options[] = {
    {"image-path", 0, CMD_ARG_REQUIRED, "DIR", "where to write the images (default ./checkpoint)", cmd_set_string,
     FIELD(image_path)},
    {"work-path", 0, CMD_ARG_REQUIRED, "DIR", "where CRIU writes its log (default: the image path)", cmd_set_string,
     FIELD(work_path)},
    {"parent-path", 0, CMD_ARG_REQUIRED, "DIR", "previous pre-dump, relative to the image path", cmd_set_string,
     FIELD(parent_path)},
    {"leave-running", 0, CMD_ARG_NONE, NULL, "keep the container running after the dump", cmd_set_true,
     FIELD(leave_running)},
    {"tcp-established", 0, CMD_ARG_NONE, NULL, "dump established TCP connections", cmd_set_true,
     FIELD(tcp_established)},
    {"ext-unix-sk", 0, CMD_ARG_NONE, NULL, "allow external unix sockets", cmd_set_true, FIELD(ext_unix_sk)},
    {"shell-job", 0, CMD_ARG_NONE, NULL, "the container is a shell job (has a terminal)", cmd_set_true,
     FIELD(shell_job)},
    {"file-locks", 0, CMD_ARG_NONE, NULL, "dump file locks", cmd_set_true, FIELD(file_locks)},
    {"pre-dump", 0, CMD_ARG_NONE, NULL, "dump memory only and leave the container running", cmd_set_true,
     FIELD(pre_dump)},
    {"manage-cgroups-mode", 0, CMD_ARG_REQUIRED, "MODE", "CRIU cgroups mode: soft (default), full, strict or ignore",
     cmd_set_cgroups_mode, FIELD(manage_cgroups_mode)},
    {0},
};

int cmd_checkpoint_parse(int argc, char **argv, struct checkpoint_options *out, struct error **err)
{
        *out = (struct checkpoint_options){0};
        return cmd_parse_id(&cmd_checkpoint_desc, argc, argv, out, &out->id, err);
}

static int checkpoint_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct checkpoint_options opts;
        int r = cmd_checkpoint_parse(argc, argv, &opts, err);
        if (r != 0)
                return cmd_help_or_error(rt, &cmd_checkpoint_desc, r);
        r = container_checkpoint(rt, &opts, err);
        return r < 0 ? r : 0;
}

const struct cmd_desc cmd_checkpoint_desc = {
    .name = "checkpoint",
    .synopsis = "ID",
    .summary = "checkpoint a running container with CRIU",
    .options = checkpoint_options,
    .min_args = 1,
    .max_args = 1,
    .run = checkpoint_run,
};
