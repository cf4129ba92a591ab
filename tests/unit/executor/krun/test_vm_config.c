/* vm_config_resolve: every annotation, every .krun_vm.json field and wrong type, precedence, defaults, caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "executor/krun/vm_config.h"

static struct vm_config cfg;

static int teardown(void **state)
{
        (void)state;
        vm_config_clear(&cfg);
        return 0;
}

static struct vm_config_input base(void)
{
        return (struct vm_config_input){.affinity_cpus = 4};
}

static void with_file(struct vm_config_input *in, const char *json)
{
        in->vm_json = json;
        in->vm_json_len = strlen(json);
}

static void resolve_ok(const struct vm_config_input *in)
{
        struct error *err = NULL;
        int r = vm_config_resolve(in, &cfg, &err);
        if (r < 0)
                fail_msg("unexpected error: %s", err->msg);
        assert_null(err);
}

/* Fails and the message contains `needle`. */
static void resolve_fails(const struct vm_config_input *in, const char *needle)
{
        struct error *err = NULL;
        int r = vm_config_resolve(in, &cfg, &err);
        assert_true(r < 0);
        assert_non_null(err);
        if (!strstr(err->msg, needle))
                fail_msg("message `%s` lacks `%s`", err->msg, needle);
        /* Nothing owned is left behind on failure. */
        assert_null(cfg.virtiofs_tag);
        assert_null(cfg.kernel_path);
        assert_int_equal(cfg.n_warnings, 0);
        error_free(&err);
}

static void has_warning(const char *needle)
{
        for (size_t i = 0; i < cfg.n_warnings; i++)
                if (strstr(cfg.warnings[i], needle))
                        return;
        fail_msg("no warning containing `%s` (%zu warnings)", needle, cfg.n_warnings);
}

/* ---- defaults ---- */

static void test_defaults(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        resolve_ok(&in);
        assert_int_equal(cfg.flavor, KRUN_FLAVOR_PLAIN);
        assert_int_equal(cfg.cpus, 4);
        assert_int_equal(cfg.ram_mib, 1024);
        assert_int_equal(cfg.gpu_flags, 0);
        assert_false(cfg.use_passt);
        assert_false(cfg.nested_virt);
        assert_string_equal(cfg.virtiofs_tag, "/dev/root");
        assert_int_equal(cfg.virtiofs_shm_size, 536870912ull);
        assert_false(cfg.has_kernel);
        assert_null(cfg.kernel_path);
        assert_null(cfg.initrd_path);
        assert_null(cfg.kernel_cmdline);
        assert_int_equal(cfg.n_warnings, 0);
}

static void test_default_cpus_capped_at_16(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        in.affinity_cpus = 64;
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 16);
}

static void test_default_cpus_unknown_affinity_is_1(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        in.affinity_cpus = 0;
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 1);
}

static void test_default_cpus_from_quota(void **state)
{
        (void)state;
        struct oci_resources res = {
            .has_cpu_quota = true, .cpu_quota = 150000, .has_cpu_period = true, .cpu_period = 100000};
        struct vm_config_input in = base();
        in.resources = &res;
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 2); /* ceil(1.5) */
        vm_config_clear(&cfg);

        res.cpu_quota = 100000;
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 1);
        vm_config_clear(&cfg);

        /* Quota above the affinity mask: the mask wins. */
        res.cpu_quota = 1000000;
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 4);
        vm_config_clear(&cfg);

        /* No period: the kernel's 100ms default. */
        res.has_cpu_period = false;
        res.cpu_quota = 250000;
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 3);
        vm_config_clear(&cfg);

        /* -1 = unlimited. */
        res.cpu_quota = -1;
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 4);
}

static void test_default_cpus_from_cpuset(void **state)
{
        (void)state;
        struct oci_resources res = {.cpu_cpus = "0-1"};
        struct vm_config_input in = base();
        in.resources = &res;
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 2);
        vm_config_clear(&cfg);

        res.cpu_cpus = "0-7,9";
        in.affinity_cpus = 32;
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 9);
        vm_config_clear(&cfg);

        /* cpuset and quota: the smaller. */
        res.has_cpu_quota = true;
        res.cpu_quota = 50000;
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 1);
        vm_config_clear(&cfg);

        res.has_cpu_quota = false;
        res.cpu_cpus = "0-";
        resolve_fails(&in, "linux.resources.cpu.cpus: malformed cpuset `0-`");
}

