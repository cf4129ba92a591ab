/* The `spec` template: valid JSON with crun's fields, hostname krun, and the rootless / cgroupns variants. */
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "oci/spec_template.h"

static struct json_object *parse_template(bool rootless, bool cgroupns, char **text)
{
        char *s = spec_template_json(rootless, cgroupns);
        assert_non_null(s);
        struct json_object *o = json_tokener_parse(s);
        assert_non_null(o);
        assert_true(json_object_is_type(o, json_type_object));
        if (text)
                *text = s;
        else
                free(s);
        return o;
}

static struct json_object *get(struct json_object *o, const char *path)
{
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", path);
        for (char *save = NULL, *key = strtok_r(buf, ".", &save); key; key = strtok_r(NULL, ".", &save)) {
                struct json_object *next = NULL;
                if (!json_object_object_get_ex(o, key, &next))
                        fail_msg("missing key %s (in %s)", key, path);
                o = next;
        }
        return o;
}

static const char *str(struct json_object *o, const char *path)
{
        return json_object_get_string(get(o, path));
}

static void assert_strings(struct json_object *a, const char *const *want, size_t n)
{
        assert_true(json_object_is_type(a, json_type_array));
        assert_int_equal(json_object_array_length(a), n);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(json_object_get_string(json_object_array_get_idx(a, i)), want[i]);
}

static void namespaces(struct json_object *spec, const char **out, size_t *n)
{
        struct json_object *ns = get(spec, "linux.namespaces");
        *n = json_object_array_length(ns);
        for (size_t i = 0; i < *n; i++)
                out[i] = str(json_object_array_get_idx(ns, i), "type");
}

static struct json_object *find_mount(struct json_object *spec, const char *dest)
{
        struct json_object *mounts = get(spec, "mounts");
        for (size_t i = 0; i < json_object_array_length(mounts); i++) {
                struct json_object *m = json_object_array_get_idx(mounts, i);
                if (!strcmp(str(m, "destination"), dest))
                        return m;
        }
        fail_msg("no mount %s", dest);
        return NULL;
}

static bool has_string(struct json_object *a, const char *s)
{
        for (size_t i = 0; i < json_object_array_length(a); i++)
                if (!strcmp(json_object_get_string(json_object_array_get_idx(a, i)), s))
                        return true;
        return false;
}

