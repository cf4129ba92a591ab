/* `create` and `run`: the OCI lifecycle from config.json to a container waiting for `start`, in one
 * readable sequence. Each step is a call into a module; the order lives here. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container/console_socket.h"
#include "container/creation.h"
#include "container/foreground.h"
#include "container/hooks.h"
#include "container/lifecycle.h"
#include "container/notify.h"
#include "container/process_inherited.h"
#include "container/spawn.h"
#include "core/cleanup.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/passwd.h"
#include "core/utctime.h"
#include "core/utf8.h"
#include "executor/executor.h"
#include "init/init.h"
#include "init/sync.h"
#include "linux/idmap.h"
#include "linux/netdev.h"
#include "linux/userns.h"
#include "oci/namespaces.h"
#include "oci/state.h"

void creation_init(struct creation *c, struct runtime_ctx *rt, const struct create_options *opts)
{
        memset(c, 0, sizeof(*c));
        c->rt = rt;
        c->opts = opts;
        c->root_fd = c->dir_fd = c->exec_sock_fd = c->pidfd = c->pty_master = c->console_sock = -1;
        c->sync_fd[0] = c->sync_fd[1] = -1;
        for (int i = 0; i < NS_COUNT; i++)
                c->plan.join_fds[i] = -1;
}

static void close_fd(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

/* Undo a failed create: no process, cgroup or state directory may survive it. */
void creation_abort(struct creation *c)
{
        if (c->pidfd >= 0)
                syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
        if (c->pid > 0)
                waitpid(c->pid, NULL, 0);
        if (c->cgroup_created) {
                _cleanup_error_ struct error *e = NULL;
                if (cgroup_destroy(&c->cgroup, &e) < 0)
                        log_warning("cleanup after failed create: %s", e->msg);
        }
        /* What the executor already wrote into the rootfs (krun: /.krun_config.json). */
        if (c->executor_loaded && c->exec_ctx.ops->cleanup_rootfs && c->rootfs) {
                _cleanup_close_ int rootfs_fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
                _cleanup_error_ struct error *e = NULL;
                if (rootfs_fd >= 0 &&
                    c->exec_ctx.ops->cleanup_rootfs(rootfs_fd, c->config_json, c->config_json_len, &e) < 0)
                        log_warning("cleanup after failed create: %s", e->msg);
        }
        if (c->dir_created)
                state_remove(c->root_fd, c->opts->id, NULL);
        c->pid = 0;
        c->cgroup_created = c->dir_created = false;
}

void creation_free(struct creation *c)
{
        if (c->executor_loaded && c->exec_ctx.ops->unload)
                c->exec_ctx.ops->unload(&c->exec_ctx);
        spawn_plan_close(&c->plan);
        close_fd(&c->exec_sock_fd);
        close_fd(&c->sync_fd[0]);
        close_fd(&c->sync_fd[1]);
        close_fd(&c->pidfd);
        close_fd(&c->dir_fd);
        close_fd(&c->root_fd);
        close_fd(&c->pty_master);
        close_fd(&c->console_sock);
        cgroup_handle_clear(&c->cgroup);
        cgroup_handle_clear(&c->cgroup_planned);
        free(c->state.created);
        free(c->state.owner);
        free(c->state.cgroup_path);
        free(c->state.annotation_keys); /* borrowed strings: only the arrays are ours */
        free(c->state.annotation_values);
        free(c->bundle);
        free(c->config_path);
        free(c->rootfs);
        free(c->pid_file);
        free(c->state_dir);
        free(c->config_json);
        if (c->spec)
                oci_spec_free(c->spec);
}

int creation_resolve_paths(struct creation *c, struct error **err)
{
        const struct create_options *o = c->opts;
        c->bundle = realpath(o->bundle ? o->bundle : ".", NULL);
        if (!c->bundle)
                return error_sys(err, "bundle `%s`", o->bundle ? o->bundle : ".");
        /* The path goes into `state` (and the hooks' stdin) as a JSON string, and JSON is UTF-8. The
         * message leaves the path out: it would make a JSON log line invalid too. */
        if (!utf8_is_valid(c->bundle, strlen(c->bundle)))
                return error_set(err, EINVAL,
                                 "bundle: the absolute path is not valid UTF-8 (the container state is JSON)");
        if (o->config_file)
                c->config_path = fs_absolute(o->config_file);
        else if (asprintf(&c->config_path, "%s/config.json", c->bundle) < 0)
                c->config_path = NULL;
        /* runc's behaviour: a relative --pid-file is relative to where we were invoked. */
        if (o->pid_file)
                c->pid_file = fs_absolute(o->pid_file);
        if (!c->config_path || (o->pid_file && !c->pid_file))
                return error_set(err, ENOMEM, "resolve paths");
        return 0;
}

