/* The command line: a table of commands, each with an option table that drives both getopt_long and
 * --help, so the two cannot disagree. Each command splits into a pure `*_parse` (unit tested) and a
 * `*_run` that calls the library. */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "container/lifecycle.h"
#include "core/error.h"
#include "oci/state.h"

/* Returned by the parsers when --help/-?/--usage was seen: the caller prints help and exits 0. */
#define CMD_HELP 1

enum cmd_arg { CMD_ARG_NONE, CMD_ARG_REQUIRED, CMD_ARG_OPTIONAL };

struct cmd_option;
/* Stores one option given on the command line into the command's options struct `out`; `value` is NULL
 * for a flag. `what` names the command in messages. */
typedef int (*cmd_set_fn)(const char *what, const struct cmd_option *opt, void *out, const char *value,
                          struct error **err);

/* One row is one option: what getopt_long accepts, what --help prints and where the value goes, so the
 * three cannot disagree (and tests/unit/cmd checks man/crun.1 against the same rows). A table ends with
 * a zeroed row. */
struct cmd_option {
        const char *name; /* long name without "--"; NULL for a short-only alias */
        char short_name;  /* 0: long only */
        enum cmd_arg has_arg;
        const char *metavar; /* "DIR" for options taking a value */
        const char *help;    /* NULL hides the option from --help (aliases) */
        cmd_set_fn set;      /* NULL: accepted and ignored (flags other runtimes' callers pass) */
        size_t field;        /* offsetof the member `set` writes */
        size_t seen;         /* offsetof a bool set when the option is given; 0: none (never the first member) */
        long long min, max;  /* bounds for the numeric setters */
};

static inline bool cmd_option_is_end(const struct cmd_option *o)
{
        return !o->name && !o->short_name;
}

/* The member a setter writes: `opt->field` bytes into the options struct `out`. */
static inline void *cmd_option_field(const struct cmd_option *opt, void *out)
{
        return (char *)out + opt->field;
}

/* Stock setters. The member at `field` is a `const char *` / a bool / an int in [0, max] (min unused). */
int cmd_set_string(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err);
int cmd_set_true(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err);
int cmd_set_uint(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err);
/* An `enum cmd_format` from "table" or "json". */
int cmd_set_format(const char *what, const struct cmd_option *opt, void *out, const char *value, struct error **err);

struct cmd_desc {
        const char *name;
        const char *synopsis; /* positional part: "ID", "ID [SIGNAL]", "" */
        const char *summary;
        const struct cmd_option *options; /* terminated by a zeroed row */
        int min_args, max_args;           /* max_args < 0: unlimited */
        /* Returns the exit status (>= 0), or < 0 with *err set. argv[0] is the command name. */
        int (*run)(struct runtime_ctx *rt, int argc, char **argv, struct error **err);
};

/* Parses argv[1..] with getopt_long ("+": stops at the first positional argument, so everything
 * after a container ID belongs to it), storing each option into `out` through its row's setter.
 * -?/--help/--usage are understood everywhere. On success *first_arg is the index of the first
 * positional argument; returns CMD_HELP when help was asked. `what` names the command in error
 * messages. Not reentrant (getopt state). */
int cmd_parse_options(const char *what, const struct cmd_option *options, int argc, char **argv, void *out,
                      int *first_arg, struct error **err);
/* "`create` requires a minimum of 1 arguments" (crun's wording, which callers may match). */
int cmd_check_nargs(const struct cmd_desc *cmd, int nargs, struct error **err);
/* Parse + argument-count check in one; returns CMD_HELP, 0 or < 0. */
int cmd_parse(const struct cmd_desc *cmd, int argc, char **argv, void *out, int *first_arg, struct error **err);
/* The same for a command whose first positional argument is the container ID: *id points to it. */
int cmd_parse_id(const struct cmd_desc *cmd, int argc, char **argv, void *out, const char **id, struct error **err);
/* What a `run` function returns for a parser result r != 0: after CMD_HELP it prints the command's help
 * and returns 0 (exit status); an error (< 0) is passed on. */
int cmd_help_or_error(const struct runtime_ctx *rt, const struct cmd_desc *cmd, int r);
/* The `run` of a command that takes only an ID (start, pause, resume): parse, then `fn` on the ID. */
int cmd_run_on_id(struct runtime_ctx *rt, const struct cmd_desc *cmd, int argc, char **argv,
                  int (*fn)(struct runtime_ctx *rt, const char *id, struct error **err), struct error **err);