static void test_default_template(void **state)
{
        (void)state;
        _cleanup_free_ char *text = NULL;
        struct json_object *spec = parse_template(false, false, &text);

        assert_string_equal(str(spec, "ociVersion"), "1.0.0");
        assert_string_equal(str(spec, "hostname"), "krun");
        assert_true(json_object_get_boolean(get(spec, "process.terminal")));
        assert_int_equal(json_object_get_int(get(spec, "process.user.uid")), 0);
        assert_int_equal(json_object_get_int(get(spec, "process.user.gid")), 0);
        static const char *const args[] = {"sh"};
        assert_strings(get(spec, "process.args"), args, 1);
        static const char *const env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                          "TERM=xterm"};
        assert_strings(get(spec, "process.env"), env, 2);
        assert_string_equal(str(spec, "process.cwd"), "/");
        assert_true(json_object_get_boolean(get(spec, "process.noNewPrivileges")));
        static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
        assert_strings(get(spec, "process.capabilities.bounding"), caps, 3);
        assert_strings(get(spec, "process.capabilities.effective"), caps, 3);
        assert_strings(get(spec, "process.capabilities.permitted"), caps, 3);
        assert_strings(get(spec, "process.capabilities.ambient"), caps, 3);
        assert_strings(get(spec, "process.capabilities.inheritable"), NULL, 0);
        struct json_object *rl = json_object_array_get_idx(get(spec, "process.rlimits"), 0);
        assert_string_equal(str(rl, "type"), "RLIMIT_NOFILE");
        assert_int_equal(json_object_get_int(get(rl, "soft")), 1024);
        assert_int_equal(json_object_get_int(get(rl, "hard")), 1024);
        assert_string_equal(str(spec, "root.path"), "rootfs");
        assert_true(json_object_get_boolean(get(spec, "root.readonly")));

        struct json_object *mounts = get(spec, "mounts");
        static const char *const dests[] = {"/proc",       "/dev", "/dev/pts",      "/dev/shm",
                                            "/dev/mqueue", "/sys", "/sys/fs/cgroup"};
        assert_int_equal(json_object_array_length(mounts), ARRAY_SIZE(dests));
        for (size_t i = 0; i < ARRAY_SIZE(dests); i++)
                assert_string_equal(str(json_object_array_get_idx(mounts, i), "destination"), dests[i]);
        assert_string_equal(str(find_mount(spec, "/dev/shm"), "source"), "shm");
        assert_string_equal(str(find_mount(spec, "/sys/fs/cgroup"), "type"), "cgroup");
        assert_true(has_string(get(find_mount(spec, "/dev/pts"), "options"), "gid=5"));
        assert_true(has_string(get(find_mount(spec, "/sys"), "options"), "ro"));

        struct json_object *dev = json_object_array_get_idx(get(spec, "linux.resources.devices"), 0);
        assert_false(json_object_get_boolean(get(dev, "allow")));
        assert_string_equal(str(dev, "access"), "rwm");

        const char *ns[16];
        size_t n;
        namespaces(spec, ns, &n);
        static const char *const want_ns[] = {"pid", "network", "ipc", "uts", "mount"};
        assert_int_equal(n, ARRAY_SIZE(want_ns));
        for (size_t i = 0; i < n; i++)
                assert_string_equal(ns[i], want_ns[i]);
        assert_int_equal(json_object_array_length(get(spec, "linux.maskedPaths")), 10);
        assert_true(has_string(get(spec, "linux.maskedPaths"), "/proc/kcore"));
        assert_int_equal(json_object_array_length(get(spec, "linux.readonlyPaths")), 5);
        assert_true(has_string(get(spec, "linux.readonlyPaths"), "/proc/sysrq-trigger"));

        /* crun's layout: tab indentation, unescaped slashes, trailing newline */
        assert_true(!strncmp(text, "{\n\t\"ociVersion\": \"1.0.0\",\n", 25));
        assert_null(strstr(text, "\\/"));
        assert_int_equal(text[strlen(text) - 1], '\n');
        json_object_put(spec);
}

static void test_cgroupns_on_v2(void **state)
{
        (void)state;
        struct json_object *spec = parse_template(false, true, NULL);
        const char *ns[16];
        size_t n;
        namespaces(spec, ns, &n);
        static const char *const want_ns[] = {"pid", "network", "ipc", "uts", "cgroup", "mount"};
        assert_int_equal(n, ARRAY_SIZE(want_ns));
        for (size_t i = 0; i < n; i++)
                assert_string_equal(ns[i], want_ns[i]);
        json_object_put(spec);
}

static void test_rootless(void **state)
{
        (void)state;
        struct json_object *spec = parse_template(true, false, NULL);
        const char *ns[16];
        size_t n;
        namespaces(spec, ns, &n);
        assert_int_equal(n, 6);
        assert_string_equal(ns[5], "user");
        struct json_object *pts = get(find_mount(spec, "/dev/pts"), "options");
        assert_false(has_string(pts, "gid=5"));
        assert_true(has_string(pts, "mode=0620"));
        assert_int_equal(json_object_array_length(pts), 5);
        json_object_put(spec);

        spec = parse_template(true, true, NULL);
        namespaces(spec, ns, &n);
        assert_int_equal(n, 7);
        assert_string_equal(ns[4], "cgroup");
        assert_string_equal(ns[6], "user");
        json_object_put(spec);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_default_template),
            cmocka_unit_test(test_cgroupns_on_v2),
            cmocka_unit_test(test_rootless),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
