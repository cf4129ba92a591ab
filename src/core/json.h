/* Thin helpers over json-c for parsers that must report errors with the JSON path of the bad value.
 *
 * Paths are plain strings such as "process.user.uid" or "linux.namespaces[2].type"; an empty or NULL
 * parent means "top level". Messages produced here have the shape "PATH: expected ..." and callers
 * prepend the file name ("config.json: ") once, at the top, with error_prefix.
 *
 * Getters on members (json_get_*) return 1 when the member is present and valid, 0 when it is absent
 * (a JSON null counts as absent, as Go-based tools write null for empty slices and maps) and < 0 with
 * `err` filled when it has the wrong type or range. Getters on values (json_as_*) take the full path
 * of the value and return 0 or < 0. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct json_object;

/* Parse `len` bytes that must hold exactly one JSON object (strict JSON, nothing after it).
 * Errors: "invalid JSON at line L, column C: <json-c's reason>", "expected a JSON object at the top level",
 * "PATH: invalid UTF-8 ..." for any string or member name that is not well-formed UTF-8. */
int json_parse_object(const char *text, size_t len, struct json_object **out, struct error **err);
/* Drop a reference (NULL allowed); for _cleanup_json_. */
void json_putp(struct json_object **obj);
#define _cleanup_json_ __attribute__((cleanup(json_putp)))

/* "parent.key" or "key"; "parent[index]". NULL when out of memory. */
char *json_path_key(const char *parent, const char *key);
char *json_path_index(const char *parent, size_t index);
/* "parent.key[index]": the path of one element of the array member `key`. NULL when out of memory. */
char *json_path_key_index(const char *parent, const char *key, size_t index);

/* "PARENT.KEY: <message>" (key may be NULL: the path is `parent` alone). Returns the negative status. */
int json_error(struct error **err, const char *parent, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "PARENT.KEY: required field is missing". */
int json_error_missing(struct error **err, const char *parent, const char *key);
int json_error_oom(struct error **err);

/* The member `key` of the object `obj`; NULL when absent or null. */
struct json_object *json_member(struct json_object *obj, const char *key);

/* Value checks; `path` is the full path of `v` (which must not be NULL). */
int json_as_object(struct json_object *v, const char *path, struct error **err);
int json_as_array(struct json_object *v, const char *path, size_t *n, struct error **err);
/* The string is borrowed from `v`; strings holding a NUL byte are rejected (they would be truncated). */
int json_as_string(struct json_object *v, const char *path, const char **out, struct error **err);
int json_as_bool(struct json_object *v, const char *path, bool *out, struct error **err);
int json_as_int64(struct json_object *v, const char *path, int64_t *out, struct error **err);
int json_as_uint64(struct json_object *v, const char *path, uint64_t *out, struct error **err);
int json_as_uint32(struct json_object *v, const char *path, uint32_t *out, struct error **err);
int json_as_uint16(struct json_object *v, const char *path, uint16_t *out, struct error **err);
/* An integer in [min, max]: "expected an integer between MIN and MAX". */
int json_as_int_range(struct json_object *v, const char *path, int64_t min, int64_t max, int64_t *out,
                      struct error **err);
/* An array of strings copied into a NULL-terminated heap vector (free with cleanup_strvp). */
int json_as_strv(struct json_object *v, const char *path, bool non_empty, char ***out, struct error **err);

/* Member getters: 1 present, 0 absent (out untouched), < 0 error. */
int json_get_object(struct json_object *obj, const char *parent, const char *key, struct json_object **out,
                    struct error **err);
int json_get_array(struct json_object *obj, const char *parent, const char *key, struct json_object **out, size_t *n,
                   struct error **err);
/* Copies the string (free it). */
int json_get_string(struct json_object *obj, const char *parent, const char *key, char **out, struct error **err);
/* The same for a member that must be there: 0 when copied, < 0 with "PATH.KEY: required field is missing"
 * when absent. */
int json_require_string(struct json_object *obj, const char *parent, const char *key, char **out, struct error **err);
int json_get_bool(struct json_object *obj, const char *parent, const char *key, bool *out, struct error **err);
int json_get_int64(struct json_object *obj, const char *parent, const char *key, int64_t *out, struct error **err);
int json_get_uint64(struct json_object *obj, const char *parent, const char *key, uint64_t *out, struct error **err);
int json_get_uint32(struct json_object *obj, const char *parent, const char *key, uint32_t *out, struct error **err);
int json_get_uint16(struct json_object *obj, const char *parent, const char *key, uint16_t *out, struct error **err);
int json_get_int_range(struct json_object *obj, const char *parent, const char *key, int64_t min, int64_t max,
                       int64_t *out, struct error **err);
int json_get_strv(struct json_object *obj, const char *parent, const char *key, bool non_empty, char ***out,
                  struct error **err);
