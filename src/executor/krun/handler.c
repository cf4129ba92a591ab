/* The krun executor: the container's init becomes a libkrun VMM that boots the workload in a microVM
 * (docs/krun-mode.md). Everything that can be checked is checked at `create` — flavor, numbers,
 * libraries, symbols, host devices, passt, the workload's executable — so that after `start` only the
 * libkrun calls themselves can fail. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/path_search.h"
#include "core/proctitle.h"
#include "executor/executor.h"
#include "executor/krun/agent_client.h"
#include "executor/krun/agent_config.h"
#include "executor/krun/agent_setup.h"
#include "executor/krun/devices.h"
#include "executor/krun/libkrun.h"
#include "executor/krun/library.h"
#include "executor/krun/passt.h"
#include "executor/krun/plan.h"
#include "executor/krun/probe.h"
#include "executor/krun/vm_config.h"
#include "init/exec_path.h"
#include "linux/lsm.h"
#include "linux/safe_path.h"

#define KRUN_CONFIG_FILE "/.krun_config.json"
#define KRUN_VM_FILE "/.krun_vm.json"
#define KRUN_VM_FILE_MAX (1 << 20)

struct krun_priv {
        void *lib; /* the flavor's libkrun; NULL until the flavor is known (prepare_rootfs) */
        int32_t ctx_id;
        struct krun_host_devices devs;
        bool has_config;
        struct vm_config cfg;
        void *syms[KRUN_CALL_COUNT]; /* resolved at create from the chosen flavor's library */
        char *passt_path;
        int passt_fd;
        char **rlimits; /* process.rlimits as krun_set_rlimits items, NULL when there are none */
        struct krun_agent agent;
};

/* What a call is needed for, so a missing symbol names the feature that asked for it. */
static const char *const call_purpose[KRUN_CALL_COUNT] = {
    [KRUN_CALL_SET_ROOT_DISK] = "the sev variant",           [KRUN_CALL_SET_TEE_CONFIG_FILE] = "the sev variant",
    [KRUN_CALL_ADD_VIRTIOFS2] = "the virtio-fs root",        [KRUN_CALL_SET_CONSOLE_OUTPUT] = "the aws-nitro variant",
    [KRUN_CALL_SET_EXEC] = "the aws-nitro variant",          [KRUN_CALL_SET_GPU_OPTIONS] = "krun.gpu_flags",
    [KRUN_CALL_SET_NESTED_VIRT] = "krun.nested_virt",        [KRUN_CALL_ADD_NET_UNIXSTREAM] = "krun.use_passt",
    [KRUN_CALL_SET_KERNEL] = "kernel_path in .krun_vm.json", [KRUN_CALL_SET_RLIMITS] = "process.rlimits",
};

static struct krun_priv *priv(struct executor_ctx *ctx)
{
        return ctx->priv;
}

/* Before the clone. The library is not opened here: which one (plain, sev, aws-nitro) depends on the
 * annotations and on /.krun_vm.json in the rootfs, resolved in prepare_rootfs (load_library), and opening
 * the other variants as well would cost every container their relocations and constructors. */
static int krun_load(struct executor_ctx *ctx, struct error **err)
{
        struct krun_priv *p = calloc(1, sizeof(*p));
        if (!p)
                return error_set(err, ENOMEM, "krun");
        p->passt_fd = -1;
        krun_agent_init(&p->agent);
        ctx->priv = p;
        return 0;
}

static int krun_adjust_spec(struct executor_ctx *ctx, struct oci_spec *spec, struct error **err)
{
        struct krun_priv *p = priv(ctx);
        int r = krun_devices_probe(&p->devs, err);
        if (r >= 0)
                r = krun_devices_add_rules(spec, &p->devs, err);
        return r < 0 ? error_prefix(err, "krun: device cgroup") : 0;
}

static unsigned affinity_cpus(void)
{
        cpu_set_t set;
        if (sched_getaffinity(0, sizeof(set), &set) < 0)
                return 1;
        return (unsigned)CPU_COUNT(&set);
}

static int exists_in_rootfs(int rootfs_fd, const char *path, bool *exists, struct error **err)
{
        _cleanup_close_ int fd = -1;
        _cleanup_error_ struct error *e = NULL;
        *exists = false;
        if (safe_openat(rootfs_fd, path, O_PATH | O_NOFOLLOW, 0, &fd, &e) >= 0) {
                *exists = true;
                return 0;
        }
        if (error_status(e) == -ENOENT)
                return 0;
        *err = TAKE_PTR(e);
        return error_status(*err);
}

