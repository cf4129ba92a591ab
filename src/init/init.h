/* The container init: the process cloned into the new namespaces. It sets itself up in the documented
 * order, reports READY and waits for `start`, then hands over to the executor. */
#pragma once
#include <stdbool.h>

#include "executor/executor.h"
#include "oci/spec.h"

struct init_args {
        const struct oci_spec *spec;
        struct executor_ctx *exec_ctx;
        const char *bundle;          /* absolute */
        const char *rootfs;          /* absolute */
        const char *state_json;      /* for createContainer hooks */
        int sync_fd;                 /* SOCK_SEQPACKET to the runtime */
        int exec_sock_fd;            /* listening socket `start` connects to */
        int user_ns_fd;              /* >= 0: join this user namespace (others were joined by the runtime) */
        unsigned long unshare_flags; /* namespaces the init creates itself (cgroup; all when joining a userns) */
        bool has_new_userns;
        const char *console_socket; /* NULL: pty master goes to the runtime (foreground run) */
        int console_socket_fd;      /* >= 0: --console-socket, connected by the runtime (terminal only) */
        int preserve_fds;
        const char *notify_socket; /* NOTIFY_SOCKET for the workload (sd_notify proxy), NULL when none */
        bool no_pivot;
        bool is_dumpable_until_go; /* rootless with a new user namespace: see child_main in create.c */
};

/* Never returns: _exit()s on failure after reporting the error over sync_fd. */
__attribute__((noreturn)) void container_init(struct init_args *a);
