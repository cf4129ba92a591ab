/* `delete [OPTION...] ID`: remove a stopped (or, with --force, any) container; with --regex, every
 * container whose ID the POSIX extended regular expression ID matches (crun's option). */
#include <errno.h>
#include <regex.h>

#include "cmd/cmd.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "oci/state.h"

static const struct cmd_option delete_options[] = {
    {"force", 'f', CMD_ARG_NONE, NULL, "kill the container first if needed; an unknown ID is not an error",
     cmd_set_true, offsetof(struct delete_options, force)},
    {"regex", 'r', CMD_ARG_NONE, NULL,
     "ID is a POSIX extended regular expression: delete every container whose ID it matches", cmd_set_true,
     offsetof(struct delete_options, is_regex)},
    {0},
};

int cmd_delete_parse(int argc, char **argv, struct delete_options *out, struct error **err)
{
        *out = (struct delete_options){0};
        return cmd_parse_id(&cmd_delete_desc, argc, argv, out, &out->id, err);
}

/* Unanchored, as crun's regexec: anchor with ^...$ to match whole IDs. Every match is tried; the first
 * failure is returned after the others were deleted. No match is not an error. */
static int delete_matching(struct runtime_ctx *rt, const char *pattern, bool force, struct error **err)
{
        regex_t re;
        int rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
                char why[256];
                regerror(rc, &re, why, sizeof(why));
                return error_set(err, EINVAL, "delete: --regex: invalid regular expression `%s`: %s", pattern, why);
        }
        _cleanup_close_ int root_fd = -1;
        _cleanup_strv_ char **ids = NULL;
        int r = state_open_root(rt->state_root, &root_fd, err);
        if (r >= 0)
                r = state_list_ids(root_fd, &ids, err);
        int first = 0;
        for (size_t i = 0; r >= 0 && ids[i]; i++) {
                if (regexec(&re, ids[i], 0, NULL, 0) != 0)
                        continue;
                _cleanup_error_ struct error *e = NULL;
                int d = container_delete(rt, ids[i], force, &e);
                if (d >= 0)
                        continue;
                if (first == 0) {
                        first = d;
                        error_free(err);
                        *err = TAKE_PTR(e);
                } else {
                        log_required_warning("%s", e->msg);
                }
        }
        regfree(&re);
        return r < 0 ? r : first;
}

static int delete_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct delete_options opts;
        int r = cmd_delete_parse(argc, argv, &opts, err);
        if (r != 0)
                return cmd_help_or_error(rt, &cmd_delete_desc, r);
        if (opts.is_regex)
                return delete_matching(rt, opts.id, opts.force, err);
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
