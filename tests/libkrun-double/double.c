/* TEST DOUBLE of libkrun — not libkrun, not a VM. See README.md.
 *
 * Exports the libkrun C ABI (libkrun include/libkrun.h) with the same signatures and the argument checks
 * of libkrun's lib.rs, records every call as one JSON line, and at krun_start_enter "plays the guest":
 * it does in-process what libkrun's /init.krun would do inside the VM (read /.krun_config.json, apply env
 * hostname and rlimits, cwd, run the workload, exit with its status). Built once per variant
 * (DOUBLE_VARIANT_*) and once per released libkrun it stands for (DOUBLE_MINIMAL, DOUBLE_LEGACY,
 * DOUBLE_V110: see the table below).
 *
 * Knobs, read once in the constructor (the container init clears the environment before krun runs):
 *   KRUN_DOUBLE_LOG=<file>            append the JSON lines there (else /.krun-double.jsonl in the current root)
 *   KRUN_DOUBLE_FAIL=<func>:<errno>   make <func> return -errno
 *   KRUN_DOUBLE_NESTED=<ret>          krun_check_nested_virt's result (default 1)
 *   KRUN_DOUBLE_NO_KRUNFW=1           libkrunfw "not installed": not loaded by krun_create_ctx, and
 *                                     krun_start_enter fails -ENOENT without an external kernel
 *   KRUN_DOUBLE_NO_GUEST=1            krun_start_enter records the call and _exit(0)s at once: no guest is
 *                                     played (bench/start_latency.py: the runtime's cost up to that call) */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

#if defined(DOUBLE_VARIANT_SEV)
#define VARIANT "sev"
#elif defined(DOUBLE_VARIANT_AWSNITRO)
#define VARIANT "aws-nitro"
#else
#define DOUBLE_VARIANT_PLAIN 1
#define VARIANT "plain"
#endif

/* The released libkrun each build stands for; exported symbols follow the "since" column of
 * shared/spec/krun-mode.md §4:
 *   default   1.19.0 built with NET=1 GPU=1
 *   minimal   1.19.0 default build: no NET (no krun_add_net_*), GPU calls exported but no device
 *   legacy    1.16.x with NET=1 GPU=1: no krun_has_feature, loads libkrunfw.so.4, DHCP flag rejected,
 *             krun_check_nested_virt is -EOPNOTSUPP on Linux (implemented in 1.18)
 *   v1.10     1.10.1: no krun_set_kernel, nested, setuid/setgid or net (all newer), libkrunfw linked */
#if defined(DOUBLE_V110)
#define HAS_V111 0 /* krun_set_kernel, krun_set_nested_virt, krun_setuid/setgid (and check_nested 1.12) */
#define HAS_NET 0
#define HAS_GPU_DEVICE 1
#define HAS_FEATURE_CALL 0
#define KRUNFW NULL
#elif defined(DOUBLE_LEGACY)
#define HAS_V111 1
#define HAS_NET 1
#define HAS_GPU_DEVICE 1
#define HAS_FEATURE_CALL 0
#define KRUNFW "libkrunfw.so.4"
#elif defined(DOUBLE_MINIMAL)
#define HAS_V111 1
#define HAS_NET 0
#define HAS_GPU_DEVICE 0
#define HAS_FEATURE_CALL 1
#define KRUNFW "libkrunfw.so.5"
#else
#define HAS_V111 1
#define HAS_NET 1
#define HAS_GPU_DEVICE 1
#define HAS_FEATURE_CALL 1
#define KRUNFW "libkrunfw.so.5"
#endif
#if defined(DOUBLE_VARIANT_SEV)
#undef KRUNFW
#define KRUNFW "libkrunfw-sev.so.5"
#elif defined(DOUBLE_VARIANT_AWSNITRO)
#undef KRUNFW
#define KRUNFW NULL
#endif

#define MAX_CTX 64
#define NET_FEATURES_ALL 0x5D83u /* CSUM GUEST_CSUM GUEST_TSO4 GUEST_TSO6 GUEST_UFO HOST_TSO4 HOST_TSO6 HOST_UFO */
#define NET_FLAG_DHCP_CLIENT (1u << 1)

/* Marker: anything that must never run against the double (the real-KVM test) checks for this symbol. */
EXPORT const char krun_test_double[] = "libkrun TEST DOUBLE " VARIANT " (tests/libkrun-double): not libkrun, no VM";