/* The guest reads /.krun_config.json for argv, env and cwd (the only channel since crun 1.21). This write
 * runs with host privileges into an image-controlled tree: safe_write_file never follows a planted
 * symlink, hard link or FIFO (CVE-2025-24965). 0444: the guest may run as a non-root user (crun#1685). */
static int write_krun_config(struct executor_ctx *ctx, int rootfs_fd, struct error **err)
{
        const char *data = ctx->config_json;
        size_t len = ctx->config_json_len;
        _cleanup_free_ char *guest = NULL;
        size_t guest_len = 0;
        if (krun_agent_guest_config(&priv(ctx)->agent, data, len, &guest, &guest_len, err) < 0)
                return error_prefix(err, "krun");
        if (guest) {
                data = guest;
                len = guest_len;
        }
        int r = safe_write_file(rootfs_fd, KRUN_CONFIG_FILE, data, len, 0444, err);
        return r < 0 ? error_prefix(err, "krun") : 0;
}

static int resolve_vm_config(struct executor_ctx *ctx, struct krun_priv *p, int rootfs_fd, struct error **err)
{
        _cleanup_free_ char *vm_json = NULL;
        size_t vm_json_len = 0;
        int r = safe_read_file(rootfs_fd, KRUN_VM_FILE, KRUN_VM_FILE_MAX, &vm_json, &vm_json_len, err);
        if (r < 0)
                return error_prefix(err, "krun");
        bool has_legacy_sev;
        r = exists_in_rootfs(rootfs_fd, "/krun-sev.json", &has_legacy_sev, err);
        if (r < 0)
                return r;
        const struct oci_spec *spec = ctx->spec;
        struct vm_config_input in = {
            .ann_cpus = oci_spec_annotation(spec, "krun.cpus"),
            .ann_ram_mib = oci_spec_annotation(spec, "krun.ram_mib"),
            .ann_gpu_flags = oci_spec_annotation(spec, "krun.gpu_flags"),
            .ann_use_passt = oci_spec_annotation(spec, "krun.use_passt"),
            .ann_nested_virt = oci_spec_annotation(spec, "krun.nested_virt"),
            .ann_variant = oci_spec_annotation(spec, "krun.variant"),
            .vm_json = vm_json,
            .vm_json_len = vm_json_len,
            .has_legacy_sev = has_legacy_sev,
            .affinity_cpus = affinity_cpus(),
            .resources = spec->linux_.resources,
        };
        r = vm_config_resolve(&in, &p->cfg, err);
        if (r < 0)
                return r;
        p->has_config = true;
        for (size_t i = 0; i < p->cfg.n_warnings; i++)
                log_warning("krun: %s", p->cfg.warnings[i]);
        return 0;
}

/* The user running `create` is the one the VMM runs as (or root, which the node created in the container
 * lets through): a rootless user outside the `kvm` group learns it here, not after `start`. A node
 * without a driver behind it (ENODEV, ENXIO) is only made by hand — a test's placeholder, a stale mknod —
 * and only warned about: libkrun then fails in krun_start_enter with the same errno. */
static int check_kvm(int kvm_errno, struct error **err)
{
        if (kvm_errno == 0)
                return 0;
        const char *hint = krun_kvm_open_hint(kvm_errno);
        if (kvm_errno == ENODEV || kvm_errno == ENXIO) {
                log_warning("krun: `/dev/kvm`: %s (%s): the VM will not start", hint, strerror(kvm_errno));
                return 0;
        }
        errno = kvm_errno;
        if (hint)
                return error_sys(err, "krun: `/dev/kvm` unavailable: %s", hint);
        return error_sys(err, "krun: `/dev/kvm` unavailable: open");
}

/* The flavor's library could not be opened. Only on this error path are the other variants tried: when
 * none loads either, libkrun is simply not installed, and the message names every library with the
 * loader's reason. */
static int library_error(enum krun_flavor f, const char *why, struct error **err)
{
        const char *lib = krun_flavor_library(f);
        char reasons[KRUN_FLAVOR_COUNT][256];
        for (int i = 0; i < KRUN_FLAVOR_COUNT; i++) {
                void *h = i == (int)f ? NULL : dlopen(krun_flavor_library(i), RTLD_LAZY | RTLD_LOCAL);
                if (h) {
                        dlclose(h);
                        return error_set(err, ENOENT,
                                         "krun: the container requires %s (variant %s) but it could not be loaded: %s",
                                         lib, krun_flavor_name(f), why);
                }
                const char *e = i == (int)f ? why : dlerror();
                snprintf(reasons[i], sizeof(reasons[i]), "%s", e ? e : krun_flavor_library(i));
        }
        return error_set(err, ENOENT,
                         "krun: cannot load libkrun (tried libkrun.so.1, libkrun-sev.so.1, libkrun-awsnitro.so.1): %s; "
                         "%s; %s",
                         reasons[0], reasons[1], reasons[2]);
}

