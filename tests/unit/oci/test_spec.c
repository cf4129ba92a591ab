/* oci_spec_parse / oci_process_parse / oci_resources_parse_json: a full config lands field by field, and
 * every error path gives its JSON path and expectation (one table). JSON texts use ' for ". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include <cmocka.h>
#include <seccomp.h>

#include "core/cleanup.h"
#include "oci/spec.h"

static char *q(const char *s)
{
        char *d = strdup(s);
        for (char *p = d; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return d;
}

static struct oci_spec *parse_ok(const char *text)
{
        _cleanup_free_ char *t = q(text);
        _cleanup_error_ struct error *err = NULL;
        struct oci_spec *spec = NULL;
        if (oci_spec_parse(t, strlen(t), "config.json", &spec, &err) < 0)
                fail_msg("%s: %s", text, err->msg);
        assert_non_null(spec);
        return spec;
}

static const char *full_config =
    "{'ociVersion': '1.2.0', 'unknownTopLevel': {'x': 1},"
    " 'root': {'path': 'rootfs', 'readonly': true},"
    " 'hostname': 'box', 'domainname': 'example.org',"
    " 'process': {'terminal': true, 'consoleSize': {'height': 24, 'width': 80}, 'cwd': '/work',"
    "   'args': ['sh', '-c', 'true'], 'env': ['PATH=/bin', 'TERM=xterm'],"
    "   'user': {'uid': 1000, 'gid': 100, 'umask': 18, 'additionalGids': [5, 6], 'username': 'joe'},"
    "   'capabilities': {'bounding': ['CAP_KILL', 'CAP_NET_BIND_SERVICE'], 'effective': ['CAP_KILL'],"
    "     'inheritable': [], 'permitted': ['CAP_KILL', 'CAP_SYS_ADMIN'], 'ambient': ['CAP_CHOWN']},"
    "   'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1024, 'hard': 4096},"
    "               {'type': 'RLIMIT_CORE', 'soft': 0, 'hard': 18446744073709551615}],"
    "   'noNewPrivileges': true, 'apparmorProfile': 'prof', 'selinuxLabel': 'lab', 'oomScoreAdj': -500},"
    " 'mounts': [{'destination': '/proc', 'type': 'proc', 'source': 'proc'},"
    "   {'destination': 'data', 'source': './d', 'options': ['rbind', 'ro'],"
    "    'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}],"
    "    'gidMappings': [{'containerID': 0, 'hostID': 2000, 'size': 2}]}],"
    " 'annotations': {'org.opencontainers.image.stopSignal': 'SIGINT', 'empty': ''},"
    " 'hooks': {'prestart': [{'path': '/bin/pre'}],"
    "   'createRuntime': [{'path': '/bin/cr', 'args': ['cr', 'x'], 'env': ['A=1'], 'timeout': 5}],"
    "   'poststop': [{'path': '/bin/a'}, {'path': '/bin/b'}]},"
    " 'linux': {"
    "   'namespaces': [{'type': 'pid'}, {'type': 'network', 'path': '/run/netns/x'}, {'type': 'mount'},"
    "                  {'type': 'user', 'path': ''}],"
    "   'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
    "   'gidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 65536}],"
    "   'devices': [{'type': 'c', 'path': '/dev/fuse', 'major': 10, 'minor': 229, 'fileMode': 438,"
    "                'uid': 0, 'gid': 0}, {'type': 'p', 'path': '/dev/fifo//'}],"
    "   'cgroupsPath': 'machine.slice:krun:abc',"
    "   'resources': {'memory': {'limit': -1}, 'pids': {'limit': 0}},"
    "   'sysctl': {'net.ipv4.ip_forward': '1'},"
    "   'maskedPaths': ['/proc/kcore'], 'readonlyPaths': ['/proc/sys', '/proc/bus'],"
    "   'mountLabel': 'system_u:object_r:container_file_t:s0', 'rootfsPropagation': 'rslave',"
    "   'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,"
    "     'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], 'flags': [],"
    "     'listenerPath': '/run/l.sock', 'listenerMetadata': 'meta',"
    "     'syscalls': [{'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'},"
    "       {'names': ['personality'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1,"
    "        'args': [{'index': 0, 'value': 8, 'op': 'SCMP_CMP_EQ'},"
    "                 {'index': 5, 'value': 255, 'valueTwo': 8, 'op': 'SCMP_CMP_MASKED_EQ'}]},"
    "       {'names': ['ptrace'], 'action': 'SCMP_ACT_NOTIFY'}]},"
    "   'personality': {'domain': 'LINUX32', 'flags': []},"
    "   'netDevices': {'eth1': {'name': 'net0'}, 'eth2': {}},"
    "   'intelRdt': {'closID': 'ignored'}}}";

#define CAP(c) (UINT64_C(1) << (c))

static void test_full_config(void **state)
{
        (void)state;
        _cleanup_spec_ struct oci_spec *s = parse_ok(full_config);
        assert_string_equal(s->oci_version, "1.2.0");
        assert_string_equal(s->root_path, "rootfs");
        assert_true(s->root_readonly);
        assert_string_equal(s->hostname, "box");
        assert_string_equal(s->domainname, "example.org");

        const struct oci_process *p = s->process;
        assert_non_null(p);
        assert_true(p->terminal);
        assert_true(p->has_console_size);
        assert_int_equal(p->console_height, 24);
        assert_int_equal(p->console_width, 80);
        assert_string_equal(p->cwd, "/work");
        assert_string_equal(p->args[0], "sh");
        assert_string_equal(p->args[2], "true");
        assert_null(p->args[3]);
        assert_string_equal(p->env[1], "TERM=xterm");
        assert_null(p->env[2]);
        assert_true(p->has_user);
        assert_int_equal(p->uid, 1000);
        assert_int_equal(p->gid, 100);
        assert_true(p->has_umask);
        assert_int_equal(p->umask, 022);
        assert_true(p->has_additional_gids);
        assert_int_equal(p->n_additional_gids, 2);
        assert_int_equal(p->additional_gids[1], 6);
        assert_string_equal(p->username, "joe");
        assert_true(p->has_caps);
        assert_int_equal(p->caps.bounding, CAP(CAP_KILL) | CAP(CAP_NET_BIND_SERVICE));
        assert_int_equal(p->caps.effective, CAP(CAP_KILL));
        assert_int_equal(p->caps.inheritable, 0);
        assert_int_equal(p->caps.permitted, CAP(CAP_KILL) | CAP(CAP_SYS_ADMIN));
        assert_int_equal(p->caps.ambient, CAP(CAP_CHOWN));
        assert_int_equal(p->n_rlimits, 2);
        assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
        assert_int_equal(p->rlimits[0].soft, 1024);
        assert_int_equal(p->rlimits[0].hard, 4096);
        assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
        assert_true(p->rlimits[1].hard == UINT64_MAX);
        assert_true(p->no_new_privileges);
        assert_string_equal(p->apparmor_profile, "prof");
        assert_string_equal(p->selinux_label, "lab");
        assert_true(p->has_oom_score_adj);
        assert_int_equal(p->oom_score_adj, -500);

        assert_int_equal(s->n_mounts, 2);
        assert_string_equal(s->mounts[0].destination, "/proc");
        assert_string_equal(s->mounts[0].type, "proc");
        assert_string_equal(s->mounts[0].source, "proc");
        assert_null(s->mounts[0].options);
        assert_string_equal(s->mounts[1].destination, "/data"); /* relative made absolute */
        assert_null(s->mounts[1].type);
        assert_string_equal(s->mounts[1].source, "./d");
        assert_string_equal(s->mounts[1].options[1], "ro");
        assert_int_equal(s->mounts[1].n_uid_mappings, 1);
        assert_int_equal(s->mounts[1].uid_mappings[0].host_id, 1000);
        assert_int_equal(s->mounts[1].gid_mappings[0].size, 2);

        assert_int_equal(s->n_annotations, 2);
        assert_string_equal(oci_spec_annotation(s, "org.opencontainers.image.stopSignal"), "SIGINT");
        assert_string_equal(oci_spec_annotation(s, "empty"), "");
        assert_null(oci_spec_annotation(s, "missing"));

        assert_int_equal(s->hooks.n[HOOK_PRESTART], 1);
        assert_string_equal(s->hooks.list[HOOK_PRESTART][0].path, "/bin/pre");
        assert_null(s->hooks.list[HOOK_PRESTART][0].args);
        assert_int_equal(s->hooks.list[HOOK_PRESTART][0].timeout, 0);
        assert_string_equal(s->hooks.list[HOOK_CREATE_RUNTIME][0].args[1], "x");
        assert_string_equal(s->hooks.list[HOOK_CREATE_RUNTIME][0].env[0], "A=1");
        assert_int_equal(s->hooks.list[HOOK_CREATE_RUNTIME][0].timeout, 5);
        assert_int_equal(s->hooks.n[HOOK_CREATE_CONTAINER], 0);
        assert_int_equal(s->hooks.n[HOOK_POSTSTOP], 2);
        assert_string_equal(s->hooks.list[HOOK_POSTSTOP][1].path, "/bin/b");

        const struct oci_linux *l = &s->linux_;
        assert_int_equal(l->n_namespaces, 4);
        assert_int_equal(l->namespaces[0].type, NS_PID);
        assert_null(l->namespaces[0].path);
        assert_string_equal(oci_spec_namespace(s, NS_NET)->path, "/run/netns/x");
        assert_null(oci_spec_namespace(s, NS_USER)->path); /* "" = create */
        assert_non_null(oci_spec_namespace(s, NS_MOUNT));
        assert_null(oci_spec_namespace(s, NS_UTS));
        assert_int_equal(l->n_uid_mappings, 1);
        assert_int_equal(l->uid_mappings[0].host_id, 100000);
        assert_int_equal(l->gid_mappings[0].size, 65536);
        assert_int_equal(l->n_devices, 2);
        assert_int_equal(l->devices[0].type, 'c');
        assert_string_equal(l->devices[0].path, "/dev/fuse");
        assert_int_equal(l->devices[0].major, 10);
        assert_int_equal(l->devices[0].minor, 229);
        assert_true(l->devices[0].has_file_mode && l->devices[0].has_uid && l->devices[0].has_gid);
        assert_int_equal(l->devices[0].file_mode, 0666);
        assert_int_equal(l->devices[1].type, 'p');
        assert_false(l->devices[1].has_file_mode);
        assert_string_equal(l->devices[1].path, "/dev/fifo"); /* trailing slashes dropped, as crun */
        assert_string_equal(l->cgroups_path, "machine.slice:krun:abc");
        assert_non_null(l->resources);
        assert_true(l->resources->has_memory_limit);
        assert_int_equal(l->resources->memory_limit, -1);
        assert_true(l->resources->has_pids_limit);
        assert_int_equal(l->resources->pids_limit, 0);
        assert_int_equal(l->n_sysctl, 1);
        assert_string_equal(l->sysctl[0].key, "net.ipv4.ip_forward");
        assert_string_equal(l->sysctl[0].value, "1");
        assert_string_equal(l->masked_paths[0], "/proc/kcore");
        assert_string_equal(l->readonly_paths[1], "/proc/bus");
        assert_string_equal(l->mount_label, "system_u:object_r:container_file_t:s0");
        assert_string_equal(l->rootfs_propagation, "rslave");
        assert_true(l->has_personality);
        assert_string_equal(l->personality_domain, "LINUX32");
        assert_int_equal(l->n_net_devices, 2);
        for (size_t i = 0; i < 2; i++) {
                if (strcmp(l->net_devices[i].key, "eth1") == 0)
                        assert_string_equal(l->net_devices[i].value, "net0");
                else
                        assert_string_equal(l->net_devices[i].value, "eth2");
        }

        const struct oci_seccomp *sc = l->seccomp;
        assert_non_null(sc);
        assert_string_equal(sc->default_action, "SCMP_ACT_ERRNO");
        assert_true(sc->has_default_errno_ret);
        assert_int_equal(sc->default_errno_ret, 38);
        assert_string_equal(sc->architectures[1], "SCMP_ARCH_X86");
        assert_true(sc->has_flags);
        assert_null(sc->flags[0]);
        assert_string_equal(sc->listener_path, "/run/l.sock");
        assert_string_equal(sc->listener_metadata, "meta");
        assert_int_equal(sc->n_syscalls, 3);
        assert_string_equal(sc->syscalls[0].names[1], "write");
        assert_int_equal(sc->syscalls[0].action, SCMP_ACT_ALLOW);
        assert_string_equal(sc->syscalls[0].action_name, "SCMP_ACT_ALLOW");
        assert_int_equal(sc->syscalls[0].n_args, 0);
        assert_int_equal(sc->syscalls[1].action, SCMP_ACT_ERRNO(0));
        assert_true(sc->syscalls[1].has_errno_ret);
        assert_int_equal(sc->syscalls[1].errno_ret, 1);
        assert_int_equal(sc->syscalls[1].n_args, 2);
        assert_int_equal(sc->syscalls[1].args[0].op, SCMP_CMP_EQ);
        assert_int_equal(sc->syscalls[1].args[0].value, 8);
        assert_int_equal(sc->syscalls[1].args[1].index, 5);
        assert_int_equal(sc->syscalls[1].args[1].op, SCMP_CMP_MASKED_EQ);
        assert_int_equal(sc->syscalls[1].args[1].value, 255);
        assert_int_equal(sc->syscalls[1].args[1].value_two, 8);
        assert_int_equal(sc->syscalls[2].action, SCMP_ACT_NOTIFY);
}

