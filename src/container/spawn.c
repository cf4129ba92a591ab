#include "container/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "linux/timens.h"

static unsigned long ns_flag(enum oci_ns_type type)
{
        return oci_ns_info(type)->flag;
}

void spawn_plan_close(struct spawn_plan *plan)
{
        for (int i = 0; i < NS_COUNT; i++) {
                if (plan->join_fds[i] >= 0)
                        close(plan->join_fds[i]);
                plan->join_fds[i] = -1;
        }
}

int spawn_plan_init(const struct oci_spec *spec, struct spawn_plan *plan, struct error **err)
{
        memset(plan, 0, sizeof(*plan));
        plan->time_ns_config = &spec->linux_;
        for (int i = 0; i < NS_COUNT; i++)
                plan->join_fds[i] = -1;
        unsigned long new_flags = 0;
        for (size_t i = 0; i < spec->linux_.n_namespaces; i++) {
                const struct oci_namespace *ns = &spec->linux_.namespaces[i];
                if (!ns->path) {
                        new_flags |= ns_flag(ns->type);
                        continue;
                }
                int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        int r = error_sys(err, "config.json: linux.namespaces[%zu].path: open `%s`", i, ns->path);
                        spawn_plan_close(plan);
                        return r;
                }
                plan->join_fds[ns->type] = fd;
        }
        /* A joined mount namespace is set up like a new one (as runc and crun do): the rootfs, its mounts
         * and the pivot happen inside it, so whoever shares it sees them. */
        if (!(new_flags & ns_flag(NS_MOUNT)) && plan->join_fds[NS_MOUNT] < 0) {
                spawn_plan_close(plan);
                return error_set(err, EINVAL,
                                 "config.json: linux.namespaces: a `mount` namespace (new, or joined by path) is "
                                 "required");
        }
        plan->has_new_userns = (new_flags & ns_flag(NS_USER)) != 0;
        /* The cgroup namespace must be created once the init sits in its final cgroup. */
        plan->unshare_flags = new_flags & ns_flag(NS_CGROUP);
        plan->unshare_time = (new_flags & ns_flag(NS_TIME)) != 0;
        plan->clone_flags = new_flags & ~(ns_flag(NS_CGROUP) | ns_flag(NS_TIME));
        if (plan->join_fds[NS_USER] >= 0) {
                /* Namespaces created after joining a user namespace must be owned by it: the init unshares
                 * them itself, after setns. Only the pid namespace has to come from clone. */
                plan->unshare_flags |= plan->clone_flags & ~ns_flag(NS_PID);
                plan->clone_flags &= ns_flag(NS_PID);
        }
        return 0;
}

static int setns_checked(int fd, enum oci_ns_type type, struct error **err)
{
        if (setns(fd, (int)ns_flag(type)) < 0)
                return error_sys(err, "join %s namespace", oci_ns_type_name(type));
        return 0;
}

/* clone3 into the new namespaces, with a pidfd; the child runs child_fn and never returns here. */
static int clone_init(const struct spawn_plan *plan, void (*child_fn)(void *), void *arg, pid_t *pid, int *pidfd,
                      struct error **err)
{
        struct clone_args ca = {
            .flags = plan->clone_flags | CLONE_PIDFD,
            .pidfd = (uint64_t)(uintptr_t)pidfd,
            .exit_signal = SIGCHLD,
        };
        *pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
        /* ENOSYS: a kernel before 5.3, or a seccomp filter the runtime runs under (Docker's default
         * profile answers clone3 so, to make glibc fall back; so does valgrind). clone takes the
         * same flags here (none above 32 bits; CLONE_NEWTIME is unshared, not cloned) and stores
         * the pidfd where clone3 would. No stack: the child runs on a copy of ours, as after fork. */
        if (*pid < 0 && errno == ENOSYS)
                *pid = (pid_t)syscall(SYS_clone, plan->clone_flags | CLONE_PIDFD | SIGCHLD, NULL, pidfd, NULL, 0);
        if (*pid == 0) {
                child_fn(arg);
                _exit(1);
        }
        return *pid < 0 ? error_sys(err, "clone the container init") : 0;
}

int spawn_init(struct spawn_plan *plan, void (*child_fn)(void *), void *arg, pid_t *pid_out, int *pidfd_out,
               struct error **err)
{
        int own[NS_COUNT];
        int r = 0;
        for (int i = 0; i < NS_COUNT; i++)
                own[i] = -1;

        /* Join the `path` namespaces here (all but user), remembering ours to come back afterwards. All of
         * ours are opened first: once in a joined mount namespace, /proc may be another one. */
        for (int t = 0; t < NS_COUNT && r >= 0; t++) {
                if (t == NS_USER || plan->join_fds[t] < 0)
                        continue;
                char p[64];
                snprintf(p, sizeof(p), "/proc/self/ns/%s", oci_ns_info((enum oci_ns_type)t)->proc_children_name);
                own[t] = open(p, O_RDONLY | O_CLOEXEC);
                if (own[t] < 0)
                        r = error_sys(err, "open %s", p);
        }
        /* Entering (and leaving) a mount namespace resets the cwd to its root: keep ours to come back to. */
        _cleanup_close_ int cwd = -1;
        if (r >= 0 && own[NS_MOUNT] >= 0 && (cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                r = error_sys(err, "open the current directory");
        for (int i = 0; i < NS_COUNT && r >= 0; i++) {
                enum oci_ns_type t = oci_ns_join_order[i];
                if (own[t] >= 0)
                        r = setns_checked(plan->join_fds[t], t, err);
        }
        if (r >= 0 && plan->unshare_time) {
                char p[64];
                snprintf(p, sizeof(p), "/proc/self/ns/%s", oci_ns_info(NS_TIME)->proc_children_name);
                own[NS_TIME] = open(p, O_RDONLY | O_CLOEXEC);
                if (own[NS_TIME] < 0 || unshare((int)ns_flag(NS_TIME)) < 0)
                        r = error_sys(err, "create time namespace");
                else if (plan->time_ns_config)
                        r = timens_write_offsets(plan->time_ns_config, err);
        }

        pid_t pid = -1;
        int pidfd = -1;
        if (r >= 0)
                r = clone_init(plan, child_fn, arg, &pid, &pidfd, err);

        for (int i = 0; i < NS_COUNT; i++) {
                enum oci_ns_type t = oci_ns_join_order[i];
                if (own[t] < 0)
                        continue;
                if (setns(own[t], (int)ns_flag(t)) < 0 && r >= 0)
                        r = error_sys(err, "return to the runtime's %s namespace", oci_ns_type_name(t));
                close(own[t]);
        }
        if (cwd >= 0 && fchdir(cwd) < 0 && r >= 0)
                r = error_sys(err, "return to the runtime's current directory");
        if (r < 0) {
                if (pidfd >= 0)
                        close(pidfd);
                return r;
        }
        *pid_out = pid;
        *pidfd_out = pidfd;
        return 0;
}
