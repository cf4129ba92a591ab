/* /proc/<pid>/mountinfo, read and split in one place (proc_pid_mountinfo(5)). Each line is
 *
 *   ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER-OPTIONS
 *
 * with fields separated by exactly one space. The kernel escapes space, tab, newline and backslash in
 * paths and names as `\NNN` (three octal digits), so a field never holds a blank of its own.
 *
 * Policy for malformed lines: a line that does not have this shape (fewer than six fields before the
 * optional ones, no "-" separator, not exactly three fields after it, a non-decimal id or device, an
 * empty field other than SOURCE) is reported as -EINVAL by mountinfo_next, which has already moved past
 * it: a caller that skips bad lines calls mountinfo_next again, one that refuses the text stops. Blank
 * lines are skipped silently; a missing final newline is fine.
 *
 * Escapes: `\NNN` with three octal digits and a value from 1 to 0377 becomes that byte; anything else
 * after a backslash (a lone `\`, `\0NN` that would be a NUL, `\8`) stays as written, so a decoded field
 * never ends early and never reads past its end. The optional fields are returned as written (the kernel
 * prints them as "tag:N" and never escapes them). */
#pragma once
#include <stddef.h>
#include <sys/types.h>

#include "core/error.h"

/* The one size cap for reading a mountinfo file: a host with tens of thousands of mounts stays well
 * below it, a runaway file does not eat the runtime's memory. */
#define MOUNTINFO_MAX_SIZE (16u << 20)

/* One line, decoded. The strings point into the iterator's buffer: valid until the next call. */
struct mountinfo_entry {
        int mount_id, parent_id;
        unsigned major, minor;
        const char *root;          /* the directory of the file system mounted here, "/" for its root */
        const char *mount_point;   /* relative to the reading process's root */
        const char *options;       /* per-mount options, e.g. "rw,nosuid,relatime" */
        const char *optional;      /* e.g. "shared:1 master:2", "" when none */
        const char *fstype;        /* e.g. "cgroup2", "fuse.sshfs" */
        const char *source;        /* file-system specific, may be "" */
        const char *super_options; /* per-super-block options, e.g. "rw,cpu,cpuacct" */
};

struct mountinfo_iter {
        const char *next; /* the rest of the text */
        size_t line;      /* 1-based number of the line last returned (or rejected) */
        char *buf;        /* the current line, split and decoded in place */
        size_t cap;
};

void mountinfo_iter_init(struct mountinfo_iter *it, const char *text);
/* 1: the next line is in *e; 0: end of the text; -EINVAL: line it->line is malformed (see above);
 * -ENOMEM. */
int mountinfo_next(struct mountinfo_iter *it, struct mountinfo_entry *e);
void mountinfo_iter_done(struct mountinfo_iter *it);

/* Split and decode one line (no newline) in place; 0 or -EINVAL. The strings of *e point into `line`. */
int mountinfo_parse_line(char *line, struct mountinfo_entry *e);

/* Read /proc/<pid>/mountinfo (pid 0: /proc/self/mountinfo) with the size cap above into *text (heap,
 * NUL-terminated). On failure `err` names the file. This is the only part of the module that makes a
 * syscall (mountinfo_read.c). */
int mountinfo_read(pid_t pid, char **text, struct error **err);