struct ctx {
        bool is_used;
        bool has_console_output, has_tee_config, has_kernel, has_exec;
        char *exec_path;
        char **exec_argv, **exec_envp;
        char **rlimits; /* krun_set_rlimits items, applied by the guest */
};

static struct ctx ctxs[MAX_CTX];
static uint32_t next_ctx;
static bool is_logger_installed;
static bool has_krunfw; /* the guest kernel library was found by the first krun_create_ctx */
static bool is_krunfw_tried;

static struct {
        char log_path[4096];
        int log_fd;
        dev_t log_dev;
        ino_t log_ino;
        char fail_func[64];
        int fail_errno;
        int nested;
        bool no_krunfw;
        bool no_guest;
        ino_t host_uts; /* the runtime's UTS namespace at dlopen: the guest never renames that one */
} knobs = {.log_fd = -1, .nested = 1};

__attribute__((constructor)) static void read_knobs(void)
{
        const char *v = getenv("KRUN_DOUBLE_LOG");
        if (v && *v) {
                snprintf(knobs.log_path, sizeof(knobs.log_path), "%s", v);
                knobs.log_fd = open(v, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
                struct stat st;
                if (knobs.log_fd >= 0 && fstat(knobs.log_fd, &st) == 0) {
                        knobs.log_dev = st.st_dev;
                        knobs.log_ino = st.st_ino;
                }
        }
        v = getenv("KRUN_DOUBLE_FAIL");
        const char *colon = v ? strchr(v, ':') : NULL;
        if (colon && (size_t)(colon - v) < sizeof(knobs.fail_func)) {
                memcpy(knobs.fail_func, v, (size_t)(colon - v));
                knobs.fail_errno = abs(atoi(colon + 1));
        }
        v = getenv("KRUN_DOUBLE_NESTED");
        if (v)
                knobs.nested = atoi(v);
        v = getenv("KRUN_DOUBLE_NO_KRUNFW");
        knobs.no_krunfw = v && strcmp(v, "1") == 0;
        v = getenv("KRUN_DOUBLE_NO_GUEST");
        knobs.no_guest = v && strcmp(v, "1") == 0;
        struct stat st;
        if (stat("/proc/self/ns/uts", &st) == 0)
                knobs.host_uts = st.st_ino;
}

/* ---- recording ---- */

/* Where libkrun panics: the message, then abort. */
static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        /* va_start above initializes ap; clang-analyzer 14 does not see it in this file. */
        int n = vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
        va_end(ap);
        fprintf(stderr, "libkrun test double: %s\n", n >= 0 ? msg : fmt);
        abort();
}

/* The constructor's fd only while it still is that file: the init closes fds and numbers get reused. */
static int log_fd(void)
{
        struct stat st;
        if (knobs.log_fd >= 0 && fstat(knobs.log_fd, &st) == 0 && st.st_dev == knobs.log_dev &&
            st.st_ino == knobs.log_ino)
                return dup(knobs.log_fd);
        return open("/.krun-double.jsonl", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
}

static void add_link(struct json_object *o, const char *key, const char *path)
{
        char buf[4096];
        ssize_t n = readlink(path, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = 0;
        json_object_object_add(o, key, json_object_new_string(buf));
}

/* One line per call, written with a single write() so concurrent writers never interleave. */
static void record(const char *func, struct json_object *args, int ret)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "double", json_object_new_boolean(true));
        json_object_object_add(o, "variant", json_object_new_string(VARIANT));
        json_object_object_add(o, "func", json_object_new_string(func));
        json_object_object_add(o, "args", args ? args : json_object_new_object());
        json_object_object_add(o, "ret", json_object_new_int(ret));
        json_object_object_add(o, "pid", json_object_new_int(getpid()));
        json_object_object_add(o, "uid", json_object_new_int((int)getuid()));
        json_object_object_add(o, "gid", json_object_new_int((int)getgid()));
        add_link(o, "mntns", "/proc/self/ns/mnt");
        add_link(o, "root", "/proc/self/root");
        add_link(o, "cwd", "/proc/self/cwd");
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        size_t len = strlen(s);
        char *line = malloc(len + 2);
        int fd = log_fd();
        if (line && fd >= 0) {
                memcpy(line, s, len);
                line[len] = '\n';
                if (write(fd, line, len + 1) < 0)
                        fprintf(stderr, "libkrun test double: cannot write the call log: %m\n");
        }
        if (fd >= 0)
                close(fd);
        free(line);
        json_object_put(o);
}