/* Option help lines generated from the table, one option per line. */
void cmd_print_options(FILE *f, const struct cmd_option *options);
void cmd_print_help(FILE *f, const char *prog, const struct cmd_desc *cmd);
/* Decimal integer in [0, max] for option `opt`, with an error naming the option. Pure. */
int cmd_parse_uint(const char *opt, const char *value, int max, int *out, struct error **err);

/* The command table (src/cmd/commands.c), NULL-terminated. */
extern const struct cmd_desc *const cmd_table[];
const struct cmd_desc *cmd_find(const char *name);

static inline void cmd_state_freep(struct container_state **st)
{
        container_state_free(*st);
}

/* ---- global options (src/cmd/global.c) ---- */
enum cmd_rootless { CMD_ROOTLESS_AUTO, CMD_ROOTLESS_TRUE, CMD_ROOTLESS_FALSE };

struct global_options {
        const char *root;   /* NULL: state_default_root() */
        const char *log;    /* NULL: stderr */
        int log_format;     /* enum log_format */
        int log_level;      /* enum log_level */
        int cgroup_manager; /* enum cgroup_driver */
        bool cgroup_manager_given;
        enum cmd_rootless rootless;
        const char *criu;
        bool want_version;
};

extern const struct cmd_option cmd_global_options[];
/* Parses the options before the command. *cmd_index is the index of the command in argv (== argc when
 * absent). Returns CMD_HELP for -?/--help/--usage. Pure. */
int cmd_global_parse(int argc, char **argv, struct global_options *out, int *cmd_index, struct error **err);
void cmd_print_global_help(FILE *f, const char *prog);

/* ---- --version (src/cmd/version.c) ---- */
/* "+SECCOMP +CAP +SYSTEMD +LIBKRUN +JSON_C": each executor's feature string, + when its bit is set in
 * `available` (executor_probe_available), - otherwise. Pure; caller frees. */
char *cmd_version_features(bool has_criu, unsigned available);
/* The whole --version block. Pure; caller frees. */
char *cmd_version_text(const char *rundir, bool has_criu, unsigned available);

/* ---- create and run share their options ---- */
#define CMD_CREATE_FIELD(member) offsetof(struct create_options, member)
/* clang-format off */
#define CMD_CREATE_OPTIONS                                                                                             \
        {"bundle", 'b', CMD_ARG_REQUIRED, "DIR", "container bundle (default: the current directory)",                  \
         cmd_set_string, CMD_CREATE_FIELD(bundle)},                                                                    \
        {"config", 'f', CMD_ARG_REQUIRED, "FILE",                                                                      \
         "config file, relative to the current directory (default: config.json in the bundle)",                        \
         cmd_set_string, CMD_CREATE_FIELD(config_file)},                                                               \
        {"console-socket", 0, CMD_ARG_REQUIRED, "SOCKET",                                                              \
         "AF_UNIX socket that receives the pseudo-terminal master",                                                    \
         cmd_set_string, CMD_CREATE_FIELD(console_socket)},                                                            \
        {"pid-file", 0, CMD_ARG_REQUIRED, "FILE", "write the pid of the container init to FILE",                       \
         cmd_set_string, CMD_CREATE_FIELD(pid_file)},                                                                  \
        /* fds 3..3+N-1 must stay representable as ints */                                                             \
        {"preserve-fds", 0, CMD_ARG_REQUIRED, "N", "pass N more file descriptors (from fd 3) to the container",        \
         cmd_set_uint, CMD_CREATE_FIELD(preserve_fds), .max = INT_MAX - 3},                                            \
        {"no-pivot", 0, CMD_ARG_NONE, NULL, "use chroot instead of pivot_root (unsafe)",                               \
         cmd_set_true, CMD_CREATE_FIELD(no_pivot)},                                                                    \
        {"no-new-keyring", 0, CMD_ARG_NONE, NULL, "keep the caller's session keyring",                                 \
         cmd_set_true, CMD_CREATE_FIELD(no_new_keyring)},                                                              \
        /* runc's flag; the caller (conmon, containerd shim) is the subreaper anyway. */                               \
        {"no-subreaper", 0, CMD_ARG_NONE, NULL, "accepted for compatibility; ignored", NULL, 0}
/* clang-format on */