/* Runtime, before any namespace, once the flavor is known: open that flavor's libkrun and create its
 * context. It must happen on the host: the first krun_create_ctx loads libkrunfw (the guest kernel) from
 * the host's library path, which is gone after pivot_root. */
static int load_library(struct krun_priv *p, struct error **err)
{
        enum krun_flavor f = p->cfg.flavor;
        const char *lib = krun_flavor_library(f);
        p->lib = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
        if (!p->lib) {
                const char *why = dlerror();
                return library_error(f, why ? why : lib, err);
        }
        krun_create_ctx_fn create = (krun_create_ctx_fn)dlsym(p->lib, "krun_create_ctx");
        int32_t id = create ? create() : -ENOSYS;
        if (id < 0)
                return error_set(err, -id, "krun: %s: krun_create_ctx", lib);
        p->ctx_id = id;
        return 0;
}

/* The flavor's host device. */
static int check_host(struct krun_priv *p, struct error **err)
{
        enum krun_flavor f = p->cfg.flavor;
        if (f != KRUN_FLAVOR_AWSNITRO) {
                int r = check_kvm(p->devs.kvm_errno, err);
                if (r < 0)
                        return r;
        }
        if (f == KRUN_FLAVOR_SEV && !p->devs.is_present[KRUN_DEV_SEV])
                return error_set(err, ENODEV, "krun: variant sev: host `/dev/sev` unavailable");
        if (f == KRUN_FLAVOR_AWSNITRO && !p->devs.is_present[KRUN_DEV_NITRO])
                return error_set(err, ENODEV, "krun: variant aws-nitro: host `/dev/nitro_enclaves` unavailable");
        return 0;
}

/* libkrun >= 1.11 loads libkrunfw in the first krun_create_ctx (done in load, on the host's library path)
 * and, if it is missing, only fails in krun_start_enter, after `start`. Ask the dynamic loader whether
 * the library is in the process now: that is what libkrun will boot. */
static int check_guest_kernel(struct krun_priv *p, struct error **err)
{
        void *h = p->lib;
        if (p->cfg.has_kernel)
                return 0; /* krun_set_kernel replaces libkrunfw */
        struct krun_library_markers m = {
            .has_setuid = dlsym(h, KRUN_SYM_SETUID) != NULL,
            .has_disable_implicit_vsock = dlsym(h, KRUN_SYM_DISABLE_IMPLICIT_VSOCK) != NULL,
            .has_has_feature = dlsym(h, KRUN_SYM_HAS_FEATURE) != NULL,
        };
        const char *fw = krun_libkrunfw_soname(p->cfg.flavor, &m);
        if (!fw)
                return 0;
        void *loaded = dlopen(fw, RTLD_NOW | RTLD_NOLOAD);
        if (loaded) {
                dlclose(loaded); /* drops only the reference RTLD_NOLOAD added */
                return 0;
        }
        return error_set(err, ENOENT,
                         "krun: %s could not load its guest kernel library %s (install it on the library path, or set "
                         "kernel_path and kernel_format in .krun_vm.json)",
                         krun_flavor_library(p->cfg.flavor), fw);
}

/* A library built without a device accepts (or lacks) the calls that would add it; where it can say so
 * (krun_has_feature, libkrun >= 1.17.3), a setting that needs the device fails here. */
static int check_features(struct krun_priv *p, struct error **err)
{
        void *h = p->lib;
        int32_t (*has_feature)(uint64_t) = (int32_t(*)(uint64_t))dlsym(h, KRUN_SYM_HAS_FEATURE);
        if (!has_feature)
                return 0;
        struct krun_feature_need needs[KRUN_FEATURE_NEEDS_MAX];
        size_t n = krun_features_needed(&p->cfg, needs);
        for (size_t i = 0; i < n; i++) {
                int32_t r = has_feature(needs[i].feature);
                if (r == 1)
                        continue;
                if (r == 0)
                        return error_set(err, ENOTSUP, "krun: %s: %s was built without %s", needs[i].reason,
                                         krun_flavor_library(p->cfg.flavor), needs[i].name);
                return error_set(err, -r, "krun: %s: krun_has_feature(%d)", needs[i].reason, (int)needs[i].feature);
        }
        return 0;
}

