/* libFuzzer target for the krun.* annotations (and the OCI resources they fall back to) through
 * vm_config_resolve. The input is split at NUL bytes: the annotations krun.cpus, krun.ram_mib,
 * krun.gpu_flags, krun.use_passt, krun.nested_virt, krun.variant, then linux.resources.cpu.cpus; a field
 * that is missing is an absent annotation, and a field that is exactly "-" too. The first 16 bytes
 * (when there are that many before the fields) set the memory limit and CPU quota. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "executor/krun/vm_config.h"
#include "oci/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { N_FIELDS = 7 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct oci_resources res = {0};
        if (size >= 16) {
                int64_t limit, quota;
                memcpy(&limit, data, 8);
                memcpy(&quota, data + 8, 8);
                res.has_memory_limit = limit & 1;
                res.memory_limit = limit >> 1;
                res.has_cpu_quota = quota & 1;
                res.cpu_quota = quota >> 1;
                res.has_cpu_period = (quota & 2) != 0;
                res.cpu_period = (uint64_t)(quota >> 2) & 0xFFFFFF;
                data += 16;
                size -= 16;
        }
        _cleanup_free_ char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        const char *field[N_FIELDS] = {NULL};
        char *p = text, *end = text + size;
        for (size_t i = 0; i < N_FIELDS && p <= end; i++) {
                field[i] = strcmp(p, "-") == 0 ? NULL : p;
                p += strlen(p) + 1;
        }
        res.cpu_cpus = (char *)field[6];
        struct vm_config_input in = {
            .ann_cpus = field[0],
            .ann_ram_mib = field[1],
            .ann_gpu_flags = field[2],
            .ann_use_passt = field[3],
            .ann_nested_virt = field[4],
            .ann_variant = field[5],
            .affinity_cpus = 4,
            .resources = &res,
        };
        struct vm_config cfg;
        _cleanup_error_ struct error *err = NULL;
        if (vm_config_resolve(&in, &cfg, &err) < 0) {
                if (!err || !err->msg)
                        __builtin_trap();
                return 0;
        }
        if (cfg.cpus < 1 || cfg.cpus > VM_CONFIG_MAX_CPUS || cfg.ram_mib < VM_CONFIG_MIN_RAM_MIB ||
            cfg.flavor >= KRUN_FLAVOR_COUNT)
                __builtin_trap();
        vm_config_clear(&cfg);
        return 0;
}
