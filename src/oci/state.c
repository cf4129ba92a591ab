#include "oci/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fs.h"
#include "core/json.h"

const char *state_default_root(bool is_rootless)
{
        static char buf[4096];
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        /* Rootless (also podman's user namespace, where the euid is 0) cannot write /run: the user's runtime
         * directory, as crun does. Root always uses /run/krun: podman runs some commands with
         * XDG_RUNTIME_DIR set and some without, and every command of one caller must resolve the same root. */
        if (is_rootless && xdg && *xdg) {
                snprintf(buf, sizeof(buf), "%s/krun", xdg);
                return buf;
        }
        /* No XDG_RUNTIME_DIR (su, cron): the user's runtime directory if the login manager made one, as crun
         * does. Not with euid 0 in a user namespace, where /run/user/0 is host root's. */
        uid_t euid = geteuid();
        struct stat st;
        if (is_rootless && euid != 0) {
                snprintf(buf, sizeof(buf), "/run/user/%u", (unsigned)euid);
                if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == euid) {
                        snprintf(buf, sizeof(buf), "/run/user/%u/krun", (unsigned)euid);
                        return buf;
                }
        }
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

/* state.json and teardown.json hold a few hundred bytes (two paths and a cgroup path at most); a larger
 * one is damaged, not something to allocate for. */
#define STATE_MAX_SIZE 65534
/* annotations.json holds what create accepted from a config.json of at most STATE_CONFIG_MAX bytes;
 * json-c may escape a byte as 6 (\u00XX). */
#define STATE_ANNOTATIONS_MAX_SIZE (6 * (size_t)STATE_CONFIG_MAX + 4096)

/* temp + rename: a reader (and a `delete --force` after a SIGKILL) sees the old file or the new one, never
 * a torn one. No fsync (neither crun nor runc does): it cost 7.5 ms median per write on this ext4 /run,
 * and what it would guard, a state file after a power loss, names processes and cgroups that did not
 * survive the reboot; a state.json torn by one is `broken` and `delete --force` undoes it from
 * teardown.json (docs/state.md). */
static int write_atomic(int dir_fd, const char *name, const char *text, struct error **err)
{
        char tmp[64];
        snprintf(tmp, sizeof(tmp), "%s.tmp", name);
        if (!text)
                return error_set(err, ENOMEM, "write state: %s", name);
        _cleanup_close_ int fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        int r;
        if (fd < 0)
                return error_sys(err, "write state: open %s", tmp);
        if ((r = fs_write_all(fd, text, strlen(text))) < 0)
                return error_set(err, -r, "write state: write %s", tmp);
        if (renameat(dir_fd, tmp, dir_fd, name) < 0)
                return error_sys(err, "write state: rename %s", tmp);
        return 0;
}

int state_write_teardown(int dir_fd, const struct container_state *st, struct error **err)
{
        _cleanup_free_ char *text = state_teardown_format(st);
        return write_atomic(dir_fd, STATE_TEARDOWN_FILE, text, err);
}

int state_write(int dir_fd, const struct container_state *st, struct error **err)
{
        int r = state_write_teardown(dir_fd, st, err);
        if (r >= 0 && st->annotation_keys && st->annotation_keys[0]) {
                _cleanup_free_ char *text = state_annotations_format(st);
                r = write_atomic(dir_fd, STATE_ANNOTATIONS_FILE, text, err);
        }
        if (r >= 0) {
                _cleanup_free_ char *text = state_format(st);
                r = write_atomic(dir_fd, STATE_FILE, text, err);
        }
        return r;
}

/* A file of the state directory, whatever is in its place: O_NONBLOCK so a FIFO cannot hang us, O_NOFOLLOW
 * so a symlink is not followed, fstat so only a regular file of at most `max` bytes is read. */
