/* Pure part of `exec`: what process to run, and whether the container accepts one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container/exec.h"
#include "core/cleanup.h"
#include "executor/executor.h"
#include "oci/state.h"

static int replace_string(char **field, const char *value, struct error **err)
{
        char *copy = strdup(value);
        if (!copy)
                return error_set(err, ENOMEM, "exec");
        free(*field);
        *field = copy;
        return 0;
}

static int copy_args(struct oci_process *proc, char **args, struct error **err)
{
        size_t n = 0;
        while (args[n])
                n++;
        char **v = calloc(n + 1, sizeof(*v));
        if (!v)
                return error_set(err, ENOMEM, "exec: arguments");
        for (size_t i = 0; i < n; i++)
                if (!(v[i] = strdup(args[i]))) {
                        cleanup_strvp(&v);
                        return error_set(err, ENOMEM, "exec: arguments");
                }
        cleanup_strvp(&proc->args);
        proc->args = v;
        return 0;
}

/* Environment: an entry with an existing NAME replaces it (later wins), others are appended. */
static int merge_env(struct oci_process *proc, char *const *add, struct error **err)
{
        for (size_t a = 0; add && add[a]; a++) {
                size_t klen = strcspn(add[a], "=") + 1; /* including '=' */
                char *copy = strdup(add[a]);
                if (!copy)
                        return error_set(err, ENOMEM, "exec: environment");
                size_t n = 0;
                bool replaced = false;
                for (; proc->env && proc->env[n]; n++)
                        if (!replaced && !strncmp(proc->env[n], add[a], klen)) {
                                free(proc->env[n]);
                                proc->env[n] = copy;
                                replaced = true;
                        }
                if (replaced)
                        continue;
                char **v = realloc(proc->env, (n + 2) * sizeof(*v));
                if (!v) {
                        free(copy);
                        return error_set(err, ENOMEM, "exec: environment");
                }
                v[n] = copy;
                v[n + 1] = NULL;
                proc->env = v;
        }
        return 0;
}

static int set_gids(struct oci_process *proc, const struct exec_options *o, struct error **err)
{
        uint32_t *g = calloc(o->n_additional_gids, sizeof(*g));
        if (!g)
                return error_set(err, ENOMEM, "exec: additional gids");
        memcpy(g, o->additional_gids, o->n_additional_gids * sizeof(*g));
        free(proc->additional_gids);
        proc->additional_gids = g;
        proc->n_additional_gids = o->n_additional_gids;
        proc->has_additional_gids = true;
        return 0;
}

int exec_apply_overrides(struct oci_process *proc, const struct exec_options *o, struct error **err)
{
        int r = 0;
        if (o->args)
                r = copy_args(proc, o->args, err);
        if (r >= 0 && o->cwd)
                r = replace_string(&proc->cwd, o->cwd, err);
        if (r >= 0 && o->env)
                r = merge_env(proc, o->env, err);
        if (r >= 0 && o->n_additional_gids)
                r = set_gids(proc, o, err);
        if (r >= 0 && o->process_label)
                r = replace_string(&proc->selinux_label, o->process_label, err);
        if (r >= 0 && o->apparmor)
                r = replace_string(&proc->apparmor_profile, o->apparmor, err);
        if (r < 0)
                return r;
        if (o->has_user) {
                proc->uid = o->uid;
                /* runc: `-u UID` alone keeps the container's gid. */
                if (o->has_gid)
                        proc->gid = o->gid;
        }
        if (o->caps_add) {
                proc->has_caps = true;
                proc->caps.bounding |= o->caps_add;
                proc->caps.effective |= o->caps_add;
                proc->caps.permitted |= o->caps_add;
                /* Ambient capabilities need the inheritable bit; --cap does not add that (runc). */
                if (proc->caps.inheritable)
                        proc->caps.ambient |= o->caps_add;
        }
        if (o->no_new_privs)
                proc->no_new_privileges = true;
        /* With --process the JSON's `terminal` decides (conmon passes -t only through the JSON). */
        if (!o->process_file && o->tty >= 0)
                proc->terminal = o->tty;
        if (!proc->args || !proc->args[0])
                return error_set(err, EINVAL, "exec: process.args: expected a non-empty array of strings");
        if (!proc->cwd || proc->cwd[0] != '/')
                return error_set(err, EINVAL, "exec: process.cwd: expected an absolute path");
        return 0;
}

int exec_check_container(const char *id, enum container_status status, const char *executor, struct error **err)
{
        if (status == STATUS_STOPPED)
                return error_set(err, EINVAL, "cannot exec in a stopped container");
        if (status == STATUS_PAUSED)
                return error_set(err, EINVAL, "the container `%s` is paused", id);
        /* An executor whose workload is out of reach of setns runs the process there (exec_process). */
        return executor_require(executor, EXECUTOR_CAN_EXEC, "exec", id, err);
}
