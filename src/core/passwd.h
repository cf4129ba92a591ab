/* passwd(5) entries by uid, read from a stream the caller opened (pure: no syscalls). Used for the HOME of
 * the container process (the container's /etc/passwd) and for the `owner` of a container's state (the
 * host's /etc/passwd, before the name service is asked). */
#pragma once
#include <stdio.h>
#include <sys/types.h>

/* name:password:uid:gid:gecos:home:shell */
enum passwd_field {
        PASSWD_NAME = 0,
        PASSWD_HOME = 5,
};

/* Field `field` of the first entry for `uid` (as with getpwuid): 1 and *out (heap) when found non-empty, 0
 * when there is no entry for `uid` or its field is empty, -ENOMEM. Comments and malformed lines are
 * skipped. */
int passwd_field(FILE *passwd, uid_t uid, enum passwd_field field, char **out);