/* Every symbol the plan calls must exist now, not after `start`. */
static int resolve_symbols(struct executor_ctx *ctx, struct krun_priv *p, struct error **err)
{
        struct krun_plan plan;
        krun_plan_build(&(struct krun_plan_input){.cfg = &p->cfg,
                                                  .log_level = ctx->log_level,
                                                  .passt_fd = -1,
                                                  .rlimits = (const char *const *)p->rlimits},
                        &plan);
        void *h = p->lib;
        for (size_t i = 0; i < plan.n; i++) {
                const struct krun_call *c = &plan.calls[i];
                p->syms[c->id] = dlsym(h, krun_call_symbol(c->id));
                if (!p->syms[c->id] && !c->is_optional)
                        return error_set(err, ENOSYS, "krun: %s does not provide %s%s%s",
                                         krun_flavor_library(p->cfg.flavor), krun_call_symbol(c->id),
                                         call_purpose[c->id] ? ", needed for " : "",
                                         call_purpose[c->id] ? call_purpose[c->id] : "");
                /* libkrun-awsnitro >= 1.19: no call left to give the enclave its root filesystem. */
                if (!p->syms[c->id] && c->id == KRUN_CALL_ADD_VIRTIOFS2)
                        log_warning("krun: %s does not provide %s (libkrun >= 1.19): the enclave gets no root "
                                    "filesystem from the runtime, and libkrun 1.19.0 refuses to start without one",
                                    krun_flavor_library(p->cfg.flavor), krun_call_symbol(c->id));
        }
        return 0;
}

static void warn_nested(void)
{
        static const char *const params[] = {"/sys/module/kvm_intel/parameters/nested",
                                             "/sys/module/kvm_amd/parameters/nested"};
        for (size_t i = 0; i < ARRAY_SIZE(params); i++) {
                _cleanup_free_ char *v = NULL;
                size_t len;
                if (fs_read_file(params[i], 64, &v, &len) >= 0 && (v[0] == 'Y' || v[0] == '1'))
                        return;
        }
        log_warning("krun: krun.nested_virt: nested virtualization is not enabled in the host's KVM module");
}

/* The guest's init applies KRUN_RLIMITS to itself before it starts the workload; the VMM's own limits (the
 * container init applied process.rlimits to it) never reach the guest otherwise. */
static int format_rlimits(const struct oci_process *proc, char ***out, struct error **err)
{
        if (!proc || proc->n_rlimits == 0)
                return 0;
        *out = krun_rlimit_items(proc->rlimits, proc->n_rlimits);
        return *out ? 0 : error_set(err, ENOMEM, "krun: process.rlimits");
}

/* Runtime, host credentials, before any user namespace (the state dir is unreadable from inside one). */
static int prepare_before_userns(struct executor_ctx *ctx, int rootfs_fd, struct error **err)
{
        struct krun_priv *p = priv(ctx);
        /* Everything that can refuse the container first, so that a refusal writes nothing into the image. */
        int r = resolve_vm_config(ctx, p, rootfs_fd, err);
        if (r >= 0)
                r = load_library(p, err);
        if (r >= 0)
                r = check_host(p, err);
        if (r >= 0)
                r = check_guest_kernel(p, err);
        if (r >= 0)
                r = check_features(p, err);
        if (r >= 0)
                r = format_rlimits(ctx->spec->process, &p->rlimits, err);
        if (r >= 0)
                r = resolve_symbols(ctx, p, err);
        if (r >= 0 && p->cfg.use_passt)
                r = krun_passt_find(getenv("PATH"), &p->passt_path, err);
        if (r >= 0 && p->cfg.flavor == KRUN_FLAVOR_PLAIN)
                r = krun_agent_prepare(&p->agent, ctx, p->lib, rootfs_fd, err);
        if (r >= 0)
                r = write_krun_config(ctx, rootfs_fd, err);
        if (r >= 0 && p->cfg.nested_virt)
                warn_nested();
        return r;
}

/* libkrun's GPU device needs the DRM nodes passed in, and the render server the VMM spawns must exist in
 * the image (only for the RENDER_SERVER flag). */
