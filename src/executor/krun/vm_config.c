/* Annotations + /.krun_vm.json + OCI resources -> struct vm_config (krun-mode.md §3). Pure.
 * Where upstream crun silently falls back (unknown variant, wrong JSON type, 300 vCPUs truncated to 44),
 * we refuse at create with a message naming the annotation or the file field. */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "executor/krun/vm_config.h"

#define VM_JSON ".krun_vm.json"

static const struct {
        const char *name;
        const char *library;
} flavors[KRUN_FLAVOR_COUNT] = {
    [KRUN_FLAVOR_PLAIN] = {"plain", "libkrun.so.1"},
    [KRUN_FLAVOR_SEV] = {"sev", "libkrun-sev.so.1"},
    [KRUN_FLAVOR_AWSNITRO] = {"aws-nitro", "libkrun-awsnitro.so.1"},
};

int krun_flavor_from_name(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(flavors); i++)
                if (strcmp(name, flavors[i].name) == 0)
                        return (int)i;
        return -1;
}

const char *krun_flavor_name(enum krun_flavor flavor)
{
        return flavors[flavor].name;
}
const char *krun_flavor_library(enum krun_flavor flavor)
{
        return flavors[flavor].library;
}

int vm_config_cpuset_count(const char *cpuset)
{
        int count = 0;
        const char *p = cpuset;
        if (!*p)
                return -1;
        for (;;) {
                char *end;
                if (*p < '0' || *p > '9')
                        return -1;
                unsigned long lo = strtoul(p, &end, 10), hi = lo;
                p = end;
                if (*p == '-') {
                        p++;
                        if (*p < '0' || *p > '9')
                                return -1;
                        hi = strtoul(p, &end, 10);
                        p = end;
                }
                /* 65536 is far above any real CPU number and keeps the sum in an int. */
                if (hi < lo || hi >= 65536)
                        return -1;
                count += (int)(hi - lo + 1);
                if (*p == 0)
                        return count;
                if (*p != ',')
                        return -1;
                p++;
        }
}

/* One integer knob as found: from the annotation, the file, or nowhere. */
struct knob {
        bool is_set;
        int64_t value;
        char origin[64]; /* "annotation krun.cpus" / ".krun_vm.json: cpus", for messages */
};

static int parse_annotation(const char *key, const char *text, int64_t max, struct knob *k, struct error **err)
{
        snprintf(k->origin, sizeof(k->origin), "annotation %s", key);
        const char *p = text[0] == '-' ? text + 1 : text;
        /* Digits only: strtoll alone would accept " 4", "+4" and "4abc"'s prefix. */
        if (!*p || strspn(p, "0123456789") != strlen(p))
                return error_set(err, EINVAL, "%s: `%s` is not an integer", k->origin, text);
        errno = 0;
        long long v = strtoll(text, NULL, 10);
        if (errno == ERANGE || v > max)
                return error_set(err, ERANGE, "%s: %s is over the maximum %" PRId64, k->origin, text, max);
        if (v < 0)
                return error_set(err, EINVAL, "%s: %s is negative (expected 0..%" PRId64 ")", k->origin, text, max);
        k->is_set = true;
        k->value = v;
        return 0;
}

/* A field of the file; JSON null counts as absent. */
static struct json_object *file_field(struct json_object *file, const char *key)
{
        struct json_object *v = NULL;
        if (!file || !json_object_object_get_ex(file, key, &v))
                return NULL;
        return v;
}

static int parse_file_int(struct json_object *file, const char *key, int64_t max, struct knob *k, struct error **err)
{
        struct json_object *v = file_field(file, key);
        if (!v)
                return 0;
        snprintf(k->origin, sizeof(k->origin), VM_JSON ": %s", key);
        if (!json_object_is_type(v, json_type_int))
                return error_set(err, EINVAL, "%s: expected an integer, got %s `%s`", k->origin,
                                 json_type_to_name(json_object_get_type(v)), json_object_to_json_string(v));
        int64_t n = json_object_get_int64(v);
        /* json-c clamps values beyond int64 to INT64_MAX, which is over every cap here. */
        if (n < 0)
                return error_set(err, EINVAL, "%s: %" PRId64 " is negative (expected 0..%" PRId64 ")", k->origin, n,
                                 max);
        if (n > max || n == INT64_MAX)
                return error_set(err, ERANGE, "%s: %s is over the maximum %" PRId64, k->origin,
                                 json_object_to_json_string(v), max);
        k->is_set = true;
        k->value = n;
        return 0;
}

