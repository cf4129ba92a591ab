/* `kill [OPTION...] ID [SIGNAL]`: signal the container's init, or with --all every process in its cgroup. */
#include <errno.h>
#include <signal.h>

#include "cmd/cmd.h"
#include "oci/signals.h"

static const struct cmd_option kill_options[] = {
    {"all", 'a', CMD_ARG_NONE, NULL, "signal every process in the container's cgroup"},
    {0},
};

static int kill_option(void *data, int key, const char *value, struct error **err)
{
        struct kill_options *o = data;
        (void)value;
        if (key == 'a') {
                o->all = true;
                return 0;
        }
        return error_set(err, 0, "kill: unhandled option %d", key);
}

int cmd_kill_parse(int argc, char **argv, struct kill_options *out, struct error **err)
{
        *out = (struct kill_options){.signo = SIGTERM};
        int first;
        int r = cmd_parse(&cmd_kill_desc, argc, argv, kill_option, out, &first, err);
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
        if (r == CMD_HELP) {
                cmd_print_help(stdout, rt->argv0_name, &cmd_kill_desc);
                return 0;
        }
        if (r < 0)
                return r;
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
