/* The parse helpers every config.json parser (spec*.c) shares: arrays and maps of objects, string maps, id
 * mappings, and freeing what they allocate. Not for use outside src/oci/. Each takes the JSON path of its
 * parent and leaves the output untouched on failure. Pure. */
#pragma once
#include <stddef.h>

#include "core/error.h"
#include "oci/spec_types.h"

struct json_object;

void spec_strv_free(char **strv);
void spec_kv_free(struct oci_kv *kv, size_t n);

/* An array of objects (`key` of `obj`): allocates the C array (elem_size each, zeroed) into the caller's
 * `struct T *` field whose address is `array_slot`, then for each element checks that it is an object and
 * calls fn(element, "parent.key[i]", i, array). The count in *n_out covers an element before fn parses
 * it, so a failing element with heap fields is freed by the owner's clear function too.
 * 1 when present, 0 when absent (nothing allocated), < 0 on error. */
typedef int (*spec_element_fn)(struct json_object *e, const char *path, size_t i, void *array, struct error **err);
int spec_parse_object_array(struct json_object *obj, const char *parent, const char *key, size_t elem_size,
                            void *array_slot, size_t *n_out, spec_element_fn fn, struct error **err);
/* The same for an object whose members are objects (`rdma`, `netDevices`), keys non-empty: fn gets the
 * member, "parent.key.name", the name, the index in iteration order and the array. */
typedef int (*spec_member_fn)(struct json_object *v, const char *path, const char *name, size_t i, void *array,
                              struct error **err);
int spec_parse_object_map(struct json_object *obj, const char *parent, const char *key, size_t elem_size,
                          void *array_slot, size_t *n_out, spec_member_fn fn, struct error **err);

/* A JSON object of strings (`annotations`, `sysctl`, `unified`); keys must be non-empty. */
int spec_parse_kv_map(struct json_object *obj, const char *parent, const char *key, struct oci_kv **out, size_t *n_out,
                      struct error **err);
/* An array of {containerID, hostID, size}. */
int spec_parse_id_mappings(struct json_object *obj, const char *parent, const char *key, struct oci_id_mapping **out,
                           size_t *n_out, struct error **err);
