/* The command line: a table of commands, each with an option table that drives both getopt_long and
 * --help, so the two cannot disagree. Each command splits into a pure `*_parse` (unit tested) and a
 * `*_run` that calls the library. */
#pragma once
#include <stdbool.h>
#include <stdio.h>

#include "container/lifecycle.h"
#include "core/error.h"
#include "oci/state.h"

/* Option keys: a short option's character, or a value from here up for long-only options. */
#define CMD_KEY_LONG 0x100

/* Returned by the parsers when --help/-?/--usage was seen: the caller prints help and exits 0. */
#define CMD_HELP 1

enum cmd_arg { CMD_ARG_NONE, CMD_ARG_REQUIRED, CMD_ARG_OPTIONAL };

struct cmd_option {
        const char *name; /* long name without "--"; NULL for a short-only alias */
        int key;          /* short option character, or >= CMD_KEY_LONG */
        enum cmd_arg has_arg;
        const char *metavar; /* "DIR" for options taking a value */
        const char *help;    /* NULL hides the option from --help (aliases) */
};

/* Called once per option in command-line order; `value` is NULL for flags. */
typedef int (*cmd_option_fn)(void *out, int key, const char *value, struct error **err);

struct cmd_desc {
        const char *name;
        const char *synopsis; /* positional part: "ID", "ID [SIGNAL]", "" */
        const char *summary;
        const struct cmd_option *options; /* terminated by an entry with key 0 */
        int min_args, max_args;           /* max_args < 0: unlimited */
        /* Returns the exit status (>= 0), or < 0 with *err set. argv[0] is the command name. */
        int (*run)(struct runtime_ctx *rt, int argc, char **argv, struct error **err);
};

/* Parses argv[1..] with getopt_long ("+": stops at the first positional argument, so everything
 * after a container ID belongs to it). -?/--help/--usage are understood everywhere. On success
 * *first_arg is the index of the first positional argument; returns CMD_HELP when help was asked.
 * `what` names the command in error messages. Not reentrant (getopt state). */
int cmd_parse_options(const char *what, const struct cmd_option *options, int argc, char **argv, cmd_option_fn fn,
                      void *out, int *first_arg, struct error **err);
/* "`create` requires a minimum of 1 arguments" (crun's wording, which callers may match). */
int cmd_check_nargs(const struct cmd_desc *cmd, int nargs, struct error **err);
/* Parse + argument-count check in one; returns CMD_HELP, 0 or < 0. */
int cmd_parse(const struct cmd_desc *cmd, int argc, char **argv, cmd_option_fn fn, void *out, int *first_arg,
              struct error **err);
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
enum {
        CMD_KEY_CONSOLE_SOCKET = CMD_KEY_LONG,
        CMD_KEY_PID_FILE,
        CMD_KEY_PRESERVE_FDS,
        CMD_KEY_NO_PIVOT,
        CMD_KEY_NO_NEW_KEYRING,
        CMD_KEY_NO_SUBREAPER,
        CMD_KEY_KEEP,
};

/* clang-format off */
#define CMD_CREATE_OPTIONS                                                                                      \
        {"bundle", 'b', CMD_ARG_REQUIRED, "DIR", "container bundle (default: the current directory)"},         \
        {"config", 'f', CMD_ARG_REQUIRED, "FILE",                                                               \
         "config file, relative to the current directory (default: config.json in the bundle)"},               \
        {"console-socket", CMD_KEY_CONSOLE_SOCKET, CMD_ARG_REQUIRED, "SOCKET",                                  \
         "AF_UNIX socket that receives the pseudo-terminal master"},                                            \
        {"pid-file", CMD_KEY_PID_FILE, CMD_ARG_REQUIRED, "FILE", "write the pid of the container init to FILE"}, \
        {"preserve-fds", CMD_KEY_PRESERVE_FDS, CMD_ARG_REQUIRED, "N",                                           \
         "pass N more file descriptors (from fd 3) to the container"},                                          \
        {"no-pivot", CMD_KEY_NO_PIVOT, CMD_ARG_NONE, NULL, "use chroot instead of pivot_root (unsafe)"},        \
        {"no-new-keyring", CMD_KEY_NO_NEW_KEYRING, CMD_ARG_NONE, NULL, "keep the caller's session keyring"},    \
        {"no-subreaper", CMD_KEY_NO_SUBREAPER, CMD_ARG_NONE, NULL, "accepted for compatibility; ignored"}
/* clang-format on */

/* Handles one of CMD_CREATE_OPTIONS into a struct create_options. */
int cmd_create_option(void *out, int key, const char *value, struct error **err);

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

enum list_format { LIST_TABLE, LIST_JSON };
struct list_options {
        enum list_format format;
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

enum ps_format { PS_TABLE, PS_JSON };
struct ps_options {
        const char *id;
        enum ps_format format;
};
int cmd_ps_parse(int argc, char **argv, struct ps_options *out, struct error **err);
/* `ps` output for these pids: "PID\n1\n2\n" or "[1,2]\n". Pure; caller frees. */
char *cmd_ps_format(const pid_t *pids, size_t n, enum ps_format format);

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
extern const struct cmd_desc cmd_checkpoint_desc, cmd_restore_desc;