/* ---- per-command parsers (pure, unit tested) ---- */
int cmd_create_parse(int argc, char **argv, struct create_options *out, struct error **err);
int cmd_run_parse(int argc, char **argv, struct create_options *out, struct error **err);
int cmd_start_parse(int argc, char **argv, const char **id, struct error **err);

struct kill_options {
        const char *id;
        int signo;
        bool all;
};
int cmd_kill_parse(int argc, char **argv, struct kill_options *out, struct error **err);

struct delete_options {
        const char *id; /* with is_regex, a POSIX extended regular expression matched against every ID */
        bool force, is_regex;
};
int cmd_delete_parse(int argc, char **argv, struct delete_options *out, struct error **err);
int cmd_state_parse(int argc, char **argv, const char **id, struct error **err);

/* --format of list and ps. */
enum cmd_format { CMD_FORMAT_TABLE, CMD_FORMAT_JSON };

struct list_options {
        enum cmd_format format;
        bool quiet;
};
int cmd_list_parse(int argc, char **argv, struct list_options *out, struct error **err);
struct list_entry {
        const char *id, *status, *bundle, *created, *owner;
        pid_t pid; /* 0 when stopped */
};
/* The whole `list` output for these entries (table, json or IDs). Pure; caller frees. */
char *cmd_list_format(const struct list_entry *entries, size_t n, const struct list_options *opts);

struct spec_options {
        const char *bundle; /* NULL: current directory */
        bool rootless;
};
int cmd_spec_parse(int argc, char **argv, struct spec_options *out, struct error **err);

extern const struct cmd_desc cmd_create_desc, cmd_run_desc, cmd_start_desc, cmd_kill_desc, cmd_delete_desc,
    cmd_state_desc, cmd_list_desc, cmd_spec_desc;

/* ---- exec, pause/resume, update, ps, features (src/cmd/exec.c, pause.c, update.c, ps.c, features.c) ---- */
/* Pure: fills *out (env and additional gids on the heap: free with cmd_exec_options_clear even on error). */
int cmd_exec_parse(int argc, char **argv, struct exec_options *out, struct error **err);
void cmd_exec_options_clear(struct exec_options *o);
int cmd_pause_parse(int argc, char **argv, const char **id, struct error **err);
int cmd_resume_parse(int argc, char **argv, const char **id, struct error **err);

struct update_options {
        const char *id;
        const char *resources_file;                  /* -r/--resources; when set, the individual flags are ignored */
        struct oci_resources res;                    /* from the individual flags; strings borrowed from argv */
        const char *l3_cache_schema, *mem_bw_schema; /* linux.intelRdt: not supported, rejected at run */
};
int cmd_update_parse(int argc, char **argv, struct update_options *out, struct error **err);
/* A byte size with an optional unit suffix (k, m, g, t, p; kb/mb/.., kib/mib/..; any case; powers of
 * 1024 like runc's RAMInBytes), or -1 for unlimited. Pure. */
int cmd_parse_bytes(const char *opt, const char *value, int64_t *out, struct error **err);

struct ps_options {
        const char *id;
        enum cmd_format format;
};
int cmd_ps_parse(int argc, char **argv, struct ps_options *out, struct error **err);
/* `ps` output for these pids: "PID\n1\n2\n" or "[1,2]\n". Pure; caller frees. */
char *cmd_ps_format(const pid_t *pids, size_t n, enum cmd_format format);

/* The features document (runtime-spec features.md), pretty-printed JSON. Nothing privileged (the seccomp
 * architectures are those libseccomp can combine with the native one); `available` is probed by the
 * caller (executor_probe_available). Caller frees. */
char *cmd_features_json(unsigned available, bool has_criu);

extern const struct cmd_desc cmd_exec_desc, cmd_pause_desc, cmd_resume_desc, cmd_update_desc, cmd_ps_desc,
    cmd_features_desc;

/* ---- checkpoint / restore (src/cmd/checkpoint.c, restore.c) ---- */
struct checkpoint_options;
struct restore_options;
/* Pure: fill *out (strings borrowed from argv). */
int cmd_checkpoint_parse(int argc, char **argv, struct checkpoint_options *out, struct error **err);
int cmd_restore_parse(int argc, char **argv, struct restore_options *out, struct error **err);
/* --manage-cgroups-mode of both: a `const char *` member, one of the modes CRIU knows. */
int cmd_set_cgroups_mode(const char *what, const struct cmd_option *opt, void *out, const char *value,
                         struct error **err);
extern const struct cmd_desc cmd_checkpoint_desc, cmd_restore_desc;