static struct json_object *jstr(const char *s)
{
        return s ? json_object_new_string(s) : NULL;
}

static struct json_object *jstrv(const char *const *v)
{
        if (!v)
                return NULL;
        struct json_object *a = json_object_new_array();
        for (; *v; v++)
                json_object_array_add(a, json_object_new_string(*v));
        return a;
}

/* Returns the injected failure for `func`, or 0. */
static int injected(const char *func)
{
        return knobs.fail_errno > 0 && strcmp(func, knobs.fail_func) == 0 ? -knobs.fail_errno : 0;
}

static struct ctx *lookup(uint32_t id)
{
        return id < MAX_CTX && ctxs[id].is_used ? &ctxs[id] : NULL;
}

/* Checks common to every ctx call; records and returns the error, or 0 to go on. */
static int ctx_call(const char *func, uint32_t id, struct json_object *args, struct ctx **out)
{
        json_object_object_add(args, "ctx", json_object_new_int64(id));
        int r = injected(func);
        *out = r == 0 ? lookup(id) : NULL;
        if (*out)
                return 0;
        r = r < 0 ? r : -ENOENT;
        record(func, args, r);
        return r;
}

static int32_t done(const char *func, struct json_object *args, int32_t ret)
{
        record(func, args, ret);
        return ret;
}

/* ---- the ABI ---- */

/* libkrun >= 1.11 dlopens its guest kernel library once per process, in the first krun_create_ctx; a
 * missing one only shows in krun_start_enter. The knob plays "not installed" even where the libkrunfw
 * double is on the library path. */
static void load_krunfw(void)
{
        if (is_krunfw_tried)
                return;
        is_krunfw_tried = true;
        const char *fw = KRUNFW;
        if (!fw) {
                has_krunfw = !knobs.no_krunfw; /* linked (<= 1.10) or not libkrunfw (nitro) */
                return;
        }
        has_krunfw = !knobs.no_krunfw && dlopen(fw, RTLD_NOW | RTLD_GLOBAL) != NULL;
}

EXPORT int32_t krun_create_ctx(void)
{
        load_krunfw();
        int r = injected(__func__);
        if (r == 0 && next_ctx >= MAX_CTX)
                r = -ENOMEM;
        if (r == 0) {
                ctxs[next_ctx].is_used = true;
                r = (int)next_ctx++;
        }
        return done(__func__, NULL, r);
}

EXPORT int32_t krun_free_ctx(uint32_t id)
{
        struct json_object *a = json_object_new_object();
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        c->is_used = false;
        return done(__func__, a, 0);
}

EXPORT int32_t krun_set_log_level(uint32_t level)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "level", json_object_new_int64(level));
        /* libkrun installs a global env_logger; a second init panics. */
        if (is_logger_installed)
                die("krun_set_log_level called twice (libkrun panics: logger already initialized)");
        is_logger_installed = true;
        return done(__func__, a, 0);
}

EXPORT int32_t krun_set_vm_config(uint32_t id, uint8_t vcpus, uint32_t ram_mib)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "vcpus", json_object_new_int(vcpus));
        json_object_object_add(a, "ram_mib", json_object_new_int64(ram_mib));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        /* libkrun checks only for zero (16 is the guest kernel's limit, not enforced here). */
        return done(__func__, a, vcpus == 0 || ram_mib == 0 ? -EINVAL : 0);
}

EXPORT int32_t krun_set_exec(uint32_t id, const char *path, const char *const argv[], const char *const envp[])
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "path", jstr(path));
        json_object_object_add(a, "argv", jstrv(argv));
        json_object_object_add(a, "envp", jstrv(envp));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        if (!path)
                die("krun_set_exec: NULL path");
        c->has_exec = true;
        c->exec_path = strdup(path);
        size_t n = 0;
        for (; argv && argv[n]; n++)
                ;
        c->exec_argv = calloc(n + 2, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                c->exec_argv[i] = strdup(argv[i]);
        if (n == 0)
                c->exec_argv[0] = strdup(path);
        if (envp) {
                for (n = 0; envp[n]; n++)
                        ;
                c->exec_envp = calloc(n + 1, sizeof(char *));
                for (size_t i = 0; i < n; i++)
                        c->exec_envp[i] = strdup(envp[i]);
        }
        return done(__func__, a, 0);
}

