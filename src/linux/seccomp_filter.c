/* Building and loading the linux.seccomp filter with libseccomp (names and validation: seccomp.c). */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fdpass.h"
#include "core/log.h"
#include "linux/seccomp_filter.h"

struct seccomp_filter {
        scmp_filter_ctx ctx;
        bool uses_notify;
        const char *listener_path, *listener_metadata;
};

void seccomp_filter_free(struct seccomp_filter *f)
{
        if (!f)
                return;
        if (f->ctx)
                seccomp_release(f->ctx);
        free(f);
}

static uint32_t errno_or_eperm(bool has, uint32_t value)
{
        return has ? value : EPERM;
}

static int set_flags(struct seccomp_filter *f, const struct oci_seccomp *s, struct error **err)
{
        /* crun's default without `flags`: SPEC_ALLOW, so the filter does not force the speculative store
         * bypass mitigation on the workload. Best effort: older kernels lack it. */
        if (!s->flags) {
                seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_SSB, 1);
                return 0;
        }
        for (size_t i = 0; s->flags[i]; i++) {
                int attr;
                if (seccomp_flag_from_name(s->flags[i], &attr) < 0)
                        return error_set(err, EINVAL, "linux.seccomp.flags[%zu]: `%s` unsupported", i, s->flags[i]);
                int r = seccomp_attr_set(f->ctx, (enum scmp_filter_attr)attr, 1);
                if (r < 0)
                        return error_set(err, -r, "linux.seccomp.flags[%zu]: set `%s`", i, s->flags[i]);
        }
        return 0;
}

static int add_arches(struct seccomp_filter *f, const struct oci_seccomp *s, struct error **err)
{
        for (size_t i = 0; s->architectures && s->architectures[i]; i++) {
                uint32_t arch;
                if (seccomp_arch_from_name(s->architectures[i], &arch) < 0)
                        return error_set(err, EINVAL, "linux.seccomp.architectures[%zu]: `%s` unsupported", i,
                                         s->architectures[i]);
                int r = seccomp_arch_add(f->ctx, arch);
                if (r < 0 && r != -EEXIST) /* the native arch is already there */
                        return error_set(err, -r, "linux.seccomp.architectures[%zu]: add `%s`", i, s->architectures[i]);
        }
        return 0;
}

/* libseccomp cannot AND two conditions on the same argument: then every arg becomes its own rule (OR),
 * as crun and runc do. */
static bool has_repeated_index(const struct oci_seccomp_syscall *sc)
{
        for (size_t i = 0; i < sc->n_args; i++)
                for (size_t j = i + 1; j < sc->n_args; j++)
                        if (sc->args[i].index == sc->args[j].index)
                                return true;
        return false;
}

static struct scmp_arg_cmp to_cmp(const struct oci_seccomp_arg *a)
{
        return (struct scmp_arg_cmp){
            .arg = a->index, .op = (enum scmp_compare)a->op, .datum_a = a->value, .datum_b = a->value_two};
}

static int add_rule(struct seccomp_filter *f, const struct oci_seccomp_syscall *sc, size_t i, const char *name,
                    uint32_t action, struct error **err)
{
        int nr = seccomp_syscall_resolve_name(name);
        int r = 0;
        if (sc->n_args == 0) {
                r = seccomp_rule_add_array(f->ctx, action, nr, 0, NULL);
        } else if (!has_repeated_index(sc)) {
                struct scmp_arg_cmp cmp[6];
                for (size_t j = 0; j < sc->n_args; j++)
                        cmp[j] = to_cmp(&sc->args[j]);
                r = seccomp_rule_add_array(f->ctx, action, nr, (unsigned)sc->n_args, cmp);
        } else {
                for (size_t j = 0; j < sc->n_args && r >= 0; j++) {
                        struct scmp_arg_cmp cmp = to_cmp(&sc->args[j]);
                        r = seccomp_rule_add_array(f->ctx, action, nr, 1, &cmp);
                }
        }
        if (r < 0)
                return error_set(err, -r, "linux.seccomp.syscalls[%zu]: add rule for `%s`", i, name);
        return 0;
}

