/* Runtime side of src/linux/userns.h: detection from /proc/self/uid_map, and writing the init's maps. */
#include "linux/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fs.h"
#include "linux/idmap.h"

extern char **environ;

bool userns_detect_rootless(void)
{
        uid_t euid = geteuid();
        if (euid != 0)
                return true;
        _cleanup_free_ char *map = NULL;
        if (fs_read_file("/proc/self/uid_map", 1 << 16, &map, NULL) < 0)
                return userns_is_rootless(euid, NULL);
        return userns_is_rootless(euid, map);
}

static int write_proc(pid_t pid, const char *name, const char *text, struct error **err)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return error_sys(err, "open %s", path);
        int r = fs_write_all(fd, text, strlen(text));
        if (r < 0)
                return error_set(err, -r, "write %s", path);
        return 0;
}

/* newuidmap/newgidmap check /etc/subuid and /etc/subgid for us (they are setuid root); their own message
 * says which range is refused, so its first line goes into ours. */
static int run_helper(const char *prog, pid_t pid, const struct oci_id_mapping *m, size_t n, struct error **err)
{
        _cleanup_strv_ char **argv = userns_helper_argv(prog, pid, m, n);
        if (!argv)
                return error_set(err, ENOMEM, "%s", prog);
        int out[2];
        if (pipe2(out, O_CLOEXEC) < 0)
                return error_sys(err, "%s: pipe", prog);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, out[1], STDERR_FILENO);
        pid_t child;
        int sr = posix_spawnp(&child, prog, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(out[1]);
        _cleanup_close_ int rd = out[0];
        if (sr != 0)
                return error_set(err, sr, "run %s (from the uidmap package)", prog);
        _cleanup_free_ char *text = NULL;
        fs_read_fd(rd, 4096, &text, NULL);
        int status;
        while (waitpid(child, &status, 0) < 0)
                if (errno != EINTR)
                        return error_sys(err, "wait for %s", prog);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        char *nl = text ? strchr(text, '\n') : NULL;
        if (nl)
                *nl = '\0';
        return error_set(err, EPERM, "%s failed (%s %d)%s%s", prog, WIFEXITED(status) ? "exit status" : "signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), text && *text ? ": " : "",
                         text ? text : "");
}

static int write_one(pid_t pid, bool is_gid, const struct oci_id_mapping *m, size_t n, struct error **err)
{
        const char *file = is_gid ? "gid_map" : "uid_map";
        if (n == 0)
                return 0;
        /* euid 0 in our namespace: CAP_SETUID/CAP_SETGID over the child namespace, any range we map. */
        bool is_privileged = geteuid() == 0;
        uint32_t own = is_gid ? (uint32_t)getegid() : (uint32_t)geteuid();
        if (!is_privileged && !userns_map_is_own_id(m, n, own))
                return run_helper(is_gid ? "newgidmap" : "newuidmap", pid, m, n, err);
        char buf[8192];
        if (idmap_format_map(m, n, buf, sizeof(buf)) < 0)
                return error_set(err, E2BIG, "too many mapping entries");
        /* Without CAP_SETGID the kernel takes a gid_map only once setgroups is denied (user_namespaces(7)):
         * otherwise the container could drop a group that denies access on the host. */
        if (is_gid && !is_privileged) {
                int r = write_proc(pid, "setgroups", "deny", err);
                if (r < 0)
                        return r;
        }
        return write_proc(pid, file, buf, err);
}

int userns_write_maps(pid_t pid, const struct oci_linux *l, struct error **err)
{
        int r = write_one(pid, false, l->uid_mappings, l->n_uid_mappings, err);
        if (r < 0)
                return error_prefix(err, "config.json: linux.uidMappings");
        r = write_one(pid, true, l->gid_mappings, l->n_gid_mappings, err);
        if (r < 0)
                return error_prefix(err, "config.json: linux.gidMappings");
        return 0;
}