static void test_cpuset_count(void **state)
{
        (void)state;
        assert_int_equal(vm_config_cpuset_count("0"), 1);
        assert_int_equal(vm_config_cpuset_count("0-3"), 4);
        assert_int_equal(vm_config_cpuset_count("0-3,8,10-11"), 7);
        assert_int_equal(vm_config_cpuset_count("5,5"), 2);
        assert_int_equal(vm_config_cpuset_count(""), -1);
        assert_int_equal(vm_config_cpuset_count("a"), -1);
        assert_int_equal(vm_config_cpuset_count("3-1"), -1);
        assert_int_equal(vm_config_cpuset_count("1,"), -1);
        assert_int_equal(vm_config_cpuset_count("1-2-3"), -1);
        assert_int_equal(vm_config_cpuset_count(" 1"), -1);
        assert_int_equal(vm_config_cpuset_count("0-70000"), -1);
}

static void test_default_ram_from_memory_limit(void **state)
{
        (void)state;
        struct oci_resources res = {.has_memory_limit = true, .memory_limit = 512ll << 20};
        struct vm_config_input in = base();
        in.resources = &res;
        resolve_ok(&in);
        assert_int_equal(cfg.ram_mib, 512);
        has_warning("memory limit (512 MiB)");
        vm_config_clear(&cfg);

        /* -1 = unlimited -> 1024. */
        res.memory_limit = -1;
        resolve_ok(&in);
        assert_int_equal(cfg.ram_mib, 1024);
        assert_int_equal(cfg.n_warnings, 0);
        vm_config_clear(&cfg);

        /* A limit too small for a VM is an error, not a VM that cannot boot. */
        res.memory_limit = 64ll << 20;
        resolve_fails(&in, "linux.resources.memory.limit: 67108864 bytes gives the VM 64 MiB");
}

/* ---- krun.cpus / cpus ---- */

static void test_cpus(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        in.ann_cpus = "2";
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 2);
        vm_config_clear(&cfg);

        in.ann_cpus = "16";
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 16);
        vm_config_clear(&cfg);

        /* 0 = the default. */
        in.ann_cpus = "0";
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 4);
        vm_config_clear(&cfg);

        in.ann_cpus = NULL;
        with_file(&in, "{\"cpus\": 3}");
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 3);
}

static void test_cpus_errors(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        in.ann_cpus = "17";
        resolve_fails(&in, "annotation krun.cpus: 17 is over the maximum 16");
        in.ann_cpus = "300";
        resolve_fails(&in, "annotation krun.cpus: 300 is over the maximum 16");
        in.ann_cpus = "-1";
        resolve_fails(&in, "annotation krun.cpus: -1 is negative");
        in.ann_cpus = "two";
        resolve_fails(&in, "annotation krun.cpus: `two` is not an integer");
        in.ann_cpus = "";
        resolve_fails(&in, "annotation krun.cpus: `` is not an integer");
        in.ann_cpus = "4abc";
        resolve_fails(&in, "`4abc` is not an integer");
        in.ann_cpus = " 4";
        resolve_fails(&in, "` 4` is not an integer");
        in.ann_cpus = "+4";
        resolve_fails(&in, "`+4` is not an integer");
        in.ann_cpus = "1.5";
        resolve_fails(&in, "`1.5` is not an integer");
        in.ann_cpus = "-";
        resolve_fails(&in, "`-` is not an integer");
        in.ann_cpus = "99999999999999999999999";
        resolve_fails(&in, "over the maximum 16");

        in.ann_cpus = NULL;
        with_file(&in, "{\"cpus\": 17}");
        resolve_fails(&in, ".krun_vm.json: cpus: 17 is over the maximum 16");
        with_file(&in, "{\"cpus\": -2}");
        resolve_fails(&in, ".krun_vm.json: cpus: -2 is negative");
        with_file(&in, "{\"cpus\": \"4\"}");
        resolve_fails(&in, ".krun_vm.json: cpus: expected an integer, got string");
        with_file(&in, "{\"cpus\": 1.5}");
        resolve_fails(&in, ".krun_vm.json: cpus: expected an integer, got double");
        with_file(&in, "{\"cpus\": true}");
        resolve_fails(&in, ".krun_vm.json: cpus: expected an integer, got boolean");
        with_file(&in, "{\"cpus\": [1]}");
        resolve_fails(&in, ".krun_vm.json: cpus: expected an integer, got array");
        with_file(&in, "{\"cpus\": 99999999999999999999999}");
        resolve_fails(&in, ".krun_vm.json: cpus");
}