int creation_load_config(struct creation *c, struct error **err)
{
        /* The cap is the one every later reader of the state's copy uses. */
        int r = fs_read_file(c->config_path, STATE_CONFIG_MAX, &c->config_json, &c->config_json_len);
        if (r == -EFBIG)
                return error_set(err, EFBIG, "read `%s`: larger than %d bytes", c->config_path, STATE_CONFIG_MAX);
        if (r < 0)
                return error_set(err, -r, "read `%s`", c->config_path);
        const char *slash = strrchr(c->config_path, '/');
        r = oci_spec_parse(c->config_json, c->config_json_len, slash ? slash + 1 : c->config_path, &c->spec, err);
        if (r < 0)
                return r;
        /* The spec: `create` works without `process`, `start` MUST fail without it (the init reports it). */
        if (!c->spec->process && c->opts->is_run)
                return error_set(err, EINVAL, "%s: process: missing (required to start a container)",
                                 slash ? slash + 1 : c->config_path);
        /* The parser takes a config without root (the schema makes it optional: not so on Linux); a
         * container needs one, as for runc ("root must be specified"). */
        if (!c->spec->root_path)
                return error_set(err, EINVAL, "%s: root: missing (required to run a container on Linux)",
                                 slash ? slash + 1 : c->config_path);
        bool has_terminal = c->spec->process && c->spec->process->terminal;
        if (has_terminal && !c->opts->console_socket && (c->opts->detach || !c->opts->is_run))
                return error_set(err, EINVAL, "use --console-socket with create when a terminal is used");
        if (c->spec->root_path[0] == '/')
                c->rootfs = realpath(c->spec->root_path, NULL);
        else {
                _cleanup_free_ char *joined = NULL;
                if (asprintf(&joined, "%s/%s", c->bundle, c->spec->root_path) >= 0)
                        c->rootfs = realpath(joined, NULL);
        }
        if (!c->rootfs)
                return error_sys(err, "config.json: root.path: `%s`", c->spec->root_path);
        /* A user namespace without mappings (`spec --rootless`) maps container root to us, as crun does. */
        r = userns_fill_default_mappings(&c->spec->linux_, geteuid(), getegid(), err);
        if (r < 0)
                return r;
        if (!utf8_is_valid(c->rootfs, strlen(c->rootfs)))
                return error_set(
                    err, EINVAL,
                    "config.json: root.path: the resolved path is not valid UTF-8 (the container state is JSON)");
        struct stat st;
        if (stat(c->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
                return error_set(err, ENOTDIR, "config.json: root.path: `%s` is not a directory", c->rootfs);
        return 0;
}

int creation_prepare_executor(struct creation *c, struct error **err)
{
        const struct executor *ex;
        int r = executor_select(c->rt->argv0_name, c->spec, &ex, err);
        if (r < 0)
                return r;
        c->exec_ctx = (struct executor_ctx){
            .ops = ex,
            .container_id = c->opts->id,
            .bundle = c->bundle,
            .config_json = c->config_json,
            .config_json_len = c->config_json_len,
            .spec = c->spec,
            .log_level = c->rt->log_level,
        };
        if (ex->load) {
                r = ex->load(&c->exec_ctx, err);
                if (r < 0)
                        return r;
        }
        c->executor_loaded = true;
        if (ex->adjust_spec)
                return ex->adjust_spec(&c->exec_ctx, c->spec, err);
        return 0;
}

/* The init waits on this socket for `start`. Bound through /proc/self/fd so a long --root never hits the
 * 108-byte sun_path limit. */
static int bind_exec_socket(struct creation *c, struct error **err)
{
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/exec.sock", c->dir_fd);
        c->exec_sock_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (c->exec_sock_fd < 0)
                return error_sys(err, "create exec socket");
        if (bind(c->exec_sock_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(c->exec_sock_fd, 4) < 0)
                return error_sys(err, "bind exec socket");
        return 0;
}

int creation_open_state(struct creation *c, struct error **err)
{
        int r = state_open_root(c->rt->state_root, &c->root_fd, err);
        if (r < 0)
                return r;
        r = state_create_dir(c->root_fd, c->opts->id, &c->dir_fd, err);
        if (r < 0)
                return r;
        c->dir_created = true;
        /* The verbatim config: exec, delete (poststop hooks) and the krun executor read it later. */
        r = fs_write_file_at(c->dir_fd, STATE_CONFIG_FILE, c->config_json, c->config_json_len, 0600);
        if (r < 0)
                return error_set(err, -r, "copy config.json into the state directory");
        if (asprintf(&c->state_dir, "%s/%s", c->rt->state_root, c->opts->id) < 0)
                return error_set(err, ENOMEM, "state directory path");
        c->exec_ctx.state_dir = c->state_dir;
        return 0;
}

/* The state's `owner`: the user name of the creating euid. The init waits while the state is written, and
 * getpwuid goes through the name service (nscd connects, nsswitch.conf) before it reads /etc/passwd; the
 * host's /etc/passwd, the first source on practically every host, is read directly, and only a user it
 * does not list goes to getpwuid (LDAP, sssd, systemd's dynamic users). A numeric owner when nobody knows
 * the uid. */
static char *owner_name(uid_t uid)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
        char *name = NULL;
        if (f && passwd_field(f, uid, PASSWD_NAME, &name) != 0)
                return name; /* found, or NULL: out of memory */
        struct passwd *pw = getpwuid(uid);
        if (pw)
                return strdup(pw->pw_name);
        return asprintf(&name, "%u", uid) < 0 ? NULL : name;
}

void creation_fill_state(struct creation *c)
{
        struct container_state *st = &c->state;
        st->id = (char *)c->opts->id;
        st->bundle = c->bundle;
        st->rootfs = c->rootfs;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        char when[64];
        st->created = utctime_format(&ts, when, sizeof(when)) > 0 ? strdup(when) : NULL;
        st->owner = owner_name(geteuid());
        st->executor = (char *)c->exec_ctx.ops->name;
        st->has_pidns =
            (c->plan.clone_flags & oci_ns_info(NS_PID)->flag) != 0 || oci_spec_namespace(c->spec, NS_PID) != NULL;
        st->cgroup_manager = (char *)cgroup_driver_name(c->cgroup.driver);
        st->cgroup_path = c->cgroup.path ? strdup(c->cgroup.path) : NULL;
        st->systemd_scope = c->cgroup.scope;
        /* `state` reports the config's annotations (podman and CRI-O read them back); the strings stay owned
         * by the spec, which outlives the state written at the end of create. */
        size_t n = c->spec->n_annotations;
        if (n) {
                st->annotation_keys = calloc(n + 1, sizeof(char *));
                st->annotation_values = calloc(n + 1, sizeof(char *));
                for (size_t i = 0; st->annotation_keys && st->annotation_values && i < n; i++) {
                        st->annotation_keys[i] = c->spec->annotations[i].key;
                        st->annotation_values[i] = c->spec->annotations[i].value ? c->spec->annotations[i].value : "";
                }
        }
}

struct child_arg {
        struct creation *c;
        struct init_args *ia;
};

/* In the cloned init, before anything else: drop the runtime's own descriptors. The flock on the state
 * directory belongs to this create; an init blocked in `created` that kept it would deadlock every later
 * start, kill and delete of the container. */
static void child_main(void *arg)
{
        struct child_arg *a = arg;
        /* Until it execs the workload, the init's /proc/<pid>/exe is our own binary. Non-dumpable, no
         * process of the container (in a shared or joined pid namespace) may open it and later write
         * through it to the runtime on the host (CVE-2019-5736). execve makes the workload dumpable again.
         * A rootless runtime is not root in the initial user namespace, and the /proc files of a non-dumpable
         * process belong to that root: it could no longer write the init's uid_map. That init turns
         * non-dumpable itself at GO, once its maps are written and before anything of the container runs;
         * until then nothing but the runtime's own user can reach it. */
        if (!a->ia->is_dumpable_until_go)
                prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        close_fd(&a->c->dir_fd);
        close_fd(&a->c->root_fd);
        close_fd(&a->c->sync_fd[0]);
        container_init(a->ia);
}

static int spawn(struct creation *c, struct init_args *ia, struct error **err)
{
        int r = spawn_plan_init(c->spec, &c->plan, err);
        if (r < 0)
                return r;
        /* rlimits and oomScoreAdj on ourselves, inherited by the init: raising a hard limit needs the host
         * CAP_SYS_RESOURCE, which a process inside a new user namespace no longer has. */
        r = process_apply_inherited(c->spec->process, err);
        if (r < 0)
                return r;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c->sync_fd) < 0)
                return error_sys(err, "socketpair");
        /* Connected here, with our credentials and while the path is reachable; the init sends the pty
         * master over it once its terminal exists. */
        if (c->spec->process && c->spec->process->terminal && c->opts->console_socket) {
                r = console_socket_connect(c->opts->console_socket, &c->console_sock, err);
                if (r < 0)
                        return r;
        }
        /* The workload's NOTIFY_SOCKET (crun's layout, notify.h); the init gets its copy of it with clone. */
        _cleanup_free_ char *notify_dir = NULL, *notify_path = NULL;
        if (getenv("NOTIFY_SOCKET") && (!(notify_dir = notify_container_dir(getenv("NOTIFY_SOCKET"))) ||
                                        asprintf(&notify_path, "%s/" NOTIFY_SOCKET_NAME, notify_dir) < 0))
                return error_set(err, ENOMEM, "NOTIFY_SOCKET");
        *ia = (struct init_args){
            .spec = c->spec,
            .exec_ctx = &c->exec_ctx,
            .bundle = c->bundle,
            .rootfs = c->rootfs,
            .sync_fd = c->sync_fd[1],
            .exec_sock_fd = c->exec_sock_fd,
            .user_ns_fd = c->plan.join_fds[NS_USER],
            .unshare_flags = c->plan.unshare_flags,
            .has_new_userns = c->plan.has_new_userns || c->plan.join_fds[NS_USER] >= 0,
            .console_socket = c->opts->console_socket,
            .console_socket_fd = c->console_sock,
            .preserve_fds = c->opts->preserve_fds,
            .notify_socket = notify_path,
            .no_pivot = c->opts->no_pivot,
            .is_dumpable_until_go = c->rt->is_rootless && c->plan.has_new_userns,
        };
        struct child_arg arg = {c, ia};
        r = spawn_init(&c->plan, child_main, &arg, &c->pid, &c->pidfd, err);
        ia->notify_socket = NULL; /* freed below: only the init's copy was needed */
        close_fd(&c->sync_fd[1]);
        close_fd(&c->console_sock);
        return r;
}

