#include "init/env.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/passwd.h"

/* Length of the key part ("K" of "K=V"); an entry without '=' is all key. */
static size_t key_len(const char *entry)
{
        const char *eq = strchr(entry, '=');
        return eq ? (size_t)(eq - entry) : strlen(entry);
}

static bool same_key(const char *a, const char *b)
{
        size_t n = key_len(a);
        return n == key_len(b) && strncmp(a, b, n) == 0;
}

const char *env_lookup(char *const *env, const char *key)
{
        const char *found = NULL;
        size_t n = strlen(key);
        for (char *const *e = env; e && *e; e++)
                if (strncmp(*e, key, n) == 0 && (*e)[n] == '=')
                        found = *e + n + 1;
        return found;
}

static size_t strv_length(char *const *v)
{
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

/* FNV-1a over the key part: a table from key to position keeps the merge linear (a config may carry
 * hundreds of thousands of entries; comparing each with all before it took minutes). */
static size_t key_hash(const char *entry)
{
        uint64_t h = 14695981039346656037ULL;
        for (const char *p = entry; *p && *p != '='; p++)
                h = (h ^ (uint8_t)*p) * 1099511628211ULL;
        return (size_t)h;
}

/* The list being built and an open-addressing index of its keys (slot = position + 1, 0 = free). */
struct env_list {
        char **list;
        size_t n;
        size_t *slots;
        size_t mask;
};

/* Put a copy of `entry` in the list, replacing the value of an entry with the same key in place. */
static int add_entry(struct env_list *l, const char *entry)
{
        char *copy = strdup(entry);
        if (!copy)
                return -ENOMEM;
        size_t i = key_hash(entry) & l->mask;
        for (; l->slots[i]; i = (i + 1) & l->mask) {
                char **slot = &l->list[l->slots[i] - 1];
                if (same_key(*slot, entry)) {
                        free(*slot);
                        *slot = copy;
                        return 0;
                }
        }
        l->slots[i] = l->n + 1;
        l->list[l->n++] = copy;
        return 0;
}

int env_build(char *const *base, char *const *extra, const char *home, char ***out)
{
        size_t entries = strv_length(base) + strv_length(extra);
        size_t table = 16;
        while (table < 2 * entries) /* at most half full: short probe runs */
                if ((table *= 2) == 0 || table > SIZE_MAX / sizeof(size_t))
                        return -ENOMEM;
        _cleanup_strv_ char **list = calloc(entries + 2, sizeof(char *));
        _cleanup_free_ size_t *slots = calloc(table, sizeof(size_t));
        if (!list || !slots)
                return -ENOMEM;
        struct env_list l = {.list = list, .n = 0, .slots = slots, .mask = table - 1};
        for (char *const *e = base; e && *e; e++)
                if (add_entry(&l, *e) < 0)
                        return -ENOMEM;
        for (char *const *e = extra; e && *e; e++)
                if (add_entry(&l, *e) < 0)
                        return -ENOMEM;
        if (home && !env_lookup(list, "HOME")) {
                if (asprintf(&list[l.n], "HOME=%s", home) < 0) {
                        list[l.n] = NULL;
                        return -ENOMEM;
                }
        }
        *out = TAKE_PTR(list);
        return 0;
}

int env_passwd_home(FILE *passwd, uid_t uid, char **home)
{
        return passwd_field(passwd, uid, PASSWD_HOME, home);
}