/* ---- krun.ram_mib / ram_mib ---- */

static void test_ram(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        in.ann_ram_mib = "2048";
        resolve_ok(&in);
        assert_int_equal(cfg.ram_mib, 2048);
        assert_int_equal(cfg.n_warnings, 0);
        vm_config_clear(&cfg);

        in.ann_ram_mib = "128";
        resolve_ok(&in);
        assert_int_equal(cfg.ram_mib, 128);
        vm_config_clear(&cfg);

        /* Below 128: ignored with a warning, the default applies. */
        in.ann_ram_mib = "127";
        resolve_ok(&in);
        assert_int_equal(cfg.ram_mib, 1024);
        has_warning("annotation krun.ram_mib: 127 MiB is below the minimum of 128 MiB, ignored");
        vm_config_clear(&cfg);

        /* 0 = the default, silently. */
        in.ann_ram_mib = "0";
        resolve_ok(&in);
        assert_int_equal(cfg.ram_mib, 1024);
        assert_int_equal(cfg.n_warnings, 0);
        vm_config_clear(&cfg);

        in.ann_ram_mib = "4294967295";
        resolve_ok(&in);
        assert_int_equal(cfg.ram_mib, 4294967295u);
        vm_config_clear(&cfg);

        in.ann_ram_mib = NULL;
        with_file(&in, "{\"ram_mib\": 300}");
        resolve_ok(&in);
        assert_int_equal(cfg.ram_mib, 300);
        vm_config_clear(&cfg);

        with_file(&in, "{\"ram_mib\": 100}");
        resolve_ok(&in);
        assert_int_equal(cfg.ram_mib, 1024);
        has_warning(".krun_vm.json: ram_mib: 100 MiB is below");
        vm_config_clear(&cfg);

        /* Below 128 with a memory limit: the limit. */
        struct oci_resources res = {.has_memory_limit = true, .memory_limit = 256ll << 20};
        in.resources = &res;
        resolve_ok(&in);
        assert_int_equal(cfg.ram_mib, 256);
        vm_config_clear(&cfg);

        /* An explicit value at or above the limit: honoured, with an OOM warning. */
        with_file(&in, "{\"ram_mib\": 256}");
        resolve_ok(&in);
        assert_int_equal(cfg.ram_mib, 256);
        has_warning("reaches the container memory limit (256 MiB)");
        vm_config_clear(&cfg);

        with_file(&in, "{\"ram_mib\": 200}");
        resolve_ok(&in);
        assert_int_equal(cfg.ram_mib, 200);
        assert_int_equal(cfg.n_warnings, 0);
}

static void test_ram_errors(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        in.ann_ram_mib = "4294967296";
        resolve_fails(&in, "annotation krun.ram_mib: 4294967296 is over the maximum 4294967295");
        in.ann_ram_mib = "-128";
        resolve_fails(&in, "annotation krun.ram_mib: -128 is negative");
        in.ann_ram_mib = "1G";
        resolve_fails(&in, "annotation krun.ram_mib: `1G` is not an integer");
        in.ann_ram_mib = NULL;
        with_file(&in, "{\"ram_mib\": \"512\"}");
        resolve_fails(&in, ".krun_vm.json: ram_mib: expected an integer, got string");
        with_file(&in, "{\"ram_mib\": 4294967296}");
        resolve_fails(&in, ".krun_vm.json: ram_mib: 4294967296 is over the maximum");
        with_file(&in, "{\"ram_mib\": -5}");
        resolve_fails(&in, ".krun_vm.json: ram_mib: -5 is negative");
}

