/* config.json as plain C structs (oci/spec_types.h). Filled by oci_spec_parse (pure: no syscalls),
 * validated there, and read-only for everything after it. */
#pragma once
#include <stddef.h>

#include "core/error.h"
#include "oci/spec_types.h"

struct json_object;

/* Parse and validate config.json text. `origin` names the file in messages ("config.json").
 * Errors name the JSON path: "config.json: process.args: expected a non-empty array of strings". */
int oci_spec_parse(const char *json_text, size_t len, const char *origin, struct oci_spec **out, struct error **err);
/* Parse a bare `process` object (exec --process FILE). */
int oci_process_parse(const char *json_text, size_t len, const char *origin, struct oci_process **out,
                      struct error **err);
int oci_resources_parse_json(struct json_object *obj, const char *path, struct oci_resources **out, struct error **err);
void oci_spec_free(struct oci_spec *spec);
void oci_process_free(struct oci_process *p);
void oci_resources_free(struct oci_resources *r);

/* Lookups (src/oci/spec_query.c). An annotation's value by key: NULL when absent (or spec is NULL); every
 * reader of annotations goes through it. */
const char *oci_spec_annotation(const struct oci_spec *spec, const char *key);
const struct oci_namespace *oci_spec_namespace(const struct oci_spec *spec, enum oci_ns_type type);

static inline void oci_spec_freep(struct oci_spec **p)
{
        if (*p)
                oci_spec_free(*p);
}
#define _cleanup_spec_ __attribute__((cleanup(oci_spec_freep)))
