/* OCI mounts[].options → what mount(2), mount_setattr(2) and our own mount code need. Pure: no syscalls.
 * The option names live in one table, shared with `features` (mountOptions) through mount_option_names. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct mount_options {
        unsigned long flags;         /* MS_* to set on mount/remount (never MS_BIND/MS_REC: see is_bind) */
        unsigned long clear_flags;   /* MS_* explicitly cleared by the options (rw, suid, atime, ...) */
        unsigned long propagation;   /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE [|MS_REC], 0 = none; last wins */
        uint64_t attr_set, attr_clr; /* MOUNT_ATTR_* applied recursively with mount_setattr (rro, rnosuid, ...) */
        char *data;                  /* options unknown to the table, joined with ','; NULL when none */
        bool is_bind;                /* bind or rbind */
        bool is_rbind;
        bool tmpcopyup;    /* copy the shadowed directory into the new tmpfs */
        bool copy_symlink; /* a symlink source is recreated as a symlink instead of mounted */
        bool src_nofollow, dest_nofollow;
        bool idmap, ridmap; /* idmapped mount; ridmap = recursively */
        char *idmap_value;  /* "uids=...;gids=..." from idmap=..., NULL when absent */
};

/* `options` is NULL-terminated (or NULL). Fails only on an unusable option (e.g. an empty idmap= value);
 * unknown options are filesystem data, as with crun. */
int mount_options_parse(char *const *options, struct mount_options *out, struct error **err);
void mount_options_free(struct mount_options *o);
static inline void mount_options_freep(struct mount_options *o)
{
        mount_options_free(o);
}
#define _cleanup_mount_options_ __attribute__((cleanup(mount_options_freep)))

/* Whether `data` (comma separated) already contains the key `key` ("mode" matches "mode=755"). */
bool mount_data_has_key(const char *data, const char *key);
/* Append `item` to a comma-separated data string (heap, may be NULL); returns the new string or NULL (ENOMEM). */
char *mount_data_append(char *data, const char *item);
/* A copy of `data` without the item `item` ("gid=5"); NULL when the result is empty or on ENOMEM. */
char *mount_data_remove(const char *data, const char *item);

/* crun's defaults for a mount entry without `options`, by destination ("/dev/shm" → noexec,nosuid,nodev,
 * mode=1777,size=65536k); NULL-terminated static list, NULL when the destination has no default. */
const char *const *mount_default_options(const char *destination);

/* Every option name the table knows (for `features`), in table order. */
const char *mount_option_name(size_t i); /* NULL past the end */
size_t mount_option_count(void);