/* Hooks run by the runtime itself: host namespaces, cwd = bundle, the init's host pid on stdin. */
static int run_runtime_hooks(struct creation *c, enum oci_hook_kind kind, struct error **err)
{
        struct hook_state st = hook_state_for(c->spec, c->opts->id, c->pid, c->bundle, c->rootfs);
        struct hooks_run_opts opts = {.cwd = c->bundle};
        return hooks_run(c->spec, kind, &st, &opts, err);
}

/* Idmapping a mount needs host privileges the init lacks inside its user namespace: we clone and idmap each
 * source here, once the container's user namespace has its maps, and send the detached mounts ahead of GO
 * in the order of mounts[] (linux/idmap.h). */
static int send_idmapped_mounts(struct creation *c, struct error **err)
{
        if (!idmap_spec_has_idmapped_mounts(c->spec))
                return 0;
        _cleanup_close_ int own_userns = -1;
        int userns = c->plan.join_fds[NS_USER];
        if (c->plan.has_new_userns) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", c->pid, oci_ns_info(NS_USER)->proc_name);
                userns = own_userns = open(path, O_RDONLY | O_CLOEXEC);
                if (userns < 0)
                        return error_sys(err, "open the container's user namespace (%s)", path);
        }
        struct idmap_mounts im;
        int r = idmap_mounts_prepare(c->spec, c->bundle, userns, &im, err);
        for (size_t i = 0; r >= 0 && i < im.n; i++)
                r = sync_send_fd(c->sync_fd[0], SYNC_IDMAP_MOUNT, im.fds[i], err);
        idmap_mounts_close(&im);
        return r;
}

