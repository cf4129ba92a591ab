/* `restore [OPTION...] ID`: restore a container from a CRIU checkpoint (crun's and runc's options;
 * --no-pivot, --no-new-keyring, --no-subreaper as conmon and runc pass them). */
#include <string.h>

#include "cmd/cmd.h"
#include "container/checkpoint.h"

static int set_lsm_profile(const char *what, const struct cmd_option *opt, void *out, const char *value,
                           struct error **err)
{
        if (strncmp(value, "apparmor:", 9) != 0 && strncmp(value, "selinux:", 8) != 0)
                return error_set(err, 0, "%s: --%s: `%s` is not of the form apparmor:NAME or selinux:LABEL", what,
                                 opt->name, value);
        return cmd_set_string(what, opt, out, value, err);
}

#define FIELD(member) offsetof(struct restore_options, member)

static const struct cmd_option restore_options[] = {
    {"bundle", 'b', CMD_ARG_REQUIRED, "DIR", "container bundle (default: the current directory)", cmd_set_string,
     FIELD(bundle)},
    {"image-path", 0, CMD_ARG_REQUIRED, "DIR", "where the images are (default ./checkpoint)", cmd_set_string,
     FIELD(image_path)},
    {"work-path", 0, CMD_ARG_REQUIRED, "DIR", "where CRIU writes its log (default: the image path)", cmd_set_string,
     FIELD(work_path)},
    {"tcp-established", 0, CMD_ARG_NONE, NULL, "restore established TCP connections", cmd_set_true,
     FIELD(tcp_established)},
    {"tcp-close", 0, CMD_ARG_NONE, NULL, "restore established TCP connections closed", cmd_set_true, FIELD(tcp_close)},
    {"ext-unix-sk", 0, CMD_ARG_NONE, NULL, "allow external unix sockets", cmd_set_true, FIELD(ext_unix_sk)},
    {"shell-job", 0, CMD_ARG_NONE, NULL, "the container is a shell job (has a terminal)", cmd_set_true,
     FIELD(shell_job)},
    {"file-locks", 0, CMD_ARG_NONE, NULL, "restore file locks", cmd_set_true, FIELD(file_locks)},
    {"detach", 'd', CMD_ARG_NONE, NULL, "return once the container runs", cmd_set_true, FIELD(detach)},
    {"pid-file", 0, CMD_ARG_REQUIRED, "FILE", "write the pid of the restored init to FILE", cmd_set_string,
     FIELD(pid_file)},
    {"console-socket", 0, CMD_ARG_REQUIRED, "SOCKET", "AF_UNIX socket that receives the pseudo-terminal master",
     cmd_set_string, FIELD(console_socket)},
    {"manage-cgroups-mode", 0, CMD_ARG_REQUIRED, "MODE", "CRIU cgroups mode: soft (default), full, strict or ignore",
     cmd_set_cgroups_mode, FIELD(manage_cgroups_mode)},
    {"lsm-profile", 0, CMD_ARG_REQUIRED, "TYPE:NAME", "LSM profile (apparmor:NAME or selinux:LABEL)", set_lsm_profile,
     FIELD(lsm_profile)},
    {"lsm-mount-context", 0, CMD_ARG_REQUIRED, "CTX", "SELinux mount context", cmd_set_string,
     FIELD(lsm_mount_context)},
    {"no-pivot", 0, CMD_ARG_NONE, NULL, "accepted for compatibility", NULL, 0},
    {"no-new-keyring", 0, CMD_ARG_NONE, NULL, "accepted for compatibility", NULL, 0},
    {"no-subreaper", 0, CMD_ARG_NONE, NULL, "accepted for compatibility", NULL, 0},
    {0},
};

int cmd_restore_parse(int argc, char **argv, struct restore_options *out, struct error **err)
{
        *out = (struct restore_options){0};
        return cmd_parse_id(&cmd_restore_desc, argc, argv, out, &out->id, err);
}

static int restore_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct restore_options opts;
        int r = cmd_restore_parse(argc, argv, &opts, err);
        if (r != 0)
                return cmd_help_or_error(rt, &cmd_restore_desc, r);
        int exit_status = 0;
        r = container_restore(rt, &opts, &exit_status, err);
        if (r < 0)
                return r;
        return opts.detach ? 0 : exit_status;
}

const struct cmd_desc cmd_restore_desc = {
    .name = "restore",
    .synopsis = "ID",
    .summary = "restore a container from a CRIU checkpoint",
    .options = restore_options,
    .min_args = 1,
    .max_args = 1,
    .run = restore_run,
};
