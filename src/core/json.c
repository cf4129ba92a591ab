/* Typed access to json-c values with errors that name the JSON path. Pure: no syscalls. */
#include "core/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/cleanup.h"
#include "core/utf8.h"

void json_putp(struct json_object **obj)
{
        if (*obj)
                json_object_put(*obj);
        *obj = NULL;
}

int json_error_oom(struct error **err)
{
        return error_set(err, ENOMEM, "out of memory");
}

/* json-c reports a byte offset; people look for line and column. */
static void offset_to_line_col(const char *text, size_t offset, size_t *line, size_t *col)
{
        *line = 1;
        *col = 1;
        for (size_t i = 0; i < offset; i++) {
                if (text[i] == '\n') {
                        (*line)++;
                        *col = 1;
                } else {
                        (*col)++;
                }
        }
}

/* Where the UTF-8 check is in the tree: one member name or array index per level. json-c's tokener stops
 * at JSON_TOKENER_DEFAULT_DEPTH levels, so the stack is fixed. The path string is built only for an error:
 * a config with 200,000 env entries must not cost 200,000 allocations here. */
struct utf8_walk {
        struct {
                const char *key; /* NULL: an array element */
                size_t index;
        } level[JSON_TOKENER_DEFAULT_DEPTH + 1];
        size_t depth;
};

static int utf8_walk_error(const struct utf8_walk *w, const char *msg, struct error **err)
{
        _cleanup_free_ char *path = strdup("");
        for (size_t i = 0; path && i < w->depth; i++) {
                char *next =
                    w->level[i].key ? json_path_key(path, w->level[i].key) : json_path_index(path, w->level[i].index);
                free(path);
                path = next;
        }
        if (!path)
                return json_error_oom(err);
        return json_error(err, path, NULL, "%s", msg);
}

static int utf8_walk_value(struct json_object *v, struct utf8_walk *w, struct error **err);

static int utf8_walk_child(struct json_object *v, const char *key, size_t index, struct utf8_walk *w,
                           struct error **err)
{
        if (w->depth >= ARRAY_SIZE(w->level))
                return utf8_walk_error(w, "nested too deeply", err);
        w->level[w->depth].key = key;
        w->level[w->depth].index = index;
        w->depth++;
        int r = utf8_walk_value(v, w, err);
        w->depth--;
        return r;
}

static int utf8_walk_value(struct json_object *v, struct utf8_walk *w, struct error **err)
{
        switch (json_object_get_type(v)) {
        case json_type_string:
                if (!utf8_is_valid(json_object_get_string(v), (size_t)json_object_get_string_len(v)))
                        return utf8_walk_error(w, "invalid UTF-8 (JSON strings must be UTF-8)", err);
                return 0;
        case json_type_array:
                for (size_t i = 0, n = json_object_array_length(v); i < n; i++) {
                        int r = utf8_walk_child(json_object_array_get_idx(v, i), NULL, i, w, err);
                        if (r < 0)
                                return r;
                }
                return 0;
        case json_type_object: {
                json_object_object_foreach(v, key, member)
                {
                        /* The name itself stays out of the message: it is what is not printable. */
                        if (!utf8_is_valid(key, strlen(key)))
                                return utf8_walk_error(w, "a member name is invalid UTF-8 (JSON must be UTF-8)", err);
                        int r = utf8_walk_child(member, key, 0, w, err);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        default:
                return 0;
        }
}

int json_parse_object(const char *text, size_t len, struct json_object **out, struct error **err)
{
        *out = NULL;
        if (len > INT32_MAX)
                return error_set(err, EFBIG, "invalid JSON: document too large (%zu bytes)", len);
        struct json_tokener *tok = json_tokener_new();
        if (!tok)
                return json_error_oom(err);
        /* Strict mode: no comments, single quotes, NaN or trailing garbage; config.json is plain JSON. */
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        struct json_object *obj = json_tokener_parse_ex(tok, text, (int)len);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        size_t end = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);

        if (!obj || jerr != json_tokener_success) {
                json_object_put(obj);
                size_t line, col;
                if (end > len)
                        end = len;
                offset_to_line_col(text, end, &line, &col);
                if (jerr == json_tokener_continue || jerr == json_tokener_success)
                        return error_set(err, EINVAL, "invalid JSON at line %zu, column %zu: unexpected end of input",
                                         line, col);
                return error_set(err, EINVAL, "invalid JSON at line %zu, column %zu: %s", line, col,
                                 json_tokener_error_desc(jerr));
        }
        /* json-c stops at a NUL byte and reports success; anything but whitespace after the value is garbage. */
        for (size_t i = end; i < len; i++) {
                char c = text[i];
                if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                        json_object_put(obj);
                        size_t line, col;
                        offset_to_line_col(text, i, &line, &col);
                        return error_set(err, EINVAL,
                                         "invalid JSON at line %zu, column %zu: unexpected data after the document",
                                         line, col);
                }
        }
        if (!json_object_is_type(obj, json_type_object)) {
                json_object_put(obj);
                return error_set(err, EINVAL, "expected a JSON object at the top level");
        }
        /* json-c passes any byte through; what we accept is copied into JSON we print (state, logs). */
        struct utf8_walk walk = {.depth = 0};
        int r = utf8_walk_value(obj, &walk, err);
        if (r < 0) {
                json_object_put(obj);
                return r;
        }
        *out = obj;
        return 0;
}