/* ---- gpu_flags, use_passt, nested_virt ---- */

static void test_gpu_flags(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        in.ann_gpu_flags = "1603";
        resolve_ok(&in);
        assert_int_equal(cfg.gpu_flags, 1603);
        vm_config_clear(&cfg);

        in.ann_gpu_flags = NULL;
        with_file(&in, "{\"gpu_flags\": 64}");
        resolve_ok(&in);
        assert_int_equal(cfg.gpu_flags, 64);
        vm_config_clear(&cfg);

        in.ann_gpu_flags = "x";
        resolve_fails(&in, "annotation krun.gpu_flags: `x` is not an integer");
        in.ann_gpu_flags = "-1";
        resolve_fails(&in, "annotation krun.gpu_flags: -1 is negative");
        in.ann_gpu_flags = "4294967296";
        resolve_fails(&in, "annotation krun.gpu_flags: 4294967296 is over the maximum");
        in.ann_gpu_flags = NULL;
        with_file(&in, "{\"gpu_flags\": false}");
        resolve_fails(&in, ".krun_vm.json: gpu_flags: expected an integer, got boolean");
}

static void test_use_passt(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        in.ann_use_passt = "1";
        resolve_ok(&in);
        assert_true(cfg.use_passt);
        vm_config_clear(&cfg);

        in.ann_use_passt = "5";
        resolve_ok(&in);
        assert_true(cfg.use_passt);
        vm_config_clear(&cfg);

        in.ann_use_passt = "0";
        resolve_ok(&in);
        assert_false(cfg.use_passt);
        vm_config_clear(&cfg);

        in.ann_use_passt = NULL;
        with_file(&in, "{\"use_passt\": 1}");
        resolve_ok(&in);
        assert_true(cfg.use_passt);
        vm_config_clear(&cfg);

        in.ann_use_passt = "yes";
        resolve_fails(&in, "annotation krun.use_passt: `yes` is not an integer");
        in.ann_use_passt = "-1";
        resolve_fails(&in, "annotation krun.use_passt: -1 is negative");
        in.ann_use_passt = "2147483648";
        resolve_fails(&in, "annotation krun.use_passt: 2147483648 is over the maximum 2147483647");
        in.ann_use_passt = NULL;
        with_file(&in, "{\"use_passt\": true}");
        resolve_fails(&in, ".krun_vm.json: use_passt: expected an integer, got boolean");
}

static void test_nested_virt(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        in.ann_nested_virt = "1";
        resolve_ok(&in);
        assert_true(cfg.nested_virt);
        vm_config_clear(&cfg);

        in.ann_nested_virt = "0";
        resolve_ok(&in);
        assert_false(cfg.nested_virt);
        vm_config_clear(&cfg);

        in.ann_nested_virt = NULL;
        with_file(&in, "{\"nested_virt\": 2}");
        resolve_ok(&in);
        assert_true(cfg.nested_virt);
        vm_config_clear(&cfg);

        in.ann_nested_virt = "on";
        resolve_fails(&in, "annotation krun.nested_virt: `on` is not an integer");
        in.ann_nested_virt = "-3";
        resolve_fails(&in, "annotation krun.nested_virt: -3 is negative");
        in.ann_nested_virt = NULL;
        with_file(&in, "{\"nested_virt\": \"1\"}");
        resolve_fails(&in, ".krun_vm.json: nested_virt: expected an integer, got string");
}

/* ---- flavor ---- */

