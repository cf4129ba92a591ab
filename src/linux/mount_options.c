/* Table-driven translation of OCI mount options. Pure: unit tested value by value. */
#include "linux/mount_options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "core/cleanup.h"

enum option_kind {
        OPT_NOOP,  /* "defaults" */
        OPT_SET,   /* MS_* set */
        OPT_CLEAR, /* MS_* cleared */
        OPT_PROPAGATION,
        OPT_ATTR_SET,   /* MOUNT_ATTR_* set recursively */
        OPT_ATTR_CLR,   /* MOUNT_ATTR_* cleared recursively */
        OPT_ATTR_ATIME, /* one of the MOUNT_ATTR__ATIME values: the whole atime field is replaced */
        OPT_BIND,
        OPT_RBIND,
        OPT_TMPCOPYUP,
        OPT_COPY_SYMLINK,
        OPT_SRC_NOFOLLOW,
        OPT_DEST_NOFOLLOW,
        OPT_IDMAP,
        OPT_RIDMAP,
};

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

struct option_def {
        const char *name;
        enum option_kind kind;
        uint64_t value;
};

/* The order is the one `features` prints. */
static const struct option_def option_table[] = {
    {"defaults", OPT_NOOP, 0},
    {"ro", OPT_SET, MS_RDONLY},
    {"rw", OPT_CLEAR, MS_RDONLY},
    {"nosuid", OPT_SET, MS_NOSUID},
    {"suid", OPT_CLEAR, MS_NOSUID},
    {"nodev", OPT_SET, MS_NODEV},
    {"dev", OPT_CLEAR, MS_NODEV},
    {"noexec", OPT_SET, MS_NOEXEC},
    {"exec", OPT_CLEAR, MS_NOEXEC},
    {"sync", OPT_SET, MS_SYNCHRONOUS},
    {"async", OPT_CLEAR, MS_SYNCHRONOUS},
    {"dirsync", OPT_SET, MS_DIRSYNC},
    {"remount", OPT_SET, MS_REMOUNT},
    {"mand", OPT_SET, MS_MANDLOCK},
    {"nomand", OPT_CLEAR, MS_MANDLOCK},
    {"atime", OPT_CLEAR, MS_NOATIME},
    {"noatime", OPT_SET, MS_NOATIME},
    {"diratime", OPT_CLEAR, MS_NODIRATIME},
    {"nodiratime", OPT_SET, MS_NODIRATIME},
    {"relatime", OPT_SET, MS_RELATIME},
    {"norelatime", OPT_CLEAR, MS_RELATIME},
    {"strictatime", OPT_SET, MS_STRICTATIME},
    {"nostrictatime", OPT_CLEAR, MS_STRICTATIME},
    {"iversion", OPT_SET, MS_I_VERSION},
    {"noiversion", OPT_CLEAR, MS_I_VERSION},
    {"lazytime", OPT_SET, MS_LAZYTIME},
    {"nolazytime", OPT_CLEAR, MS_LAZYTIME},
    {"silent", OPT_SET, MS_SILENT},
    {"loud", OPT_CLEAR, MS_SILENT},
    {"nosymfollow", OPT_SET, MS_NOSYMFOLLOW},
    {"symfollow", OPT_CLEAR, MS_NOSYMFOLLOW},
    {"bind", OPT_BIND, 0},
    {"rbind", OPT_RBIND, 0},
    {"private", OPT_PROPAGATION, MS_PRIVATE},
    {"rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC},
    {"shared", OPT_PROPAGATION, MS_SHARED},
    {"rshared", OPT_PROPAGATION, MS_SHARED | MS_REC},
    {"slave", OPT_PROPAGATION, MS_SLAVE},
    {"rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC},
    {"unbindable", OPT_PROPAGATION, MS_UNBINDABLE},
    {"runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC},
    {"rro", OPT_ATTR_SET, MOUNT_ATTR_RDONLY},
    {"rrw", OPT_ATTR_CLR, MOUNT_ATTR_RDONLY},
    {"rnosuid", OPT_ATTR_SET, MOUNT_ATTR_NOSUID},
    {"rsuid", OPT_ATTR_CLR, MOUNT_ATTR_NOSUID},
    {"rnodev", OPT_ATTR_SET, MOUNT_ATTR_NODEV},
    {"rdev", OPT_ATTR_CLR, MOUNT_ATTR_NODEV},
    {"rnoexec", OPT_ATTR_SET, MOUNT_ATTR_NOEXEC},
    {"rexec", OPT_ATTR_CLR, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", OPT_ATTR_SET, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", OPT_ATTR_CLR, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", OPT_ATTR_SET, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", OPT_ATTR_CLR, MOUNT_ATTR_NOSYMFOLLOW},
    /* The kernel keeps atime as one 3-valued field: every r*atime option replaces it as a whole
     * (clearing only part of MOUNT_ATTR__ATIME is EINVAL). "Not noatime"/"not strictatime" is relatime. */
    {"rnoatime", OPT_ATTR_ATIME, MOUNT_ATTR_NOATIME},
    {"ratime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME},
    {"rrelatime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME},
    {"rnorelatime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME},
    {"rstrictatime", OPT_ATTR_ATIME, MOUNT_ATTR_STRICTATIME},
    {"rnostrictatime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME},
    {"tmpcopyup", OPT_TMPCOPYUP, 0},
    {"copy-symlink", OPT_COPY_SYMLINK, 0},
    {"src-nofollow", OPT_SRC_NOFOLLOW, 0},
    {"dest-nofollow", OPT_DEST_NOFOLLOW, 0},
    {"idmap", OPT_IDMAP, 0},
    {"ridmap", OPT_RIDMAP, 0},
};

const char *mount_option_name(size_t i)
{
        return i < ARRAY_SIZE(option_table) ? option_table[i].name : NULL;
}
size_t mount_option_count(void)
{
        return ARRAY_SIZE(option_table);
}

static const struct option_def *find_option(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(option_table); i++)
                if (strcmp(option_table[i].name, name) == 0)
                        return &option_table[i];
        return NULL;
}

char *mount_data_append(char *data, const char *item)
{
        size_t old = data ? strlen(data) : 0, add = strlen(item);
        char *n = realloc(data, old + add + 2);
        if (!n) {
                free(data);
                return NULL;
        }
        if (old)
                n[old++] = ',';
        memcpy(n + old, item, add + 1);
        return n;
}

bool mount_data_has_key(const char *data, const char *key)
{
        size_t klen = strlen(key);
        for (const char *p = data; p && *p;) {
                const char *end = strchrnul(p, ',');
                if ((size_t)(end - p) >= klen && strncmp(p, key, klen) == 0 && (p[klen] == '=' || p + klen == end))
                        return true;
                p = *end ? end + 1 : end;
        }
        return false;
}

char *mount_data_remove(const char *data, const char *item)
{
        char *out = NULL;
        size_t ilen = strlen(item);
        for (const char *p = data; p && *p;) {
                const char *end = strchrnul(p, ',');
                size_t len = (size_t)(end - p);
                if (len && !(len == ilen && strncmp(p, item, ilen) == 0)) {
                        _cleanup_free_ char *one = strndup(p, len);
                        if (!one || !(out = mount_data_append(out, one))) {
                                free(out);
                                return NULL;
                        }
                }
                p = *end ? end + 1 : end;
        }
        return out;
}

static void set_flag(struct mount_options *o, unsigned long f)
{
        o->flags |= f;
        o->clear_flags &= ~f;
}

static void clear_flag(struct mount_options *o, unsigned long f)
{
        o->flags &= ~f;
        o->clear_flags |= f;
}

static int apply_known(struct mount_options *o, const struct option_def *d)
{
        switch (d->kind) {
        case OPT_NOOP:
                break;
        case OPT_SET:
                set_flag(o, d->value);
                /* The atime modes exclude each other: the last one wins, as with mount(8). */
                if (d->value == MS_RELATIME)
                        clear_flag(o, MS_STRICTATIME | MS_NOATIME);
                else if (d->value == MS_STRICTATIME)
                        clear_flag(o, MS_RELATIME | MS_NOATIME);
                else if (d->value == MS_NOATIME)
                        clear_flag(o, MS_RELATIME | MS_STRICTATIME);
                break;
        case OPT_CLEAR:
                clear_flag(o, d->value);
                break;
        case OPT_PROPAGATION:
                o->propagation = d->value;
                break;
        case OPT_ATTR_SET:
                o->attr_set |= d->value;
                o->attr_clr &= ~d->value;
                break;
        case OPT_ATTR_CLR:
                o->attr_clr |= d->value;
                o->attr_set &= ~d->value;
                break;
        case OPT_ATTR_ATIME:
                o->attr_set = (o->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | d->value;
                o->attr_clr |= MOUNT_ATTR__ATIME;
                break;
        case OPT_BIND:
                o->is_bind = true;
                break;
        case OPT_RBIND:
                o->is_bind = o->is_rbind = true;
                break;
        case OPT_TMPCOPYUP:
                o->tmpcopyup = true;
                break;
        case OPT_COPY_SYMLINK:
                o->copy_symlink = true;
                break;
        case OPT_SRC_NOFOLLOW:
                o->src_nofollow = true;
                break;
        case OPT_DEST_NOFOLLOW:
                o->dest_nofollow = true;
                break;
        case OPT_IDMAP:
                o->idmap = true;
                break;
        case OPT_RIDMAP:
                o->idmap = o->ridmap = true;
                break;
        }
        return 0;
}

int mount_options_parse(char *const *options, struct mount_options *out, struct error **err)
{
        struct mount_options o = {0};
        for (size_t i = 0; options && options[i]; i++) {
                const char *opt = options[i];
                const struct option_def *d = find_option(opt);
                if (d) {
                        apply_known(&o, d);
                        continue;
                }
                /* crun's custom mapping form: idmap=uids=0-1000-10;gids=... (never passed to mount(2)). */
                if (strncmp(opt, "idmap=", 6) == 0 || strncmp(opt, "ridmap=", 7) == 0) {
                        bool rec = opt[0] == 'r';
                        const char *v = strchr(opt, '=') + 1;
                        if (!*v) {
                                mount_options_free(&o);
                                return error_set(err, EINVAL, "mount option `%s`: empty mapping", opt);
                        }
                        free(o.idmap_value);
                        o.idmap_value = strdup(v);
                        if (!o.idmap_value) {
                                mount_options_free(&o);
                                return error_set(err, ENOMEM, "mount option `%s`", opt);
                        }
                        o.idmap = true;
                        o.ridmap = o.ridmap || rec;
                        continue;
                }
                if (!*opt)
                        continue; /* an empty string carries nothing; passing it as data would be EINVAL */
                o.data = mount_data_append(o.data, opt);
                if (!o.data) {
                        mount_options_free(&o);
                        return error_set(err, ENOMEM, "mount option `%s`", opt);
                }
        }
        *out = o;
        return 0;
}

void mount_options_free(struct mount_options *o)
{
        free(o->data);
        free(o->idmap_value);
        o->data = o->idmap_value = NULL;
}

struct default_options {
        const char *destination;
        const char *const options[8];
};

static const struct default_options default_table[] = {
    {"/sys", {"noexec", "nosuid", "nodev", NULL}},
    {"/dev/mqueue", {"noexec", "nosuid", "nodev", NULL}},
    {"/dev", {"noexec", "strictatime", "mode=755", NULL}},
    {"/dev/shm", {"noexec", "nosuid", "nodev", "mode=1777", "size=65536k", NULL}},
    {"/dev/pts", {"noexec", "nosuid", "newinstance", "ptmxmode=0666", "mode=620", "gid=5", NULL}},
    {"/sys/fs/cgroup", {"noexec", "nosuid", "strictatime", NULL}},
};

const char *const *mount_default_options(const char *destination)
{
        for (size_t i = 0; i < ARRAY_SIZE(default_table); i++)
                if (strcmp(default_table[i].destination, destination) == 0)
                        return default_table[i].options;
        return NULL;
}
