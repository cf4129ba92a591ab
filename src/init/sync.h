/* The runtime <-> container init handshake over a SOCK_SEQPACKET socketpair: one message per step,
 * an error from the init travels back as a message with its errno and text. */
#pragma once
#include <stdint.h>

#include "core/error.h"

enum sync_type {
        SYNC_GO = 1,      /* runtime: maps written, cgroup joined; init may set up */
        SYNC_MOUNTS_DONE, /* init: mounts done, waiting for prestart/createRuntime hooks */
        SYNC_HOOKS_DONE,  /* runtime: those hooks ran */
        SYNC_PTY,         /* init: the pty master travels with this message (foreground run) */
        SYNC_READY,       /* init: everything set up, waiting for start */
        SYNC_DETACH,      /* runtime: create is done; drop the parent-death signal */
        SYNC_START,       /* runtime (run): start now */
        SYNC_ACK,         /* generic acknowledgement */
        SYNC_ERROR,       /* either side: failed; payload = message */
        SYNC_IDMAP_MOUNT, /* runtime, before GO: a detached idmapped mount travels with it (linux/idmap.h) */
};

struct sync_msg {
        uint32_t type;
        int32_t errnum;
        int32_t value; /* e.g. the pid of the init in its own pid namespace */
        char text[4084];
};

int sync_send(int fd, enum sync_type type, int32_t value, struct error **err);
/* Send `fd_to_pass` along with a message (SCM_RIGHTS). */
int sync_send_fd(int fd, enum sync_type type, int fd_to_pass, struct error **err);
/* Forward an error to the other side (best effort). */
void sync_send_error(int fd, const struct error *e);
/* Receive one message; expects `want` (0 = any type) and turns SYNC_ERROR into a struct error. EOF is an error too.
 * If `passed_fd` is non-NULL, a passed descriptor is stored there (-1 when none). */
int sync_expect(int fd, enum sync_type want, struct sync_msg *msg, int *passed_fd, struct error **err);