/* Annotation wins when present (even "0"); otherwise the file; otherwise unset. */
static int pick_int(const char *ann_text, const char *ann_key, struct json_object *file, const char *file_key,
                    int64_t max, struct knob *k, struct error **err)
{
        *k = (struct knob){0};
        if (ann_text)
                return parse_annotation(ann_key, ann_text, max, k, err);
        return parse_file_int(file, file_key, max, k, err);
}

static int file_string(struct json_object *file, const char *key, const char **out, struct error **err)
{
        struct json_object *v = file_field(file, key);
        *out = NULL;
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return error_set(err, EINVAL, VM_JSON ": %s: expected a string, got %s `%s`", key,
                                 json_type_to_name(json_object_get_type(v)), json_object_to_json_string(v));
        if (json_object_get_string_len(v) == 0)
                return error_set(err, EINVAL, VM_JSON ": %s: must not be empty", key);
        *out = json_object_get_string(v);
        return 0;
}

static void warn(struct vm_config *cfg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct vm_config *cfg, const char *fmt, ...)
{
        if (cfg->n_warnings >= VM_CONFIG_MAX_WARNINGS)
                return;
        va_list ap;
        va_start(ap, fmt);
        char *s = NULL;
        if (vasprintf(&s, fmt, ap) >= 0)
                cfg->warnings[cfg->n_warnings++] = s;
        va_end(ap);
}

static int resolve_flavor(const struct vm_config_input *in, struct json_object *file, struct vm_config *cfg,
                          struct error **err)
{
        const char *name;
        int r;
        if (in->ann_variant) {
                r = krun_flavor_from_name(in->ann_variant);
                if (r < 0)
                        return error_set(err, EINVAL,
                                         "annotation krun.variant: unknown variant `%s` (expected one of: sev, "
                                         "aws-nitro, plain)",
                                         in->ann_variant);
                cfg->flavor = (enum krun_flavor)r;
                return 0;
        }
        r = file_string(file, "flavor", &name, err);
        if (r < 0)
                return r;
        if (name) {
                r = krun_flavor_from_name(name);
                if (r < 0)
                        return error_set(err, EINVAL,
                                         VM_JSON ": flavor: unknown variant `%s` (expected one of: sev, aws-nitro, "
                                                 "plain)",
                                         name);
                cfg->flavor = (enum krun_flavor)r;
                return 0;
        }
        /* Images built for crun before the flavor key existed mark SEV by shipping the TEE config. */
        cfg->flavor = in->has_legacy_sev ? KRUN_FLAVOR_SEV : KRUN_FLAVOR_PLAIN;
        return 0;
}

/* No explicit count: as many vCPUs as the container may actually use (crun#1057), at most 16. */
static int default_cpus(const struct vm_config_input *in, uint8_t *out, struct error **err)
{
        int64_t n = in->affinity_cpus ? in->affinity_cpus : 1;
        const struct oci_resources *res = in->resources;
        if (res && res->cpu_cpus && res->cpu_cpus[0]) {
                int c = vm_config_cpuset_count(res->cpu_cpus);
                if (c < 0)
                        return error_set(err, EINVAL, "config.json: linux.resources.cpu.cpus: malformed cpuset `%s`",
                                         res->cpu_cpus);
                if (c < n)
                        n = c;
        }
        if (res && res->has_cpu_quota && res->cpu_quota > 0) {
                uint64_t period =
                    res->has_cpu_period && res->cpu_period > 0 ? res->cpu_period : VM_CONFIG_DEFAULT_CPU_PERIOD;
                int64_t q = (int64_t)(((uint64_t)res->cpu_quota + period - 1) / period);
                if (q < n)
                        n = q;
        }
        if (n > VM_CONFIG_MAX_CPUS)
                n = VM_CONFIG_MAX_CPUS;
        if (n < 1)
                n = 1;
        *out = (uint8_t)n;
        return 0;
}

static int resolve_ram(const struct vm_config_input *in, const struct knob *k, struct vm_config *cfg,
                       struct error **err)
{
        const struct oci_resources *res = in->resources;
        bool has_limit = res && res->has_memory_limit && res->memory_limit > 0;
        int64_t limit_mib = has_limit ? res->memory_limit / (1 << 20) : 0;