EXPORT int32_t krun_set_console_output(uint32_t id, const char *path)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "path", jstr(path));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        if (!path)
                die("krun_set_console_output: NULL path");
        r = c->has_console_output ? -EINVAL : 0;
        c->has_console_output = true;
        return done(__func__, a, r);
}

/* Compiled out of TEE builds, and out of aws-nitro since 1.19.0. */
#if defined(DOUBLE_VARIANT_PLAIN)
EXPORT int32_t krun_add_virtiofs2(uint32_t id, const char *tag, const char *path, uint64_t shm_size)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "tag", jstr(tag));
        json_object_object_add(a, "path", jstr(path));
        json_object_object_add(a, "shm_size", json_object_new_int64((int64_t)shm_size));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        return done(__func__, a, tag ? 0 : -EINVAL);
}
#endif

#if defined(DOUBLE_VARIANT_SEV)
EXPORT int32_t krun_set_root_disk(uint32_t id, const char *path)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "path", jstr(path));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        if (!path)
                die("krun_set_root_disk: NULL path");
        return done(__func__, a, 0);
}

EXPORT int32_t krun_set_tee_config_file(uint32_t id, const char *path)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "path", jstr(path));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        if (!path)
                die("krun_set_tee_config_file: NULL path");
        /* libkrun only notices a missing file at krun_start_enter. */
        struct stat st;
        c->has_tee_config = stat(path, &st) == 0;
        return done(__func__, a, 0);
}

/* TEE builds export a two-argument stub. */
EXPORT int32_t krun_set_kernel(uint32_t id, const char *path)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "path", jstr(path));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        return done(__func__, a, -EOPNOTSUPP);
}
#endif

/* Exported whether or not the build has the GPU device (then the flags are accepted and ignored). */
#if defined(DOUBLE_VARIANT_PLAIN)
EXPORT int32_t krun_set_gpu_options(uint32_t id, uint32_t virgl_flags)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "virgl_flags", json_object_new_int64(virgl_flags));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        return done(__func__, a, 0);
}
#endif

#if defined(DOUBLE_VARIANT_PLAIN) && HAS_V111
EXPORT int32_t krun_check_nested_virt(void)
{
        int r = injected(__func__);
#if defined(DOUBLE_LEGACY)
        return done(__func__, NULL, r < 0 ? r : -EOPNOTSUPP); /* Linux implementation since 1.18 */
#else
        return done(__func__, NULL, r < 0 ? r : knobs.nested);
#endif
}

EXPORT int32_t krun_set_nested_virt(uint32_t id, bool enabled)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "enabled", json_object_new_boolean(enabled));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        return done(__func__, a, 0);
}

EXPORT int32_t krun_set_kernel(uint32_t id, const char *path, uint32_t format, const char *initrd, const char *cmdline)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "path", jstr(path));
        json_object_object_add(a, "format", json_object_new_int64(format));
        json_object_object_add(a, "initrd", jstr(initrd));
        json_object_object_add(a, "cmdline", jstr(cmdline));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        if (!path)
                die("krun_set_kernel: NULL path");
        struct stat st;
        if (format > 5 || (initrd && stat(initrd, &st) < 0))
                return done(__func__, a, -EINVAL);
        c->has_kernel = true;
        return done(__func__, a, 0);
}
#endif

#if defined(DOUBLE_VARIANT_PLAIN) && HAS_NET
/* The fd's socket domain/type and whether its peer is still there. */
static void describe_fd(struct json_object *a, int fd)
{
        int domain = -1, type = -1;
        socklen_t l = sizeof(int);
        getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l);
        l = sizeof(int);
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l);
        json_object_object_add(a, "fd_domain", json_object_new_int(domain));
        json_object_object_add(a, "fd_type", json_object_new_int(type));
        struct sockaddr_storage peer;
        l = sizeof(peer);
        json_object_object_add(a, "fd_peer_alive",
                               json_object_new_boolean(getpeername(fd, (struct sockaddr *)&peer, &l) == 0));
}

EXPORT int32_t krun_add_net_unixstream(uint32_t id, const char *path, int fd, uint8_t *const mac, uint32_t features,
                                       uint32_t flags)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "path", jstr(path));
        json_object_object_add(a, "fd", json_object_new_int(fd));
        if (!mac)
                die("krun_add_net_unixstream: NULL mac");
        char m[18];
        snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
        json_object_object_add(a, "mac", json_object_new_string(m));
        json_object_object_add(a, "features", json_object_new_int64(features));
        json_object_object_add(a, "flags", json_object_new_int64(flags));
        if (fd >= 0)
                describe_fd(a, fd);
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
#if defined(DOUBLE_LEGACY)
        const uint32_t known_flags = 0; /* libkrun < 1.18 rejects any flag */
