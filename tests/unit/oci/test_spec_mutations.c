/* Robustness of oci_spec_parse against every member of a config being absent, null or of the wrong type:
 * each node of a config that uses every section is replaced, in turn, by each value of a fixed set (or
 * removed), and the parser must either accept the result, with the invariants the rest of the runtime
 * relies on, or refuse it with "config.json: ..." — never crash, leak (ASan build) or half-fill. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "core/cleanup.h"
#include "oci/spec.h"

static const char *const base_config =
    "{'ociVersion': '1.2.0', 'root': {'path': 'rootfs', 'readonly': true}, 'hostname': 'h', 'domainname': 'd',"
    " 'process': {'terminal': true, 'consoleSize': {'height': 1, 'width': 2}, 'cwd': '/', 'args': ['sh'],"
    "   'env': ['A=1'], 'user': {'uid': 1, 'gid': 2, 'umask': 18, 'additionalGids': [3], 'username': 'u'},"
    "   'capabilities': {'bounding': ['CAP_KILL'], 'effective': [], 'inheritable': [], 'permitted': [],"
    "     'ambient': []},"
    "   'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 2}], 'noNewPrivileges': true,"
    "   'apparmorProfile': 'p', 'selinuxLabel': 'l', 'oomScoreAdj': 1,"
    "   'scheduler': {'policy': 'SCHED_DEADLINE', 'nice': 0, 'priority': 0, 'flags': ['SCHED_FLAG_RECLAIM'],"
    "     'runtime': 1, 'deadline': 2, 'period': 3},"
    "   'ioPriority': {'class': 'IOPRIO_CLASS_BE', 'priority': 4},"
    "   'execCPUAffinity': {'initial': '0', 'final': '0-1'}},"
    " 'mounts': [{'destination': '/m', 'type': 'bind', 'source': '/s', 'options': ['rbind'],"
    "   'uidMappings': [{'containerID': 0, 'hostID': 1, 'size': 1}],"
    "   'gidMappings': [{'containerID': 0, 'hostID': 1, 'size': 1}]}],"
    " 'annotations': {'a': 'b'},"
    " 'hooks': {'prestart': [{'path': '/p', 'args': ['p'], 'env': ['E=1'], 'timeout': 1}],"
    "   'poststop': [{'path': '/q'}]},"
    " 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'network', 'path': '/n'}, {'type': 'time'}],"
    "   'uidMappings': [{'containerID': 0, 'hostID': 1, 'size': 1}],"
    "   'gidMappings': [{'containerID': 0, 'hostID': 1, 'size': 1}],"
    "   'devices': [{'type': 'c', 'path': '/dev/x', 'major': 1, 'minor': 3, 'fileMode': 438, 'uid': 0,"
    "     'gid': 0}],"
    "   'cgroupsPath': '/c', 'sysctl': {'net.ipv4.ip_forward': '1'}, 'maskedPaths': ['/m'],"
    "   'readonlyPaths': ['/r'], 'mountLabel': 'ml', 'rootfsPropagation': 'rslave',"
    "   'resources': {'devices': [{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c', 'major': 1,"
    "       'minor': 3, 'access': 'r'}],"
    "     'memory': {'limit': 1048576, 'reservation': 1, 'swap': 2, 'kernel': 3, 'kernelTCP': 4,"
    "       'swappiness': 5, 'disableOOMKiller': true, 'useHierarchy': true, 'checkBeforeUpdate': true},"
    "     'cpu': {'shares': 1024, 'quota': 1000, 'burst': 1, 'period': 100000, 'realtimeRuntime': 1,"
    "       'realtimePeriod': 2, 'cpus': '0', 'mems': '0', 'idle': 0},"
    "     'pids': {'limit': 5},"
    "     'blockIO': {'weight': 10, 'leafWeight': 10, 'weightDevice': [{'major': 8, 'minor': 0, 'weight': 10,"
    "       'leafWeight': 10}], 'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 1}],"
    "       'throttleWriteIOPSDevice': [{'major': 8, 'minor': 0, 'rate': 1}]},"
    "     'hugepageLimits': [{'pageSize': '2MB', 'limit': 0}],"
    "     'network': {'classID': 1, 'priorities': [{'name': 'eth0', 'priority': 1}]},"
    "     'rdma': {'mlx': {'hcaHandles': 1, 'hcaObjects': 2}}, 'unified': {'memory.high': '1'}},"
    "   'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 1,"
    "     'architectures': ['SCMP_ARCH_X86_64'], 'flags': ['SECCOMP_FILTER_FLAG_LOG'],"
    "     'listenerPath': '/l', 'listenerMetadata': 'm',"
    "     'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW',"
    "       'args': [{'index': 0, 'value': 1, 'valueTwo': 2, 'op': 'SCMP_CMP_MASKED_EQ'}]}]},"
    "   'personality': {'domain': 'LINUX', 'flags': []},"
    "   'netDevices': {'eth1': {'name': 'n0'}},"
    "   'timeOffsets': {'monotonic': {'secs': 1, 'nanosecs': 2}, 'boottime': {'secs': 3, 'nanosecs': 4}},"
    "   'memoryPolicy': {'mode': 'MPOL_BIND', 'nodes': '0', 'flags': ['MPOL_F_STATIC_NODES']}}}";

/* The replacements: NULL means "remove the member / array element". */
static const char *const replacements[] = {
    NULL,    "null",  "0",    "-1", "4294967296", "1.5",    "\"\"",
    "\"x\"", "\"/\"", "true", "[]", "{}",         "[null]", "{\"k\": null}",
};