/* Runtime side of the handshake, from the clone to READY. */
static int supervise_setup(struct creation *c, struct error **err)
{
        int r;
        if (c->plan.has_new_userns) {
                r = userns_write_maps(c->pid, &c->spec->linux_, err);
                if (r < 0)
                        return r;
        }
        r = creation_create_cgroup(c, c->pid, err);
        if (r < 0)
                return error_prefix(err, "cgroup");

        /* Recorded before the init sets itself up: if we crash from here on, `delete --force` finds the
         * cgroup and the pid in teardown.json and state.json. Before this point an init whose runtime died
         * exits on its own (EOF on the sync socket) and the cgroup is the one teardown.json planned. */
        unsigned long long start_time = 0;
        proc_start_time(c->pid, &start_time, NULL);
        c->state.pid = c->pid;
        c->state.start_time = start_time;
        creation_fill_state(c);
        r = state_write(c->dir_fd, &c->state, err);
        if (r < 0)
                return r;

        /* Host interfaces move in before the init sets up, so that sysctl and hooks see them. */
        r = netdev_move_all(c->spec, c->pid, err);
        if (r < 0)
                return r;
        r = send_idmapped_mounts(c, err);
        if (r < 0)
                return r;
        /* The init learns its host pid: the seccomp listener payload names it. */
        r = sync_send(c->sync_fd[0], SYNC_GO, c->pid, err);
        if (r >= 0)
                r = sync_expect(c->sync_fd[0], SYNC_MOUNTS_DONE, NULL, NULL, err);
        if (r >= 0)
                r = run_runtime_hooks(c, HOOK_PRESTART, err);
        if (r >= 0)
                r = run_runtime_hooks(c, HOOK_CREATE_RUNTIME, err);
        if (r >= 0)
                r = sync_send(c->sync_fd[0], SYNC_HOOKS_DONE, 0, err);
        if (r < 0)
                return r;
        if (c->spec->process && c->spec->process->terminal && !c->opts->console_socket) {
                r = sync_expect(c->sync_fd[0], SYNC_PTY, NULL, &c->pty_master, err);
                if (r < 0)
                        return r;
        }
        return sync_expect(c->sync_fd[0], SYNC_READY, NULL, NULL, err);
}

