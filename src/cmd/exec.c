/* `exec [OPTION...] ID [CMD ARGS...]`: run another process in a container. Everything after the ID
 * belongs to the command (option parsing stops there). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "cmd/cmd.h"
#include "core/cleanup.h"
#include "core/log.h"

void cmd_exec_options_clear(struct exec_options *o)
{
        free(o->env);
        free(o->additional_gids);
        o->env = NULL;
        o->additional_gids = NULL;
        o->n_additional_gids = 0;
}

static int parse_id(const char *opt, const char *text, size_t len, uint32_t *out, struct error **err)
{
        char buf[16];
        if (len == 0 || len >= sizeof(buf))
                return error_set(err, 0, "exec: %s: invalid id `%.*s` (expected a number 0..%u)", opt, (int)len, text,
                                 UINT32_MAX - 1);
        memcpy(buf, text, len);
        buf[len] = 0;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(buf, &end, 10);
        /* (uid_t)-1 means "unchanged" to the kernel: never a real id. */
        if (buf[0] < '0' || buf[0] > '9' || errno || *end || v >= UINT32_MAX)
                return error_set(err, 0, "exec: %s: invalid id `%s` (expected a number 0..%u)", opt, buf,
                                 UINT32_MAX - 1);
        *out = (uint32_t)v;
        return 0;
}

static int set_env(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        (void)what;
        (void)opt;
        struct exec_options *o = out;
        if (!strchr(value, '=') || value[0] == '=')
                return error_set(err, 0, "exec: --env: `%s` is not of the form NAME=VALUE", value);
        size_t n = 0;
        while (o->env && o->env[n])
                n++;
        char **v = realloc(o->env, (n + 2) * sizeof(*v));
        if (!v)
                return error_set(err, ENOMEM, "exec: --env");
        v[n] = (char *)value;
        v[n + 1] = NULL;
        o->env = v;
        return 0;
}

/* runc takes one GID per flag; a comma-separated list is accepted as well. */
static int set_gids(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        (void)what;
        (void)opt;
        struct exec_options *o = out;
        for (const char *p = value;;) {
                size_t len = strcspn(p, ",");
                uint32_t gid = 0;
                int r = parse_id("--additional-gids", p, len, &gid, err);
                if (r < 0)
                        return r;
                uint32_t *g = realloc(o->additional_gids, (o->n_additional_gids + 1) * sizeof(*g));
                if (!g)
                        return error_set(err, ENOMEM, "exec: --additional-gids");
                g[o->n_additional_gids++] = gid;
                o->additional_gids = g;
                if (!p[len])
                        return 0;
                p += len + 1;
        }
}

static int set_user(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        (void)what;
        (void)opt;
        struct exec_options *o = out;
        const char *colon = strchr(value, ':');
        size_t ulen = colon ? (size_t)(colon - value) : strlen(value);
        int r = parse_id("--user", value, ulen, &o->uid, err);
        if (r < 0)
                return r;
        o->has_user = true;
        o->has_gid = colon != NULL;
        if (colon)
                return parse_id("--user", colon + 1, strlen(colon + 1), &o->gid, err);
        return 0;
}

static int set_cap(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        (void)what;
        (void)opt;
        struct exec_options *o = out;
        /* libcap knows the names in lower case; OCI writes them as CAP_CHOWN. */
        char lower[64];
        size_t len = strlen(value);
        if (len >= sizeof(lower))
                return error_set(err, 0, "exec: --cap: unknown capability `%s`", value);
        for (size_t i = 0; i <= len; i++)
                lower[i] = (char)(value[i] >= 'A' && value[i] <= 'Z' ? value[i] - 'A' + 'a' : value[i]);
        cap_value_t cap;
        if (strncmp(lower, "cap_", 4) != 0 || cap_from_name(lower, &cap) < 0 || cap < 0 || cap > 63)
                return error_set(err, 0, "exec: --cap: unknown capability `%s` (expected a name like CAP_NET_ADMIN)",
                                 value);
        o->caps_add |= 1ULL << cap;
        return 0;
}

/* --tty alone or --tty=true / --tty=false: the int member becomes 1 or 0 (it stays -1 when not given). */
static int set_tty(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        int *tty = cmd_option_field(opt, out);
        if (!value || !strcmp(value, "true")) {
                *tty = 1;
                return 0;
        }
        if (!strcmp(value, "false")) {
                *tty = 0;
                return 0;
        }
        return error_set(err, 0, "%s: --%s: invalid value `%s` (expected true or false)", what, opt->name, value);
}

static int set_cwd(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        if (value[0] != '/')
                return error_set(err, 0, "%s: --%s: `%s` is not an absolute path", what, opt->name, value);
        return cmd_set_string(what, opt, out, value, err);
}