static void test_flavor(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        in.ann_variant = "sev";
        resolve_ok(&in);
        assert_int_equal(cfg.flavor, KRUN_FLAVOR_SEV);
        vm_config_clear(&cfg);

        in.ann_variant = "aws-nitro";
        resolve_ok(&in);
        assert_int_equal(cfg.flavor, KRUN_FLAVOR_AWSNITRO);
        vm_config_clear(&cfg);

        in.ann_variant = "plain";
        resolve_ok(&in);
        assert_int_equal(cfg.flavor, KRUN_FLAVOR_PLAIN);
        vm_config_clear(&cfg);

        in.ann_variant = NULL;
        with_file(&in, "{\"flavor\": \"sev\"}");
        resolve_ok(&in);
        assert_int_equal(cfg.flavor, KRUN_FLAVOR_SEV);
        vm_config_clear(&cfg);

        with_file(&in, "{\"flavor\": \"aws-nitro\"}");
        resolve_ok(&in);
        assert_int_equal(cfg.flavor, KRUN_FLAVOR_AWSNITRO);
        vm_config_clear(&cfg);

        /* Legacy: /krun-sev.json in the image. */
        in.vm_json = NULL;
        in.has_legacy_sev = true;
        resolve_ok(&in);
        assert_int_equal(cfg.flavor, KRUN_FLAVOR_SEV);
        vm_config_clear(&cfg);

        /* An explicit flavor beats the legacy marker. */
        in.ann_variant = "plain";
        resolve_ok(&in);
        assert_int_equal(cfg.flavor, KRUN_FLAVOR_PLAIN);
        vm_config_clear(&cfg);
        in.ann_variant = NULL;
        with_file(&in, "{\"flavor\": \"aws-nitro\"}");
        resolve_ok(&in);
        assert_int_equal(cfg.flavor, KRUN_FLAVOR_AWSNITRO);
}

static void test_flavor_errors(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        in.ann_variant = "tdx";
        resolve_fails(&in, "annotation krun.variant: unknown variant `tdx` (expected one of: sev, aws-nitro, plain)");
        in.ann_variant = "SEV";
        resolve_fails(&in, "unknown variant `SEV`");
        in.ann_variant = "";
        resolve_fails(&in, "unknown variant ``");
        in.ann_variant = NULL;
        with_file(&in, "{\"flavor\": \"nitro\"}");
        resolve_fails(&in, ".krun_vm.json: flavor: unknown variant `nitro`");
        with_file(&in, "{\"flavor\": 1}");
        resolve_fails(&in, ".krun_vm.json: flavor: expected a string, got int");
        with_file(&in, "{\"flavor\": \"\"}");
        resolve_fails(&in, ".krun_vm.json: flavor: must not be empty");
}

static void test_flavor_names(void **state)
{
        (void)state;
        assert_string_equal(krun_flavor_name(KRUN_FLAVOR_PLAIN), "plain");
        assert_string_equal(krun_flavor_name(KRUN_FLAVOR_SEV), "sev");
        assert_string_equal(krun_flavor_name(KRUN_FLAVOR_AWSNITRO), "aws-nitro");
        assert_string_equal(krun_flavor_library(KRUN_FLAVOR_PLAIN), "libkrun.so.1");
        assert_string_equal(krun_flavor_library(KRUN_FLAVOR_SEV), "libkrun-sev.so.1");
        assert_string_equal(krun_flavor_library(KRUN_FLAVOR_AWSNITRO), "libkrun-awsnitro.so.1");
        assert_int_equal(krun_flavor_from_name("sev"), KRUN_FLAVOR_SEV);
        assert_int_equal(krun_flavor_from_name("aws-nitro"), KRUN_FLAVOR_AWSNITRO);
        assert_int_equal(krun_flavor_from_name("plain"), KRUN_FLAVOR_PLAIN);
        assert_int_equal(krun_flavor_from_name("tdx"), -1);
}

/* ---- precedence ---- */

static void test_annotations_win_over_file(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        with_file(&in, "{\"cpus\": 8, \"ram_mib\": 4096, \"gpu_flags\": 1, \"use_passt\": 1, \"nested_virt\": 1,"
                       " \"flavor\": \"sev\"}");
        in.ann_cpus = "2";
        in.ann_ram_mib = "512";
        in.ann_gpu_flags = "0";
        in.ann_use_passt = "0";
        in.ann_nested_virt = "0";
        in.ann_variant = "plain";
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 2);
        assert_int_equal(cfg.ram_mib, 512);
        assert_int_equal(cfg.gpu_flags, 0);
        assert_false(cfg.use_passt);
        assert_false(cfg.nested_virt);
        assert_int_equal(cfg.flavor, KRUN_FLAVOR_PLAIN);
        vm_config_clear(&cfg);

        /* A present annotation "0" hides the file's value: cpus falls back to the default, not to 8. */
        in.ann_cpus = "0";
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 4);
        vm_config_clear(&cfg);

        /* An annotation is validated even when the file is fine, and vice versa the file's bad value is not
         * looked at when the annotation covers it. */
        in.ann_cpus = "bad";
        resolve_fails(&in, "annotation krun.cpus");
        in.ann_cpus = "1";
        with_file(&in, "{\"cpus\": \"bad\"}");
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 1);
}