#else
        const uint32_t known_flags = NET_FLAG_DHCP_CLIENT;
#endif
        bool bad = (path != NULL) == (fd >= 0) || (flags & ~known_flags) || (features & ~NET_FEATURES_ALL);
        return done(__func__, a, bad ? -EINVAL : 0);
}
#endif

/* ---- calls every build of a given version exports ---- */

EXPORT int32_t krun_set_rlimits(uint32_t id, const char *const rlimits[])
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "rlimits", jstrv(rlimits));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        if (!rlimits)
                return done(__func__, a, -EINVAL);
        size_t n = 0;
        for (; rlimits[n]; n++)
                ;
        c->rlimits = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                c->rlimits[i] = strdup(rlimits[i]);
        return done(__func__, a, 0);
}

#if HAS_V111
/* The VMM's own credentials in krun_start_enter; recorded only (the runtime does not call them). */
EXPORT int32_t krun_setuid(uint32_t id, uid_t uid)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "uid", json_object_new_int64(uid));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        return r < 0 ? r : done(__func__, a, 0);
}

EXPORT int32_t krun_setgid(uint32_t id, gid_t gid)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "gid", json_object_new_int64(gid));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        return r < 0 ? r : done(__func__, a, 0);
}
#endif

#if HAS_FEATURE_CALL
/* Ids 0..11 of libkrun 1.19.0 (NET, BLK, GPU, SND, INPUT, EFI, TEE, AMD_SEV, INTEL_TDX, AWS_NITRO,
 * VIRGL_RESOURCE_MAP2, INIT_BLOB); unknown -EINVAL. */
EXPORT int32_t krun_has_feature(uint64_t feature)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "feature", json_object_new_int64((int64_t)feature));
        int r = injected(__func__);
        if (r < 0)
                return done(__func__, a, r);
        if (feature > 11)
                return done(__func__, a, -EINVAL);
#if defined(DOUBLE_VARIANT_SEV)
        static const bool has[12] = {[1] = true, [6] = true, [7] = true, [11] = true};
#elif defined(DOUBLE_VARIANT_AWSNITRO)
        static const bool has[12] = {[0] = true, [9] = true, [11] = true};
#else
        static const bool has[12] = {[0] = HAS_NET, [2] = HAS_GPU_DEVICE, [11] = true};
#endif
        return done(__func__, a, has[feature]);
}
#endif

/* ---- vsock port mapping (libkrun ≥ 1.10, every variant) ----
 * listen=true: libkrun binds and listens on `path` itself once the guest's vsock device is up; a host
 * connection becomes a guest connection to `port`. The double has no vsock: at krun_start_enter it binds
 * the path the same way and hands the listening socket to the "guest" process it runs, named in
 * VSOCK_LISTEN_FDS=<port>:<fd>[,...] (the agent accepts on it as it would on AF_VSOCK). listen=false
 * ports (guest connects out) are recorded only. */

#define MAX_VSOCK_PORTS 8

struct vsock_port {
        uint32_t port;
        char *path;
        bool is_listen;
};

static struct vsock_port vsock_ports[MAX_CTX][MAX_VSOCK_PORTS];

EXPORT int32_t krun_add_vsock_port2(uint32_t id, uint32_t port, const char *path, bool listen)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "port", json_object_new_int64(port));
        json_object_object_add(a, "path", jstr(path));
        json_object_object_add(a, "listen", json_object_new_boolean(listen));
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        if (!path)
                die("krun_add_vsock_port2: NULL path");
#if defined(DOUBLE_VARIANT_AWSNITRO)
        if (listen)
                return done(__func__, a, -EINVAL);
#endif
        struct stat st;
        if (listen && lstat(path, &st) == 0)
                return done(__func__, a, -EEXIST);
        if (listen && errno != ENOENT)
                return done(__func__, a, -EINVAL);
        struct vsock_port *slot = NULL;
        for (int i = 0; i < MAX_VSOCK_PORTS && !slot; i++)
                if (!vsock_ports[id][i].path || vsock_ports[id][i].port == port)
                        slot = &vsock_ports[id][i];
        if (!slot)
                die("krun_add_vsock_port2: more than %d ports (the double's limit)", MAX_VSOCK_PORTS);
        free(slot->path);
        *slot = (struct vsock_port){.port = port, .path = strdup(path), .is_listen = listen};
        return done(__func__, a, 0);
}