static void test_minimal_config(void **state)
{
        (void)state;
        _cleanup_spec_ struct oci_spec *s = parse_ok("{'ociVersion': '1.0.0'}");
        assert_null(s->process);
        assert_null(s->root_path);
        assert_int_equal(s->n_mounts, 0);
        assert_null(s->linux_.resources);
        assert_null(s->linux_.seccomp);
        assert_null(oci_spec_namespace(s, NS_PID));

        /* null means absent, as Go encoders write it; process defaults: empty env, no user, no caps. */
        _cleanup_spec_ struct oci_spec *n =
            parse_ok("{'ociVersion': '1.0.0', 'mounts': null, 'hooks': null, 'linux': {'namespaces': null},"
                     " 'process': {'cwd': '/', 'args': ['x'], 'env': null, 'capabilities': null}}");
        assert_non_null(n->process->env);
        assert_null(n->process->env[0]);
        assert_false(n->process->has_user);
        assert_false(n->process->has_caps);
        assert_false(n->process->has_umask);
        assert_false(n->process->has_additional_gids);
        assert_false(n->process->has_oom_score_adj);
        assert_false(n->process->has_console_size);

        /* Empty strings and containers Go clients write for "not set" (runc accepts each). */
        _cleanup_spec_ struct oci_spec *e =
            parse_ok("{'ociVersion': '1.0.0', 'mounts': [], 'hooks': {}, 'annotations': {},"
                     " 'linux': {'rootfsPropagation': '', 'sysctl': {}, 'maskedPaths': [], 'readonlyPaths': [],"
                     "  'resources': {'devices': [], 'memory': {}, 'cpu': {'cpus': '', 'mems': ''}}}}");
        assert_null(e->linux_.rootfs_propagation);
        assert_int_equal(e->n_mounts, 0);
}

