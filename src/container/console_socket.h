/* --console-socket, the runtime's side of process.terminal: the pty master is sent there by the init or by
 * exec's process (init/terminal.h). */
#pragma once
#include "core/error.h"

/* Before the clone (or exec's fork): connect to --console-socket (AF_UNIX SOCK_STREAM) while its host path
 * is reachable with the runtime's credentials; the child inherits the connection. */
int console_socket_connect(const char *path, int *sock, struct error **err);
