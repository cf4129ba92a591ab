/* The texts of the state store, with no system call: state.json, teardown.json, annotations.json and
 * the OCI state that `state` prints. Every file under the state root may have been damaged (a crash, a
 * full disk, a hand edit, an attacker with access to the root), so parsing checks each field's type and
 * range and names the field it rejects; nothing is trusted as a pointer to follow blindly. */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/json.h"
#include "oci/state.h"

static void add_str(struct json_object *o, const char *key, const char *value)
{
        if (value)
                json_object_object_add(o, key, json_object_new_string(value));
}

static char *to_text(struct json_object *o, int flags)
{
        if (!o)
                return NULL;
        const char *s = json_object_to_json_string_ext(o, flags | JSON_C_TO_STRING_NOSLASHESCAPE);
        char *copy = s ? strdup(s) : NULL;
        json_object_put(o);
        return copy;
}

/* The facts `delete --force` needs, shared by state.json and teardown.json. */
static void add_teardown_fields(struct json_object *o, const struct container_state *st)
{
        json_object_object_add(o, "pid", json_object_new_int64(st->pid));
        json_object_object_add(o, "start_time", json_object_new_uint64(st->start_time));
        add_str(o, "rootfs", st->rootfs);
        add_str(o, "cgroup_manager", st->cgroup_manager);
        add_str(o, "cgroup_path", st->cgroup_path);
        add_str(o, "systemd_scope", st->systemd_scope);
        add_str(o, "executor", st->executor);
        json_object_object_add(o, "has_pidns", json_object_new_boolean(st->has_pidns));
}

char *state_format(const struct container_state *st)
{
        struct json_object *o = json_object_new_object();
        add_str(o, "id", st->id);
        add_teardown_fields(o, st);
        add_str(o, "bundle", st->bundle);
        add_str(o, "created", st->created);
        add_str(o, "owner", st->owner);
        return to_text(o, JSON_C_TO_STRING_PLAIN);
}

char *state_teardown_format(const struct container_state *st)
{
        struct json_object *o = json_object_new_object();
        add_str(o, "id", st->id);
        add_teardown_fields(o, st);
        return to_text(o, JSON_C_TO_STRING_PLAIN);
}

/* The same "annotations" object in annotations.json and in what `state` prints. */
static struct json_object *annotations_object(const struct container_state *st)
{
        struct json_object *a = json_object_new_object();
        for (size_t i = 0; a && st->annotation_keys && st->annotation_keys[i]; i++)
                json_object_object_add(a, st->annotation_keys[i], json_object_new_string(st->annotation_values[i]));
        return a;
}

char *state_annotations_format(const struct container_state *st)
{
        return to_text(annotations_object(st), JSON_C_TO_STRING_PLAIN);
}

char *state_to_json(const struct container_state *st, enum container_status status, bool pretty)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "ociVersion", json_object_new_string("1.0.0"));
        add_str(o, "id", st->id);
        json_object_object_add(o, "pid", json_object_new_int64(status == STATUS_STOPPED ? 0 : st->pid));
        json_object_object_add(o, "status", json_object_new_string(state_status_name(status)));
        add_str(o, "bundle", st->bundle);
        add_str(o, "rootfs", st->rootfs);
        add_str(o, "created", st->created);
        add_str(o, "owner", st->owner);
        add_str(o, "systemd-scope", st->systemd_scope);
        if (st->annotation_keys && st->annotation_keys[0])
                json_object_object_add(o, "annotations", annotations_object(st));
        return to_text(o, pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
}

/* ---- parsing ---- */

struct parse_ctx {
        const char *id, *file;
        struct json_object *root;
        struct error **err;
};

static int bad(struct parse_ctx *p, const char *key, const char *expectation)
{
        return error_set(p->err, 0, "state of `%s`: %s: %s: %s", p->id, p->file, key, expectation);
}

/* Absent is fine (NULL); present must be a string without NUL bytes. */
static int get_str(struct parse_ctx *p, const char *key, char **out)
{
        struct json_object *v;
        *out = NULL;
        if (!json_object_object_get_ex(p->root, key, &v))
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return bad(p, key, "expected a string");
        const char *s = json_object_get_string(v);
        if ((size_t)json_object_get_string_len(v) != strlen(s))
                return bad(p, key, "contains a NUL byte");
        *out = strdup(s);
        return *out ? 0 : error_set(p->err, ENOMEM, "read state");
}