EXPORT int32_t krun_add_vsock_port(uint32_t id, uint32_t port, const char *path)
{
        return krun_add_vsock_port2(id, port, path, false);
}

#if !defined(DOUBLE_VARIANT_AWSNITRO)
/* What libkrun's device thread does at boot for listen=true ports, then the hand-over to the guest. Bind
 * failures are warnings in libkrun: the VM runs without that socket. */
static void vsock_listen(uint32_t id)
{
        char env[512] = "";
        for (int i = 0; i < MAX_VSOCK_PORTS; i++) {
                struct vsock_port *v = &vsock_ports[id][i];
                if (!v->path || !v->is_listen)
                        continue;
                struct sockaddr_un addr = {.sun_family = AF_UNIX};
                snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", v->path);
                int fd = socket(AF_UNIX, SOCK_STREAM, 0);
                struct json_object *a = json_object_new_object();
                json_object_object_add(a, "port", json_object_new_int64(v->port));
                json_object_object_add(a, "path", jstr(v->path));
                int r =
                    fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 && listen(fd, 5) == 0 ? 0 : -errno;
                record("vsock_listen", a, r);
                if (r < 0) {
                        if (fd >= 0)
                                close(fd);
                        continue;
                }
                size_t len = strlen(env);
                snprintf(env + len, sizeof(env) - len, "%s%u:%d", len ? "," : "", v->port, fd);
        }
        /* The VMM's own fds (such as the directory the path goes through) are no guest's business. */
        for (int i = 0; i < MAX_VSOCK_PORTS; i++) {
                int dir_fd;
                if (vsock_ports[id][i].path && sscanf(vsock_ports[id][i].path, "/proc/self/fd/%d/", &dir_fd) == 1)
                        fcntl(dir_fd, F_SETFD, FD_CLOEXEC);
        }
        if (env[0])
                setenv("VSOCK_LISTEN_FDS", env, 1);
}
#endif

/* ---- krun_start_enter: the guest ---- */

static void add_status_field(struct json_object *o, const char *status, const char *key)
{
        const char *p = strstr(status, key);
        if (!p)
                return;
        p += strlen(key);
        while (*p == ' ' || *p == '\t')
                p++;
        size_t n = strcspn(p, "\n");
        json_object_object_add(o, key, json_object_new_string_len(p, (int)n));
}

/* What the VMM would run with: open fds, /dev/kvm, seccomp, no_new_privs, capabilities, cgroup. */
static void record_environment(void)
{
        struct json_object *a = json_object_new_object();
        struct json_object *fds = json_object_new_array();
        DIR *d = opendir("/proc/self/fd");
        int own = d ? dirfd(d) : -1;
        for (struct dirent *e; d && (e = readdir(d));)
                if (e->d_name[0] != '.' && atoi(e->d_name) != own)
                        json_object_array_add(fds, json_object_new_int(atoi(e->d_name)));
        if (d)
                closedir(d);
        json_object_object_add(a, "fds", fds);
        struct stat st;
        if (stat("/dev/kvm", &st) == 0 && S_ISCHR(st.st_mode)) {
                char rdev[32];
                snprintf(rdev, sizeof(rdev), "%u:%u", major(st.st_rdev), minor(st.st_rdev));
                json_object_object_add(a, "dev_kvm", json_object_new_string(rdev));
        }
        char buf[8192];
        int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (fd >= 0)
                close(fd);
        buf[n > 0 ? n : 0] = 0;
        add_status_field(a, buf, "Seccomp:");
        add_status_field(a, buf, "NoNewPrivs:");
        add_status_field(a, buf, "CapEff:");
        add_status_field(a, buf, "CapBnd:");
        fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
        n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (fd >= 0)
                close(fd);
        buf[n > 0 ? n : 0] = 0;
        json_object_object_add(a, "cgroup", json_object_new_string(buf));
        /* The LSM label the VMM runs under (empty without an LSM: the read fails). */
        fd = open("/proc/thread-self/attr/current", O_RDONLY | O_CLOEXEC);
        n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (fd >= 0)
                close(fd);
        buf[n > 0 ? n : 0] = 0;
        buf[strcspn(buf, "\n")] = 0;
        json_object_object_add(a, "lsm_current", json_object_new_string(buf));
        record("environment", a, 0);
}

