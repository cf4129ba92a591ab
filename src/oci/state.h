/* The state store: <root>/<id>/ holds
 *   teardown.json    what `delete --force` needs to undo the container (init pid + start time, cgroup,
 *                    executor and rootfs, i.e. what was written into the image). Written first, before
 *                    anything of the container exists, and again once the init and its cgroup do; small.
 *   state.json       the same facts plus bundle, created, owner: what every command reads. Small.
 *   annotations.json the config's annotations (any size create accepts), read only by `state`.
 *   config.json      verbatim copy of the bundle's config (exec, the hooks of start and delete, and the
 *                    executor's cleanup read it). The lock is the directory's flock; while `created`,
 *                    exec.sock (the init waits on it for `start`).
 * Every file is written atomically (temp + rename) and read without following symlinks or blocking on a
 * FIFO, bounded and type-checked: a damaged file makes that container "broken", never a crash or a hang.
 * Liveness always comes from the process (pid + start time), never from the file alone. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"

enum container_status { STATUS_CREATED, STATUS_RUNNING, STATUS_PAUSED, STATUS_STOPPED };

struct container_state {
        char *id;
        pid_t pid;                                   /* host pid of the init */
        unsigned long long start_time;               /* field 22 of /proc/<pid>/stat at create */
        char *bundle;                                /* absolute */
        char *rootfs;                                /* absolute */
        char *created;                               /* RFC 3339 UTC with nanoseconds */
        char *owner;                                 /* user name of the creating euid */
        char *cgroup_manager;                        /* "cgroupfs", "systemd", "disabled" */
        char *cgroup_path;                           /* opaque to the store, owned by src/cgroup */
        char *systemd_scope;                         /* NULL unless the systemd driver made one */
        char *executor;                              /* "native" or "krun" */
        bool has_pidns;                              /* killing the init kills everything */
        char **annotation_keys, **annotation_values; /* parallel, NULL-terminated */
};

/* Default state root: when rootless, $XDG_RUNTIME_DIR/krun if that is set and non-empty, else
 * /run/user/EUID/krun if the user's /run/user/EUID exists; otherwise /run/krun. */
const char *state_default_root(bool is_rootless);
/* Validates a container ID: [A-Za-z0-9_+.-], no leading '.', 1..STATE_ID_MAX bytes (it is a directory name). Pure. */
#define STATE_ID_MAX 250
int state_validate_id(const char *id, struct error **err);

/* Create <root> (0700) if needed and open it as a directory fd. */
int state_open_root(const char *root, int *root_fd, struct error **err);
/* Create <root>/<id>/ exclusively (error "container `ID` already exists") and lock it. Returns its dirfd.
 * mkdir is the atomic claim on the ID; the flock on the directory fd serialises commands on it. */
int state_create_dir(int root_fd, const char *id, int *dir_fd, struct error **err);
/* Opens <root>/<id>/; error "container `ID` does not exist" when absent. With `lock`, waits for the
 * container's lock and fails with "does not exist" if the container was deleted meanwhile. */
int state_open_dir(int root_fd, const char *id, bool lock, int *dir_fd, struct error **err);
#define STATE_FILE "state.json"
#define STATE_TEARDOWN_FILE "teardown.json"
#define STATE_ANNOTATIONS_FILE "annotations.json"
/* teardown.json only: the first record of a create, before its cgroup, init or image files exist. */
int state_write_teardown(int dir_fd, const struct container_state *st, struct error **err);
#define STATE_CONFIG_FILE "config.json"
/* The largest config.json a container may have. `create` refuses a bigger bundle config, so every reader
 * of the state's copy (state_read_config) and of what was derived from it (annotations.json) can use
 * this one cap: a larger copy is damaged, never legitimate. */
#define STATE_CONFIG_MAX (16 << 20)
/* teardown.json, annotations.json (when there are any), then state.json. */
int state_write(int dir_fd, const struct container_state *st, struct error **err);
/* state.json (no annotations); ENOENT: "container `ID` does not exist". */
int state_read(int dir_fd, const char *id, struct container_state **out, struct error **err);
/* teardown.json as a container_state (only the teardown facts set); ENOENT when create recorded nothing. */
int state_read_teardown(int dir_fd, const char *id, struct container_state **out, struct error **err);
/* annotations.json into st; when it is absent, st keeps what an older state.json held (or none). */
int state_read_annotations(int dir_fd, struct container_state *st, struct error **err);
/* The state's copy of config.json (NUL-terminated, at most STATE_CONFIG_MAX bytes), read like every state
 * file: a regular file, no symlink followed, no FIFO waited on. ENOENT: "state of `ID`: no config.json". */
int state_read_config(int dir_fd, const char *id, char **text, size_t *len, struct error **err);

/* Pure (src/oci/state_json.c): the files' texts. Parsers check every field's type and range, name the
 * file and field they reject, and never return a partial state. Formatters return NULL on ENOMEM. */
int state_parse(const char *id, const char *text, struct container_state **out, struct error **err);
int state_teardown_parse(const char *id, const char *text, struct container_state **out, struct error **err);
int state_annotations_parse(const char *id, const char *text, struct container_state *st, struct error **err);
char *state_format(const struct container_state *st);
char *state_teardown_format(const struct container_state *st);
char *state_annotations_format(const struct container_state *st);
void state_annotations_clear(struct container_state *st);
/* The init left the created state (it exec'd or is about to): exec.sock goes away. */
void state_mark_started(int dir_fd);
/* Remove <root>/<id>/ and everything in it, teardown.json last (a delete killed midway can be redone).
 * Missing is fine. */
int state_remove(int root_fd, const char *id, struct error **err);
/* Status from the live process: stopped when the pid is gone, reused (start time differs) or a zombie.
 * Never `paused`: that is the cgroup freezer's state, which the store does not know about (see
 * loaded_container_status). */
enum container_status state_status(int dir_fd, const struct container_state *st);
const char *state_status_name(enum container_status s);
/* JSON for `state` and hooks (pretty when indent). Caller frees. */
char *state_to_json(const struct container_state *st, enum container_status status, bool pretty);
/* Read field 22 of /proc/<pid>/stat; 0 when gone. Also reports whether the process is a zombie. */
int proc_start_time(pid_t pid, unsigned long long *start_time, bool *is_zombie);
/* List IDs under the root (entries that are directories). */
int state_list_ids(int root_fd, char ***ids, struct error **err);
void container_state_free(struct container_state *st);
