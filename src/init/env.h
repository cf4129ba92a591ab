/* The container process environment (pure: no syscalls; the passwd file is passed in). */
#pragma once
#include <stdio.h>
#include <sys/types.h>

/* The value of `key` in a NULL-terminated "K=V" list (NULL list allowed); the last occurrence wins, as for
 * the final environment. NULL when absent. */
const char *env_lookup(char *const *env, const char *key);

/* `base` then `extra` (either may be NULL) as one NULL-terminated heap list: an entry whose key already
 * appeared replaces the earlier value in place (so the OCI order is kept and later entries win), and
 * HOME=`home` is appended when `home` is non-NULL and no entry set HOME. 0 or -ENOMEM. */
int env_build(char *const *base, char *const *extra, const char *home, char ***out);

/* Home directory of `uid` from a passwd(5) stream: 1 and *home (heap) when found with a non-empty home,
 * 0 when absent (or its first entry has no home), -ENOMEM. Malformed lines are skipped. */
int env_passwd_home(FILE *passwd, uid_t uid, char **home);
