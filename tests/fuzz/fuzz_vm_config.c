/* libFuzzer target for vm_config_resolve with the input as the image's /.krun_vm.json (no annotations, no
 * resources): any file must either resolve to a valid VM configuration or fail with a message naming it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/cleanup.h"
#include "executor/krun/vm_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct vm_config_input in = {.vm_json = (const char *)data, .vm_json_len = size, .affinity_cpus = 4};
        struct vm_config cfg;
        _cleanup_error_ struct error *err = NULL;
        if (vm_config_resolve(&in, &cfg, &err) < 0) {
                if (!err || !err->msg || !strstr(err->msg, ".krun_vm.json"))
                        __builtin_trap(); /* every failure must name the file */
                return 0;
        }
        if (cfg.cpus < 1 || cfg.cpus > VM_CONFIG_MAX_CPUS || cfg.ram_mib < VM_CONFIG_MIN_RAM_MIB ||
            cfg.flavor >= KRUN_FLAVOR_COUNT || !cfg.virtiofs_tag || (cfg.has_kernel && !cfg.kernel_path))
                __builtin_trap(); /* resolved, but not to something the handler can use */
        vm_config_clear(&cfg);
        return 0;
}
