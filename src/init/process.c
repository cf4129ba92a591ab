/* Process attributes set inside the container after pivot_root (or after exec joined its mount namespace):
 * environment, executable lookup, cwd, credentials, capabilities and the fds that reach the workload.
 * The pure parts live in env.c, exec_path.c and linux/capabilities.c; rlimits and oomScoreAdj are set by
 * the runtime before the clone (container/process_inherited.c). */
#include "init/process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "init/env.h"
#include "init/exec_path.h"
#include "linux/capabilities.h"
#include "linux/safe_path.h"

int process_resolve_executable(const struct oci_process *proc, char **path, struct error **err)
{
        if (!proc->args || !proc->args[0])
                return error_set(err, EINVAL, "process.args: expected at least one entry");
        int r = exec_path_resolve(proc->args[0], env_lookup(proc->env, "PATH"), proc->cwd, exec_path_check_fs, NULL,
                                  path, err);
        if (r < 0)
                return r;
        /* CVE-2024-21626 again: `/proc/self/fd/N/../bin/sh` would run a host binary through an fd of ours.
         * The same walk inside the root that process_chdir does; only its magic-link refusal matters here
         * (other errors are execve's to report, with its wording). */
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = -1;
        _cleanup_error_ struct error *e = NULL;
        if (root >= 0 && safe_openat(root, *path, O_PATH, 0, &fd, &e) < 0 && e->errnum == ELOOP) {
                int errnum = e->errnum;
                error_set(err, errnum,
                          "process.args[0]: `%s` is refused: the executable must be inside the container, "
                          "reached without /proc magic links (such as /proc/self/fd/N)",
                          *path);
                free(*path);
                *path = NULL;
                return -errnum;
        }
        return 0;
}

/* HOME of `uid` from the container's /etc/passwd. The rootfs is hostile: refuse anything but a regular file
 * (a FIFO would block us), and open it non-blocking. NULL when there is none. */
static char *passwd_home(uid_t uid)
{
        _cleanup_close_ int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return NULL;
        _cleanup_fclose_ FILE *f = fdopen(fd, "re");
        if (!f)
                return NULL;
        fd = -1; /* owned by f now */
        char *home = NULL;
        return env_passwd_home(f, uid, &home) > 0 ? home : NULL;
}

int process_build_env(const struct oci_process *proc, char *const *extra, char ***envp, struct error **err)
{
        _cleanup_free_ char *home = NULL;
        if (!env_lookup(proc->env, "HOME") && !env_lookup(extra, "HOME")) {
                home = passwd_home(proc->uid);
                if (!home) {
                        log_debug("process.env: no HOME and no /etc/passwd home for uid %u: using /", proc->uid);
                        home = strdup("/");
                        if (!home)
                                return error_set(err, ENOMEM, "process.env");
                }
        }
        if (env_build(proc->env, extra, home, envp) < 0)
                return error_set(err, ENOMEM, "process.env");
        return 0;
}

int process_chdir(const struct oci_process *proc, struct error **err)
{
        const char *cwd = proc->cwd && *proc->cwd ? proc->cwd : "/";
        /* CVE-2024-21626: a plain chdir("/proc/self/fd/N") lands on whatever directory our fd N is, on the
         * host (an exec child still holds the state directory). So the cwd is resolved inside the root we
         * now run in (pivoted, or joined with the mount namespace), /proc magic links refused, and entered
         * with fchdir. The result cannot be outside the root. */
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return error_sys(err, "process.cwd: open the container root");
        _cleanup_close_ int dir = -1;
        _cleanup_error_ struct error *e = NULL;
        if (safe_openat(root, cwd, O_PATH | O_DIRECTORY, 0, &dir, &e) < 0) {
                if (e->errnum == ELOOP || e->errnum == EXDEV)
                        return error_set(err, e->errnum,
                                         "process.cwd: `%s` is refused: it must resolve to a directory inside the "
                                         "container without /proc magic links (such as /proc/self/fd/N)",
                                         cwd);
                return error_set(err, e->errnum, "process.cwd: chdir to `%s`", cwd);
        }
        if (fchdir(dir) < 0)
                return error_sys(err, "process.cwd: chdir to `%s`", cwd);
        return 0;
}