        if (k->is_set && k->value >= VM_CONFIG_MIN_RAM_MIB) {
                cfg->ram_mib = (uint32_t)k->value;
                if (has_limit && (int64_t)cfg->ram_mib >= limit_mib)
                        warn(cfg,
                             "%s: %u MiB of guest RAM reaches the container memory limit (%" PRId64
                             " MiB); the VMM needs memory beyond it, the container may be OOM-killed",
                             k->origin, cfg->ram_mib, limit_mib);
                return 0;
        }
        if (k->is_set && k->value > 0)
                warn(cfg, "%s: %" PRId64 " MiB is below the minimum of %d MiB, ignored", k->origin, k->value,
                     VM_CONFIG_MIN_RAM_MIB);
        if (!has_limit) {
                cfg->ram_mib = VM_CONFIG_DEFAULT_RAM_MIB;
                return 0;
        }
        if (limit_mib < VM_CONFIG_MIN_RAM_MIB)
                return error_set(err, EINVAL,
                                 "config.json: linux.resources.memory.limit: %" PRId64 " bytes gives the VM %" PRId64
                                 " MiB of RAM, below the minimum of %d MiB",
                                 res->memory_limit, limit_mib, VM_CONFIG_MIN_RAM_MIB);
        cfg->ram_mib = limit_mib > UINT32_MAX ? UINT32_MAX : (uint32_t)limit_mib;
        warn(cfg,
             "guest RAM defaults to the container memory limit (%u MiB); the VMM needs memory beyond it, the "
             "container may be OOM-killed (set krun.ram_mib lower)",
             cfg->ram_mib);
        return 0;
}

static int dup_opt(const char *s, char **out, struct error **err)
{
        *out = NULL;
        if (s && !(*out = strdup(s)))
                return error_set(err, ENOMEM, VM_JSON);
        return 0;
}

/* External kernel: kernel_path and kernel_format belong together; initrd and cmdline need them. */
static int resolve_kernel(struct json_object *file, struct vm_config *cfg, struct error **err)
{
        const char *path, *initrd, *cmdline;
        struct knob fmt = {0};
        int r = file_string(file, "kernel_path", &path, err);
        if (r >= 0)
                r = parse_file_int(file, "kernel_format", 5, &fmt, err);
        if (r >= 0)
                r = file_string(file, "initrd_path", &initrd, err);
        if (r >= 0)
                r = file_string(file, "kernel_cmdline", &cmdline, err);
        if (r < 0)
                return r;
        if (path && !fmt.is_set)
                return error_set(err, EINVAL, VM_JSON ": kernel_path: requires kernel_format (0..5)");
        if (!path && fmt.is_set)
                return error_set(err, EINVAL, VM_JSON ": kernel_format: requires kernel_path");
        if (!path && (initrd || cmdline))
                return error_set(err, EINVAL, VM_JSON ": %s: only used with kernel_path and kernel_format",
                                 initrd ? "initrd_path" : "kernel_cmdline");
        if (!path)
                return 0;
        /* The TEE builds export krun_set_kernel as a stub returning -EOPNOTSUPP. */
        if (cfg->flavor == KRUN_FLAVOR_SEV)
                return error_set(err, EOPNOTSUPP, VM_JSON ": kernel_path: not supported by the sev variant");
        cfg->has_kernel = true;
        cfg->kernel_format = (uint32_t)fmt.value;
        r = dup_opt(path, &cfg->kernel_path, err);
        if (r >= 0)
                r = dup_opt(initrd, &cfg->initrd_path, err);
        if (r >= 0)
                r = dup_opt(cmdline, &cfg->kernel_cmdline, err);
        return r;
}

static int resolve_virtiofs(struct json_object *file, struct vm_config *cfg, struct error **err)
{
        const char *tag;
        struct knob shm = {0};
        int r = file_string(file, "virtiofs_tag", &tag, err);
        if (r >= 0)
                r = parse_file_int(file, "virtiofs_shm_size", INT64_MAX - 1, &shm, err);
        if (r < 0)
                return r;
        cfg->virtiofs_shm_size = shm.is_set ? (uint64_t)shm.value : VM_CONFIG_DEFAULT_SHM_SIZE;
        return dup_opt(tag ? tag : "/dev/root", &cfg->virtiofs_tag, err);
}

