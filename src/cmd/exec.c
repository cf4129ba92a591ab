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

enum {
        KEY_CONSOLE_SOCKET = CMD_KEY_LONG,
        KEY_PID_FILE,
        KEY_CWD,
        KEY_PRESERVE_FDS,
        KEY_NO_NEW_PRIVS,
        KEY_PROCESS_LABEL,
        KEY_APPARMOR,
        KEY_CGROUP,
};

static const struct cmd_option exec_options[] = {
    {"process", 'p', CMD_ARG_REQUIRED, "FILE", "OCI `process` JSON describing the process (no CMD then)"},
    {"tty", 't', CMD_ARG_OPTIONAL, "BOOL", "allocate a pseudo-terminal (command-line form only)"},
    {"detach", 'd', CMD_ARG_NONE, NULL, "return once the process runs"},
    {"pid-file", KEY_PID_FILE, CMD_ARG_REQUIRED, "FILE", "write the pid of the process to FILE"},
    {"console-socket", KEY_CONSOLE_SOCKET, CMD_ARG_REQUIRED, "SOCKET",
     "AF_UNIX socket that receives the pseudo-terminal master"},
    {"cwd", KEY_CWD, CMD_ARG_REQUIRED, "DIR", "working directory (absolute, in the container)"},
    {"env", 'e', CMD_ARG_REQUIRED, "K=V", "add an environment variable (repeatable; later wins)"},
    {"user", 'u', CMD_ARG_REQUIRED, "UID[:GID]", "numeric user and group to run as"},
    {"additional-gids", 'g', CMD_ARG_REQUIRED, "GID", "add a supplementary group (repeatable)"},
    {"cap", 'c', CMD_ARG_REQUIRED, "CAP", "add a capability to the container's set (repeatable)"},
    {"preserve-fds", KEY_PRESERVE_FDS, CMD_ARG_REQUIRED, "N", "pass N more file descriptors (from fd 3)"},
    {"no-new-privs", KEY_NO_NEW_PRIVS, CMD_ARG_NONE, NULL, "set no_new_privs for the process"},
    {"process-label", KEY_PROCESS_LABEL, CMD_ARG_REQUIRED, "LABEL", "SELinux label of the process"},
    {"apparmor", KEY_APPARMOR, CMD_ARG_REQUIRED, "PROFILE", "AppArmor profile of the process"},
    {"cgroup", KEY_CGROUP, CMD_ARG_REQUIRED, "PATH", "sub-cgroup of the container's cgroup to join"},
    {0},
};

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

static int add_env(struct exec_options *o, const char *value, struct error **err)
{
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
static int add_gids(struct exec_options *o, const char *value, struct error **err)
{
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

static int parse_user(struct exec_options *o, const char *value, struct error **err)
{
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

static int parse_cap(struct exec_options *o, const char *value, struct error **err)
{
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

static int parse_bool(const char *opt, const char *value, int *out, struct error **err)
{
        if (!value || !strcmp(value, "true")) {
                *out = 1;
                return 0;
        }
        if (!strcmp(value, "false")) {
                *out = 0;
                return 0;
        }
        return error_set(err, 0, "exec: %s: invalid value `%s` (expected true or false)", opt, value);
}

/* A sub-cgroup must stay below the container's cgroup. */
static int parse_cgroup(struct exec_options *o, const char *value, struct error **err)
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
        o->cgroup = value;
        return 0;
}

static int exec_option(void *data, int key, const char *value, struct error **err)
{
        struct exec_options *o = data;
        switch (key) {
        case 'p':
                o->process_file = value;
                return 0;
        case 't':
                return parse_bool("--tty", value, &o->tty, err);
        case 'd':
                o->detach = true;
                return 0;
        case KEY_PID_FILE:
                o->pid_file = value;
                return 0;
        case KEY_CONSOLE_SOCKET:
                o->console_socket = value;
                return 0;
        case KEY_CWD:
                if (value[0] != '/')
                        return error_set(err, 0, "exec: --cwd: `%s` is not an absolute path", value);
                o->cwd = value;
                return 0;
        case 'e':
                return add_env(o, value, err);
        case 'u':
                return parse_user(o, value, err);
        case 'g':
                return add_gids(o, value, err);
        case 'c':
                return parse_cap(o, value, err);
        case KEY_PRESERVE_FDS:
                return cmd_parse_uint("--preserve-fds", value, INT_MAX - 3, &o->preserve_fds, err);
        case KEY_NO_NEW_PRIVS:
                o->no_new_privs = true;
                return 0;
        case KEY_PROCESS_LABEL:
                o->process_label = value;
                return 0;
        case KEY_APPARMOR:
                o->apparmor = value;
                return 0;
        case KEY_CGROUP:
                return parse_cgroup(o, value, err);
        }
        return error_set(err, 0, "exec: unhandled option %d", key);
}

int cmd_exec_parse(int argc, char **argv, struct exec_options *out, struct error **err)
{
        *out = (struct exec_options){.tty = -1};
        int first;
        int r = cmd_parse(&cmd_exec_desc, argc, argv, exec_option, out, &first, err);
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
        if (r == CMD_HELP) {
                cmd_print_help(stdout, rt->argv0_name, &cmd_exec_desc);
                return 0;
        }
        if (r < 0)
                return r;
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
