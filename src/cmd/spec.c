/* `spec [--rootless] [-b DIR]`: write a template config.json, never over an existing one. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/vfs.h>

#include "cmd/cmd.h"
#include "core/cleanup.h"
#include "core/fs.h"
#include "oci/spec_template.h"

static const struct cmd_option spec_options[] = {
    {"bundle", 'b', CMD_ARG_REQUIRED, "DIR", "write config.json in DIR (default: the current directory)",
     cmd_set_string, offsetof(struct spec_options, bundle)},
    {"rootless", 0, CMD_ARG_NONE, NULL, "template for a rootless container (adds a user namespace)", cmd_set_true,
     offsetof(struct spec_options, rootless)},
    {0},
};

int cmd_spec_parse(int argc, char **argv, struct spec_options *out, struct error **err)
{
        *out = (struct spec_options){0};
        int first;
        return cmd_parse(&cmd_spec_desc, argc, argv, out, &first, err);
}

/* crun adds a cgroup namespace only when /sys/fs/cgroup is the unified hierarchy. */
static bool is_cgroup2_host(void)
{
        struct statfs fs;
        return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

static int spec_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct spec_options opts;
        int r = cmd_spec_parse(argc, argv, &opts, err);
        if (r != 0)
                return cmd_help_or_error(rt, &cmd_spec_desc, r);

        const char *dir = opts.bundle ? opts.bundle : ".";
        _cleanup_free_ char *json = spec_template_json(opts.rootless, is_cgroup2_host());
        if (!json)
                return error_set(err, ENOMEM, "spec: generate config.json");
        _cleanup_close_ int dir_fd = open(dir, O_DIRECTORY | O_PATH | O_CLOEXEC);
        if (dir_fd < 0)
                return error_sys(err, "spec: open bundle `%s`", dir);
        /* O_EXCL: refuse to overwrite, and never follow a symlink planted as config.json. */
        _cleanup_close_ int fd = openat(dir_fd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno == EEXIST)
                return error_set(err, 0, "`config.json` already exists");
        if (fd < 0)
                return error_sys(err, "spec: create `%s/config.json`", dir);
        r = fs_write_all(fd, json, strlen(json));
        if (r < 0) {
                unlinkat(dir_fd, "config.json", 0);
                return error_set(err, -r, "spec: write `%s/config.json`", dir);
        }
        return 0;
}

const struct cmd_desc cmd_spec_desc = {
    .name = "spec",
    .synopsis = "",
    .summary = "write a template config.json",
    .options = spec_options,
    .min_args = 0,
    .max_args = 0,
    .run = spec_run,
};