static int check_gpu(struct krun_priv *p, int rootfs_fd, struct error **err)
{
        bool exists;
        if (p->cfg.gpu_flags == 0)
                return 0;
        int r = exists_in_rootfs(rootfs_fd, "/dev/dri", &exists, err);
        if (r < 0)
                return r;
        if (!exists)
                return error_set(err, ENODEV, "krun.gpu_flags: `/dev/dri` does not exist in the container");
        if (!(p->cfg.gpu_flags & KRUN_VIRGLRENDERER_RENDER_SERVER))
                return 0;
        r = exists_in_rootfs(rootfs_fd, "/usr/libexec/virgl_render_server", &exists, err);
        if (r < 0)
                return r;
        if (!exists)
                return error_set(err, ENOENT,
                                 "krun.gpu_flags: the render-server flag needs `/usr/libexec/virgl_render_server` "
                                 "in the container");
        return 0;
}

/* 0 if path names an executable regular file in the rootfs, -ENOENT if nothing is there, -EACCES if it exists
 * but cannot be executed (execve's errors, which podman maps to 127 and 126). */
static int executable_at(const char *path, void *rootfs_fdp)
{
        int rootfs_fd = *(const int *)rootfs_fdp;
        _cleanup_close_ int fd = -1;
        _cleanup_error_ struct error *e = NULL;
        struct stat st;
        /* Symlinks are followed, but resolved inside the rootfs. */
        if (safe_openat(rootfs_fd, path, O_PATH, 0, &fd, &e) < 0 || fstat(fd, &st) < 0)
                return -ENOENT;
        return S_ISREG(st.st_mode) && (st.st_mode & 0111) ? 0 : -EACCES;
}

/* Upstream boots the VM and exits 0 when the workload does not exist; we fail `create` with the native
 * path's messages (clients map them to 127 and 126). The guest runs
 * the same lookup (execvp with the config's PATH). */
static int check_executable(const struct oci_process *proc, int rootfs_fd, struct error **err)
{
        if (!proc || !proc->args || !proc->args[0] || !proc->args[0][0])
                return error_set(err, EINVAL, "config.json: process.args: expected a non-empty array of strings");
        const char *cmd = proc->args[0];
        if (strchr(cmd, '/')) {
                _cleanup_free_ char *abs = NULL;
                if (cmd[0] != '/' && asprintf(&abs, "%s/%s", proc->cwd ? proc->cwd : "/", cmd) < 0)
                        return error_set(err, ENOMEM, "krun");
                int r = executable_at(abs ? abs : cmd, &rootfs_fd);
                return r < 0 ? exec_path_error(err, r == -EACCES ? EACCES : ENOENT, cmd) : 0;
        }
        const char *path_env = NULL;
        for (char **e = proc->env; e && *e; e++)
                if (strncmp(*e, "PATH=", 5) == 0)
                        path_env = *e + 5;
        _cleanup_free_ char *found = NULL;
        int r = path_search(cmd, path_env, proc->cwd, 0, executable_at, &rootfs_fd, &found);
        if (r == -ENOMEM)
                return error_set(err, ENOMEM, "krun");
        return r < 0 ? exec_path_error(err, r == -EACCES ? EACCES : ENOENT, cmd) : 0;
}

/* A device the flavor needs, unless the spec's linux.devices already brings /dev/kvm (then the user
 * manages the KVM family nodes). */
static int create_nodes(struct executor_ctx *ctx, struct krun_priv *p, int rootfs_fd, struct error **err)
{
        if (krun_devices_spec_lists(ctx->spec, krun_device_path(KRUN_DEV_KVM)))
                return 0;
        bool want[KRUN_DEV_COUNT] = {
            [KRUN_DEV_KVM] = p->devs.is_present[KRUN_DEV_KVM],
            [KRUN_DEV_SEV] = p->cfg.flavor == KRUN_FLAVOR_SEV,
            [KRUN_DEV_NITRO] = p->cfg.flavor == KRUN_FLAVOR_AWSNITRO,
        };
        for (int i = 0; i < KRUN_DEV_COUNT; i++) {
                if (!want[i] || krun_devices_spec_lists(ctx->spec, krun_device_path(i)))
                        continue;
                int r = krun_devices_create_node(rootfs_fd, i, p->devs.rdev[i], err);
                if (r < 0)
                        return error_prefix(err, "krun");
        }
        return 0;
}