static int get_int(struct parse_ctx *p, const char *key, long long max, long long *out)
{
        struct json_object *v;
        *out = 0;
        if (!json_object_object_get_ex(p->root, key, &v))
                return 0;
        long long n = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
        if (n < 0 || n > max)
                return error_set(p->err, 0, "state of `%s`: %s: %s: expected an integer between 0 and %lld", p->id,
                                 p->file, key, max);
        *out = n;
        return 0;
}

/* A cgroup path is joined to every hierarchy root and removed by `delete`: it must stay below them. */
static bool is_safe_cgroup_path(const char *s)
{
        if (s[0] != '/' || strcmp(s, "/") == 0)
                return false;
        for (const char *q = s; *q;) {
                q += strspn(q, "/");
                size_t n = strcspn(q, "/");
                if (n == 2 && q[0] == '.' && q[1] == '.')
                        return false;
                q += n;
        }
        return true;
}

/* The annotations of object `o` into st. `skip_bad`: values that are not strings are left out instead of
 * refused (state.json of older versions, which also held them: it must stay readable to be deleted). */
static int take_annotations(const char *id, const char *file, struct json_object *o, bool skip_bad,
                            struct container_state *st, struct error **err)
{
        size_t n = (size_t)json_object_object_length(o), i = 0;
        char **keys = calloc(n + 1, sizeof(char *)), **values = calloc(n + 1, sizeof(char *));
        int r = keys && values ? 0 : error_set(err, ENOMEM, "read annotations");
        json_object_object_foreach(o, key, val)
        {
                if (r < 0)
                        break;
                /* A null value was once dereferenced here by every reader: refuse it by name. */
                if (!json_object_is_type(val, json_type_string)) {
                        if (skip_bad)
                                continue;
                        r = error_set(err, 0, "state of `%s`: %s: `%s`: expected a string", id, file, key);
                        break;
                }
                /* NOLINTBEGIN(clang-analyzer-core.NullDereference): r < 0 above when either is NULL */
                keys[i] = strdup(key);
                values[i] = strdup(json_object_get_string(val));
                /* NOLINTEND(clang-analyzer-core.NullDereference) */
                if (!keys[i] || !values[i])
                        r = error_set(err, ENOMEM, "read annotations");
                i++;
        }
        if (r < 0) {
                for (size_t k = 0; keys && values && k < i; k++) {
                        free(keys[k]);
                        free(values[k]);
                }
                free(keys);
                free(values);
                return r;
        }
        state_annotations_clear(st);
        st->annotation_keys = keys;
        st->annotation_values = values;
        return 0;
}

static int parse_fields(struct parse_ctx *p, struct container_state *st)
{
        _cleanup_free_ char *id = NULL;
        long long pid = 0, start = 0;
        int r = get_str(p, "id", &id);
        if (r >= 0 && id && strcmp(id, p->id) != 0)
                r = bad(p, "id", "names another container");
        if (r >= 0)
                r = get_int(p, "pid", INT_MAX, &pid);
        if (r >= 0)
                r = get_int(p, "start_time", LLONG_MAX, &start);
        st->pid = (pid_t)pid;
        st->start_time = (unsigned long long)start;
        struct json_object *v;
        if (r >= 0 && json_object_object_get_ex(p->root, "has_pidns", &v)) {
                if (!json_object_is_type(v, json_type_boolean))
                        r = bad(p, "has_pidns", "expected true or false");
                st->has_pidns = json_object_get_boolean(v);
        }
        struct {
                const char *key;
                char **field;
        } strings[] = {
            {"rootfs", &st->rootfs},           {"cgroup_manager", &st->cgroup_manager},
            {"cgroup_path", &st->cgroup_path}, {"systemd_scope", &st->systemd_scope},
            {"executor", &st->executor},       {"bundle", &st->bundle},
            {"created", &st->created},         {"owner", &st->owner},
        };
        for (size_t i = 0; r >= 0 && i < sizeof(strings) / sizeof(strings[0]); i++)
                r = get_str(p, strings[i].key, strings[i].field);
        if (r >= 0 && json_object_object_get_ex(p->root, "annotations", &v) && json_object_is_type(v, json_type_object))
                r = take_annotations(p->id, p->file, v, true, st, p->err);
        if (r < 0)
                return r;
        if (st->rootfs && st->rootfs[0] != '/')
                return bad(p, "rootfs", "expected an absolute path");
        if (st->bundle && st->bundle[0] != '/')
                return bad(p, "bundle", "expected an absolute path");
        if (st->cgroup_path && !is_safe_cgroup_path(st->cgroup_path))
                return bad(p, "cgroup_path", "expected an absolute path below the hierarchy root, without `..`");
        if (st->cgroup_manager && strcmp(st->cgroup_manager, "cgroupfs") && strcmp(st->cgroup_manager, "systemd") &&
            strcmp(st->cgroup_manager, "disabled"))
                return bad(p, "cgroup_manager", "expected cgroupfs, systemd or disabled");
        return 0;
}