bool process_chdir_retry_as_user(const struct error *e)
{
        return e && (e->errnum == EACCES || e->errnum == EPERM);
}

/* "deny" in /proc/self/setgroups: a user namespace whose gid map was written without CAP_SETGID in the
 * parent. Unknown (no /proc) counts as denied, since setgroups already failed. */
static bool setgroups_denied(void)
{
        char buf[8] = "";
        _cleanup_close_ int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
                return true;
        return strncmp(buf, "deny", 4) == 0;
}

static int set_groups(const struct oci_process *proc, bool in_userns, struct error **err)
{
        size_t n = proc->has_additional_gids ? proc->n_additional_gids : 0;
        _cleanup_free_ gid_t *gids = calloc(n ? n : 1, sizeof(gid_t));
        if (!gids)
                return error_set(err, ENOMEM, "process.user.additionalGids");
        for (size_t i = 0; i < n; i++)
                gids[i] = (gid_t)proc->additional_gids[i];
        /* Also when the list is absent: the runtime's own supplementary groups must not leak in. */
        if (setgroups(n, gids) == 0)
                return 0;
        if (errno == EPERM && in_userns && setgroups_denied()) {
                if (n > 0)
                        log_warning("process.user.additionalGids: setgroups is denied in this user namespace: "
                                    "%zu additional gids not applied",
                                    n);
                return 0;
        }
        return error_sys(err, "process.user.additionalGids: setgroups");
}

void process_hand_over_stdio(const struct oci_process *proc)
{
        for (int fd = 0; fd < 3; fd++) {
                struct stat st;
                /* Only the anonymous pipes and sockets a caller (conmon, a shell) made for us: a regular
                 * file or a terminal passed as stdio belongs to the caller and keeps its owner. */
                if (fstat(fd, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) ||
                    (st.st_uid == proc->uid && st.st_gid == proc->gid))
                        continue;
                /* Best effort, like runc: an id the user namespace does not map (EINVAL) or a pipe we do not
                 * own (EPERM) keeps its owner, and the process can still use the fd it inherited. */
                (void)fchown(fd, proc->uid, proc->gid);
        }
}