/* fork + exec the workload, reap until it is gone, return its status the way init.krun reports it. */
static int run_workload(char **argv, char **envp)
{
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
                return 125;
        if (pid == 0) {
                if (envp)
                        execvpe(argv[0], argv, envp);
                else
                        execvp(argv[0], argv);
                _exit(errno == ENOENT ? 127 : 126);
        }
        for (;;) {
                int status;
                pid_t w = waitpid(-1, &status, 0);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return 125;
                if (w == pid)
                        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        }
}

#if !defined(DOUBLE_VARIANT_AWSNITRO)
static struct json_object *read_config(void)
{
        int fd = open("/.krun_config.json", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        size_t cap = 1 << 16, len = 0;
        char *buf = malloc(cap);
        ssize_t n;
        while (buf && (n = read(fd, buf + len, cap - len - 1)) > 0) {
                len += (size_t)n;
                if (len + 1 == cap) {
                        char *bigger = realloc(buf, cap *= 2);
                        if (!bigger)
                                free(buf);
                        buf = bigger;
                }
        }
        close(fd);
        if (!buf)
                return NULL;
        buf[len] = 0;
        struct json_object *o = json_tokener_parse(buf);
        free(buf);
        return o;
}

static struct json_object *field(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* The first of the names present on `o`. */
static struct json_object *field_any(struct json_object *o, const char *const *keys)
{
        for (; *keys; keys++) {
                struct json_object *v = field(o, *keys);
                if (v)
                        return v;
        }
        return NULL;
}

static void append_strings(char ***v, size_t *n, struct json_object *arr)
{
        if (!arr || !json_object_is_type(arr, json_type_array))
                return;
        size_t m = json_object_array_length(arr);
        *v = realloc(*v, (*n + m + 1) * sizeof(char *));
        for (size_t i = 0; i < m; i++) {
                struct json_object *s = json_object_array_get_idx(arr, i);
                if (json_object_is_type(s, json_type_string))
                        (*v)[(*n)++] = strdup(json_object_get_string(s));
        }
        (*v)[*n] = NULL;
}

/* libkrun init's env rule: set only when unset, except HOME and TERM which the config overrides. */
static void apply_env(struct json_object *env)
{
        if (!env || !json_object_is_type(env, json_type_array))
                return;
        for (size_t i = 0; i < json_object_array_length(env); i++) {
                const char *kv = json_object_get_string(json_object_array_get_idx(env, i));
                const char *eq = kv ? strchr(kv, '=') : NULL;
                if (!eq)
                        continue;
                char *key = strndup(kv, (size_t)(eq - kv));
                bool is_forced = strcmp(key, "HOME") == 0 || strcmp(key, "TERM") == 0;
                setenv(key, eq + 1, is_forced);
                free(key);
        }
}

/* The first tmpfs mount the guest init would remount: recorded as a decision only. */
static void record_tmpfs(struct json_object *mounts)
{
        if (!mounts || !json_object_is_type(mounts, json_type_array))
                return;
        for (size_t i = 0; i < json_object_array_length(mounts); i++) {
                struct json_object *m = json_object_array_get_idx(mounts, i);
                const char *type = json_object_get_string(field(m, "type"));
                const char *src = json_object_get_string(field(m, "source"));
                const char *dst = json_object_get_string(field(m, "destination"));
                if (type && src && dst && strcmp(type, "tmpfs") == 0 && strcmp(src, "tmpfs") == 0) {
                        struct json_object *a = json_object_new_object();
                        json_object_object_add(a, "destination", json_object_new_string(dst));
                        record("guest_tmpfs", a, 0);
                        return;
                }
        }
}

static void guest_exit(int code)
{
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "code", json_object_new_int(code));
        record("guest_exit", a, code);
        _exit(code);
}

/* init: sethostname($HOSTNAME or "localhost"). Only in a UTS namespace of the container's own: without
 * one the double would rename the host, which a real guest never touches. */
static void set_guest_hostname(void)
{
        const char *name = getenv("HOSTNAME");
        if (!name || !*name)
                name = "localhost";
        struct stat st;
        bool is_own_uts = stat("/proc/self/ns/uts", &st) == 0 && st.st_ino != knobs.host_uts;
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "hostname", json_object_new_string(name));
        json_object_object_add(a, "applied", json_object_new_boolean(is_own_uts));
        int r = is_own_uts && sethostname(name, strlen(name)) < 0 ? -errno : 0;
        record("guest_hostname", a, r);
}

