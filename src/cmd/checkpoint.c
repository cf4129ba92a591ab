/* `checkpoint [OPTION...] ID`: dump a running container with CRIU (crun's and runc's common options). */
#include <string.h>

#include "cmd/cmd.h"
#include "container/checkpoint.h"
#include "container/criu_plan.h"

enum {
        KEY_IMAGE_PATH = CMD_KEY_LONG,
        KEY_WORK_PATH,
        KEY_PARENT_PATH,
        KEY_LEAVE_RUNNING,
        KEY_TCP_ESTABLISHED,
        KEY_EXT_UNIX_SK,
        KEY_SHELL_JOB,
        KEY_FILE_LOCKS,
        KEY_PRE_DUMP,
        KEY_MANAGE_CGROUPS_MODE,
};

static const struct cmd_option checkpoint_options[] = {
    {"image-path", KEY_IMAGE_PATH, CMD_ARG_REQUIRED, "DIR", "where to write the images (default ./checkpoint)"},
    {"work-path", KEY_WORK_PATH, CMD_ARG_REQUIRED, "DIR", "where CRIU writes its log (default: the image path)"},
    {"parent-path", KEY_PARENT_PATH, CMD_ARG_REQUIRED, "DIR", "previous pre-dump, relative to the image path"},
    {"leave-running", KEY_LEAVE_RUNNING, CMD_ARG_NONE, NULL, "keep the container running after the dump"},
    {"tcp-established", KEY_TCP_ESTABLISHED, CMD_ARG_NONE, NULL, "dump established TCP connections"},
    {"ext-unix-sk", KEY_EXT_UNIX_SK, CMD_ARG_NONE, NULL, "allow external unix sockets"},
    {"shell-job", KEY_SHELL_JOB, CMD_ARG_NONE, NULL, "the container is a shell job (has a terminal)"},
    {"file-locks", KEY_FILE_LOCKS, CMD_ARG_NONE, NULL, "dump file locks"},
    {"pre-dump", KEY_PRE_DUMP, CMD_ARG_NONE, NULL, "dump memory only and leave the container running"},
    {"manage-cgroups-mode", KEY_MANAGE_CGROUPS_MODE, CMD_ARG_REQUIRED, "MODE",
     "CRIU cgroups mode: soft (default), full, strict or ignore"},
    {0},
};

static int checkpoint_option(void *data, int key, const char *value, struct error **err)
{
        struct checkpoint_options *o = data;
        switch (key) {
        case KEY_IMAGE_PATH:
                o->image_path = value;
                return 0;
        case KEY_WORK_PATH:
                o->work_path = value;
                return 0;
        case KEY_PARENT_PATH:
                o->parent_path = value;
                return 0;
        case KEY_LEAVE_RUNNING:
                o->leave_running = true;
                return 0;
        case KEY_TCP_ESTABLISHED:
                o->tcp_established = true;
                return 0;
        case KEY_EXT_UNIX_SK:
                o->ext_unix_sk = true;
                return 0;
        case KEY_SHELL_JOB:
                o->shell_job = true;
                return 0;
        case KEY_FILE_LOCKS:
                o->file_locks = true;
                return 0;
        case KEY_PRE_DUMP:
                o->pre_dump = true;
                return 0;
        case KEY_MANAGE_CGROUPS_MODE:
                if (!checkpoint_cgroups_mode_valid(value))
                        return error_set(err, 0,
                                         "checkpoint: --manage-cgroups-mode: unknown mode `%s` (expected soft, full, "
                                         "strict or ignore)",
                                         value);
                o->manage_cgroups_mode = value;
                return 0;
        }
        return error_set(err, 0, "checkpoint: unhandled option %d", key);
}

int cmd_checkpoint_parse(int argc, char **argv, struct checkpoint_options *out, struct error **err)
{
        *out = (struct checkpoint_options){0};
        int first;
        int r = cmd_parse(&cmd_checkpoint_desc, argc, argv, checkpoint_option, out, &first, err);
        if (r != 0)
                return r;
        out->id = argv[first];
        return 0;
}

static int checkpoint_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct checkpoint_options opts;
        int r = cmd_checkpoint_parse(argc, argv, &opts, err);
        if (r == CMD_HELP) {
                cmd_print_help(stdout, rt->argv0_name, &cmd_checkpoint_desc);
                return 0;
        }
        if (r < 0)
                return r;
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