char *json_path_key(const char *parent, const char *key)
{
        char *s = NULL;
        if (!parent || !*parent)
                return strdup(key ? key : "");
        if (!key)
                return strdup(parent);
        if (asprintf(&s, "%s.%s", parent, key) < 0)
                return NULL;
        return s;
}

char *json_path_index(const char *parent, size_t index)
{
        char *s = NULL;
        if (asprintf(&s, "%s[%zu]", parent ? parent : "", index) < 0)
                return NULL;
        return s;
}

char *json_path_key_index(const char *parent, const char *key, size_t index)
{
        _cleanup_free_ char *base = json_path_key(parent, key);
        return base ? json_path_index(base, index) : NULL;
}

static int json_verror(struct error **err, const char *parent, const char *key, const char *fmt, va_list ap)
{
        _cleanup_free_ char *msg = NULL;
        _cleanup_free_ char *path = json_path_key(parent, key);
        if (!path || vasprintf(&msg, fmt, ap) < 0) {
                msg = NULL;
                return json_error_oom(err);
        }
        if (!*path)
                return error_set(err, EINVAL, "%s", msg);
        return error_set(err, EINVAL, "%s: %s", path, msg);
}

int json_error(struct error **err, const char *parent, const char *key, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = json_verror(err, parent, key, fmt, ap);
        va_end(ap);
        return r;
}

int json_error_missing(struct error **err, const char *parent, const char *key)
{
        return json_error(err, parent, key, "required field is missing");
}

struct json_object *json_member(struct json_object *obj, const char *key)
{
        struct json_object *v = NULL;
        if (!obj || !json_object_is_type(obj, json_type_object))
                return NULL;
        if (!json_object_object_get_ex(obj, key, &v))
                return NULL;
        return v; /* json-c represents null as a NULL pointer */
}

/* The checks take (parent, key) so the success path builds no path strings. */

static int check_object(struct json_object *v, const char *parent, const char *key, struct error **err)
{
        if (!json_object_is_type(v, json_type_object))
                return json_error(err, parent, key, "expected an object");
        return 0;
}

static int check_array(struct json_object *v, const char *parent, const char *key, size_t *n, struct error **err)
{
        if (!json_object_is_type(v, json_type_array))
                return json_error(err, parent, key, "expected an array");
        if (n)
                *n = json_object_array_length(v);
        return 0;
}

static int check_string(struct json_object *v, const char *parent, const char *key, const char **out,
                        struct error **err)
{
        if (!json_object_is_type(v, json_type_string))
                return json_error(err, parent, key, "expected a string");
        const char *s = json_object_get_string(v);
        if (strlen(s) != (size_t)json_object_get_string_len(v))
                return json_error(err, parent, key, "expected a string without NUL characters");
        *out = s;
        return 0;
}

static int check_bool(struct json_object *v, const char *parent, const char *key, bool *out, struct error **err)
{
        if (!json_object_is_type(v, json_type_boolean))
                return json_error(err, parent, key, "expected a boolean");
        *out = json_object_get_boolean(v);
        return 0;
}