static int read_state_file(int dir_fd, const char *id, const char *name, size_t max, char **out, size_t *out_len,
                           struct error **err)
{
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
                if (errno == ENOENT)
                        return error_set(err, ENOENT, "container `%s` does not exist", id);
                if (errno == ELOOP)
                        return error_set(err, 0, "state of `%s`: %s is a symbolic link", id, name);
                return error_sys(err, "state of `%s`: open %s", id, name);
        }
        struct stat sb;
        if (fstat(fd, &sb) < 0)
                return error_sys(err, "state of `%s`: stat %s", id, name);
        if (!S_ISREG(sb.st_mode))
                return error_set(err, 0, "state of `%s`: %s is not a regular file", id, name);
        if ((unsigned long long)sb.st_size > max)
                return error_set(err, 0, "state of `%s`: %s is too large (%lld bytes, at most %zu)", id, name,
                                 (long long)sb.st_size, max);
        size_t len = 0;
        int r = fs_read_fd(fd, max, out, &len);
        if (r == -EFBIG)
                return error_set(err, 0, "state of `%s`: %s grew beyond %zu bytes", id, name, max);
        if (r < 0)
                return error_set(err, -r, "state of `%s`: read %s", id, name);
        if (strlen(*out) != len) /* the parser would stop at the NUL and take what precedes it */
                return error_set(err, 0, "state of `%s`: %s is corrupt: contains a NUL byte", id, name);
        if (out_len)
                *out_len = len;
        return 0;
}

int state_read(int dir_fd, const char *id, struct container_state **out, struct error **err)
{
        _cleanup_free_ char *buf = NULL;
        int r = read_state_file(dir_fd, id, STATE_FILE, STATE_MAX_SIZE, &buf, NULL, err);
        if (r < 0 && err && (*err)->errnum == ENOENT &&
            faccessat(dir_fd, STATE_TEARDOWN_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return error_set(err, ENOENT,
                                 "container `%s` has no " STATE_FILE
                                 " (it is being created, or its create was killed: `delete --force` removes it)",
                                 id);
        return r < 0 ? r : state_parse(id, buf, out, err);
}

int state_read_teardown(int dir_fd, const char *id, struct container_state **out, struct error **err)
{
        _cleanup_free_ char *buf = NULL;
        int r = read_state_file(dir_fd, id, STATE_TEARDOWN_FILE, STATE_MAX_SIZE, &buf, NULL, err);
        return r < 0 ? r : state_teardown_parse(id, buf, out, err);
}

int state_read_annotations(int dir_fd, struct container_state *st, struct error **err)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_error_ struct error *e = NULL;
        int r = read_state_file(dir_fd, st->id, STATE_ANNOTATIONS_FILE, STATE_ANNOTATIONS_MAX_SIZE, &buf, NULL, &e);
        if (r < 0 && e->errnum == ENOENT)
                return 0;
        if (r < 0) {
                *err = TAKE_PTR(e);
                return r;
        }
        return state_annotations_parse(st->id, buf, st, err);
}

int state_read_config(int dir_fd, const char *id, char **text, size_t *len, struct error **err)
{
        *text = NULL;
        _cleanup_error_ struct error *e = NULL;
        int r = read_state_file(dir_fd, id, STATE_CONFIG_FILE, STATE_CONFIG_MAX, text, len, &e);
        if (r >= 0)
                return 0;
        if (e->errnum == ENOENT) /* not "does not exist": the container does, its copy is what is missing */
                return error_set(err, ENOENT, "state of `%s`: no " STATE_CONFIG_FILE, id);
        if (err)
                *err = TAKE_PTR(e);
        return r;
}

/* A directory of the state dir may be a mount point a command made and could not undo (restore binds the
 * rootfs on criu-root): detach it first, and never descend into one that is still mounted, which would
 * delete the files of whatever is mounted there (the container's image). */
static int open_unmounted_dir(int dir_fd, const char *name)
{
        char path[64 + 256];
        snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dir_fd, name);
        umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW); /* EINVAL: not a mount point, the usual case */
        int fd = openat(dir_fd, name, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct statx sx;
        if (fd >= 0 &&
            (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) < 0 ||
             !(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) || (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))) {
                close(fd);
                return -1;
        }
        return fd;
}

static int remove_tree_at(int dir_fd, const char *keep)
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
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || (keep && !strcmp(de->d_name, keep)))
                        continue;
                if (de->d_type == DT_DIR) {
                        int sub = open_unmounted_dir(dirfd(d), de->d_name);
                        if (sub >= 0) {
                                remove_tree_at(sub, NULL);
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
        remove_tree_at(fd, STATE_TEARDOWN_FILE);
        unlinkat(fd, STATE_TEARDOWN_FILE, 0);
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
