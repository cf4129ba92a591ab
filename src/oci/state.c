#include "oci/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fs.h"
#include "core/json.h"

#define STATE_FILE "state.json"
#define STATE_TMP "state.json.tmp"
/* state.json is a few hundred bytes; a larger one is corrupt, not something to allocate for. */
#define STATE_MAX_SIZE 65534

const char *state_default_root(void)
{
        static char buf[4096];
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (xdg && *xdg && geteuid() != 0) {
                snprintf(buf, sizeof(buf), "%s/krun", xdg);
                return buf;
        }
        /* Root always uses /run/krun: podman runs some commands with XDG_RUNTIME_DIR set and some without,
         * and every command of one caller must resolve the same root. */
        return "/run/krun";
}

int state_validate_id(const char *id, struct error **err)
{
        if (!id || !*id)
                return error_set(err, EINVAL, "invalid container ID: empty");
        size_t len = strlen(id);
        if (len > STATE_ID_MAX)
                return error_set(err, EINVAL, "invalid container ID: longer than %d characters", STATE_ID_MAX);
        if (id[0] == '.')
                return error_set(err, EINVAL, "invalid container ID `%s`: must not start with `.`", id);
        for (const char *p = id; *p; p++) {
                char c = *p;
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                          c == '+' || c == '.' || c == '-';
                if (!ok)
                        return error_set(err, EINVAL,
                                         "invalid container ID `%s`: only letters, digits and `_+.-` are allowed", id);
        }
        return 0;
}