static void test_file_values_when_no_annotations(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        with_file(&in, "{\"cpus\": 8, \"ram_mib\": 4096, \"gpu_flags\": 2, \"use_passt\": 1, \"nested_virt\": 1}");
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 8);
        assert_int_equal(cfg.ram_mib, 4096);
        assert_int_equal(cfg.gpu_flags, 2);
        assert_true(cfg.use_passt);
        assert_true(cfg.nested_virt);
}

/* ---- file structure ---- */

static void test_file_structure(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        with_file(&in, "{}");
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 4);
        vm_config_clear(&cfg);

        /* Unknown keys are tolerated (newer crun fields); null = absent. */
        with_file(&in, "{\"future\": [1,2], \"cpus\": null}\n");
        resolve_ok(&in);
        assert_int_equal(cfg.cpus, 4);
        vm_config_clear(&cfg);

        with_file(&in, "");
        resolve_fails(&in, ".krun_vm.json: invalid JSON");
        with_file(&in, "{\"cpus\": 2");
        resolve_fails(&in, ".krun_vm.json: invalid JSON: unexpected end of");
        with_file(&in, "{cpus: 2}");
        resolve_fails(&in, ".krun_vm.json: invalid JSON");
        with_file(&in, "[1]");
        resolve_fails(&in, ".krun_vm.json: expected a JSON object");
        with_file(&in, "3");
        resolve_fails(&in, ".krun_vm.json: expected a JSON object");
        with_file(&in, "{} {}");
        resolve_fails(&in, ".krun_vm.json: invalid JSON: trailing data");
}

/* ---- virtio-fs ---- */

static void test_virtiofs(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        with_file(&in, "{\"virtiofs_tag\": \"myroot\", \"virtiofs_shm_size\": 0}");
        resolve_ok(&in);
        assert_string_equal(cfg.virtiofs_tag, "myroot");
        assert_int_equal(cfg.virtiofs_shm_size, 0);
        vm_config_clear(&cfg);

        with_file(&in, "{\"virtiofs_shm_size\": 1073741824}");
        resolve_ok(&in);
        assert_string_equal(cfg.virtiofs_tag, "/dev/root");
        assert_int_equal(cfg.virtiofs_shm_size, 1073741824ull);
        vm_config_clear(&cfg);

        with_file(&in, "{\"virtiofs_tag\": 5}");
        resolve_fails(&in, ".krun_vm.json: virtiofs_tag: expected a string, got int");
        with_file(&in, "{\"virtiofs_tag\": \"\"}");
        resolve_fails(&in, ".krun_vm.json: virtiofs_tag: must not be empty");
        with_file(&in, "{\"virtiofs_shm_size\": -1}");
        resolve_fails(&in, ".krun_vm.json: virtiofs_shm_size: -1 is negative");
        with_file(&in, "{\"virtiofs_shm_size\": \"1G\"}");
        resolve_fails(&in, ".krun_vm.json: virtiofs_shm_size: expected an integer, got string");
}

/* ---- external kernel ---- */

static void test_kernel(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        with_file(&in, "{\"kernel_path\": \"/boot/vmlinux\", \"kernel_format\": 1}");
        resolve_ok(&in);
        assert_true(cfg.has_kernel);
        assert_string_equal(cfg.kernel_path, "/boot/vmlinux");
        assert_int_equal(cfg.kernel_format, 1);
        assert_null(cfg.initrd_path);
        assert_null(cfg.kernel_cmdline);
        vm_config_clear(&cfg);

        with_file(&in, "{\"kernel_path\": \"/k\", \"kernel_format\": 0, \"initrd_path\": \"/i\","
                       " \"kernel_cmdline\": \"console=hvc0\"}");
        resolve_ok(&in);
        assert_int_equal(cfg.kernel_format, 0);
        assert_string_equal(cfg.initrd_path, "/i");
        assert_string_equal(cfg.kernel_cmdline, "console=hvc0");
        vm_config_clear(&cfg);

        with_file(&in, "{\"kernel_path\": \"/k\", \"kernel_format\": 5}");
        resolve_ok(&in);
        assert_int_equal(cfg.kernel_format, 5);
}