/* A sub-cgroup must stay below the container's cgroup. */
static int set_cgroup(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err)
{
        bool bad = !*value || value[0] == '/';
        for (const char *p = value; !bad && *p;) {
                size_t len = strcspn(p, "/");
                if (len == 2 && p[0] == '.' && p[1] == '.')
                        bad = true;
                p += len + (p[len] == '/');
        }
        if (bad)
                return error_set(err, 0,
                                 "exec: --cgroup: `%s` must be a relative path below the container's cgroup "
                                 "without `..`",
                                 value);
        return cmd_set_string(what, opt, out, value, err);
}

#define FIELD(member) offsetof(struct exec_options, member)

static const struct cmd_option exec_options[] = {
    {"process", 'p', CMD_ARG_REQUIRED, "FILE", "OCI `process` JSON describing the process (no CMD then)",
     cmd_set_string, FIELD(process_file)},
    {"tty", 't', CMD_ARG_OPTIONAL, "BOOL", "allocate a pseudo-terminal (command-line form only)", set_tty, FIELD(tty)},
    {"detach", 'd', CMD_ARG_NONE, NULL, "return once the process runs", cmd_set_true, FIELD(detach)},
    {"pid-file", 0, CMD_ARG_REQUIRED, "FILE", "write the pid of the process to FILE", cmd_set_string, FIELD(pid_file)},
    {"console-socket", 0, CMD_ARG_REQUIRED, "SOCKET", "AF_UNIX socket that receives the pseudo-terminal master",
     cmd_set_string, FIELD(console_socket)},
    {"cwd", 0, CMD_ARG_REQUIRED, "DIR", "working directory (absolute, in the container)", set_cwd, FIELD(cwd)},
    {"env", 'e', CMD_ARG_REQUIRED, "K=V", "add an environment variable (repeatable; later wins)", set_env},
    {"user", 'u', CMD_ARG_REQUIRED, "UID[:GID]", "numeric user and group to run as", set_user},
    {"additional-gids", 'g', CMD_ARG_REQUIRED, "GID", "add a supplementary group (repeatable)", set_gids},
    {"cap", 'c', CMD_ARG_REQUIRED, "CAP", "add a capability to the container's set (repeatable)", set_cap},
    {"preserve-fds", 0, CMD_ARG_REQUIRED, "N", "pass N more file descriptors (from fd 3)", cmd_set_uint,
     FIELD(preserve_fds), .max = INT_MAX - 3},
    {"no-new-privs", 0, CMD_ARG_NONE, NULL, "set no_new_privs for the process", cmd_set_true, FIELD(no_new_privs)},
    {"process-label", 0, CMD_ARG_REQUIRED, "LABEL", "SELinux label of the process", cmd_set_string,
     FIELD(process_label)},
    {"apparmor", 0, CMD_ARG_REQUIRED, "PROFILE", "AppArmor profile of the process", cmd_set_string, FIELD(apparmor)},
    {"cgroup", 0, CMD_ARG_REQUIRED, "PATH", "sub-cgroup of the container's cgroup to join", set_cgroup, FIELD(cgroup)},
    {0},
};

int cmd_exec_parse(int argc, char **argv, struct exec_options *out, struct error **err)
{
        *out = (struct exec_options){.tty = -1};
        int first;
        int r = cmd_parse(&cmd_exec_desc, argc, argv, out, &first, err);
        if (r != 0)
                return r;
        out->id = argv[first];
        out->args = first + 1 < argc ? argv + first + 1 : NULL;
        if (out->process_file && out->args)
                return error_set(err, 0, "exec: a command cannot be given together with --process");
        if (!out->process_file && !out->args)
                return error_set(err, 0, "exec: a command (or --process FILE) is required");
        return 0;
}

static int exec_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        _cleanup_(cmd_exec_options_clear) struct exec_options opts = {0};
        int r = cmd_exec_parse(argc, argv, &opts, err);
        if (r != 0)
                return cmd_help_or_error(rt, &cmd_exec_desc, r);
        int exit_status = 1;
        r = container_exec(rt, &opts, &exit_status, err);
        if (r < 0 && exit_status > 1) {
                /* 127 / 126 tell the caller "not found" / "not executable" (as a shell would), so the
                 * error is reported here rather than by main, which always exits 1. */
                log_final_error(*err);
                error_free(err);
                return exit_status;
        }
        if (r < 0)
                return r;
        return opts.detach ? 0 : exit_status;
}

const struct cmd_desc cmd_exec_desc = {
    .name = "exec",
    .synopsis = "ID [CMD [ARG...]]",
    .summary = "run a process in a running container",
    .options = exec_options,
    .min_args = 1,
    .max_args = -1,
    .run = exec_run,
};