static int parse_object(const char *id, const char *file, const char *text, struct json_object **out,
                        struct error **err)
{
        /* json_parse_object: strict and UTF-8 only, so `state` never prints invalid JSON from a bad file. */
        _cleanup_error_ struct error *e = NULL;
        if (!*text)
                return error_set(err, 0, "state of `%s`: %s is corrupt: empty", id, file);
        if (json_parse_object(text, strlen(text), out, &e) < 0)
                return error_set(err, 0, "state of `%s`: %s is corrupt: %s", id, file, e ? e->msg : "invalid JSON");
        return 0;
}

static int parse_state_file(const char *id, const char *file, const char *text, struct container_state **out,
                            struct error **err)
{
        struct parse_ctx p = {.id = id, .file = file, .err = err};
        int r = parse_object(id, file, text, &p.root, err);
        if (r < 0)
                return r;
        struct container_state *st = calloc(1, sizeof(*st));
        if (!st || !(st->id = strdup(id))) {
                free(st);
                json_object_put(p.root);
                return error_set(err, ENOMEM, "read state");
        }
        r = parse_fields(&p, st);
        json_object_put(p.root);
        if (r < 0) {
                container_state_free(st);
                return r;
        }
        *out = st;
        return 0;
}

int state_parse(const char *id, const char *text, struct container_state **out, struct error **err)
{
        return parse_state_file(id, STATE_FILE, text, out, err);
}

int state_teardown_parse(const char *id, const char *text, struct container_state **out, struct error **err)
{
        return parse_state_file(id, STATE_TEARDOWN_FILE, text, out, err);
}

int state_annotations_parse(const char *id, const char *text, struct container_state *st, struct error **err)
{
        struct json_object *o = NULL;
        int r = parse_object(id, STATE_ANNOTATIONS_FILE, text, &o, err);
        if (r >= 0)
                r = take_annotations(id, STATE_ANNOTATIONS_FILE, o, false, st, err);
        json_object_put(o);
        return r;
}

void state_annotations_clear(struct container_state *st)
{
        if (st->annotation_keys)
                for (size_t i = 0; st->annotation_keys[i]; i++) {
                        free(st->annotation_keys[i]);
                        free(st->annotation_values[i]);
                }
        free(st->annotation_keys);
        free(st->annotation_values);
        st->annotation_keys = st->annotation_values = NULL;
}

void container_state_free(struct container_state *st)
{
        if (!st)
                return;
        free(st->id);
        free(st->bundle);
        free(st->rootfs);
        free(st->created);
        free(st->owner);
        free(st->cgroup_manager);
        free(st->cgroup_path);
        free(st->systemd_scope);
        free(st->executor);
        state_annotations_clear(st);
        free(st);
}

const char *state_status_name(enum container_status s)
{
        static const char *const names[] = {[STATUS_CREATED] = "created",
                                            [STATUS_RUNNING] = "running",
                                            [STATUS_PAUSED] = "paused",
                                            [STATUS_STOPPED] = "stopped"};
        return names[s];
}