static char *q(const char *s)
{
        char *d = strdup(s);
        for (char *p = d; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return d;
}

/* Replace (or remove) the `target`-th node in preorder below `v`; *seen counts the nodes passed. */
static bool mutate(struct json_object *v, size_t target, size_t *seen, const char *replacement)
{
        if (json_object_is_type(v, json_type_object)) {
                json_object_object_foreach(v, key, member)
                {
                        if ((*seen)++ == target) {
                                if (!replacement)
                                        json_object_object_del(v, key);
                                else
                                        json_object_object_add(v, key, json_tokener_parse(replacement));
                                return true; /* the iteration stops here: the change invalidates it */
                        }
                        if (mutate(member, target, seen, replacement))
                                return true;
                }
        } else if (json_object_is_type(v, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        if ((*seen)++ == target) {
                                if (!replacement)
                                        json_object_array_del_idx(v, i, 1);
                                else
                                        json_object_array_put_idx(v, i, json_tokener_parse(replacement));
                                return true;
                        }
                        if (mutate(json_object_array_get_idx(v, i), target, seen, replacement))
                                return true;
                }
        }
        return false;
}

/* What the rest of the runtime takes for granted in an accepted spec. */
static void check_invariants(const struct oci_spec *s, const char *what)
{
        if (!s->oci_version || !*s->oci_version)
                fail_msg("%s: accepted without ociVersion", what);
        if (s->root_path && !*s->root_path)
                fail_msg("%s: accepted an empty root.path", what);
        if (s->process) {
                const struct oci_process *p = s->process;
                if (!p->args || !p->args[0] || !p->env || !p->cwd || p->cwd[0] != '/')
                        fail_msg("%s: accepted a process without args, env or an absolute cwd", what);
        }
        for (size_t i = 0; i < s->n_mounts; i++)
                if (!s->mounts[i].destination || s->mounts[i].destination[0] != '/')
                        fail_msg("%s: accepted a mount without an absolute destination", what);
        for (int k = 0; k < HOOK_KIND_COUNT; k++)
                for (size_t i = 0; i < s->hooks.n[k]; i++)
                        if (!s->hooks.list[k][i].path || s->hooks.list[k][i].path[0] != '/')
                                fail_msg("%s: accepted a hook without an absolute path", what);
        for (size_t i = 0; i < s->n_annotations; i++)
                if (!s->annotations[i].key || !s->annotations[i].value)
                        fail_msg("%s: accepted an annotation without a key or value", what);
        if (s->linux_.has_personality && !s->linux_.personality_domain)
                fail_msg("%s: accepted a personality without a domain", what);
        for (size_t i = 0; i < s->linux_.n_devices; i++)
                if (!s->linux_.devices[i].path)
                        fail_msg("%s: accepted a device without a path", what);
}

static void test_every_node_every_type(void **state)
{
        (void)state;
        _cleanup_free_ char *text = q(base_config);
        struct json_object *base = json_tokener_parse(text);
        assert_non_null(base);
        _cleanup_error_ struct error *err = NULL;
        struct oci_spec *spec = NULL;
        if (oci_spec_parse(text, strlen(text), "config.json", &spec, &err) < 0)
                fail_msg("the base config must parse: %s", err->msg);
        oci_spec_free(spec);

        size_t accepted = 0, refused = 0;
        for (size_t target = 0;; target++) {
                size_t seen = 0;
                bool found = false;
                for (size_t r = 0; r < ARRAY_SIZE(replacements); r++) {
                        struct json_object *copy = NULL;
                        assert_int_equal(json_object_deep_copy(base, &copy, NULL), 0);
                        seen = 0;
                        found = mutate(copy, target, &seen, replacements[r]);
                        if (!found) {
                                json_object_put(copy);
                                break;
                        }
                        const char *mutated = json_object_to_json_string_ext(copy, JSON_C_TO_STRING_PLAIN);
                        spec = NULL;
                        if (oci_spec_parse(mutated, strlen(mutated), "config.json", &spec, &err) >= 0) {
                                check_invariants(spec, mutated);
                                (void)oci_spec_annotation(spec, "a");
                                for (int t = 0; t < NS_COUNT; t++)
                                        (void)oci_spec_namespace(spec, (enum oci_ns_type)t);
                                oci_spec_free(spec);
                                accepted++;
                        } else {
                                if (spec || !err || strncmp(err->msg, "config.json: ", 13) != 0)
                                        fail_msg("%s: refused without a config.json message", mutated);
                                error_free(&err);
                                refused++;
                        }
                        json_object_put(copy);
                }
                if (!found)
                        break;
        }
        json_object_put(base);
        /* Both outcomes must occur, or the mutations did not reach the parser. */
        assert_true(accepted > 100);
        assert_true(refused > 1000);
}

int main(void)
{
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_node_every_type)};
        return cmocka_run_group_tests(tests, NULL, NULL);
}