/* Container init, new mount and network namespaces, mounts done, host root still reachable. */
static int prepare_after_mounts(struct executor_ctx *ctx, int rootfs_fd, struct error **err)
{
        struct krun_priv *p = priv(ctx);
        int r = check_gpu(p, rootfs_fd, err);
        if (r >= 0 && p->cfg.flavor != KRUN_FLAVOR_AWSNITRO)
                r = check_executable(ctx->spec->process, rootfs_fd, err);
        if (r >= 0 && p->cfg.use_passt)
                r = krun_passt_start(p->passt_path, p->devs.is_present[KRUN_DEV_NITRO], &p->passt_fd, err);
        if (r >= 0)
                r = create_nodes(ctx, p, rootfs_fd, err);
        if (r >= 0)
                r = krun_agent_mount(&p->agent, rootfs_fd, err);
        return r;
}

static int krun_prepare_rootfs(struct executor_ctx *ctx, int rootfs_fd, enum setup_phase phase, struct error **err)
{
        if (phase == PHASE_BEFORE_USERNS)
                return prepare_before_userns(ctx, rootfs_fd, err);
        return prepare_after_mounts(ctx, rootfs_fd, err);
}

static int krun_keep_fds(struct executor_ctx *ctx, int *fds, size_t *n)
{
        struct krun_priv *p = priv(ctx);
        if (p && p->passt_fd >= 0 && *n < 8)
                fds[(*n)++] = p->passt_fd;
        if (p)
                krun_agent_keep_fds(&p->agent, fds, n);
        return 0;
}

static int32_t call_net(void *fn, uint32_t id, const struct krun_call *c, uint32_t flags)
{
        uint8_t mac[6];
        memcpy(mac, krun_passt_mac, sizeof(mac));
        return ((krun_add_net_unixstream_fn)fn)(id, NULL, c->fd, mac, c->features, flags);
}

/* One call of the plan; returns libkrun's result (negative errno on failure). */
static int32_t run_call(void *fn, uint32_t id, const struct krun_call *c)
{
        int32_t r;
        switch (c->id) {
        case KRUN_CALL_SET_LOG_LEVEL:
                /* Always 0 in libkrun; the result carries no information. */
                ((krun_set_log_level_fn)fn)((uint32_t)c->value);
                return 0;
        case KRUN_CALL_SET_ROOT_DISK:
                return ((krun_set_root_disk_fn)fn)(id, c->path);
        case KRUN_CALL_SET_TEE_CONFIG_FILE:
                return ((krun_set_tee_config_file_fn)fn)(id, c->path);
        case KRUN_CALL_ADD_VIRTIOFS2:
                return ((krun_add_virtiofs2_fn)fn)(id, c->tag, c->path, c->value);
        case KRUN_CALL_SET_CONSOLE_OUTPUT:
                return ((krun_set_console_output_fn)fn)(id, c->path);
        case KRUN_CALL_SET_EXEC:
                return ((krun_set_exec_fn)fn)(id, c->path, c->argv, c->envp);
        case KRUN_CALL_SET_VM_CONFIG:
                return ((krun_set_vm_config_fn)fn)(id, c->vcpus, c->ram_mib);
        case KRUN_CALL_SET_GPU_OPTIONS:
                return ((krun_set_gpu_options_fn)fn)(id, (uint32_t)c->value);
        case KRUN_CALL_CHECK_NESTED_VIRT:
                r = ((krun_check_nested_virt_fn)fn)();
                if (r != 1)
                        log_warning("krun: krun_check_nested_virt returned %d: nested virtualization may not work", r);
                return 0;
        case KRUN_CALL_SET_NESTED_VIRT:
                return ((krun_set_nested_virt_fn)fn)(id, c->value != 0);
        case KRUN_CALL_ADD_NET_UNIXSTREAM:
                r = call_net(fn, id, c, c->flags);
                if (r == -EINVAL && c->retry_without_flags && c->flags != 0)
                        r = call_net(fn, id, c, 0);
                return r;
        case KRUN_CALL_SET_KERNEL:
                return ((krun_set_kernel_fn)fn)(id, c->path, (uint32_t)c->value, c->initrd, c->cmdline);
        case KRUN_CALL_SET_RLIMITS:
                return ((krun_set_rlimits_fn)fn)(id, c->argv);
        case KRUN_CALL_START_ENTER:
                return ((krun_start_enter_fn)fn)(id);
        case KRUN_CALL_COUNT:
                break;
        }
        return -EINVAL;
}

static bool should_close(int fd, int keep)
{
        int flags = fd == keep ? -1 : fcntl(fd, F_GETFD);
        return flags >= 0 && (flags & FD_CLOEXEC);
}