/* json-c keeps integers as int64 or (above INT64_MAX) uint64, and clamps values outside both ranges. A
 * negative value reads as a negative int64; a large positive one as INT64_MAX through the int64 getter. */
static bool int_is_above_int64(struct json_object *v)
{
        return json_object_get_int64(v) == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX;
}

static int check_int64(struct json_object *v, const char *parent, const char *key, int64_t *out, struct error **err)
{
        if (!json_object_is_type(v, json_type_int) || int_is_above_int64(v))
                return json_error(err, parent, key, "expected a 64-bit integer");
        *out = json_object_get_int64(v);
        return 0;
}

static int check_uint_max(struct json_object *v, const char *parent, const char *key, uint64_t max, int bits,
                          uint64_t *out, struct error **err)
{
        if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 || json_object_get_uint64(v) > max)
                return json_error(err, parent, key, "expected an unsigned %d-bit integer", bits);
        *out = json_object_get_uint64(v);
        return 0;
}

static int check_int_range(struct json_object *v, const char *parent, const char *key, int64_t min, int64_t max,
                           int64_t *out, struct error **err)
{
        int64_t x;
        if (!json_object_is_type(v, json_type_int) || int_is_above_int64(v) || (x = json_object_get_int64(v)) < min ||
            x > max)
                return json_error(err, parent, key, "expected an integer between %" PRId64 " and %" PRId64, min, max);
        *out = x;
        return 0;
}

static int check_strv(struct json_object *v, const char *parent, const char *key, bool non_empty, char ***out,
                      struct error **err)
{
        const char *what = non_empty ? "expected a non-empty array of strings" : "expected an array of strings";
        if (!json_object_is_type(v, json_type_array))
                return json_error(err, parent, key, "%s", what);
        size_t n = json_object_array_length(v);
        if (non_empty && n == 0)
                return json_error(err, parent, key, "%s", what);
        _cleanup_strv_ char **strv = calloc(n + 1, sizeof(char *));
        if (!strv)
                return json_error_oom(err);
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string) ||
                    strlen(json_object_get_string(e)) != (size_t)json_object_get_string_len(e)) {
                        _cleanup_free_ char *p = json_path_key_index(parent, key, i);
                        if (!p)
                                return json_error_oom(err);
                        return json_error(err, p, NULL, "expected a string");
                }
                strv[i] = strdup(json_object_get_string(e));
                if (!strv[i])
                        return json_error_oom(err);
        }
        *out = TAKE_PTR(strv);
        return 0;
}

int json_as_object(struct json_object *v, const char *path, struct error **err)
{
        return check_object(v, path, NULL, err);
}

int json_as_array(struct json_object *v, const char *path, size_t *n, struct error **err)
{
        return check_array(v, path, NULL, n, err);
}

int json_as_string(struct json_object *v, const char *path, const char **out, struct error **err)
{
        return check_string(v, path, NULL, out, err);
}

int json_as_bool(struct json_object *v, const char *path, bool *out, struct error **err)
{
        return check_bool(v, path, NULL, out, err);
}

int json_as_int64(struct json_object *v, const char *path, int64_t *out, struct error **err)
{
        return check_int64(v, path, NULL, out, err);
}

int json_as_uint64(struct json_object *v, const char *path, uint64_t *out, struct error **err)
{
        return check_uint_max(v, path, NULL, UINT64_MAX, 64, out, err);
}

int json_as_uint32(struct json_object *v, const char *path, uint32_t *out, struct error **err)
{
        uint64_t x = 0;
        int r = check_uint_max(v, path, NULL, UINT32_MAX, 32, &x, err);
        if (r >= 0)
                *out = (uint32_t)x;
        return r;
}

int json_as_uint16(struct json_object *v, const char *path, uint16_t *out, struct error **err)
{
        uint64_t x = 0;
        int r = check_uint_max(v, path, NULL, UINT16_MAX, 16, &x, err);
        if (r >= 0)
                *out = (uint16_t)x;
        return r;
}

int json_as_int_range(struct json_object *v, const char *path, int64_t min, int64_t max, int64_t *out,
                      struct error **err)
{
        return check_int_range(v, path, NULL, min, max, out, err);
}