static int do_create(struct creation *c, struct error **err)
{
        struct init_args ia;
        int r = state_validate_id(c->opts->id, err);
        if (r >= 0)
                r = creation_resolve_paths(c, err);
        if (r >= 0)
                r = creation_load_config(c, err);
        if (r >= 0)
                r = creation_prepare_executor(c, err);
        if (r >= 0)
                r = creation_open_state(c, err);
        /* Before the first thing delete --force would have to undo: the image file, the init, the cgroup. */
        if (r >= 0)
                r = creation_record_teardown(c, err);
        if (r >= 0)
                r = bind_exec_socket(c, err);
        if (r >= 0)
                r = notify_prepare(c->dir_fd, c->state_dir, c->spec, err);
        if (r >= 0 && c->exec_ctx.ops->prepare_rootfs) {
                _cleanup_close_ int rootfs_fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (rootfs_fd < 0)
                        r = error_sys(err, "open rootfs `%s`", c->rootfs);
                else
                        r = c->exec_ctx.ops->prepare_rootfs(&c->exec_ctx, rootfs_fd, PHASE_BEFORE_USERNS, err);
        }
        if (r >= 0)
                r = spawn(c, &ia, err);
        if (r >= 0)
                r = supervise_setup(c, err);
        /* A memory limit below what the setup needs gets the init OOM-killed mid-handshake, which alone
         * reads as "the other side exited": name the cause. */
        if (r < 0 && c->cgroup_created && cgroup_oom_kills(&c->cgroup) > 0)
                r = error_prefix(err, "linux.resources.memory.limit: the container init was killed by the OOM killer "
                                      "during setup (the limit is too low)");
        if (r >= 0)
                r = creation_write_pid_file(c, err);
        return r;
}

static struct cgroup_create_args cgroup_args(const struct creation *c, pid_t pid)
{
        return (struct cgroup_create_args){
            .driver = c->rt->cgroup_manager,
            .id = c->opts->id,
            .cgroups_path = c->spec->linux_.cgroups_path,
            .resources = c->spec->linux_.resources,
            .spec = c->spec,
            .is_rootless = c->rt->is_rootless,
            .pid = pid,
            .layout = c->cgroup_planned.layout,
        };
}

