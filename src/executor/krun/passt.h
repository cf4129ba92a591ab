/* passt, the user-mode network stack behind `krun.use_passt` (krun-mode.md §2.3). */
#pragma once
#include <stdbool.h>

#include "core/error.h"

/* `passt` looked up on the host's PATH (`path_env`, NULL = the default search path) at create, so the
 * init can exec it by absolute path whatever its root is by then. *out is heap-allocated. */
int krun_passt_find(const char *path_env, char **out, struct error **err);
/* The argv: passt -t all [-u all --no-dhcp-dns] --no-map-gw --fd N. UDP forwarding and the DHCP DNS
 * option are left out when the host has /dev/nitro_enclaves (as crun does). `fd_buf` holds N. Pure. */
void krun_passt_argv(const char *passt_path, bool has_nitro, int child_fd, char fd_buf[16], const char *argv[12]);
/* socketpair + fork/exec passt; waits for its first process (passt daemonizes once ready). On success
 * *parent_fd is our end of the socket, for krun_add_net_unixstream. */
int krun_passt_start(const char *passt_path, bool has_nitro, int *parent_fd, struct error **err);