int json_as_strv(struct json_object *v, const char *path, bool non_empty, char ***out, struct error **err)
{
        return check_strv(v, path, NULL, non_empty, out, err);
}

int json_get_object(struct json_object *obj, const char *parent, const char *key, struct json_object **out,
                    struct error **err)
{
        struct json_object *v = json_member(obj, key);
        if (!v)
                return 0;
        int r = check_object(v, parent, key, err);
        if (r < 0)
                return r;
        *out = v;
        return 1;
}

int json_get_array(struct json_object *obj, const char *parent, const char *key, struct json_object **out, size_t *n,
                   struct error **err)
{
        struct json_object *v = json_member(obj, key);
        if (!v)
                return 0;
        int r = check_array(v, parent, key, n, err);
        if (r < 0)
                return r;
        *out = v;
        return 1;
}

int json_get_string(struct json_object *obj, const char *parent, const char *key, char **out, struct error **err)
{
        struct json_object *v = json_member(obj, key);
        const char *s = NULL;
        if (!v)
                return 0;
        int r = check_string(v, parent, key, &s, err);
        if (r < 0)
                return r;
        char *copy = strdup(s); /* NOLINT(clang-analyzer-core.NonNullParamChecker): check_string set it (r >= 0) */
        if (!copy)
                return json_error_oom(err);
        free(*out);
        *out = copy;
        return 1;
}

int json_require_string(struct json_object *obj, const char *parent, const char *key, char **out, struct error **err)
{
        int r = json_get_string(obj, parent, key, out, err);
        if (r == 0)
                return json_error_missing(err, parent, key);
        return r < 0 ? r : 0;
}

int json_get_bool(struct json_object *obj, const char *parent, const char *key, bool *out, struct error **err)
{
        struct json_object *v = json_member(obj, key);
        if (!v)
                return 0;
        int r = check_bool(v, parent, key, out, err);
        return r < 0 ? r : 1;
}

int json_get_int64(struct json_object *obj, const char *parent, const char *key, int64_t *out, struct error **err)
{
        struct json_object *v = json_member(obj, key);
        if (!v)
                return 0;
        int r = check_int64(v, parent, key, out, err);
        return r < 0 ? r : 1;
}

int json_get_uint64(struct json_object *obj, const char *parent, const char *key, uint64_t *out, struct error **err)
{
        struct json_object *v = json_member(obj, key);
        if (!v)
                return 0;
        int r = check_uint_max(v, parent, key, UINT64_MAX, 64, out, err);
        return r < 0 ? r : 1;
}

int json_get_uint32(struct json_object *obj, const char *parent, const char *key, uint32_t *out, struct error **err)
{
        struct json_object *v = json_member(obj, key);
        uint64_t x = 0;
        if (!v)
                return 0;
        int r = check_uint_max(v, parent, key, UINT32_MAX, 32, &x, err);
        if (r < 0)
                return r;
        *out = (uint32_t)x;
        return 1;
}

int json_get_uint16(struct json_object *obj, const char *parent, const char *key, uint16_t *out, struct error **err)
{
        struct json_object *v = json_member(obj, key);
        uint64_t x = 0;
        if (!v)
                return 0;
        int r = check_uint_max(v, parent, key, UINT16_MAX, 16, &x, err);
        if (r < 0)
                return r;
        *out = (uint16_t)x;
        return 1;
}

int json_get_int_range(struct json_object *obj, const char *parent, const char *key, int64_t min, int64_t max,
                       int64_t *out, struct error **err)
{
        struct json_object *v = json_member(obj, key);
        if (!v)
                return 0;
        int r = check_int_range(v, parent, key, min, max, out, err);
        return r < 0 ? r : 1;
}

int json_get_strv(struct json_object *obj, const char *parent, const char *key, bool non_empty, char ***out,
                  struct error **err)
{
        struct json_object *v = json_member(obj, key);
        if (!v)
                return 0;
        char **strv = NULL;
        int r = check_strv(v, parent, key, non_empty, &strv, err);
        if (r < 0)
                return r;
        cleanup_strvp(out);
        *out = strv;
        return 1;
}
