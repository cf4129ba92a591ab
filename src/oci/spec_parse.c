/* The parse helpers shared by the config.json parsers (see spec_parse.h). Pure: no syscalls. */
#include "oci/spec_parse.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/cleanup.h"
#include "core/json.h"

void spec_strv_free(char **strv)
{
        cleanup_strvp(&strv);
}

void spec_kv_free(struct oci_kv *kv, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(kv[i].key);
                free(kv[i].value);
        }
        free(kv);
}

/* The allocation is stored into `array_slot` with memcpy so no `struct T **` is accessed as `void **`. */
static void *alloc_into(void *array_slot, size_t n, size_t elem_size)
{
        void *array = calloc(n ? n : 1, elem_size);
        if (array)
                memcpy(array_slot, &array, sizeof(array));
        return array;
}

int spec_parse_object_array(struct json_object *obj, const char *parent, const char *key, size_t elem_size,
                            void *array_slot, size_t *n_out, spec_element_fn fn, struct error **err)
{
        struct json_object *arr = NULL;
        size_t n = 0;
        int r = json_get_array(obj, parent, key, &arr, &n, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, key);
        void *array = alloc_into(array_slot, n, elem_size);
        if (!base || !array)
                return json_error_oom(err);
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(arr, i);
                _cleanup_free_ char *p = json_path_index(base, i);
                if (!p)
                        return json_error_oom(err);
                *n_out = i + 1;
                if (!e)
                        return json_error(err, p, NULL, "expected an object");
                if ((r = json_as_object(e, p, err)) < 0)
                        return r;
                if ((r = fn(e, p, i, array, err)) < 0)
                        return r;
        }
        return 1;
}

int spec_parse_object_map(struct json_object *obj, const char *parent, const char *key, size_t elem_size,
                          void *array_slot, size_t *n_out, spec_member_fn fn, struct error **err)
{
        struct json_object *map = NULL;
        int r = json_get_object(obj, parent, key, &map, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, key);
        void *array = alloc_into(array_slot, (size_t)json_object_object_length(map), elem_size);
        if (!base || !array)
                return json_error_oom(err);
        size_t i = 0;
        json_object_object_foreach(map, k, v)
        {
                if (!*k)
                        return json_error(err, base, NULL, "keys must not be empty");
                _cleanup_free_ char *p = json_path_key(base, k);
                if (!p)
                        return json_error_oom(err);
                if (!v)
                        return json_error(err, p, NULL, "expected an object");
                if ((r = json_as_object(v, p, err)) < 0)
                        return r;
                *n_out = i + 1;
                if ((r = fn(v, p, k, i, array, err)) < 0)
                        return r;
                i++;
        }
        return 1;
}

int spec_parse_kv_map(struct json_object *obj, const char *parent, const char *key, struct oci_kv **out, size_t *n_out,
                      struct error **err)
{
        struct json_object *map = NULL;
        int r = json_get_object(obj, parent, key, &map, err);
        if (r <= 0)
                return r;
        _cleanup_free_ char *base = json_path_key(parent, key);
        if (!base)
                return json_error_oom(err);
        size_t n = (size_t)json_object_object_length(map), i = 0;
        struct oci_kv *kv = calloc(n ? n : 1, sizeof(*kv));
        if (!kv)
                return json_error_oom(err);
        json_object_object_foreach(map, k, v)
        {
                if (!*k) {
                        r = json_error(err, base, NULL, "keys must not be empty");
                        goto fail;
                }
                /* A NUL inside a value would silently truncate it. */
                if (!v || !json_object_is_type(v, json_type_string) ||
                    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v)) {
                        r = json_error(err, base, k, "expected a string");
                        goto fail;
                }
                kv[i].key = strdup(k);
                kv[i].value = strdup(json_object_get_string(v));
                i++;
                if (!kv[i - 1].key || !kv[i - 1].value) {
                        r = json_error_oom(err);
                        goto fail;
                }
        }
        spec_kv_free(*out, *n_out);
        *out = kv;
        *n_out = i;
        return 1;
fail:
        spec_kv_free(kv, i);
        return r;
}

static int parse_id_mapping(struct json_object *e, const char *p, size_t i, void *array, struct error **err)
{
        struct oci_id_mapping *m = &((struct oci_id_mapping *)array)[i];
        static const char *const fields[] = {"containerID", "hostID", "size"};
        uint32_t *dst[] = {&m->container_id, &m->host_id, &m->size};
        for (size_t f = 0; f < ARRAY_SIZE(fields); f++) {
                int r = json_get_uint32(e, p, fields[f], dst[f], err);
                if (r < 0)
                        return r;
                if (r == 0)
                        return json_error_missing(err, p, fields[f]);
        }
        return 0;
}

int spec_parse_id_mappings(struct json_object *obj, const char *parent, const char *key, struct oci_id_mapping **out,
                           size_t *n_out, struct error **err)
{
        /* Parsed aside so that *out stays untouched on failure. */
        _cleanup_free_ struct oci_id_mapping *m = NULL;
        size_t n = 0;
        int r = spec_parse_object_array(obj, parent, key, sizeof(*m), &m, &n, parse_id_mapping, err);
        if (r <= 0)
                return r;
        free(*out);
        *out = TAKE_PTR(m);
        *n_out = n;
        return 1;
}
