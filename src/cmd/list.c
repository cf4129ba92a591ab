/* `list [-q] [-f table|json]`: every container under the state root. Kept cheap per entry (one state
 * read, one /proc read) because callers poll it with many containers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "container/loaded.h"
#include "core/cleanup.h"

static const struct cmd_option list_options[] = {
    {"format", 'f', CMD_ARG_REQUIRED, "FORMAT", "table (default) or json", cmd_set_format,
     offsetof(struct list_options, format)},
    {"quiet", 'q', CMD_ARG_NONE, NULL, "print only the container IDs", cmd_set_true,
     offsetof(struct list_options, quiet)},
    {0},
};

int cmd_list_parse(int argc, char **argv, struct list_options *out, struct error **err)
{
        *out = (struct list_options){.format = CMD_FORMAT_TABLE};
        int first;
        return cmd_parse(&cmd_list_desc, argc, argv, out, &first, err);
}

static const char *or_empty(const char *s)
{
        return s ? s : "";
}

/* A JSON string literal: the document is written directly rather than built with json-c, whose object
 * tree was a third of `list --format json` with 1,000 containers. */
static void put_json_string(FILE *f, const char *s)
{
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)or_empty(s); *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}

/* crun's layout: a pretty array of objects, `[]` when empty. */
static char *format_json(const struct list_entry *e, size_t n)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        fputs(n ? "[\n" : "[]\n", f);
        for (size_t i = 0; i < n; i++) {
                const char *keys[] = {"status", "bundle", "created", "owner"};
                const char *values[] = {e[i].status, e[i].bundle, e[i].created, e[i].owner};
                fputs("  {\n    \"id\": ", f);
                put_json_string(f, e[i].id);
                fprintf(f, ",\n    \"pid\": %lld", (long long)e[i].pid);
                for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
                        fprintf(f, ",\n    \"%s\": ", keys[k]);
                        put_json_string(f, values[k]);
                }
                fputs(i + 1 < n ? "\n  },\n" : "\n  }\n]\n", f);
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static char *format_text(const struct list_entry *e, size_t n, bool quiet)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        if (quiet) {
                for (size_t i = 0; i < n; i++)
                        fprintf(f, "%s\n", or_empty(e[i].id));
        } else {
                /* crun's layout: the NAME column fits the longest ID. */
                int width = 4;
                for (size_t i = 0; i < n; i++)
                        if ((int)strlen(or_empty(e[i].id)) > width)
                                width = (int)strlen(or_empty(e[i].id));
                fprintf(f, "%-*s %-9s %-8s %-39s %-30s %s\n", width, "NAME", "PID", "STATUS", "BUNDLE PATH", "CREATED",
                        "OWNER");
                for (size_t i = 0; i < n; i++)
                        fprintf(f, "%-*s %-9d %-8s %-39s %-30s %s\n", width, or_empty(e[i].id), (int)e[i].pid,
                                or_empty(e[i].status), or_empty(e[i].bundle), or_empty(e[i].created),
                                or_empty(e[i].owner));
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

char *cmd_list_format(const struct list_entry *entries, size_t n, const struct list_options *opts)
{
        if (opts->format == CMD_FORMAT_JSON && !opts->quiet)
                return format_json(entries, n);
        return format_text(entries, n, opts->quiet);
}

/* A create or delete in progress holds the directory lock while state.json is not there yet, or no longer. */
static bool is_locked(int dir_fd)
{
        if (flock(dir_fd, LOCK_SH | LOCK_NB) == 0) {
                flock(dir_fd, LOCK_UN);
                return false;
        }
        return errno == EWOULDBLOCK;
}

/* Between create's mkdir and its lock (microseconds) the directory is empty and unlocked. A directory with
 * nothing recorded stays unlisted for this long; older, it is a create killed before its first record. */
#define CLAIM_GRACE_SECONDS 5

/* Whether a missing state.json is expected now; false: the container is broken. */
static bool absence_is_expected(int dir_fd)
{
        struct stat sb;
        if (fstat(dir_fd, &sb) < 0 || sb.st_nlink == 0)
                return true; /* deleted since it was listed */
        if (is_locked(dir_fd))
                return true;
        if (faccessat(dir_fd, STATE_TEARDOWN_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return false;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        return now.tv_sec - sb.st_ctim.tv_sec < CLAIM_GRACE_SECONDS;
}

enum read_outcome { READ_OK, READ_SKIP, READ_BROKEN };

/* The common case in 3 system calls instead of 8 (`list` of 1,000 containers was mostly system calls):
 * <id>/state.json opened in one openat2 that refuses symlinks and `..` like the O_NOFOLLOW directory open
 * does (and O_NONBLOCK: a FIFO in its place must not hang us), read in one read(2) (a regular file read
 * short of the buffer is at its end; anything else reads as 0 bytes or fails). false: take the careful
 * path, which also explains what is wrong. */
static bool read_state_fast(int root_fd, const char *id, struct container_state **out)
{
        char path[STATE_ID_MAX + sizeof("/" STATE_FILE)];
        if ((size_t)snprintf(path, sizeof(path), "%s/" STATE_FILE, id) >= sizeof(path))
                return false;
        struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
                               .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS};
        _cleanup_close_ int fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
        if (fd < 0)
                return false;
        char buf[16384];
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0 || (size_t)n >= sizeof(buf) || memchr(buf, 0, (size_t)n))
                return false;
        buf[n] = 0;
        _cleanup_error_ struct error *e = NULL;
        return state_parse(id, buf, out, &e) == 0;
}

/* One container's state. A container that cannot be read is listed as broken (with the reason on stderr)
 * so that it can be found and deleted; one being created or deleted right now is skipped silently. */
static enum read_outcome read_state(int root_fd, const char *id, struct container_state **out)
{
        if (read_state_fast(root_fd, id, out))
                return READ_OK;
        _cleanup_error_ struct error *e = NULL;
        _cleanup_close_ int dir_fd = -1;
        if (state_open_dir(root_fd, id, false, &dir_fd, &e) < 0) {
                if (e->errnum == ENOENT)
                        return READ_SKIP; /* deleted since the directory was listed */
        } else if (state_read(dir_fd, id, out, &e) >= 0) {
                return READ_OK;
        } else if (e->errnum == ENOENT && absence_is_expected(dir_fd)) {
                return READ_SKIP;
        }
        _cleanup_free_ char *text = error_text(e);
        fprintf(stderr, "warning: container `%s` is broken: %s\n", id,
                e->errnum == ENOENT ? STATE_FILE " is missing"
                : text              ? text
                                    : "unknown error");
        *out = calloc(1, sizeof(**out));
        if (*out && !((*out)->id = strdup(id))) {
                free(*out);
                *out = NULL;
        }
        return *out ? READ_BROKEN : READ_SKIP;
}

struct list_result {
        struct container_state **states;
        bool *is_broken;
        struct list_entry *entries;
        size_t n;
};

static void list_result_clear(struct list_result *l)
{
        for (size_t i = 0; i < l->n; i++)
                container_state_free(l->states[i]);
        free(l->states);
        free(l->is_broken);
        free(l->entries);
}

static int cmp_pid(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
        return (x > y) - (x < y);
}

/* The pids in /proc, sorted: one directory read instead of a failing open of /proc/<pid>/stat per
 * stopped container. Taken after every state.json was read, so an init missing from it was already gone
 * (a pid that is present is still checked against its start time). NULL when /proc cannot be read. */
static pid_t *proc_pids(size_t *n)
{
        DIR *d = opendir("/proc");
        if (!d)
                return NULL;
        size_t cap = 512;
        pid_t *v = malloc(cap * sizeof(*v));
        struct dirent *de;
        *n = 0;
        while (v && (de = readdir(d))) {
                char *end;
                long pid = strtol(de->d_name, &end, 10);
                if (*end || pid <= 0)
                        continue;
                if (*n == cap) {
                        pid_t *nv = realloc(v, (cap *= 2) * sizeof(*v));
                        if (!nv) {
                                free(v);
                                v = NULL;
                                break;
                        }
                        v = nv;
                }
                v[(*n)++] = (pid_t)pid;
        }
        closedir(d);
        if (v)
                qsort(v, *n, sizeof(*v), cmp_pid);
        return v;
}

static enum container_status entry_status(int root_fd, const struct container_state *st, const pid_t *pids,
                                          size_t n_pids)
{
        if (st->pid <= 0 || (pids && !bsearch(&st->pid, pids, n_pids, sizeof(*pids), cmp_pid)))
                return STATUS_STOPPED;
        _cleanup_error_ struct error *e = NULL;
        _cleanup_close_ int dir_fd = -1;
        if (state_open_dir(root_fd, st->id, false, &dir_fd, &e) < 0)
                return STATUS_STOPPED; /* deleted meanwhile */
        return loaded_container_status(dir_fd, st);
}

static int list_run(struct runtime_ctx *rt, int argc, char **argv, struct error **err)
{
        struct list_options opts;
        int r = cmd_list_parse(argc, argv, &opts, err);
        if (r != 0)
                return cmd_help_or_error(rt, &cmd_list_desc, r);

        _cleanup_close_ int root_fd = -1;
        _cleanup_strv_ char **ids = NULL;
        r = state_open_root(rt->state_root, &root_fd, err);
        if (r < 0)
                return r;
        r = state_list_ids(root_fd, &ids, err);
        if (r < 0)
                return r;

        size_t count = 0;
        while (ids[count])
                count++;
        _cleanup_(list_result_clear) struct list_result l = {
            /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers, so sizeof a pointer */
            .states = calloc(count + 1, sizeof(*l.states)),
            .is_broken = calloc(count + 1, sizeof(*l.is_broken)),
            .entries = calloc(count + 1, sizeof(*l.entries)),
        };
        if (!l.states || !l.is_broken || !l.entries)
                return error_set(err, ENOMEM, "list containers");
        for (size_t i = 0; i < count; i++) {
                enum read_outcome o = read_state(root_fd, ids[i], &l.states[l.n]);
                if (o != READ_SKIP)
                        l.is_broken[l.n++] = o == READ_BROKEN;
        }
        size_t n_pids = 0;
        _cleanup_free_ pid_t *pids = proc_pids(&n_pids);
        for (size_t i = 0; i < l.n; i++) {
                struct container_state *st = l.states[i];
                enum container_status status =
                    l.is_broken[i] ? STATUS_STOPPED : entry_status(root_fd, st, pids, n_pids);
                l.entries[i] = (struct list_entry){
                    .id = st->id,
                    .pid = status == STATUS_STOPPED ? 0 : st->pid,
                    .status = l.is_broken[i] ? "broken" : state_status_name(status),
                    .bundle = st->bundle,
                    .created = st->created,
                    .owner = st->owner,
                };
        }

        _cleanup_free_ char *out = cmd_list_format(l.entries, l.n, &opts);
        if (!out)
                return error_set(err, ENOMEM, "list containers");
        if (fputs(out, stdout) < 0 || fflush(stdout) != 0)
                return error_sys(err, "write container list");
        return 0;
}

const struct cmd_desc cmd_list_desc = {
    .name = "list",
    .synopsis = "",
    .summary = "list the known containers",
    .options = list_options,
    .min_args = 0,
    .max_args = 0,
    .run = list_run,
};