/* Whether only whitespace follows the parsed value. Bounded by len: the text need not be NUL-terminated,
 * and a NUL inside it is not whitespace. */
static bool is_blank(const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
                        return false;
        return true;
}

static int parse_file(const struct vm_config_input *in, struct json_object **out, struct error **err)
{
        *out = NULL;
        if (!in->vm_json)
                return 0;
        struct json_tokener *tok = json_tokener_new();
        if (!tok)
                return error_set(err, ENOMEM, VM_JSON);
        struct json_object *obj = json_tokener_parse_ex(tok, in->vm_json, (int)in->vm_json_len);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        size_t end = json_tokener_get_parse_end(tok);
        if (!obj && jerr == json_tokener_continue) {
                /* A top-level number could continue: a NUL byte tells the tokener the input has ended. */
                obj = json_tokener_parse_ex(tok, "", 1);
                jerr = json_tokener_get_error(tok);
                end = in->vm_json_len;
        }
        json_tokener_free(tok);
        if (!obj)
                return error_set(err, EINVAL, VM_JSON ": invalid JSON: %s",
                                 jerr == json_tokener_continue || jerr == json_tokener_success
                                     ? "unexpected end of file"
                                     : json_tokener_error_desc(jerr));
        if (end < in->vm_json_len && !is_blank(in->vm_json + end, in->vm_json_len - end)) {
                json_object_put(obj);
                return error_set(err, EINVAL, VM_JSON ": invalid JSON: trailing data after the value");
        }
        if (!json_object_is_type(obj, json_type_object)) {
                json_object_put(obj);
                return error_set(err, EINVAL, VM_JSON ": expected a JSON object");
        }
        *out = obj;
        return 0;
}

static int resolve(const struct vm_config_input *in, struct json_object *file, struct vm_config *cfg,
                   struct error **err)
{
        struct knob cpus, ram, gpu, passt, nested;
        int r = resolve_flavor(in, file, cfg, err);
        if (r >= 0)
                r = pick_int(in->ann_cpus, "krun.cpus", file, "cpus", VM_CONFIG_MAX_CPUS, &cpus, err);
        if (r >= 0)
                r = pick_int(in->ann_ram_mib, "krun.ram_mib", file, "ram_mib", UINT32_MAX, &ram, err);
        if (r >= 0)
                r = pick_int(in->ann_gpu_flags, "krun.gpu_flags", file, "gpu_flags", UINT32_MAX, &gpu, err);
        if (r >= 0)
                r = pick_int(in->ann_use_passt, "krun.use_passt", file, "use_passt", INT32_MAX, &passt, err);
        if (r >= 0)
                r = pick_int(in->ann_nested_virt, "krun.nested_virt", file, "nested_virt", INT32_MAX, &nested, err);
        if (r < 0)
                return r;

        if (cpus.is_set && cpus.value > 0)
                cfg->cpus = (uint8_t)cpus.value;
        else if ((r = default_cpus(in, &cfg->cpus, err)) < 0)
                return r;
        r = resolve_ram(in, &ram, cfg, err);
        if (r < 0)
                return r;
        cfg->gpu_flags = gpu.is_set ? (uint32_t)gpu.value : 0;
        cfg->use_passt = passt.is_set && passt.value > 0;
        cfg->nested_virt = nested.is_set && nested.value > 0;
        r = resolve_virtiofs(file, cfg, err);
        if (r >= 0)
                r = resolve_kernel(file, cfg, err);
        return r;
}

int vm_config_resolve(const struct vm_config_input *in, struct vm_config *out, struct error **err)
{
        struct json_object *file = NULL;
        *out = (struct vm_config){0};
        int r = parse_file(in, &file, err);
        if (r < 0)
                return r;
        r = resolve(in, file, out, err);
        json_object_put(file);
        if (r < 0)
                vm_config_clear(out);
        return r;
}

void vm_config_clear(struct vm_config *cfg)
{
        free(cfg->virtiofs_tag);
        free(cfg->kernel_path);
        free(cfg->initrd_path);
        free(cfg->kernel_cmdline);
        for (size_t i = 0; i < cfg->n_warnings; i++)
                free(cfg->warnings[i]);
        *cfg = (struct vm_config){0};
}