static void test_seccomp_actions(void **state)
{
        (void)state;
        static const struct {
                const char *name;
                uint32_t action;
        } actions[] = {
            {"SCMP_ACT_KILL", SCMP_ACT_KILL},
            {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
            {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
            {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
            {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0)},
            {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0)},
            {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
            {"SCMP_ACT_LOG", SCMP_ACT_LOG},
            {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
        };
        static const struct {
                const char *name;
                enum scmp_compare op;
        } ops[] = {
            {"SCMP_CMP_NE", SCMP_CMP_NE},
            {"SCMP_CMP_LT", SCMP_CMP_LT},
            {"SCMP_CMP_LE", SCMP_CMP_LE},
            {"SCMP_CMP_EQ", SCMP_CMP_EQ},
            {"SCMP_CMP_GE", SCMP_CMP_GE},
            {"SCMP_CMP_GT", SCMP_CMP_GT},
            {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
        };
        for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
                char text[512];
                snprintf(text, sizeof(text),
                         "{'ociVersion': '1', 'linux': {'seccomp': {'defaultAction': '%s', 'syscalls': "
                         "[{'names': ['read'], 'action': '%s', 'args': [{'index': 1, 'value': 2, 'op': '%s'}]}]}}}",
                         actions[i].name, actions[i].name, ops[i % 7].name);
                _cleanup_spec_ struct oci_spec *s = parse_ok(text);
                assert_string_equal(s->linux_.seccomp->default_action, actions[i].name);
                assert_int_equal(s->linux_.seccomp->syscalls[0].action, actions[i].action);
                assert_string_equal(s->linux_.seccomp->syscalls[0].action_name, actions[i].name);
                assert_int_equal(s->linux_.seccomp->syscalls[0].args[0].op, ops[i % 7].op);
                assert_false(s->linux_.seccomp->has_flags);
        }
}

static void test_rlimit_names(void **state)
{
        (void)state;
        static const struct {
                const char *name;
                int resource;
        } table[] = {
            {"RLIMIT_AS", RLIMIT_AS},
            {"RLIMIT_CORE", RLIMIT_CORE},
            {"RLIMIT_CPU", RLIMIT_CPU},
            {"RLIMIT_DATA", RLIMIT_DATA},
            {"RLIMIT_FSIZE", RLIMIT_FSIZE},
            {"RLIMIT_LOCKS", RLIMIT_LOCKS},
            {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
            {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
            {"RLIMIT_NICE", RLIMIT_NICE},
            {"RLIMIT_NOFILE", RLIMIT_NOFILE},
            {"RLIMIT_NPROC", RLIMIT_NPROC},
            {"RLIMIT_RSS", RLIMIT_RSS},
            {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
            {"RLIMIT_RTTIME", RLIMIT_RTTIME},
            {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
            {"RLIMIT_STACK", RLIMIT_STACK},
        };
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
                char text[256];
                snprintf(text, sizeof(text),
                         "{'cwd': '/', 'args': ['a'], 'rlimits': [{'type': '%s', 'soft': 1, 'hard': 2}]}",
                         table[i].name);
                _cleanup_free_ char *t = q(text);
                _cleanup_error_ struct error *err = NULL;
                struct oci_process *p = NULL;
                if (oci_process_parse(t, strlen(t), "process.json", &p, &err) < 0)
                        fail_msg("%s: %s", table[i].name, err->msg);
                assert_int_equal(p->rlimits[0].resource, table[i].resource);
                oci_process_free(p);
        }
}

static void test_ns_names(void **state)
{
        (void)state;
        static const char *const names[NS_COUNT] = {
            [NS_MOUNT] = "mount", [NS_PID] = "pid",   [NS_NET] = "network",   [NS_IPC] = "ipc",
            [NS_UTS] = "uts",     [NS_USER] = "user", [NS_CGROUP] = "cgroup", [NS_TIME] = "time",
        };
        for (int t = 0; t < NS_COUNT; t++) {
                assert_string_equal(oci_ns_type_name((enum oci_ns_type)t), names[t]);
                assert_int_equal(oci_ns_type_from_name(names[t]), t);
        }
        assert_null(oci_ns_type_name(NS_COUNT));
        assert_int_equal(oci_ns_type_from_name("net"), -1);
        assert_int_equal(oci_ns_type_from_name(""), -1);
        assert_int_equal(oci_ns_type_from_name(NULL), -1);
        assert_null(oci_spec_annotation(NULL, "x"));
        assert_null(oci_spec_namespace(NULL, NS_PID));
        oci_spec_free(NULL);
        oci_process_free(NULL);
        oci_resources_free(NULL);
}

/* Snippet builders: V = a valid top level, P(...) a valid process plus fields, L(...) linux fields,
 * R(...) linux.resources fields, S(...) seccomp fields after a valid defaultAction. */
#define V "'ociVersion': '1.0.0'"
#define P(x) "{" V ", 'process': {'cwd': '/', 'args': ['sh'], " x "}}"
#define L(x) "{" V ", 'linux': {" x "}}"
#define R(x) L("'resources': {" x "}")
#define S(x) L("'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', " x "}")
#define NS_LIST "(expected one of: cgroup, ipc, mount, network, pid, time, user, uts)"

static const struct {
        const char *json;
        const char *error; /* the whole message after "config.json: " */
} error_cases[] = {
    /* document */
    {"", "invalid JSON at line 1, column 1: unexpected end of input"},
    {"{'ociVersion': '1.0.0',", "invalid JSON at line 1, column 24: unexpected end of input"},
    {"{'ociVersion': '1.0.0' 'x'}", "invalid JSON at line 1, column 24: object value separator ',' expected"},
    {"['ociVersion']", "expected a JSON object at the top level"},
    /* top level */
    {"{}", "ociVersion: expected a non-empty string"},
    {"{'ociVersion': ''}", "ociVersion: expected a non-empty string"},
    {"{'ociVersion': 1}", "ociVersion: expected a string"},
    {"{" V ", 'root': 'rootfs'}", "root: expected an object"},
    {"{" V ", 'root': {}}", "root.path: expected a non-empty path"},
    {"{" V ", 'root': {'path': ''}}", "root.path: expected a non-empty path"},
    {"{" V ", 'root': {'path': ['x']}}", "root.path: expected a string"},
    {"{" V ", 'root': {'path': 'r', 'readonly': 'yes'}}", "root.readonly: expected a boolean"},
    {"{" V ", 'hostname': 1}", "hostname: expected a string"},
    {"{" V ", 'domainname': false}", "domainname: expected a string"},
    {"{" V ", 'process': []}", "process: expected an object"},
    {"{" V ", 'linux': 1}", "linux: expected an object"},
    /* mounts */
    {"{" V ", 'mounts': {}}", "mounts: expected an array"},
    {"{" V ", 'mounts': [1]}", "mounts[0]: expected an object"},
    {"{" V ", 'mounts': [{'destination': '/a'}, null]}", "mounts[1]: expected an object"},
    {"{" V ", 'mounts': [{'type': 'tmpfs'}]}", "mounts[0].destination: expected a non-empty path"},
    {"{" V ", 'mounts': [{'destination': ''}]}", "mounts[0].destination: expected a non-empty path"},
    {"{" V ", 'mounts': [{'destination': 7}]}", "mounts[0].destination: expected a string"},
    {"{" V ", 'mounts': [{'destination': '/a', 'type': 1}]}", "mounts[0].type: expected a string"},
    {"{" V ", 'mounts': [{'destination': '/a', 'source': {}}]}", "mounts[0].source: expected a string"},
    {"{" V ", 'mounts': [{'destination': '/a', 'options': 'ro'}]}", "mounts[0].options: expected an array of strings"},
    {"{" V ", 'mounts': [{'destination': '/a', 'options': ['ro', 1]}]}", "mounts[0].options[1]: expected a string"},
    {"{" V ", 'mounts': [{'destination': '/a', 'uidMappings': []}]}",
     "mounts[0].gidMappings: required field is missing (uidMappings and gidMappings come together)"},
    {"{" V ", 'mounts': [{'destination': '/a', 'gidMappings': []}]}",
     "mounts[0].uidMappings: required field is missing (uidMappings and gidMappings come together)"},
    {"{" V ", 'mounts': [{'destination': '/a', 'uidMappings': {}}]}", "mounts[0].uidMappings: expected an array"},
    {"{" V ", 'mounts': [{'destination': '/a', 'uidMappings': [1]}]}", "mounts[0].uidMappings[0]: expected an object"},
    {"{" V ", 'mounts': [{'destination': '/a', 'uidMappings': [{'hostID': 1, 'size': 1}]}]}",
     "mounts[0].uidMappings[0].containerID: required field is missing"},
    {"{" V ", 'mounts': [{'destination': '/a', 'uidMappings': [{'containerID': 0, 'size': 1}]}]}",
     "mounts[0].uidMappings[0].hostID: required field is missing"},
    {"{" V ", 'mounts': [{'destination': '/a', 'gidMappings': [{'containerID': 0, 'hostID': -1, 'size': 1}]}]}",
     "mounts[0].gidMappings[0].hostID: expected an unsigned 32-bit integer"},
    /* annotations */
    {"{" V ", 'annotations': []}", "annotations: expected an object"},
    {"{" V ", 'annotations': {'a': 1}}", "annotations.a: expected a string"},
    {"{" V ", 'annotations': {'a': null}}", "annotations.a: expected a string"},
    {"{" V ", 'annotations': {'': 'x'}}", "annotations: keys must not be empty"},
    {"{" V ", 'annotations': {'a': 'x\\u0000y'}}", "annotations.a: expected a string"},
    /* hooks */
    {"{" V ", 'hooks': []}", "hooks: expected an object"},
    {"{" V ", 'hooks': {'prestart': {}}}", "hooks.prestart: expected an array"},
    {"{" V ", 'hooks': {'poststart': ['/bin/x']}}", "hooks.poststart[0]: expected an object"},
    {"{" V ", 'hooks': {'createContainer': [{}]}}", "hooks.createContainer[0].path: expected an absolute path"},
    {"{" V ", 'hooks': {'startContainer': [{'path': 'bin/x'}]}}",
     "hooks.startContainer[0].path: expected an absolute path"},
    {"{" V ", 'hooks': {'createRuntime': [{'path': 1}]}}", "hooks.createRuntime[0].path: expected a string"},
    {"{" V ", 'hooks': {'poststop': [{'path': '/x', 'args': [1]}]}}", "hooks.poststop[0].args[0]: expected a string"},
    {"{" V ", 'hooks': {'poststop': [{'path': '/x', 'env': 'A=1'}]}}",
     "hooks.poststop[0].env: expected an array of strings"},
    {"{" V ", 'hooks': {'poststop': [{'path': '/x'}, {'path': '/y', 'timeout': 0}]}}",
     "hooks.poststop[1].timeout: expected an integer between 1 and 2147483647"},
    {"{" V ", 'hooks': {'poststop': [{'path': '/x', 'timeout': 1.5}]}}",
     "hooks.poststop[0].timeout: expected an integer between 1 and 2147483647"},
    /* process */
    {"{" V ", 'process': {'args': ['sh']}}", "process.cwd: expected an absolute path"},
    {"{" V ", 'process': {'cwd': 'work', 'args': ['sh']}}", "process.cwd: expected an absolute path"},
    {"{" V ", 'process': {'cwd': 1, 'args': ['sh']}}", "process.cwd: expected a string"},
    {"{" V ", 'process': {'cwd': '/'}}", "process.args: expected a non-empty array of strings"},
    {"{" V ", 'process': {'cwd': '/', 'args': []}}", "process.args: expected a non-empty array of strings"},
    {"{" V ", 'process': {'cwd': '/', 'args': 'sh'}}", "process.args: expected a non-empty array of strings"},
    {"{" V ", 'process': {'cwd': '/', 'args': ['sh', 2]}}", "process.args[1]: expected a string"},
    {P("'terminal': 1"), "process.terminal: expected a boolean"},
    {P("'consoleSize': [24, 80]"), "process.consoleSize: expected an object"},
    {P("'consoleSize': {'width': 80}"), "process.consoleSize.height: required field is missing"},
    {P("'consoleSize': {'height': 24}"), "process.consoleSize.width: required field is missing"},
    {P("'consoleSize': {'height': 24, 'width': -1}"), "process.consoleSize.width: expected an unsigned 32-bit integer"},
    {P("'env': [1]"), "process.env[0]: expected a string"},
    {P("'user': 0"), "process.user: expected an object"},
    {P("'user': {'gid': 0}"), "process.user.uid: required field is missing"},
    {P("'user': {'uid': 0}"), "process.user.gid: required field is missing"},
    {P("'user': {'uid': -1, 'gid': 0}"), "process.user.uid: expected an unsigned 32-bit integer"},
    {P("'user': {'uid': 0, 'gid': '0'}"), "process.user.gid: expected an unsigned 32-bit integer"},
    {P("'user': {'uid': 0, 'gid': 0, 'umask': -1}"), "process.user.umask: expected an unsigned 32-bit integer"},
    {P("'user': {'uid': 0, 'gid': 0, 'username': 1}"), "process.user.username: expected a string"},
    {P("'user': {'uid': 0, 'gid': 0, 'additionalGids': 5}"), "process.user.additionalGids: expected an array"},
    {P("'user': {'uid': 0, 'gid': 0, 'additionalGids': [5, 'x']}"),
     "process.user.additionalGids[1]: expected an unsigned 32-bit integer"},
    {P("'user': {'uid': 0, 'gid': 0, 'additionalGids': [null]}"),
     "process.user.additionalGids[0]: expected an unsigned 32-bit integer"},
    {P("'capabilities': []"), "process.capabilities: expected an object"},
    {P("'capabilities': {'bounding': 'CAP_KILL'}"), "process.capabilities.bounding: expected an array of strings"},
    {P("'capabilities': {'effective': ['CAP_KILL', 'CAP_FOO']}"),
     "process.capabilities.effective[1]: unknown capability \"CAP_FOO\" (expected a CAP_* name)"},
    {P("'capabilities': {'inheritable': ['KILL']}"),
     "process.capabilities.inheritable[0]: unknown capability \"KILL\" (expected a CAP_* name)"},
    {P("'capabilities': {'permitted': ['cap_kill']}"),
     "process.capabilities.permitted[0]: unknown capability \"cap_kill\" (expected a CAP_* name)"},
    {P("'capabilities': {'ambient': ['CAP_KILL,CAP_CHOWN']}"),
     "process.capabilities.ambient[0]: unknown capability \"CAP_KILL,CAP_CHOWN\" (expected a CAP_* name)"},
    {P("'capabilities': {'ambient': ['CAP_']}"),
     "process.capabilities.ambient[0]: unknown capability \"CAP_\" (expected a CAP_* name)"},
    {P("'capabilities': {'bounding': ['12']}"),
     "process.capabilities.bounding[0]: unknown capability \"12\" (expected a CAP_* name)"},
    {P("'rlimits': {}"), "process.rlimits: expected an array"},
    {P("'rlimits': [1]"), "process.rlimits[0]: expected an object"},
    {P("'rlimits': [{'soft': 1, 'hard': 1}]"), "process.rlimits[0].type: required field is missing"},
    {P("'rlimits': [{'type': 7, 'soft': 1, 'hard': 1}]"), "process.rlimits[0].type: expected a string"},
    {P("'rlimits': [{'type': 'RLIMIT_FOO', 'soft': 1, 'hard': 1}]"),
     "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\" (expected an RLIMIT_* name)"},
    {P("'rlimits': [{'type': 'nofile', 'soft': 1, 'hard': 1}]"),
     "process.rlimits[0].type: unknown rlimit \"nofile\" (expected an RLIMIT_* name)"},
    {P("'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1},"
       " {'type': 'RLIMIT_NOFILE', 'soft': 2, 'hard': 2}]"),
     "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\""},
    {P("'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 1}]"), "process.rlimits[0].soft: required field is missing"},
    {P("'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1}]"), "process.rlimits[0].hard: required field is missing"},
    {P("'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': -1}]"),
     "process.rlimits[0].hard: expected an unsigned 64-bit integer"},
    {P("'noNewPrivileges': 'true'"), "process.noNewPrivileges: expected a boolean"},
    {P("'apparmorProfile': 1"), "process.apparmorProfile: expected a string"},
    {P("'selinuxLabel': 1"), "process.selinuxLabel: expected a string"},
    {P("'oomScoreAdj': 1001"), "process.oomScoreAdj: expected an integer between -1000 and 1000"},
    {P("'oomScoreAdj': '5'"), "process.oomScoreAdj: expected an integer between -1000 and 1000"},
    /* linux: namespaces and mappings */
    {L("'namespaces': {}"), "linux.namespaces: expected an array"},
    {L("'namespaces': ['pid']"), "linux.namespaces[0]: expected an object"},
    {L("'namespaces': [{'path': '/x'}]"), "linux.namespaces[0].type: required field is missing"},
    {L("'namespaces': [{'type': 1}]"), "linux.namespaces[0].type: expected a string"},
    {L("'namespaces': [{'type': 'pid'}, {'type': 'mount'}, {'type': 'pidd'}]"),
     "linux.namespaces[2].type: unknown namespace \"pidd\" " NS_LIST},
    {L("'namespaces': [{'type': 'net'}]"), "linux.namespaces[0].type: unknown namespace \"net\" " NS_LIST},
    {L("'namespaces': [{'type': 'pid'}, {'type': 'ipc'}, {'type': 'pid', 'path': '/proc/1/ns/pid'}]"),
     "linux.namespaces[2].type: duplicate namespace \"pid\""},
    {L("'namespaces': [{'type': 'pid', 'path': 1}]"), "linux.namespaces[0].path: expected a string"},
    {L("'namespaces': [{'type': 'pid', 'path': 'proc/1/ns/pid'}]"),
     "linux.namespaces[0].path: expected an absolute path"},
    {L("'devices': [{'type': 'p', 'path': '//'}]"),
     "linux.devices[0].path: expected the path of a device file, not `/`"},
    {L("'uidMappings': {}"), "linux.uidMappings: expected an array"},
    {L("'uidMappings': [{'containerID': 0, 'hostID': 0}]"), "linux.uidMappings[0].size: required field is missing"},
    {L("'gidMappings': [{'containerID': 0, 'hostID': 0, 'size': 4294967296}]"),
     "linux.gidMappings[0].size: expected an unsigned 32-bit integer"},
    /* linux.devices */
    {L("'devices': {}"), "linux.devices: expected an array"},
    {L("'devices': ['/dev/null']"), "linux.devices[0]: expected an object"},
    {L("'devices': [{'path': '/dev/x', 'major': 1, 'minor': 1}]"),
     "linux.devices[0].type: expected one of \"c\", \"b\", \"u\", \"p\""},
    {L("'devices': [{'type': 'x', 'path': '/dev/x'}]"),
     "linux.devices[0].type: expected one of \"c\", \"b\", \"u\", \"p\""},
    {L("'devices': [{'type': 'cb', 'path': '/dev/x'}]"),
     "linux.devices[0].type: expected one of \"c\", \"b\", \"u\", \"p\""},
    {L("'devices': [{'type': 'c', 'major': 1, 'minor': 1}]"), "linux.devices[0].path: expected an absolute path"},
    {L("'devices': [{'type': 'c', 'path': 'dev/x', 'major': 1, 'minor': 1}]"),
     "linux.devices[0].path: expected an absolute path"},
    {L("'devices': [{'type': 'c', 'path': '/dev/x', 'minor': 1}]"),
     "linux.devices[0].major: required field is missing"},
    {L("'devices': [{'type': 'b', 'path': '/dev/x', 'major': 1}]"),
     "linux.devices[0].minor: required field is missing"},
    {L("'devices': [{'type': 'u', 'path': '/dev/x', 'major': '1', 'minor': 1}]"),
     "linux.devices[0].major: expected a 64-bit integer"},
    {L("'devices': [{'type': 'p', 'path': '/dev/x', 'minor': 1.0}]"),
     "linux.devices[0].minor: expected a 64-bit integer"},
    {L("'devices': [{'type': 'p', 'path': '/dev/x', 'fileMode': 512}]"),
     "linux.devices[0].fileMode: expected an integer between 0 and 511"},
    {L("'devices': [{'type': 'p', 'path': '/dev/x', 'uid': -1}]"),
     "linux.devices[0].uid: expected an unsigned 32-bit integer"},
    {L("'devices': [{'type': 'p', 'path': '/dev/x', 'gid': 'root'}]"),
     "linux.devices[0].gid: expected an unsigned 32-bit integer"},
    /* linux: other scalars, maps and lists */
    {L("'cgroupsPath': 1"), "linux.cgroupsPath: expected a string"},
    {L("'resources': []"), "linux.resources: expected an object"},
    {L("'sysctl': []"), "linux.sysctl: expected an object"},
    {L("'sysctl': {'net.ipv4.ip_forward': 1}"), "linux.sysctl.net.ipv4.ip_forward: expected a string"},
    {L("'maskedPaths': '/proc'"), "linux.maskedPaths: expected an array of strings"},
    {L("'readonlyPaths': ['/proc', 1]"), "linux.readonlyPaths[1]: expected a string"},
    {L("'mountLabel': 1"), "linux.mountLabel: expected a string"},
    {L("'rootfsPropagation': 'rshared2'"),
     "linux.rootfsPropagation: unknown propagation \"rshared2\" (expected one of: private, rprivate, shared, "
     "rshared, slave, rslave, unbindable, runbindable)"},
    {L("'rootfsPropagation': 1"), "linux.rootfsPropagation: expected a string"},
    {L("'personality': 'LINUX'"), "linux.personality: expected an object"},
    {L("'personality': {}"), "linux.personality.domain: expected one of \"LINUX\", \"LINUX32\""},
    {L("'personality': {'domain': 'BSD'}"), "linux.personality.domain: expected one of \"LINUX\", \"LINUX32\""},
    {L("'personality': {'domain': 'LINUX', 'flags': 'x'}"), "linux.personality.flags: expected an array of strings"},
    {L("'netDevices': []"), "linux.netDevices: expected an object"},
    {L("'netDevices': {'eth0': 'net0'}"), "linux.netDevices.eth0: expected an object"},
    {L("'netDevices': {'eth0': null}"), "linux.netDevices.eth0: expected an object"},
    {L("'netDevices': {'eth0': {'name': 1}}"), "linux.netDevices.eth0.name: expected a string"},
    {L("'netDevices': {'': {}}"), "linux.netDevices: keys must not be empty"},
    /* linux.seccomp */
    {L("'seccomp': []"), "linux.seccomp: expected an object"},
    {L("'seccomp': {}"), "linux.seccomp.defaultAction: required field is missing"},
    {L("'seccomp': {'defaultAction': 1}"), "linux.seccomp.defaultAction: expected a string"},
    {L("'seccomp': {'defaultAction': 'SCMP_ACT_BOGUS'}"),
     "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_BOGUS\" (expected one of: SCMP_ACT_KILL, "
     "SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, "
     "SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY)"},
    {S("'defaultErrnoRet': 1"),
     "linux.seccomp.defaultErrnoRet: only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_ALLOW"},
    {L("'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': -1}"),
     "linux.seccomp.defaultErrnoRet: expected an unsigned 32-bit integer"},
    {S("'architectures': 'SCMP_ARCH_X86'"), "linux.seccomp.architectures: expected an array of strings"},
    {S("'architectures': ['SCMP_ARCH_X86_64', 'x86_64']"),
     "linux.seccomp.architectures[1]: unknown architecture \"x86_64\""},
    {S("'flags': ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_BOGUS']"),
     "linux.seccomp.flags[1]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_BOGUS\""},
    {S("'flags': {}"), "linux.seccomp.flags: expected an array of strings"},
    {S("'listenerPath': 1"), "linux.seccomp.listenerPath: expected a string"},
    {S("'listenerPath': '/x', 'listenerMetadata': 1"), "linux.seccomp.listenerMetadata: expected a string"},
    {S("'listenerMetadata': 'm'"), "linux.seccomp.listenerMetadata: requires listenerPath"},
    {S("'syscalls': {}"), "linux.seccomp.syscalls: expected an array"},
    {S("'syscalls': ['read']"), "linux.seccomp.syscalls[0]: expected an object"},
    {S("'syscalls': [{'action': 'SCMP_ACT_ALLOW'}]"),
     "linux.seccomp.syscalls[0].names: expected a non-empty array of strings"},
    {S("'syscalls': [{'names': [], 'action': 'SCMP_ACT_ALLOW'}]"),
     "linux.seccomp.syscalls[0].names: expected a non-empty array of strings"},
    {S("'syscalls': [{'names': ['read', 1], 'action': 'SCMP_ACT_ALLOW'}]"),
     "linux.seccomp.syscalls[0].names[1]: expected a string"},
    {S("'syscalls': [{'names': ['read']}]"), "linux.seccomp.syscalls[0].action: required field is missing"},
    {S("'syscalls': [{'names': ['read'], 'action': 'ALLOW'}]"),
     "linux.seccomp.syscalls[0].action: unknown action \"ALLOW\""},
    {S("'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_KILL', 'errnoRet': 1}]"),
     "linux.seccomp.syscalls[0].errnoRet: only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_KILL"},
    {S("'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 'EPERM'}]"),
     "linux.seccomp.syscalls[0].errnoRet: expected an unsigned 32-bit integer"},
    {S("'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_LOG', 'args': {}}]"),
     "linux.seccomp.syscalls[0].args: expected an array"},
    {S("'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_LOG', 'args': [0]}]"),
     "linux.seccomp.syscalls[0].args[0]: expected an object"},
    {S("'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_LOG', 'args': [{'value': 1, 'op': 'SCMP_CMP_EQ'}]}]"),
     "linux.seccomp.syscalls[0].args[0].index: required field is missing"},
    {S("'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_LOG',"
       " 'args': [{'index': 6, 'value': 1, 'op': 'SCMP_CMP_EQ'}]}]"),
     "linux.seccomp.syscalls[0].args[0].index: expected an integer between 0 and 5"},
    {S("'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_LOG', 'args': [{'index': 0, 'op': 'SCMP_CMP_EQ'}]}]"),
     "linux.seccomp.syscalls[0].args[0].value: required field is missing"},
    {S("'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_LOG',"
       " 'args': [{'index': 0, 'value': 1, 'valueTwo': -1, 'op': 'SCMP_CMP_EQ'}]}]"),
     "linux.seccomp.syscalls[0].args[0].valueTwo: expected an unsigned 64-bit integer"},
    {S("'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_LOG', 'args': [{'index': 0, 'value': 1}]}]"),
     "linux.seccomp.syscalls[0].args[0].op: required field is missing"},
    {S("'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_LOG',"
       " 'args': [{'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQ'}, {'index': 1, 'value': 1, 'op': '=='}]}]"),
     "linux.seccomp.syscalls[0].args[1].op: unknown operator \"==\" (expected one of: SCMP_CMP_NE, SCMP_CMP_LT, "
     "SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ)"},
    /* linux.resources */
    {R("'devices': {}"), "linux.resources.devices: expected an array"},
    {R("'devices': [true]"), "linux.resources.devices[0]: expected an object"},
    {R("'devices': [{'access': 'rwm'}]"), "linux.resources.devices[0].allow: required field is missing"},
    {R("'devices': [{'allow': 'no'}]"), "linux.resources.devices[0].allow: expected a boolean"},
    {R("'devices': [{'allow': true, 'type': 'p'}]"),
     "linux.resources.devices[0].type: expected one of \"a\", \"c\", \"b\""},
    {R("'devices': [{'allow': true, 'type': 1}]"), "linux.resources.devices[0].type: expected a string"},
    {R("'devices': [{'allow': true, 'major': '*'}]"), "linux.resources.devices[0].major: expected a 64-bit integer"},
    {R("'devices': [{'allow': true, 'minor': '*'}]"), "linux.resources.devices[0].minor: expected a 64-bit integer"},
    {R("'devices': [{'allow': true, 'access': ''}]"),
     "linux.resources.devices[0].access: expected a non-empty combination of \"r\", \"w\", \"m\""},
    {R("'devices': [{'allow': true, 'access': 'rwx'}]"),
     "linux.resources.devices[0].access: expected a non-empty combination of \"r\", \"w\", \"m\""},
    {R("'memory': 1"), "linux.resources.memory: expected an object"},
    {R("'memory': {'limit': -2}"), "linux.resources.memory.limit: expected -1 (unlimited) or a non-negative integer"},
    {R("'memory': {'limit': '1G'}"), "linux.resources.memory.limit: expected a 64-bit integer"},
    {R("'memory': {'reservation': -2}"),
     "linux.resources.memory.reservation: expected -1 (unlimited) or a non-negative integer"},
    {R("'memory': {'swap': -3}"), "linux.resources.memory.swap: expected -1 (unlimited) or a non-negative integer"},
    {R("'memory': {'kernel': -2}"), "linux.resources.memory.kernel: expected -1 (unlimited) or a non-negative integer"},
    {R("'memory': {'kernelTCP': 1.5}"), "linux.resources.memory.kernelTCP: expected a 64-bit integer"},
    {R("'memory': {'swappiness': 101}"), "linux.resources.memory.swappiness: expected an integer between 0 and 100"},
    {R("'memory': {'swappiness': -2}"), "linux.resources.memory.swappiness: expected an integer between 0 and 100"},
    {R("'memory': {'disableOOMKiller': 1}"), "linux.resources.memory.disableOOMKiller: expected a boolean"},
    {R("'memory': {'useHierarchy': 1}"), "linux.resources.memory.useHierarchy: expected a boolean"},
    {R("'memory': {'checkBeforeUpdate': 1}"), "linux.resources.memory.checkBeforeUpdate: expected a boolean"},
    {R("'cpu': []"), "linux.resources.cpu: expected an object"},
    {R("'cpu': {'shares': -1}"), "linux.resources.cpu.shares: expected an unsigned 64-bit integer"},
    {R("'cpu': {'period': -1}"), "linux.resources.cpu.period: expected an unsigned 64-bit integer"},
    {R("'cpu': {'burst': 'x'}"), "linux.resources.cpu.burst: expected an unsigned 64-bit integer"},
    {R("'cpu': {'realtimeRuntime': -5}"),
     "linux.resources.cpu.realtimeRuntime: expected -1 (unlimited) or a non-negative integer"},
    {R("'cpu': {'realtimePeriod': -1}"), "linux.resources.cpu.realtimePeriod: expected an unsigned 64-bit integer"},
    {R("'cpu': {'idle': 2}"), "linux.resources.cpu.idle: expected an integer between 0 and 1"},
    {R("'cpu': {'cpus': 0}"), "linux.resources.cpu.cpus: expected a string"},
    {R("'cpu': {'mems': 0}"), "linux.resources.cpu.mems: expected a string"},
    {R("'pids': 5"), "linux.resources.pids: expected an object"},
    {R("'blockIO': []"), "linux.resources.blockIO: expected an object"},
    {R("'blockIO': {'weight': 70000}"), "linux.resources.blockIO.weight: expected an unsigned 16-bit integer"},
    {R("'blockIO': {'leafWeight': -1}"), "linux.resources.blockIO.leafWeight: expected an unsigned 16-bit integer"},
    {R("'blockIO': {'weightDevice': {}}"), "linux.resources.blockIO.weightDevice: expected an array"},
    {R("'blockIO': {'weightDevice': [1]}"), "linux.resources.blockIO.weightDevice[0]: expected an object"},
    {R("'blockIO': {'weightDevice': [{'minor': 0, 'weight': 10}]}"),
     "linux.resources.blockIO.weightDevice[0].major: required field is missing"},
    {R("'blockIO': {'weightDevice': [{'major': 8, 'weight': 10}]}"),
     "linux.resources.blockIO.weightDevice[0].minor: required field is missing"},
    {R("'blockIO': {'weightDevice': [{'major': 8, 'minor': 0, 'weight': 'x'}]}"),
     "linux.resources.blockIO.weightDevice[0].weight: expected an unsigned 16-bit integer"},
    {R("'blockIO': {'weightDevice': [{'major': 8, 'minor': 0, 'leafWeight': 65536}]}"),
     "linux.resources.blockIO.weightDevice[0].leafWeight: expected an unsigned 16-bit integer"},
    {R("'blockIO': {'throttleReadBpsDevice': [{'major': 8, 'minor': 0}]}"),
     "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required field is missing"},
    {R("'blockIO': {'throttleWriteBpsDevice': [{'major': 8, 'minor': 0, 'rate': -1}]}"),
     "linux.resources.blockIO.throttleWriteBpsDevice[0].rate: expected an unsigned 64-bit integer"},
    {R("'blockIO': {'throttleReadIOPSDevice': {}}"),
     "linux.resources.blockIO.throttleReadIOPSDevice: expected an array"},
    {R("'blockIO': {'throttleWriteIOPSDevice': [{'major': 'x', 'minor': 0, 'rate': 1}]}"),
     "linux.resources.blockIO.throttleWriteIOPSDevice[0].major: expected a 64-bit integer"},
    {R("'hugepageLimits': {}"), "linux.resources.hugepageLimits: expected an array"},
    {R("'hugepageLimits': [{'limit': 1}]"),
     "linux.resources.hugepageLimits[0].pageSize: expected a size such as \"2MB\" or \"1GB\""},
    {R("'hugepageLimits': [{'pageSize': '2M', 'limit': 1}]"),
     "linux.resources.hugepageLimits[0].pageSize: expected a size such as \"2MB\" or \"1GB\""},
    {R("'hugepageLimits': [{'pageSize': '02MB', 'limit': 1}]"),
     "linux.resources.hugepageLimits[0].pageSize: expected a size such as \"2MB\" or \"1GB\""},
    {R("'hugepageLimits': [{'pageSize': 'MB', 'limit': 1}]"),
     "linux.resources.hugepageLimits[0].pageSize: expected a size such as \"2MB\" or \"1GB\""},
    {R("'hugepageLimits': [{'pageSize': '2TB', 'limit': 1}]"),
     "linux.resources.hugepageLimits[0].pageSize: expected a size such as \"2MB\" or \"1GB\""},
    {R("'hugepageLimits': [{'pageSize': '2MBB', 'limit': 1}]"),
     "linux.resources.hugepageLimits[0].pageSize: expected a size such as \"2MB\" or \"1GB\""},
    {R("'hugepageLimits': [{'pageSize': '2MB'}]"),
     "linux.resources.hugepageLimits[0].limit: required field is missing"},
    {R("'network': []"), "linux.resources.network: expected an object"},
    {R("'network': {'classID': -1}"), "linux.resources.network.classID: expected an unsigned 32-bit integer"},
    {R("'network': {'priorities': [{'priority': 1}]}"),
     "linux.resources.network.priorities[0].name: required field is missing"},
    {R("'network': {'priorities': [{'name': 'eth0'}]}"),
     "linux.resources.network.priorities[0].priority: required field is missing"},
    {R("'rdma': []"), "linux.resources.rdma: expected an object"},
    {R("'rdma': {'mlx5_0': 1}"), "linux.resources.rdma.mlx5_0: expected an object"},
    {R("'rdma': {'mlx5_0': {}}"), "linux.resources.rdma.mlx5_0: expected hcaHandles or hcaObjects"},
    {R("'rdma': {'mlx5_0': {'hcaHandles': -1}}"),
     "linux.resources.rdma.mlx5_0.hcaHandles: expected an unsigned 32-bit integer"},
    {R("'rdma': {'mlx5_0': {'hcaObjects': 'x'}}"),
     "linux.resources.rdma.mlx5_0.hcaObjects: expected an unsigned 32-bit integer"},
    {R("'rdma': {'': {'hcaObjects': 1}}"), "linux.resources.rdma: keys must not be empty"},
    {R("'unified': []"), "linux.resources.unified: expected an object"},
    {R("'unified': {'memory.max': 1}"), "linux.resources.unified.memory.max: expected a string"},
    {R("'unified': {'../../cgroup.procs': '1'}"),
     "linux.resources.unified.../../cgroup.procs: expected a cgroup file name (no \"/\")"},
    {R("'unified': {'..': '1'}"), "linux.resources.unified...: expected a cgroup file name (no \"/\")"},
};

static void test_error_table(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
                _cleanup_free_ char *t = q(error_cases[i].json);
                _cleanup_error_ struct error *err = NULL;
                struct oci_spec *spec = (struct oci_spec *)0x1;
                int r = oci_spec_parse(t, strlen(t), "config.json", &spec, &err);
                if (r >= 0)
                        fail_msg("case %zu accepted: %s", i, t);
                assert_null(spec);
                assert_non_null(err);
                char want[1024];
                snprintf(want, sizeof(want), "config.json: %s", error_cases[i].error);
                /* Exact match, or a prefix for the long "expected one of" lists checked elsewhere. */
                if (strncmp(err->msg, want, strlen(want)) != 0)
                        fail_msg("case %zu: %s\n  got:  %s\n  want: %s", i, t, err->msg, want);
        }
}

static void test_process_parse(void **state)
{
        (void)state;
        _cleanup_error_ struct error *err = NULL;
        struct oci_process *p = NULL;
        _cleanup_free_ char *ok = q("{'cwd': '/tmp', 'args': ['ls', '-l'], 'env': ['A=b'], 'terminal': false,"
                                    " 'user': {'uid': 5, 'gid': 6}, 'capabilities': {'bounding': ['CAP_SETUID']}}");
        assert_int_equal(oci_process_parse(ok, strlen(ok), "process.json", &p, &err), 0);
        assert_string_equal(p->cwd, "/tmp");
        assert_string_equal(p->args[1], "-l");
        assert_string_equal(p->env[0], "A=b");
        assert_true(p->has_user);
        assert_int_equal(p->uid, 5);
        assert_int_equal(p->gid, 6);
        assert_null(p->username);
        assert_true(p->has_caps);
        assert_int_equal(p->caps.bounding, CAP(CAP_SETUID));
        assert_int_equal(p->caps.effective, 0);
        oci_process_free(p);

        static const struct {
                const char *json;
                const char *error;
        } cases[] = {
            {"{'args': ['x']}", "process.json: cwd: expected an absolute path"},
            {"{'cwd': '/', 'args': []}", "process.json: args: expected a non-empty array of strings"},
            {"{'cwd': '/', 'args': ['x'], 'user': {'uid': 0}}", "process.json: user.gid: required field is missing"},
            {"{'cwd': '/', 'args': ['x'], 'rlimits': [{'type': 'RLIMIT_X', 'soft': 1, 'hard': 1}]}",
             "process.json: rlimits[0].type: unknown rlimit \"RLIMIT_X\""},
            {"[]", "process.json: expected a JSON object at the top level"},
            {"{", "process.json: invalid JSON at line 1, column 2: unexpected end of input"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_free_ char *t = q(cases[i].json);
                error_free(&err);
                p = (struct oci_process *)0x1;
                assert_true(oci_process_parse(t, strlen(t), "process.json", &p, &err) < 0);
                assert_null(p);
                if (strncmp(err->msg, cases[i].error, strlen(cases[i].error)) != 0)
                        fail_msg("got \"%s\", want \"%s\"", err->msg, cases[i].error);
        }
        /* NULL text reads as an empty document; the default origin names the file. */
        error_free(&err);
        assert_true(oci_process_parse(NULL, 0, NULL, &p, &err) < 0);
        assert_string_equal(err->msg, "process.json: invalid JSON at line 1, column 1: unexpected end of input");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_full_config),     cmocka_unit_test(test_minimal_config),
            cmocka_unit_test(test_seccomp_actions), cmocka_unit_test(test_rlimit_names),
            cmocka_unit_test(test_ns_names),        cmocka_unit_test(test_error_table),
            cmocka_unit_test(test_process_parse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
