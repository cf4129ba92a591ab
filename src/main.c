/* Entry point: global options, the mode from argv[0], one command, and the one place errors are printed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "container/checkpoint.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/proctitle.h"
#include "executor/executor.h"
#include "linux/userns.h"
#include "oci/state.h"

static int fail(const struct error *err)
{
        log_final_error(err);
        return 1;
}

static bool resolve_rootless(enum cmd_rootless r)
{
        if (r == CMD_ROOTLESS_AUTO)
                return userns_detect_rootless();
        return r == CMD_ROOTLESS_TRUE;
}

int main(int argc, char **argv)
{
        _cleanup_error_ struct error *err = NULL;
        proctitle_init(argc, argv);
        /* `krun` (or `crun-krun`) selects the libkrun executor: keep the name the binary was run under. */
        const char *prog = argc > 0 && argv[0] ? argv[0] : "crun";
        const char *slash = strrchr(prog, '/');
        if (slash)
                prog = slash + 1;

        struct global_options g;
        int cmd_index = argc;
        int r = cmd_global_parse(argc, argv, &g, &cmd_index, &err);
        if (r == CMD_HELP) {
                cmd_print_global_help(stdout, prog);
                return 0;
        }
        if (r < 0)
                return fail(err);
        if (g.want_version) {
                struct runtime_ctx probe = {.criu = g.criu};
                _cleanup_free_ char *criu = checkpoint_criu_path(&probe, NULL);
                bool has_criu = criu && access(criu, X_OK) == 0;
                _cleanup_free_ char *text = cmd_version_text(state_default_root(resolve_rootless(g.rootless)), has_criu,
                                                             executor_probe_available());
                if (!text || fputs(text, stdout) < 0 || fflush(stdout) != 0) {
                        error_set(&err, errno ? errno : ENOMEM, "--version");
                        return fail(err);
                }
                return 0;
        }
        if (log_init(g.log, g.log_format, g.log_level, &err) < 0)
                return fail(err);
        if (cmd_index >= argc) {
                error_set(&err, 0, "missing command (see `%s --help`)", prog);
                return fail(err);
        }
        const struct cmd_desc *cmd = cmd_find(argv[cmd_index]);
        if (!cmd) {
                error_set(&err, 0, "unknown command `%s` (see `%s --help`)", argv[cmd_index], prog);
                return fail(err);
        }

        bool is_rootless = resolve_rootless(g.rootless);
        struct runtime_ctx rt = {
            .argv0_name = prog,
            .state_root = g.root ? g.root : state_default_root(is_rootless),
            .cgroup_manager = (enum cgroup_driver)g.cgroup_manager,
            .cgroup_manager_given = g.cgroup_manager_given,
            .is_rootless = is_rootless,
            .criu = g.criu,
            .log_level = g.log_level,
        };
        r = cmd->run(&rt, argc - cmd_index, argv + cmd_index, &err);
        if (r < 0)
                return fail(err);
        return r;
}
