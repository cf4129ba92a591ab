/* vm_config -> the ordered libkrun calls. The order is upstream crun's (krun-mode.md §2.4): the root
 * filesystem (or SEV disk + TEE config) first, then the nitro exec, sizing, devices, network, kernel. */
#include "executor/krun/plan.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "executor/krun/libkrun.h"

const uint8_t krun_passt_mac[6] = {0x5a, 0x94, 0xef, 0xe4, 0x0c, 0xee};

static const char *const symbols[KRUN_CALL_COUNT] = {
    [KRUN_CALL_SET_LOG_LEVEL] = "krun_set_log_level",
    [KRUN_CALL_SET_ROOT_DISK] = "krun_set_root_disk",
    [KRUN_CALL_SET_TEE_CONFIG_FILE] = "krun_set_tee_config_file",
    [KRUN_CALL_ADD_VIRTIOFS2] = "krun_add_virtiofs2",
    [KRUN_CALL_SET_CONSOLE_OUTPUT] = "krun_set_console_output",
    [KRUN_CALL_SET_EXEC] = "krun_set_exec",
    [KRUN_CALL_SET_VM_CONFIG] = "krun_set_vm_config",
    [KRUN_CALL_SET_RLIMITS] = "krun_set_rlimits",
    [KRUN_CALL_SET_GPU_OPTIONS] = "krun_set_gpu_options",
    [KRUN_CALL_CHECK_NESTED_VIRT] = "krun_check_nested_virt",
    [KRUN_CALL_SET_NESTED_VIRT] = "krun_set_nested_virt",
    [KRUN_CALL_ADD_NET_UNIXSTREAM] = "krun_add_net_unixstream",
    [KRUN_CALL_SET_KERNEL] = "krun_set_kernel",
    [KRUN_CALL_START_ENTER] = "krun_start_enter",
};

const char *krun_call_symbol(enum krun_call_id id)
{
        return symbols[id];
}

uint32_t krun_log_level_for(int log_level)
{
        if (log_level >= LOG_DEBUG)
                return KRUN_LOG_LEVEL_DEBUG;
        if (log_level == LOG_WARNING)
                return KRUN_LOG_LEVEL_WARN;
        return KRUN_LOG_LEVEL_ERROR;
}

char **krun_rlimit_items(const struct oci_rlimit *rl, size_t n)
{
        _cleanup_strv_ char **v = calloc(n + 1, sizeof(char *));
        if (!v)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (asprintf(&v[i], "%d=%llu:%llu", rl[i].resource, (unsigned long long)rl[i].soft,
                             (unsigned long long)rl[i].hard) < 0) {
                        v[i] = NULL;
                        return NULL;
                }
        return TAKE_PTR(v);
}

static struct krun_call *add(struct krun_plan *p, enum krun_call_id id)
{
        struct krun_call *c = &p->calls[p->n++];
        *c = (struct krun_call){.id = id, .fd = -1};
        return c;
}

void krun_plan_build(const struct krun_plan_input *in, struct krun_plan *out)
{
        const struct vm_config *cfg = in->cfg;
        struct krun_call *c;
        out->n = 0;

        add(out, KRUN_CALL_SET_LOG_LEVEL)->value = krun_log_level_for(in->log_level);
        if (cfg->flavor == KRUN_FLAVOR_SEV) {
                /* Paths inside the container: the VMM runs there after pivot_root. */
                add(out, KRUN_CALL_SET_ROOT_DISK)->path = "/disk.img";
                add(out, KRUN_CALL_SET_TEE_CONFIG_FILE)->path = "/krun-sev.json";
        } else {
                c = add(out, KRUN_CALL_ADD_VIRTIOFS2);
                /* libkrun-awsnitro >= 1.19 compiled it (and every other rootfs call) out. */
                c->is_optional = cfg->flavor == KRUN_FLAVOR_AWSNITRO;
                c->tag = cfg->virtiofs_tag;
                c->path = "/";
                c->value = cfg->virtiofs_shm_size;
        }
        if (cfg->flavor == KRUN_FLAVOR_AWSNITRO) {
                add(out, KRUN_CALL_SET_CONSOLE_OUTPUT)->path = "/dev/stdout";
                c = add(out, KRUN_CALL_SET_EXEC);
                c->path = in->exec_path;
                c->argv = in->argv;
                /* Never NULL: libkrun would copy the VMM's own environment instead. */
                static const char *const no_env[] = {NULL};
                c->envp = in->envp ? in->envp : no_env;
        }
        c = add(out, KRUN_CALL_SET_VM_CONFIG);
        c->vcpus = cfg->cpus;
        c->ram_mib = cfg->ram_mib;
        if (in->rlimits && in->rlimits[0])
                add(out, KRUN_CALL_SET_RLIMITS)->argv = in->rlimits;
        if (cfg->gpu_flags > 0)
                add(out, KRUN_CALL_SET_GPU_OPTIONS)->value = cfg->gpu_flags;
        if (cfg->nested_virt) {
                add(out, KRUN_CALL_CHECK_NESTED_VIRT)->is_optional = true;
                add(out, KRUN_CALL_SET_NESTED_VIRT)->value = 1;
        }
        if (cfg->use_passt) {
                c = add(out, KRUN_CALL_ADD_NET_UNIXSTREAM);
                c->fd = in->passt_fd;
                c->features = KRUN_COMPAT_NET_FEATURES;
                c->flags = KRUN_NET_FLAG_DHCP_CLIENT;
                c->retry_without_flags = true;
        }
        if (cfg->has_kernel) {
                c = add(out, KRUN_CALL_SET_KERNEL);
                c->path = cfg->kernel_path;
                c->value = cfg->kernel_format;
                c->initrd = cfg->initrd_path;
                c->cmdline = cfg->kernel_cmdline;
        }
        add(out, KRUN_CALL_START_ENTER);
}