static int add_rules(struct seccomp_filter *f, const struct oci_seccomp *s, uint32_t default_action,
                     bool fail_unknown_syscall, struct error **err)
{
        for (size_t i = 0; i < s->n_syscalls; i++) {
                const struct oci_seccomp_syscall *sc = &s->syscalls[i];
                const char *aname = sc->action_name;
                uint32_t action = sc->action;
                if (aname &&
                    seccomp_action_from_name(aname, errno_or_eperm(sc->has_errno_ret, sc->errno_ret), &action) < 0)
                        return error_set(err, EINVAL, "linux.seccomp.syscalls[%zu].action: unknown `%s`", i, aname);
                /* libseccomp rejects a rule that repeats the default action; it would be a no-op anyway. */
                if (action == default_action)
                        continue;
                if (action == SCMP_ACT_NOTIFY)
                        f->uses_notify = true;
                for (size_t k = 0; sc->names[k]; k++) {
                        if (seccomp_syscall_resolve_name(sc->names[k]) == __NR_SCMP_ERROR) {
                                /* A profile written for a newer kernel must not break the container. */
                                if (fail_unknown_syscall)
                                        return error_set(err, EINVAL,
                                                         "linux.seccomp.syscalls[%zu].names[%zu]: "
                                                         "unknown syscall `%s`",
                                                         i, k, sc->names[k]);
                                log_debug("seccomp: ignoring unknown syscall `%s`", sc->names[k]);
                                continue;
                        }
                        int r = add_rule(f, sc, i, sc->names[k], action, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* crun connects to listenerPath and hands over a notify fd whenever listenerPath is set, also when no rule
 * uses SCMP_ACT_NOTIFY (the agent then simply never hears from the filter). libseccomp asks the kernel for
 * a listener (SECCOMP_FILTER_FLAG_NEW_LISTENER) only when the filter has a NOTIFY action: one on a
 * condition no argument meets (unsigned arg0 < 0) gives it one without changing what the filter does. */
static int request_listener(struct seccomp_filter *f, uint32_t default_action, struct error **err)
{
        if (default_action != SCMP_ACT_NOTIFY) {
                int r = seccomp_rule_add(f->ctx, SCMP_ACT_NOTIFY, seccomp_syscall_resolve_name("getppid"), 1,
                                         SCMP_A0(SCMP_CMP_LT, 0));
                if (r < 0)
                        return error_set(err, -r, "linux.seccomp.listenerPath: ask libseccomp for a listener");
        }
        f->uses_notify = true;
        return 0;
}

int seccomp_filter_build(const struct oci_seccomp *s, bool fail_unknown_syscall, struct seccomp_filter **out,
                         struct error **err)
{
        *out = NULL;
        int r = seccomp_validate(s, err);
        if (r < 0)
                return r;
        uint32_t default_action;
        seccomp_action_from_name(s->default_action, errno_or_eperm(s->has_default_errno_ret, s->default_errno_ret),
                                 &default_action);
        struct seccomp_filter *f = calloc(1, sizeof(*f));
        if (!f)
                return error_set(err, ENOMEM, "seccomp");
        f->listener_path = s->listener_path;
        f->listener_metadata = s->listener_metadata;
        f->ctx = seccomp_init(default_action);
        if (!f->ctx)
                r = error_set(err, EINVAL, "linux.seccomp.defaultAction: libseccomp refused `%s`", s->default_action);
        /* The runtime sets no_new_privs itself when the config asks for it; libseccomp must not force it. */
        if (r >= 0 && seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_NNP, 0) < 0)
                r = error_set(err, EINVAL, "seccomp: clear the NNP attribute");
        if (r >= 0)
                r = set_flags(f, s, err);
        if (r >= 0)
                r = add_arches(f, s, err);
        if (r >= 0)
                r = add_rules(f, s, default_action, fail_unknown_syscall, err);
        if (r >= 0 && f->listener_path && !f->uses_notify)
                r = request_listener(f, default_action, err);
        if (r < 0) {
                seccomp_filter_free(f);
                return r;
        }
        *out = f;
        return 0;
}

bool seccomp_filter_wants_listener(const struct seccomp_filter *f)
{
        return f && f->uses_notify && f->listener_path;
}

int seccomp_listener_connect(const struct seccomp_filter *f, int *sock, struct error **err)
{
        *sock = -1;
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        if (strlen(f->listener_path) >= sizeof(addr.sun_path))
                return error_set(err, ENAMETOOLONG, "linux.seccomp.listenerPath: `%s` too long", f->listener_path);
        strcpy(addr.sun_path, f->listener_path);
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return error_sys(err, "linux.seccomp.listenerPath: socket");
        if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0)
                return error_sys(err, "linux.seccomp.listenerPath: connect to `%s`", f->listener_path);
        *sock = TAKE_FD(s);
        return 0;
}

int seccomp_filter_load(struct seccomp_filter *f, int listener_sock, pid_t host_pid, const char *state_json,
                        struct error **err)
{
        /* SCMP_ACT_NOTIFY rules make libseccomp load with SECCOMP_FILTER_FLAG_NEW_LISTENER. */
        int r = seccomp_load(f->ctx);
        if (r < 0)
                return error_set(err, -r, "seccomp: load the filter");
        if (listener_sock < 0 || !f->uses_notify)
                return 0;
        _cleanup_close_ int notify_fd = seccomp_notify_fd(f->ctx);
        if (notify_fd < 0)
                return error_set(err, -notify_fd, "seccomp: get the notify fd");
        _cleanup_free_ char *payload = seccomp_listener_payload(f->listener_metadata, host_pid, state_json);
        if (!payload)
                return error_set(err, ENOMEM, "seccomp: listener payload");
        /* The fd travels with the first bytes only (SCM_RIGHTS in the first sendmsg); the rest follows plainly. */
        r = fdpass_send(listener_sock, notify_fd, payload, strlen(payload));
        if (r < 0)
                return error_set(err, -r, "linux.seccomp.listenerPath: send the notify fd");
        return 0;
}
