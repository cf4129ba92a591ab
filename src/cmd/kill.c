/* `kill [OPTION...] ID [SIGNAL]`: signal the container's init, or with --all every process in its cgroup. */
#include <errno.h>
#include <signal.h>

#include "cmd/cmd.h"
#include "oci/signals.h"

static const struct cmd_option kill_options[] = {
    {"all", 'a', CMD_ARG_NONE, NULL, "signal every process in the container's cgroup", cmd_set_true,
     offsetof(struct kill_options, all)},
    {0},
};

int cmd_kill_parse(int argc, char **argv, struct kill_options *out, struct error **err)
{
        *out = (struct kill_options){.signo = SIGTERM};
        int first;
        int r = cmd_parse(&cmd_kill_desc, argc, argv, out, &first, err);
        if (r != 0)
                return r;
        out->id = argv[first];
        if (first + 1 < argc)
                return signal_parse(argv[first + 1], &out->signo, err);
        return 0;
}

static int kill_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct kill_options opts;
        int r = cmd_kill_parse(argc, argv, &opts, err);
        if (r != 0)
                return cmd_help_or_error(rt, &cmd_kill_desc, r);
        r = container_kill(rt, opts.id, opts.signo, opts.all, err);
        return r < 0 ? r : 0;
}

const struct cmd_desc cmd_kill_desc = {
    .name = "kill",
    .synopsis = "ID [SIGNAL]",
    .summary = "send a signal (default SIGTERM; a name or a number) to the container",
    .options = kill_options,
    .min_args = 1,
    .max_args = 2,
    .run = kill_run,
};
