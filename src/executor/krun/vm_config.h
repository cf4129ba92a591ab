/* The microVM's configuration, resolved from the container's annotations, the image's /.krun_vm.json and
 * the OCI resources (docs/krun-mode.md, "Configuration"). Pure: no syscalls; the handler gathers the inputs.
 * Precedence: annotation (when the key exists at all, even "0") -> .krun_vm.json key -> default.
 * Every value is validated here, so a bad one fails `create` with a message naming the annotation or field
 * instead of the VM dying after `start`. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "oci/spec.h"

#define VM_CONFIG_MAX_CPUS 16     /* libkrunfw's guest kernel limit */
#define VM_CONFIG_MIN_RAM_MIB 128 /* the manual: values below are ignored */
#define VM_CONFIG_DEFAULT_RAM_MIB 1024
#define VM_CONFIG_DEFAULT_SHM_SIZE (512ull << 20) /* DAX window of the root virtio-fs */
#define VM_CONFIG_DEFAULT_CPU_PERIOD 100000       /* the kernel's cfs_period_us default */
#define VM_CONFIG_MAX_WARNINGS 4

enum krun_flavor { KRUN_FLAVOR_PLAIN, KRUN_FLAVOR_SEV, KRUN_FLAVOR_AWSNITRO, KRUN_FLAVOR_COUNT };

/* What the handler collects before resolving. Annotation pointers are NULL when the key is absent. */
struct vm_config_input {
        const char *ann_cpus, *ann_ram_mib, *ann_gpu_flags, *ann_use_passt, *ann_nested_virt, *ann_variant;
        const char *vm_json; /* contents of /.krun_vm.json, NULL when the file does not exist */
        size_t vm_json_len;
        bool has_legacy_sev;                   /* /krun-sev.json exists in the image */
        unsigned affinity_cpus;                /* CPUs in our sched_getaffinity mask; 0 = unknown (-> 1) */
        const struct oci_resources *resources; /* linux.resources, may be NULL */
};

struct vm_config {
        enum krun_flavor flavor;
        uint8_t cpus;     /* 1..VM_CONFIG_MAX_CPUS */
        uint32_t ram_mib; /* >= VM_CONFIG_MIN_RAM_MIB */
        uint32_t gpu_flags;
        bool use_passt;
        bool nested_virt;
        char *virtiofs_tag;
        uint64_t virtiofs_shm_size;
        bool has_kernel; /* kernel_path + kernel_format given: boot it instead of libkrunfw */
        char *kernel_path;
        uint32_t kernel_format;
        char *initrd_path;    /* NULL when absent */
        char *kernel_cmdline; /* NULL when absent */
        /* Non-fatal findings the handler logs (e.g. an ignored ram_mib below 128). */
        char *warnings[VM_CONFIG_MAX_WARNINGS];
        size_t n_warnings;
};

/* Fills *out (zeroed first). On failure *out holds nothing that needs freeing. */
int vm_config_resolve(const struct vm_config_input *in, struct vm_config *out, struct error **err);
void vm_config_clear(struct vm_config *cfg);

/* "sev" -> KRUN_FLAVOR_SEV ...; -1 when unknown. "plain" names the default flavor explicitly. */
int krun_flavor_from_name(const char *name);
const char *krun_flavor_name(enum krun_flavor flavor);
/* The soname each flavor needs ("libkrun.so.1", "libkrun-sev.so.1", "libkrun-awsnitro.so.1"). */
const char *krun_flavor_library(enum krun_flavor flavor);

/* Number of CPUs in a cpuset list such as "0-3,8,10-11"; -1 when malformed. */
int vm_config_cpuset_count(const char *cpuset);
