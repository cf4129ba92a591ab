/* The pure half of src/linux/userns.h: rootless detection from the uid_map text, the default mapping,
 * and the newuidmap/newgidmap command lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "linux/userns.h"

bool userns_map_is_initial(const char *uid_map)
{
        unsigned long long inside, outside, size;
        int consumed = 0;
        if (sscanf(uid_map, " %llu %llu %llu %n", &inside, &outside, &size, &consumed) != 3)
                return false;
        /* One line only: a second entry means a namespace that maps ranges, whatever the first says. */
        return inside == 0 && outside == 0 && size == 4294967295ULL && uid_map[consumed] == '\0';
}

bool userns_is_rootless(uid_t euid, const char *uid_map)
{
        if (euid != 0)
                return true;
        return uid_map && !userns_map_is_initial(uid_map);
}

static int default_map(struct oci_id_mapping **m, size_t *n, uint32_t id)
{
        *m = calloc(1, sizeof(**m));
        if (!*m)
                return -ENOMEM;
        **m = (struct oci_id_mapping){.container_id = 0, .host_id = id, .size = 1};
        *n = 1;
        return 0;
}

int userns_fill_default_mappings(struct oci_linux *l, uid_t uid, gid_t gid, struct error **err)
{
        bool has_new_userns = false;
        for (size_t i = 0; i < l->n_namespaces; i++)
                if (l->namespaces[i].type == NS_USER && !l->namespaces[i].path)
                        has_new_userns = true;
        /* The parser requires uidMappings and gidMappings together: one absent means both are. */
        if (!has_new_userns || l->n_uid_mappings > 0 || l->n_gid_mappings > 0)
                return 0;
        if (default_map(&l->uid_mappings, &l->n_uid_mappings, uid) < 0 ||
            default_map(&l->gid_mappings, &l->n_gid_mappings, gid) < 0)
                return error_set(err, ENOMEM, "default user namespace mapping");
        return 1;
}

bool userns_map_is_own_id(const struct oci_id_mapping *m, size_t n, uint32_t own_id)
{
        return n == 1 && m[0].host_id == own_id && m[0].size == 1;
}

static char *number_text(long long v)
{
        char buf[24];
        snprintf(buf, sizeof(buf), "%lld", v);
        return strdup(buf);
}

char **userns_helper_argv(const char *prog, pid_t pid, const struct oci_id_mapping *m, size_t n)
{
        /* calloc'd: the entries not filled yet are NULL, where the cleanup stops. */
        _cleanup_strv_ char **argv = calloc(2 + 3 * n + 1, sizeof(char *));
        if (!argv || !(argv[0] = strdup(prog)) || !(argv[1] = number_text(pid)))
                return NULL;
        size_t k = 2;
        for (size_t i = 0; i < n; i++) {
                const uint32_t v[3] = {m[i].container_id, m[i].host_id, m[i].size};
                for (int j = 0; j < 3; j++)
                        if (!(argv[k++] = number_text(v[j])))
                                return NULL;
        }
        return TAKE_PTR(argv);
}