int creation_record_teardown(struct creation *c, struct error **err)
{
        struct cgroup_create_args ca = cgroup_args(c, 0);
        struct cgroup_handle *planned = &c->cgroup_planned;
        cgroup_handle_clear(planned);
        int r = cgroup_plan(&ca, planned, err);
        if (r < 0)
                return r;
        struct container_state st = {
            .id = (char *)c->opts->id,
            .rootfs = c->rootfs,
            .executor = (char *)c->exec_ctx.ops->name,
            .cgroup_manager = (char *)cgroup_driver_name(planned->driver),
            .cgroup_path = planned->path,
        };
        return state_write_teardown(c->dir_fd, &st, err);
}

int creation_create_cgroup(struct creation *c, pid_t pid, struct error **err)
{
        struct cgroup_create_args ca = cgroup_args(c, pid);
        int r = cgroup_create(&ca, &c->cgroup, err);
        if (r >= 0)
                c->cgroup_created = true;
        return r;
}

int creation_write_pid_file(struct creation *c, struct error **err)
{
        if (!c->pid_file)
                return 0;
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", c->pid);
        int r = fs_write_file_atomic(c->pid_file, buf, (size_t)n, 0644);
        return r < 0 ? error_set(err, -r, "write pid file `%s`", c->pid_file) : 0;
}

/* create: the init stays blocked in the created state; we hand it to our caller's subreaper. */
static int detach_init(struct creation *c, struct error **err)
{
        int r = sync_send(c->sync_fd[0], SYNC_DETACH, 0, err);
        if (r >= 0)
                r = sync_expect(c->sync_fd[0], SYNC_ACK, NULL, NULL, err);
        return r;
}

int container_create(struct runtime_ctx *rt, const struct create_options *opts, struct error **err)
{
        struct creation c;
        creation_init(&c, rt, opts);
        int r = do_create(&c, err);
        if (r >= 0)
                r = detach_init(&c, err);
        if (r < 0)
                creation_abort(&c);
        creation_free(&c);
        return r;
}

int container_run(struct runtime_ctx *rt, const struct create_options *opts, int *exit_status, struct error **err)
{
        struct create_options o = *opts;
        o.is_run = true;
        *exit_status = 0;
        if (o.detach) {
                int r = container_create(rt, &o, err);
                if (r < 0)
                        return r;
                r = container_start(rt, o.id, err);
                if (r < 0) {
                        _cleanup_error_ struct error *e2 = NULL;
                        container_delete(rt, o.id, true, &e2);
                }
                return r;
        }
        /* Foreground: we are the init's parent and reaper, so we see its real exit status. Reparented
         * descendants come to us too. */
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        struct creation c;
        creation_init(&c, rt, &o);
        _cleanup_close_ int notify_fd = -1;
        int r = do_create(&c, err);
        if (r >= 0)
                r = notify_open(c.dir_fd, &notify_fd, err);
        if (r >= 0)
                r = foreground_start(c.sync_fd[0], err);
        if (r >= 0 && notify_fd >= 0)
                r = notify_wait_ready(notify_fd, c.pidfd, err);
        /* A failing poststart hook kills and removes the container like a failed create. */
        if (r >= 0)
                r = run_runtime_hooks(&c, HOOK_POSTSTART, err);
        if (r < 0) {
                creation_abort(&c);
                creation_free(&c);
                return r;
        }
        /* Started: from here on the container exists even if we fail to wait for it. */
        state_mark_started(c.dir_fd);
        close_fd(&c.dir_fd);
        r = foreground_wait(c.pid, c.pidfd, c.pty_master, exit_status, err);
        _cleanup_spec_ struct oci_spec *spec = TAKE_PTR(c.spec);             /* for delete's poststop hooks */
        _cleanup_(cgroup_handle_clear) struct cgroup_handle made = c.cgroup; /* delete's cgroup layout */
        c.cgroup = (struct cgroup_handle){0};
        creation_free(&c);
        if (!o.keep) {
                _cleanup_error_ struct error *e2 = NULL;
                if (container_delete_parsed(rt, o.id, true, spec, &made, &e2) < 0 && r >= 0)
                        log_warning("delete `%s` after run: %s", o.id, e2->msg);
        }
        return r;
}