/* The init "closes" fds by marking them FD_CLOEXEC and lets execve do the rest; the VMM never execs, so
 * here they are closed for real, as execve would: the runtime's log, the `start` connection, the libkrun
 * double's call log... must not live on in the VMM. Fds without FD_CLOEXEC are the preserved and
 * socket-activation ones (they stay, as with execve); the passt socket (`keep`) stays too. */
static void close_cloexec_fds(int keep)
{
        DIR *d = opendir("/proc/self/fd");
        if (d) {
                int fds[1024];
                size_t n = 0;
                bool is_truncated = false;
                for (struct dirent *e; (e = readdir(d));) {
                        int fd = atoi(e->d_name);
                        if (fd < 3 || fd == dirfd(d) || !should_close(fd, keep))
                                continue;
                        if (n < ARRAY_SIZE(fds))
                                fds[n++] = fd;
                        else
                                is_truncated = true;
                }
                closedir(d);
                for (size_t i = 0; i < n; i++)
                        close(fds[i]);
                if (!is_truncated)
                        return;
        }
        /* No /proc in the container, or more fds than we listed: try every possible number. */
        struct rlimit rl;
        int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1U << 20 ? (int)rl.rlim_cur : 1 << 20;
        for (int fd = 3; fd < max; fd++)
                if (should_close(fd, keep))
                        close(fd);
}

/* VM death looks like the workload's `exit 1`: on success krun_start_enter never returns, libkrun
 * _exit()s with the status the guest init recorded through virtio-fs, and with 1 when the guest died
 * before recording one (kernel panic, a KVM that cannot run the guest such as PVM). Nothing on this side
 * can tell them apart after the call. Hook for the in-guest agent: it reports the workload's status to the
 * host over its own link; whoever reaps this process (`run`, or the engine's monitor) then treats a 1
 * without such a report as "the VM died" (docs/krun-mode.md, "VM death"). */

/* krun_start_enter failed. The `start` connection is closed by now (the workload was as good as running),
 * so, like upstream, the reason goes to the container's stderr and the container exits 1. */
static _Noreturn void start_failed(int32_t r)
{
        dprintf(STDERR_FILENO, "krun: could not start the VM (krun_start_enter): %s\n", strerror(-r));
        _exit(1);
}

/* Container init after `start`: configure the context created before the namespaces, then become the VMM. */
static int krun_exec(struct executor_ctx *ctx, const struct oci_process *proc, const char *path, struct error **err)
{
        struct krun_priv *p = priv(ctx);
        if (!p || !p->has_config)
                return error_set(err, EINVAL, "krun: the VM configuration was not resolved at create");
        struct krun_plan plan;
        krun_plan_build(&(struct krun_plan_input){.cfg = &p->cfg,
                                                  .log_level = ctx->log_level,
                                                  .passt_fd = p->passt_fd,
                                                  .exec_path = path ? path : proc->args[0],
                                                  .argv = (const char *const *)proc->args,
                                                  .envp = (const char *const *)proc->env,
                                                  .rlimits = (const char *const *)p->rlimits},
                        &plan);
        uint32_t id = (uint32_t)p->ctx_id;
        for (size_t i = 0; i < plan.n; i++) {
                const struct krun_call *c = &plan.calls[i];
                void *fn = p->syms[c->id];
                if (!fn)
                        continue; /* optional and absent (checked at create) */
                /* Configuration errors above still reach `start`; from here on the VMM owns the process. */
                if (c->id == KRUN_CALL_START_ENTER) {
                        int32_t a = krun_agent_before_start(&p->agent, id);
                        if (a < 0)
                                return error_set(err, -a, "krun: krun_add_vsock_port2 (the in-guest agent's port)");
                        /* The init wrote the labels for execve, which the VMM never does: apply them to
                         * this task now, so the VMM (and through it the VM) runs confined. Still before
                         * the fds close, so a refusal reaches `start`. */
                        int lr = lsm_apply_current_labels(proc, err);
                        if (lr < 0)
                                return error_prefix(err, "krun: label the VMM");
                        /* Before the fds close: the runtime's log may be one of them. */
                        log_debug("krun: entering krun_start_enter");
                        /* On success the VMM _exit()s with the guest's code: no atexit, no stdio flush. */
                        fflush(NULL);
                        close_cloexec_fds(p->passt_fd);
                        /* `ps`/`podman top` show the workload, not the runtime's `create` command line. */
                        proctitle_set("[krun]", proc->args);
                        /* CVE-2019-5736: the VMM never execs, so its /proc/PID/exe stays our binary for the
                         * container's whole life. The init was made non-dumpable at clone; say it again
                         * after the libraries loaded since, which must not have turned it back on. */
                        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
                }
                int32_t r = run_call(fn, id, c);
                /* With --log-level=debug every answer of the library is visible (the real-libkrun test
                 * reads them); the VMM's own debug output follows. */
                if (c->id != KRUN_CALL_START_ENTER)
                        log_debug("krun: %s -> %d", krun_call_symbol(c->id), r);
                if (r < 0 && c->id == KRUN_CALL_START_ENTER)
                        start_failed(r);
                if (r < 0)
                        return error_set(err, -r, "krun: %s", krun_call_symbol(c->id));
                /* aws-nitro: krun_start_enter returns the enclave's exit code. */
                if (c->id == KRUN_CALL_START_ENTER)
                        _exit(r & 0xff);
        }
        return error_set(err, EIO, "krun: krun_start_enter returned");
}

