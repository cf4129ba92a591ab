/* linux.seccomp through libseccomp. Pure part: validation with errors naming the JSON path (the name
 * tables, which this header brings along, are seccomp_names.h). Building the filter is user-space work
 * inside libseccomp (done at create so a bad profile fails `create`); loading it is the one privileged
 * step, done by the init at the moment oci-runtime.md §4 prescribes (before the user switch without
 * noNewPrivileges, as the last step before execve with it). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"
#include "core/seccomp_names.h"
#include "oci/spec.h"

/* Every name and combination checked, errors name the path: "linux.seccomp.syscalls[2].action: unknown
 * action `SCMP_ACT_FOO`". */
int seccomp_validate(const struct oci_seccomp *s, struct error **err);
/* The JSON sent with the notify fd to listenerPath ("container process state"); caller frees. */
char *seccomp_listener_payload(const char *metadata, pid_t pid, const char *state_json);

struct seccomp_filter;

/* The annotation that makes an unknown syscall name in linux.seccomp an error (crun's): its presence, not its
 * value, is what counts. */
#define SECCOMP_FAIL_UNKNOWN_SYSCALL_ANNOTATION "run.oci.seccomp_fail_unknown_syscall"

/* Validate and build. Unknown syscall names are skipped (logged at debug) unless fail_unknown_syscall
 * (annotation SECCOMP_FAIL_UNKNOWN_SYSCALL_ANNOTATION is set). */
int seccomp_filter_build(const struct oci_seccomp *s, bool fail_unknown_syscall, struct seccomp_filter **out,
                         struct error **err);
/* Whether the filter has SCMP_ACT_NOTIFY rules and a listenerPath to send the notify fd to. */
bool seccomp_filter_wants_listener(const struct seccomp_filter *f);
/* Connect to listenerPath (do this while the host path is reachable, i.e. before pivot_root). */
int seccomp_listener_connect(const struct seccomp_filter *f, int *sock, struct error **err);
/* Load into the kernel. With a listener socket (>= 0), the notify fd is sent over it with the payload
 * (pid = the init's pid as the runtime sees it, state_json = the state object) and the socket closed. */
int seccomp_filter_load(struct seccomp_filter *f, int listener_sock, pid_t host_pid, const char *state_json,
                        struct error **err);
void seccomp_filter_free(struct seccomp_filter *f);
/* Without noNewPrivileges the filter loads while the runtime still needs CAP_SYS_ADMIN, before the
 * identity switch. What the runtime does after that, which such a profile must allow (init and exec). */
#define SECCOMP_RUNTIME_SYSCALLS_AFTER_LOAD "prctl, capget, capset, setgroups, setresgid, setresuid, umask, execve"
/* Context for an EPERM/ENOSYS of the identity switch under such a filter: most likely the profile. */
int seccomp_blame_profile(struct error **err);
