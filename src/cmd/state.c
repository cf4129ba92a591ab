/* `state ID`: the OCI state JSON on stdout; nothing on stderr on success (go-runc merges the two). */
#include <errno.h>

#include "cmd/cmd.h"
#include "container/loaded.h"
#include "core/cleanup.h"

static const struct cmd_option state_options[] = {{0}};

int cmd_state_parse(int argc, char **argv, const char **id, struct error **err)
{
        return cmd_parse_id(&cmd_state_desc, argc, argv, NULL, id, err);
}

static int state_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        const char *id = NULL;
        int r = cmd_state_parse(argc, argv, &id, err);
        if (r != 0)
                return cmd_help_or_error(rt, &cmd_state_desc, r);

        _cleanup_close_ int root_fd = -1, dir_fd = -1;
        _cleanup_(cmd_state_freep) struct container_state *st = NULL;
        r = state_open_root(rt->state_root, &root_fd, err);
        if (r < 0)
                return r;
        /* No lock: `state` is polled while other commands hold it, and the store writes atomically. */
        r = state_open_dir(root_fd, id, false, &dir_fd, err);
        if (r < 0)
                return r;
        r = state_read(dir_fd, id, &st, err);
        if (r >= 0)
                r = state_read_annotations(dir_fd, st, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *json = state_to_json(st, loaded_container_status(dir_fd, st), true);
        if (!json)
                return error_set(err, ENOMEM, "state of `%s`", id);
        if (printf("%s\n", json) < 0 || fflush(stdout) != 0)
                return error_sys(err, "write state of `%s`", id);
        return 0;
}

const struct cmd_desc cmd_state_desc = {
    .name = "state",
    .synopsis = "ID",
    .summary = "print the state of a container as JSON",
    .options = state_options,
    .min_args = 1,
    .max_args = 1,
    .run = state_run,
};