static void krun_unload(struct executor_ctx *ctx)
{
        struct krun_priv *p = priv(ctx);
        if (!p)
                return;
        if (p->lib)
                dlclose(p->lib);
        if (p->passt_fd >= 0)
                close(p->passt_fd);
        vm_config_clear(&p->cfg);
        cleanup_strvp(&p->rlimits);
        krun_agent_clear(&p->agent);
        free(p->passt_path);
        free(p);
        ctx->priv = NULL;
}

/* `delete`: the config file would otherwise stay in the image (and end up in `podman commit`). Only the
 * file this container wrote goes: same bytes as its config (another container sharing the rootfs with a
 * different config keeps its own). Read without following a symlink and removed with unlinkat, which
 * never follows one either: the image cannot point this at a host file. */
static int krun_cleanup_rootfs(int rootfs_fd, const char *config_json, size_t config_json_len, struct error **err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        _cleanup_error_ struct error *e = NULL;
        int r = krun_agent_cleanup_rootfs(rootfs_fd, err);
        if (r < 0 || !config_json)
                return r;
        /* With the agent, the file holds the config with the agent in front of process.args. */
        _cleanup_free_ char *wrapped = NULL;
        size_t wrapped_len = 0;
        if (krun_agent_wrap_config(config_json, config_json_len, &wrapped, &wrapped_len, &e) < 0)
                error_free(&e);
        /* Not ours if it cannot be read as a regular file (a symlink, a FIFO, a directory planted later). */
        size_t max = (wrapped_len > config_json_len ? wrapped_len : config_json_len) + 1;
        if (safe_read_file(rootfs_fd, KRUN_CONFIG_FILE, max, &data, &len, &e) < 0 || !data)
                return 0;
        /* A prefix is ours too: a create killed while writing the file left it cut short (even empty). */
        bool is_plain = len <= config_json_len && memcmp(data, config_json, len) == 0;
        bool is_wrapped = wrapped && len <= wrapped_len && memcmp(data, wrapped, len) == 0;
        if (!is_plain && !is_wrapped)
                return 0;
        if (unlinkat(rootfs_fd, &KRUN_CONFIG_FILE[1] /* without the leading slash */, 0) < 0 && errno != ENOENT)
                return error_sys(err, "krun: remove `%s` from the rootfs", KRUN_CONFIG_FILE);
        return 0;
}

const struct executor executor_krun = {
    .name = "krun",
    .feature = "LIBKRUN",
    .is_available = krun_library_available,
    /* pause and update act on the VMM's cgroup: the freezer stops the vCPUs, the limits bound the VMM.
     * exec runs in the guest through the agent (exec_process). */
    .caps = EXECUTOR_CAN_EXEC | EXECUTOR_CAN_PAUSE | EXECUTOR_CAN_UPDATE,
    .workload_place = "inside a libkrun microVM",
    .checkpoint_refusal = "CRIU would dump the VMM process, not the guest, which cannot be restored",
    .annotation_prefix = "krun.", /* docs/krun-mode.md: krun.cpus, krun.ram_mib, ... */
    .load = krun_load,
    .adjust_spec = krun_adjust_spec,
    .prepare_rootfs = krun_prepare_rootfs,
    .keep_fds = krun_keep_fds,
    .resolves_executable = false,
    .exec = krun_exec,
    .unload = krun_unload,
    .cleanup_rootfs = krun_cleanup_rootfs,
    .exec_process = krun_agent_exec,
    .signal = krun_agent_signal,
    .list_pids = krun_agent_list_pids,
};