static void test_kernel_errors(void **state)
{
        (void)state;
        struct vm_config_input in = base();
        with_file(&in, "{\"kernel_path\": \"/k\", \"kernel_format\": 6}");
        resolve_fails(&in, ".krun_vm.json: kernel_format: 6 is over the maximum 5");
        with_file(&in, "{\"kernel_path\": \"/k\", \"kernel_format\": -1}");
        resolve_fails(&in, ".krun_vm.json: kernel_format: -1 is negative");
        with_file(&in, "{\"kernel_path\": \"/k\", \"kernel_format\": \"1\"}");
        resolve_fails(&in, ".krun_vm.json: kernel_format: expected an integer, got string");
        with_file(&in, "{\"kernel_path\": 1, \"kernel_format\": 1}");
        resolve_fails(&in, ".krun_vm.json: kernel_path: expected a string, got int");
        with_file(&in, "{\"kernel_path\": \"/k\"}");
        resolve_fails(&in, ".krun_vm.json: kernel_path: requires kernel_format");
        with_file(&in, "{\"kernel_format\": 1}");
        resolve_fails(&in, ".krun_vm.json: kernel_format: requires kernel_path");
        with_file(&in, "{\"initrd_path\": \"/i\"}");
        resolve_fails(&in, ".krun_vm.json: initrd_path: only used with kernel_path and kernel_format");
        with_file(&in, "{\"kernel_cmdline\": \"x\"}");
        resolve_fails(&in, ".krun_vm.json: kernel_cmdline: only used with kernel_path");
        with_file(&in, "{\"kernel_path\": \"/k\", \"kernel_format\": 1, \"initrd_path\": 7}");
        resolve_fails(&in, ".krun_vm.json: initrd_path: expected a string, got int");
        with_file(&in, "{\"kernel_path\": \"/k\", \"kernel_format\": 1, \"kernel_cmdline\": []}");
        resolve_fails(&in, ".krun_vm.json: kernel_cmdline: expected a string, got array");
        with_file(&in, "{\"kernel_path\": \"/k\", \"kernel_format\": 1, \"flavor\": \"sev\"}");
        resolve_fails(&in, ".krun_vm.json: kernel_path: not supported by the sev variant");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_teardown(test_defaults, teardown),
            cmocka_unit_test_teardown(test_default_cpus_capped_at_16, teardown),
            cmocka_unit_test_teardown(test_default_cpus_unknown_affinity_is_1, teardown),
            cmocka_unit_test_teardown(test_default_cpus_from_quota, teardown),
            cmocka_unit_test_teardown(test_default_cpus_from_cpuset, teardown),
            cmocka_unit_test(test_cpuset_count),
            cmocka_unit_test_teardown(test_default_ram_from_memory_limit, teardown),
            cmocka_unit_test_teardown(test_cpus, teardown),
            cmocka_unit_test_teardown(test_cpus_errors, teardown),
            cmocka_unit_test_teardown(test_ram, teardown),
            cmocka_unit_test_teardown(test_ram_errors, teardown),
            cmocka_unit_test_teardown(test_gpu_flags, teardown),
            cmocka_unit_test_teardown(test_use_passt, teardown),
            cmocka_unit_test_teardown(test_nested_virt, teardown),
            cmocka_unit_test_teardown(test_flavor, teardown),
            cmocka_unit_test_teardown(test_flavor_errors, teardown),
            cmocka_unit_test(test_flavor_names),
            cmocka_unit_test_teardown(test_annotations_win_over_file, teardown),
            cmocka_unit_test_teardown(test_file_values_when_no_annotations, teardown),
            cmocka_unit_test_teardown(test_file_structure, teardown),
            cmocka_unit_test_teardown(test_virtiofs, teardown),
            cmocka_unit_test_teardown(test_kernel, teardown),
            cmocka_unit_test_teardown(test_kernel_errors, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