static int mkdir_parents(const char *path, mode_t mode)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        for (char *p = copy + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = 0;
                if (mkdir(copy, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        if (mkdir(copy, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int state_open_root(const char *root, int *root_fd, struct error **err)
{
        int fd = open(root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
                int r = mkdir_parents(root, 0700);
                if (r < 0)
                        return error_set(err, -r, "create state root `%s`", root);
                fd = open(root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        }
        if (fd < 0)
                return error_sys(err, "open state root `%s`", root);
        *root_fd = fd;
        return 0;
}

static int lock_dir(int dir_fd, const char *id, struct error **err)
{
        while (flock(dir_fd, LOCK_EX) < 0) {
                if (errno != EINTR)
                        return error_sys(err, "lock container `%s`", id);
        }
        /* A delete that held the lock before us may have removed the directory. */
        struct stat st;
        if (fstat(dir_fd, &st) < 0)
                return error_sys(err, "stat state of `%s`", id);
        if (st.st_nlink == 0)
                return error_set(err, ENOENT, "container `%s` does not exist", id);
        return 0;
}

int state_create_dir(int root_fd, const char *id, int *dir_fd, struct error **err)
{
        if (mkdirat(root_fd, id, 0700) < 0) {
                if (errno == EEXIST)
                        return error_set(err, EEXIST, "container `%s` already exists", id);
                return error_sys(err, "create state directory for `%s`", id);
        }
        _cleanup_close_ int fd = openat(root_fd, id, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                int r = error_sys(err, "open state directory for `%s`", id);
                unlinkat(root_fd, id, AT_REMOVEDIR);
                return r;
        }
        int r = lock_dir(fd, id, err);
        if (r < 0)
                return r;
        *dir_fd = TAKE_FD(fd);
        return 0;
}

int state_open_dir(int root_fd, const char *id, bool lock, int *dir_fd, struct error **err)
{
        int r = state_validate_id(id, err);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = openat(root_fd, id, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT)
                        return error_set(err, ENOENT, "container `%s` does not exist", id);
                return error_sys(err, "open state of `%s`", id);
        }
        if (lock) {
                r = lock_dir(fd, id, err);
                if (r < 0)
                        return r;
        }
        *dir_fd = TAKE_FD(fd);
        return 0;
}

static void add_str(struct json_object *o, const char *key, const char *value)
{
        if (value)
                json_object_object_add(o, key, json_object_new_string(value));
}

/* The same "annotations" object in state.json and in what `state` prints; absent when there are none. */
static void add_annotations(struct json_object *o, const struct container_state *st)
{
        if (!st->annotation_keys || !st->annotation_keys[0])
                return;
        struct json_object *a = json_object_new_object();
        for (size_t i = 0; st->annotation_keys[i]; i++)
                json_object_object_add(a, st->annotation_keys[i], json_object_new_string(st->annotation_values[i]));
        json_object_object_add(o, "annotations", a);
}

int state_write(int dir_fd, const struct container_state *st, struct error **err)
{
        struct json_object *o = json_object_new_object();
        add_str(o, "id", st->id);
        json_object_object_add(o, "pid", json_object_new_int64(st->pid));
        json_object_object_add(o, "start_time", json_object_new_uint64(st->start_time));
        add_str(o, "bundle", st->bundle);
        add_str(o, "rootfs", st->rootfs);
        add_str(o, "created", st->created);
        add_str(o, "owner", st->owner);
        add_str(o, "cgroup_manager", st->cgroup_manager);
        add_str(o, "cgroup_path", st->cgroup_path);
        add_str(o, "systemd_scope", st->systemd_scope);
        add_str(o, "executor", st->executor);
        json_object_object_add(o, "has_pidns", json_object_new_boolean(st->has_pidns));
        add_annotations(o, st);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        /* temp + fsync + rename: a reader never sees a torn state.json, even across a crash. */
        _cleanup_close_ int fd = openat(dir_fd, STATE_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        int r = 0;
        if (fd < 0)
                r = error_sys(err, "write state: open " STATE_TMP);
        else if ((r = fs_write_all(fd, text, strlen(text))) < 0)
                r = error_set(err, -r, "write state: write " STATE_TMP);
        else if (fsync(fd) < 0)
                r = error_sys(err, "write state: fsync " STATE_TMP);
        else if (renameat(dir_fd, STATE_TMP, dir_fd, STATE_FILE) < 0)
                r = error_sys(err, "write state: rename " STATE_TMP);
        json_object_put(o);
        return r;
}

static char *dup_field(struct json_object *o, const char *key)
{
        struct json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return strdup(json_object_get_string(v));
}

int state_read(int dir_fd, const char *id, struct container_state **out, struct error **err)
{
        _cleanup_close_ int fd = openat(dir_fd, STATE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT)
                        return error_set(err, ENOENT, "container `%s` does not exist", id);
                return error_sys(err, "read state of `%s`", id);
        }
        _cleanup_free_ char *buf = NULL;
        int r = fs_read_fd(fd, STATE_MAX_SIZE, &buf, NULL);
        if (r == -EFBIG)
                return error_set(err, EFBIG, "state of `%s`: " STATE_FILE " too large", id);
        if (r < 0)
                return error_set(err, -r, "read state of `%s`", id);
        return state_parse(id, buf, out, err);
}

int state_parse(const char *id, const char *buf, struct container_state **out, struct error **err)
{
        /* json_parse_object: strict and UTF-8 only, so `state` never prints invalid JSON from a bad file. */
        struct json_object *o = NULL;
        _cleanup_error_ struct error *parse_err = NULL;
        if (json_parse_object(buf, strlen(buf), &o, &parse_err) < 0)
                return error_set(err, EINVAL, "state of `%s`: " STATE_FILE " is corrupt", id);
        struct container_state *st = calloc(1, sizeof(*st));
        if (!st) {
                json_object_put(o);
                return error_set(err, ENOMEM, "read state");
        }
        struct json_object *v;
        st->id = strdup(id);
        if (json_object_object_get_ex(o, "pid", &v))
                st->pid = (pid_t)json_object_get_int64(v);
        if (json_object_object_get_ex(o, "start_time", &v))
                st->start_time = json_object_get_uint64(v);
        if (json_object_object_get_ex(o, "has_pidns", &v))
                st->has_pidns = json_object_get_boolean(v);
        st->bundle = dup_field(o, "bundle");
        st->rootfs = dup_field(o, "rootfs");
        st->created = dup_field(o, "created");
        st->owner = dup_field(o, "owner");
        st->cgroup_manager = dup_field(o, "cgroup_manager");
        st->cgroup_path = dup_field(o, "cgroup_path");
        st->systemd_scope = dup_field(o, "systemd_scope");
        st->executor = dup_field(o, "executor");
        if (json_object_object_get_ex(o, "annotations", &v) && json_object_is_type(v, json_type_object)) {
                size_t n = (size_t)json_object_object_length(v), i = 0;
                st->annotation_keys = calloc(n + 1, sizeof(char *));
                st->annotation_values = calloc(n + 1, sizeof(char *));
                if (st->annotation_keys && st->annotation_values) {
                        json_object_object_foreach(v, key, val)
                        {
                                st->annotation_keys[i] = strdup(key);
                                /* A null (or any non-string) value in a damaged file reads as "". */
                                st->annotation_values[i] = strdup(
                                    json_object_is_type(val, json_type_string) ? json_object_get_string(val) : "");
                                i++;
                        }
                }
        }
        json_object_put(o);
        *out = st;
        return 0;
}

static int remove_tree_at(int dir_fd)
{
        _cleanup_close_ int fd = dup(dir_fd);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d)
                return -errno;
        fd = -1;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (de->d_type == DT_DIR) {
                        int sub = openat(dirfd(d), de->d_name, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                        if (sub >= 0) {
                                remove_tree_at(sub);
                                close(sub);
                        }
                        unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
                } else {
                        unlinkat(dirfd(d), de->d_name, 0);
                }
        }
        closedir(d);
        return 0;
}

int state_remove(int root_fd, const char *id, struct error **err)
{
        _cleanup_close_ int fd = openat(root_fd, id, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return error_sys(err, "remove state of `%s`", id);
        }
        remove_tree_at(fd);
        if (unlinkat(root_fd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return error_sys(err, "remove state directory of `%s`", id);
        return 0;
}

void state_mark_started(int dir_fd)
{
        unlinkat(dir_fd, "exec.sock", 0);
}

int proc_start_time(pid_t pid, unsigned long long *start_time, bool *is_zombie)
{
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return -EIO;
        buf[n] = 0;
        /* comm may contain spaces and parentheses: fields restart after the last ')'. */
        char *p = strrchr(buf, ')');
        if (!p)
                return -EIO;
        char state = 0;
        unsigned long long st = 0;
        /* after ')': state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime
         * cutime cstime priority nice num_threads itrealvalue starttime(22) */
        if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &state,
                   &st) != 2)
                return -EIO;
        *start_time = st;
        if (is_zombie)
                *is_zombie = state == 'Z' || state == 'X';
        return 0;
}

enum container_status state_status(int dir_fd, const struct container_state *st)
{
        if (st->pid <= 0)
                return STATUS_STOPPED;
        unsigned long long start = 0;
        bool zombie = false;
        if (proc_start_time(st->pid, &start, &zombie) < 0 || zombie || start != st->start_time)
                return STATUS_STOPPED;
        if (faccessat(dir_fd, "exec.sock", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return STATUS_CREATED;
        return STATUS_RUNNING;
}

const char *state_status_name(enum container_status s)
{
        static const char *const names[] = {[STATUS_CREATED] = "created",
                                            [STATUS_RUNNING] = "running",
                                            [STATUS_PAUSED] = "paused",
                                            [STATUS_STOPPED] = "stopped"};
        return names[s];
}

char *state_to_json(const struct container_state *st, enum container_status status, bool pretty)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "ociVersion", json_object_new_string("1.0.0"));
        add_str(o, "id", st->id);
        json_object_object_add(o, "pid", json_object_new_int64(status == STATUS_STOPPED ? 0 : st->pid));
        json_object_object_add(o, "status", json_object_new_string(state_status_name(status)));
        add_str(o, "bundle", st->bundle);
        add_str(o, "rootfs", st->rootfs);
        add_str(o, "created", st->created);
        add_str(o, "owner", st->owner);
        add_str(o, "systemd-scope", st->systemd_scope);
        add_annotations(o, st);
        int flags = pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN;
        char *s = strdup(json_object_to_json_string_ext(o, flags | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return s;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list_ids(int root_fd, char ***ids, struct error **err)
{
        int fd = dup(root_fd);
        if (fd < 0)
                return error_sys(err, "list state root");
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return error_sys(err, "list state root");
        }
        rewinddir(d);
        size_t n = 0, cap = 16;
        char **v = calloc(cap + 1, sizeof(char *));
        struct dirent *de;
        while (v && (de = readdir(d))) {
                if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
                        continue;
                if (n == cap) {
                        cap *= 2;
                        char **nv = realloc(v, (cap + 1) * sizeof(char *));
                        if (!nv)
                                break;
                        v = nv;
                }
                v[n++] = strdup(de->d_name);
                v[n] = NULL;
        }
        closedir(d);
        if (!v)
                return error_set(err, ENOMEM, "list state root");
        qsort(v, n, sizeof(char *), cmp_str);
        *ids = v;
        return 0;
}

void container_state_free(struct container_state *st)
{
        if (!st)
                return;
        free(st->id);
        free(st->bundle);
        free(st->rootfs);
        free(st->created);
        free(st->owner);
        free(st->cgroup_manager);
        free(st->cgroup_path);
        free(st->systemd_scope);
        free(st->executor);
        if (st->annotation_keys)
                for (size_t i = 0; st->annotation_keys[i]; i++) {
                        free(st->annotation_keys[i]);
                        free(st->annotation_values[i]);
                }
        free(st->annotation_keys);
        free(st->annotation_values);
        free(st);
}
