/* What a mounts[] entry asks for, read before anything is mounted (see mount_entry.h). Pure. */
#include "linux/mount_entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *mount_bind_source(const char *bundle, const char *source)
{
        char *path = NULL;
        if (source[0] == '/')
                return strdup(source);
        return asprintf(&path, "%s/%s", bundle, source) < 0 ? NULL : path;
}

int mount_entry_options(const struct oci_mount *m, struct mount_options *o, struct error **err)
{
        /* mount_options_parse takes char *const *: the defaults are never written to. */
        return mount_options_parse(m->options ? m->options : (char *const *)mount_default_options(m->destination), o,
                                   err);
}
