/* `restore [OPTION...] ID`: restore a container from a CRIU checkpoint (crun's and runc's options;
 * --no-pivot, --no-new-keyring, --no-subreaper as conmon and runc pass them). */
#include <string.h>

#include "cmd/cmd.h"
#include "container/checkpoint.h"
#include "container/criu_plan.h"

enum {
        KEY_IMAGE_PATH = CMD_KEY_LONG,
        KEY_WORK_PATH,
        KEY_TCP_ESTABLISHED,
        KEY_TCP_CLOSE,
        KEY_EXT_UNIX_SK,
        KEY_SHELL_JOB,
        KEY_FILE_LOCKS,
        KEY_PID_FILE,
        KEY_CONSOLE_SOCKET,
        KEY_MANAGE_CGROUPS_MODE,
        KEY_LSM_PROFILE,
        KEY_LSM_MOUNT_CONTEXT,
        KEY_IGNORED,
};

static const struct cmd_option restore_options[] = {
    {"bundle", 'b', CMD_ARG_REQUIRED, "DIR", "container bundle (default: the current directory)"},
    {"image-path", KEY_IMAGE_PATH, CMD_ARG_REQUIRED, "DIR", "where the images are (default ./checkpoint)"},
    {"work-path", KEY_WORK_PATH, CMD_ARG_REQUIRED, "DIR", "where CRIU writes its log (default: the image path)"},
    {"tcp-established", KEY_TCP_ESTABLISHED, CMD_ARG_NONE, NULL, "restore established TCP connections"},
    {"tcp-close", KEY_TCP_CLOSE, CMD_ARG_NONE, NULL, "restore established TCP connections closed"},
    {"ext-unix-sk", KEY_EXT_UNIX_SK, CMD_ARG_NONE, NULL, "allow external unix sockets"},
    {"shell-job", KEY_SHELL_JOB, CMD_ARG_NONE, NULL, "the container is a shell job (has a terminal)"},
    {"file-locks", KEY_FILE_LOCKS, CMD_ARG_NONE, NULL, "restore file locks"},
    {"detach", 'd', CMD_ARG_NONE, NULL, "return once the container runs"},
    {"pid-file", KEY_PID_FILE, CMD_ARG_REQUIRED, "FILE", "write the pid of the restored init to FILE"},
    {"console-socket", KEY_CONSOLE_SOCKET, CMD_ARG_REQUIRED, "SOCKET",
     "AF_UNIX socket that receives the pseudo-terminal master"},
    {"manage-cgroups-mode", KEY_MANAGE_CGROUPS_MODE, CMD_ARG_REQUIRED, "MODE",
     "CRIU cgroups mode: soft (default), full, strict or ignore"},
    {"lsm-profile", KEY_LSM_PROFILE, CMD_ARG_REQUIRED, "TYPE:NAME", "LSM profile (apparmor:NAME or selinux:LABEL)"},
    {"lsm-mount-context", KEY_LSM_MOUNT_CONTEXT, CMD_ARG_REQUIRED, "CTX", "SELinux mount context"},
    {"no-pivot", KEY_IGNORED, CMD_ARG_NONE, NULL, "accepted for compatibility"},
    {"no-new-keyring", KEY_IGNORED, CMD_ARG_NONE, NULL, "accepted for compatibility"},
    {"no-subreaper", KEY_IGNORED, CMD_ARG_NONE, NULL, "accepted for compatibility"},
    {0},
};

static int restore_option(void *data, int key, const char *value, struct error **err)
{
        struct restore_options *o = data;
        switch (key) {
        case 'b':
                o->bundle = value;
                return 0;
        case KEY_IMAGE_PATH:
                o->image_path = value;
                return 0;
        case KEY_WORK_PATH:
                o->work_path = value;
                return 0;
        case KEY_TCP_ESTABLISHED:
                o->tcp_established = true;
                return 0;
        case KEY_TCP_CLOSE:
                o->tcp_close = true;
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
        case 'd':
                o->detach = true;
                return 0;
        case KEY_PID_FILE:
                o->pid_file = value;
                return 0;
        case KEY_CONSOLE_SOCKET:
                o->console_socket = value;
                return 0;
        case KEY_MANAGE_CGROUPS_MODE:
                if (!checkpoint_cgroups_mode_valid(value))
                        return error_set(err, 0,
                                         "restore: --manage-cgroups-mode: unknown mode `%s` (expected soft, full, "
                                         "strict or ignore)",
                                         value);
                o->manage_cgroups_mode = value;
                return 0;
        case KEY_LSM_PROFILE:
                if (strncmp(value, "apparmor:", 9) != 0 && strncmp(value, "selinux:", 8) != 0)
                        return error_set(err, 0,
                                         "restore: --lsm-profile: `%s` is not of the form apparmor:NAME or "
                                         "selinux:LABEL",
                                         value);
                o->lsm_profile = value;
                return 0;
        case KEY_LSM_MOUNT_CONTEXT:
                o->lsm_mount_context = value;
                return 0;
        case KEY_IGNORED:
                return 0;
        }
        return error_set(err, 0, "restore: unhandled option %d", key);
}

int cmd_restore_parse(int argc, char **argv, struct restore_options *out, struct error **err)
{
        *out = (struct restore_options){0};
        int first;
        int r = cmd_parse(&cmd_restore_desc, argc, argv, restore_option, out, &first, err);
        if (r != 0)
                return r;
        out->id = argv[first];
        return 0;
}

static int restore_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct restore_options opts;
        int r = cmd_restore_parse(argc, argv, &opts, err);
        if (r == CMD_HELP) {
                cmd_print_help(stdout, rt->argv0_name, &cmd_restore_desc);
                return 0;
        }
        if (r < 0)
                return r;
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