/* init: KRUN_RLIMITS "ID=CUR:MAX,..." applied to itself before the fork, so the workload inherits them. */
static void apply_guest_rlimits(char **items)
{
        for (size_t i = 0; items && items[i]; i++) {
                int res;
                unsigned long long cur, max;
                struct json_object *a = json_object_new_object();
                json_object_object_add(a, "item", json_object_new_string(items[i]));
                int r = -EINVAL;
                if (sscanf(items[i], "%d=%llu:%llu", &res, &cur, &max) == 3) {
                        struct rlimit rl = {.rlim_cur = cur, .rlim_max = max};
                        r = setrlimit(res, &rl) < 0 ? -errno : 0;
                }
                record("guest_rlimit", a, r);
        }
}

/* libkrun init.krun, in process (krun-mode.md §5). */
static void play_guest(uint32_t id, char **rlimits)
{
        struct json_object *cfg = read_config();
        struct json_object *proc = field(cfg, "process");
        struct json_object *src = proc ? proc : cfg;
        static const char *const args_keys[] = {"args", "Cmd", NULL};
        static const char *const env_keys[] = {"env", "Env", NULL};
        static const char *const cwd_keys[] = {"cwd", "WorkingDir", "Cwd", NULL};

        clearenv();
        setenv("HOME", "/", 1);
        setenv("TERM", "linux", 1);
        apply_env(field_any(src, env_keys));
        record_tmpfs(field(cfg, "mounts"));
        set_guest_hostname();
        apply_guest_rlimits(rlimits);

        char **argv = NULL;
        size_t argc = 0;
        if (!proc)
                append_strings(&argv, &argc, field(cfg, "Entrypoint"));
        append_strings(&argv, &argc, field_any(src, args_keys));
        /* Config env is applied before KRUN_* are read: a container variable can steer the init. */
        const char *krun_init = getenv("KRUN_INIT");
        if (krun_init || argc == 0) {
                for (size_t i = 0; i < argc; i++)
                        free(argv[i]);
                char **two = realloc(argv, 2 * sizeof(char *));
                if (!two)
                        die("out of memory");
                argv = two;
                argv[0] = strdup(krun_init ? krun_init : "/bin/sh");
                argv[1] = NULL;
        }
        const char *cwd = getenv("KRUN_WORKDIR");
        if (!cwd)
                cwd = json_object_get_string(field_any(src, cwd_keys));
        if (cwd && chdir(cwd) < 0)
                guest_exit(125);

        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "argv", jstrv((const char *const *)argv));
        json_object_object_add(a, "cwd", jstr(cwd));
        extern char **environ;
        json_object_object_add(a, "env", jstrv((const char *const *)environ));
        record("guest_exec", a, 0);
        json_object_put(cfg);
        vsock_listen(id);
        guest_exit(run_workload(argv, NULL));
}
#endif

EXPORT int32_t krun_start_enter(uint32_t id)
{
        struct json_object *a = json_object_new_object();
        struct ctx *c = NULL;
        int r = ctx_call(__func__, id, a, &c);
        if (r < 0)
                return r;
        if (!has_krunfw && !c->has_kernel)
                return done(__func__, a, -ENOENT); /* "Couldn't find or load libkrunfw" */
#if defined(DOUBLE_VARIANT_SEV)
        if (!c->has_tee_config)
                return done(__func__, a, -EINVAL);
#endif
        record(__func__, a, 0);
        /* The argument checks above are libkrun's; what follows is the guest's work, not the runtime's. */
        if (knobs.no_guest)
                _exit(0);
        record_environment();
#if defined(DOUBLE_VARIANT_AWSNITRO)
        /* The enclave runs what krun_set_exec named; krun_start_enter returns its code. */
        if (!c->has_exec)
                return done("krun_start_enter(no exec)", json_object_new_object(), -EINVAL);
        int code = run_workload(c->exec_argv, c->exec_envp);
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "code", json_object_new_int(code));
        record("guest_exit", e, code);
        return code;
#else
        play_guest(id, c->rlimits);
        return -EIO; /* not reached */
#endif
}
