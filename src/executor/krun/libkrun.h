/* Our own declarations of the libkrun C ABI we call (libkrun include/libkrun.h, lib.rs). libkrun is
 * dlopen'ed at run time and never linked: the runtime must work where it is absent. Every call returns
 * int32_t, >= 0 on success and a negative errno on failure; an unknown context id gives -ENOENT. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

typedef int32_t (*krun_create_ctx_fn)(void);
typedef int32_t (*krun_free_ctx_fn)(uint32_t ctx);
typedef int32_t (*krun_set_log_level_fn)(uint32_t level);
typedef int32_t (*krun_set_vm_config_fn)(uint32_t ctx, uint8_t vcpus, uint32_t ram_mib);
typedef int32_t (*krun_add_virtiofs2_fn)(uint32_t ctx, const char *tag, const char *path, uint64_t shm_size);
typedef int32_t (*krun_set_root_disk_fn)(uint32_t ctx, const char *path);
typedef int32_t (*krun_set_tee_config_file_fn)(uint32_t ctx, const char *path);
typedef int32_t (*krun_set_console_output_fn)(uint32_t ctx, const char *path);
typedef int32_t (*krun_set_exec_fn)(uint32_t ctx, const char *path, const char *const argv[], const char *const envp[]);
typedef int32_t (*krun_set_gpu_options_fn)(uint32_t ctx, uint32_t virgl_flags);
typedef int32_t (*krun_check_nested_virt_fn)(void);
typedef int32_t (*krun_set_nested_virt_fn)(uint32_t ctx, bool enabled);
typedef int32_t (*krun_add_net_unixstream_fn)(uint32_t ctx, const char *path, int fd, uint8_t *const mac,
                                              uint32_t features, uint32_t flags);
typedef int32_t (*krun_set_kernel_fn)(uint32_t ctx, const char *path, uint32_t format, const char *initrd,
                                      const char *cmdline);
typedef int32_t (*krun_set_rlimits_fn)(uint32_t ctx, const char *const rlimits[]);
typedef int32_t (*krun_start_enter_fn)(uint32_t ctx);

/* Log levels of krun_set_log_level. */
#define KRUN_LOG_LEVEL_OFF (0)
#define KRUN_LOG_LEVEL_ERROR (1)
#define KRUN_LOG_LEVEL_WARN (2)
#define KRUN_LOG_LEVEL_INFO (3)
#define KRUN_LOG_LEVEL_DEBUG (4)
#define KRUN_LOG_LEVEL_TRACE (5)

/* virtio-net feature bits (libkrun's own NET_FEATURE_* are not parenthesised; ours are). */
#define KRUN_NET_FEATURE_CSUM (1u << 0)
#define KRUN_NET_FEATURE_GUEST_CSUM (1u << 1)
#define KRUN_NET_FEATURE_GUEST_TSO4 (1u << 7)
#define KRUN_NET_FEATURE_GUEST_TSO6 (1u << 8)
#define KRUN_NET_FEATURE_GUEST_UFO (1u << 10)
#define KRUN_NET_FEATURE_HOST_TSO4 (1u << 11)
#define KRUN_NET_FEATURE_HOST_TSO6 (1u << 12)
#define KRUN_NET_FEATURE_HOST_UFO (1u << 14)
#define KRUN_NET_FEATURE_ALL                                                                                           \
        (KRUN_NET_FEATURE_CSUM | KRUN_NET_FEATURE_GUEST_CSUM | KRUN_NET_FEATURE_GUEST_TSO4 |                           \
         KRUN_NET_FEATURE_GUEST_TSO6 | KRUN_NET_FEATURE_GUEST_UFO | KRUN_NET_FEATURE_HOST_TSO4 |                       \
         KRUN_NET_FEATURE_HOST_TSO6 | KRUN_NET_FEATURE_HOST_UFO)
/* = 0x4C83, what crun passes for passt. */
#define KRUN_COMPAT_NET_FEATURES                                                                                       \
        (KRUN_NET_FEATURE_CSUM | KRUN_NET_FEATURE_GUEST_CSUM | KRUN_NET_FEATURE_GUEST_TSO4 |                           \
         KRUN_NET_FEATURE_GUEST_UFO | KRUN_NET_FEATURE_HOST_TSO4 | KRUN_NET_FEATURE_HOST_UFO)

#define KRUN_NET_FLAG_VFKIT (1u << 0)
#define KRUN_NET_FLAG_DHCP_CLIENT (1u << 1)

/* krun_set_gpu_options flags. */
#define KRUN_VIRGLRENDERER_USE_EGL (1u << 0)
#define KRUN_VIRGLRENDERER_THREAD_SYNC (1u << 1)
#define KRUN_VIRGLRENDERER_USE_GLX (1u << 2)
#define KRUN_VIRGLRENDERER_USE_SURFACELESS (1u << 3)
#define KRUN_VIRGLRENDERER_USE_GLES (1u << 4)
#define KRUN_VIRGLRENDERER_USE_EXTERNAL_BLOB (1u << 5)
#define KRUN_VIRGLRENDERER_VENUS (1u << 6)
#define KRUN_VIRGLRENDERER_NO_VIRGL (1u << 7)
#define KRUN_VIRGLRENDERER_USE_ASYNC_FENCE_CB (1u << 8)
#define KRUN_VIRGLRENDERER_RENDER_SERVER (1u << 9)
#define KRUN_VIRGLRENDERER_DRM (1u << 10)

/* Kernel formats of krun_set_kernel: raw, ELF, PE+gz, Image+bz2, Image+gz, Image+zstd. */
#define KRUN_KERNEL_FORMAT_MAX (5)

/* The virtio-fs tag the guest kernel mounts as root; libkrun injects /init.krun only into it. */
#define KRUN_FS_ROOT_TAG "/dev/root"
