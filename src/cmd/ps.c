/* `ps [-f table|json] ID`: host pids of the processes in the container's cgroup. containerd reads the
 * json form (`[1234,1240]`) with stdout and stderr merged, so nothing else may be printed on success. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/cleanup.h"

static const struct cmd_option ps_options[] = {
    {"format", 'f', CMD_ARG_REQUIRED, "FORMAT", "table (default) or json", cmd_set_format,
     offsetof(struct ps_options, format)},
    {0},
};

int cmd_ps_parse(int argc, char **argv, struct ps_options *out, struct error **err)
{
        *out = (struct ps_options){.format = CMD_FORMAT_TABLE};
        return cmd_parse_id(&cmd_ps_desc, argc, argv, out, &out->id, err);
}

char *cmd_ps_format(const pid_t *pids, size_t n, enum cmd_format format)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        if (format == CMD_FORMAT_JSON) {
                fputc('[', f);
                for (size_t i = 0; i < n; i++)
                        fprintf(f, "%s%d", i ? "," : "", (int)pids[i]);
                fputs("]\n", f);
        } else {
                fputs("PID\n", f);
                for (size_t i = 0; i < n; i++)
                        fprintf(f, "%d\n", (int)pids[i]);
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static int ps_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct ps_options opts;
        int r = cmd_ps_parse(argc, argv, &opts, err);
        if (r != 0)
                return cmd_help_or_error(rt, &cmd_ps_desc, r);
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        r = container_pids(rt, opts.id, &pids, &n, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *out = cmd_ps_format(pids, n, opts.format);
        if (!out)
                return error_set(err, ENOMEM, "ps `%s`", opts.id);
        if (fputs(out, stdout) < 0 || fflush(stdout) != 0)
                return error_sys(err, "write process list");
        return 0;
}

/* runc's PS-ARGS (arguments for ps(1)) are accepted and ignored: we print pids ourselves, like crun. */
const struct cmd_desc cmd_ps_desc = {
    .name = "ps",
    .synopsis = "ID [PS-ARGS...]",
    .summary = "list the processes in a container",
    .options = ps_options,
    .min_args = 1,
    .max_args = -1,
    .run = ps_run,
};