int process_set_identity(const struct oci_process *proc, bool in_userns, struct error **err)
{
        /* Absent umask means "do not change" in the spec, but our setup ran with whatever the caller had;
         * crun and runc use 0022, and images expect it. */
        umask(proc->has_umask ? (mode_t)proc->umask : 0022);

        /* No capabilities object: no capabilities at all (crun). Caps this kernel does not know are ignored. */
        int last_cap = capabilities_last_cap();
        struct oci_caps caps = proc->has_caps ? proc->caps : (struct oci_caps){0};
        caps.bounding = capabilities_known(caps.bounding, last_cap);
        caps.effective = capabilities_known(caps.effective, last_cap);
        caps.permitted = capabilities_known(caps.permitted, last_cap);
        caps.inheritable = capabilities_known(caps.inheritable, last_cap);
        caps.ambient = capabilities_known(caps.ambient, last_cap);

        /* 1. The bounding set first: PR_CAPBSET_DROP needs CAP_SETPCAP in the effective set, which the uid
         *    switch below clears. Dropping from the bounding set leaves our own effective set intact. */
        int r = capabilities_drop_bounding(caps.bounding, last_cap, err);
        if (r < 0)
                return r;

        /* 2. Groups before uid: setgroups and setresgid need CAP_SETGID. */
        r = set_groups(proc, in_userns, err);
        if (r < 0)
                return r;
        if (setresgid(proc->gid, proc->gid, proc->gid) < 0)
                return error_sys(err, "process.user.gid: setresgid(%u)", proc->gid);

        /* 3. Without KEEPCAPS the kernel empties the permitted set once no uid is 0 any more, and there would be
         *    nothing left to hand to the workload. execve resets the flag. */
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return error_sys(err, "prctl(PR_SET_KEEPCAPS)");
        if (setresuid(proc->uid, proc->uid, proc->uid) < 0)
                return error_sys(err, "process.user.uid: setresuid(%u)", proc->uid);

        /* 4. Effective/permitted/inheritable: a subset of the permitted set KEEPCAPS preserved. */
        r = capabilities_set_proc(caps.effective, caps.permitted, caps.inheritable, last_cap, err);
        if (r < 0)
                return r;
        /* 5. Ambient last: the kernel only accepts caps that are already permitted and inheritable. */
        r = capabilities_set_ambient(caps.ambient, last_cap, err);
        if (r < 0)
                return r;

        /* 6. After the capability work: with NNP set nothing can regain privileges through execve. */
        if (proc->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return error_sys(err, "process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS)");
        return 0;
}

static int cmp_int(const void *a, const void *b)
{
        int x = *(const int *)a, y = *(const int *)b;
        return (x > y) - (x < y);
}

static bool is_kept(int fd, int first, const int *keep, size_t n_keep)
{
        if (fd < first)
                return true;
        for (size_t i = 0; i < n_keep; i++)
                if (keep[i] == fd)
                        return true;
        return false;
}

static int mark_cloexec(int fd)
{
        int flags = fcntl(fd, F_GETFD);
        if (flags < 0)
                return errno == EBADF ? 0 : -errno;
        if (!(flags & FD_CLOEXEC) && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
                return -errno;
        return 0;
}

/* Old kernels without close_range(CLOSE_RANGE_CLOEXEC) (< 5.11), or a filter that denies it: walk
 * /proc/self/fd, else every number up to the fd limit. */
static int mark_cloexec_fallback(int first, const int *keep, size_t n_keep, struct error **err)
{
        DIR *d = opendir("/proc/self/fd");
        if (d) {
                struct dirent *de;
                int r = 0;
                while (r >= 0 && (de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        int fd = atoi(de->d_name);
                        if (fd != dirfd(d) && !is_kept(fd, first, keep, n_keep))
                                r = mark_cloexec(fd);
                }
                closedir(d);
                return r < 0 ? error_set(err, -r, "close fds: set FD_CLOEXEC") : 0;
        }
        struct rlimit rl;
        int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1U << 20 ? (int)rl.rlim_cur : 1 << 20;
        for (int fd = first; fd < max; fd++) {
                int r = is_kept(fd, first, keep, n_keep) ? 0 : mark_cloexec(fd);
                if (r < 0)
                        return error_set(err, -r, "close fds: set FD_CLOEXEC on %d", fd);
        }
        return 0;
}

int process_close_fds(int preserve_fds, const int *keep, size_t n_keep, struct error **err)
{
        /* CLOEXEC rather than close: execve closes them, while the exec-failure report fd (CLOEXEC already)
         * stays usable until then. Kept fds are left as they are. */
        int first = 3 + (preserve_fds > 0 ? preserve_fds : 0);
        int sorted[16];
        size_t n = 0;
        if (n_keep > ARRAY_SIZE(sorted))
                return error_set(err, E2BIG, "close fds: too many fds to keep (%zu)", n_keep);
        for (size_t i = 0; i < n_keep; i++)
                if (keep[i] >= first)
                        sorted[n++] = keep[i];
        qsort(sorted, n, sizeof(int), cmp_int);

        unsigned lo = (unsigned)first;
        for (size_t i = 0; i <= n; i++) {
                unsigned hi = i < n ? (unsigned)sorted[i] : ~0U;
                if (hi > lo && close_range(lo, hi - (i < n), CLOSE_RANGE_CLOEXEC) < 0) {
                        /* EPERM: a seccomp filter the runtime itself runs under (inside a container). */
                        if (errno == ENOSYS || errno == EINVAL || errno == EPERM)
                                return mark_cloexec_fallback(first, keep, n_keep, err);
                        return error_sys(err, "close fds: close_range(%u, %u)", lo, hi);
                }
                if (i < n)
                        lo = (unsigned)sorted[i] + 1;
        }
        return 0;
}
