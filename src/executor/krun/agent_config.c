/* The guest's view of the agent (agent_config.h). Pure: strings in, strings out. */
#include "executor/krun/agent_config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "agent/protocol.h"

int krun_agent_wrap_config(const char *json, size_t len, char **out, size_t *out_len, struct error **err)
{
        *out = NULL;
        struct json_tokener *tok = json_tokener_new();
        if (!tok)
                return error_set(err, ENOMEM, "krun: agent");
        struct json_object *root = json_tokener_parse_ex(tok, json, (int)len);
        json_tokener_free(tok);
        struct json_object *proc = NULL, *args = NULL;
        if (!root || !json_object_object_get_ex(root, "process", &proc) ||
            !json_object_object_get_ex(proc, "args", &args) || !json_object_is_type(args, json_type_array)) {
                json_object_put(root);
                return error_set(err, EINVAL, "config.json: process.args: expected an array of strings");
        }
        char port[16];
        snprintf(port, sizeof(port), "%u", AGENT_VSOCK_PORT);
        const char *prefix[] = {KRUN_AGENT_GUEST_PATH, "--port", port, "--"};
        struct json_object *wrapped = json_object_new_array();
        for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
                json_object_array_add(wrapped, json_object_new_string(prefix[i]));
        for (size_t i = 0; i < json_object_array_length(args); i++)
                json_object_array_add(wrapped, json_object_get(json_object_array_get_idx(args, i)));
        json_object_object_add(proc, "args", wrapped);
        size_t n = 0;
        const char *s = json_object_to_json_string_length(root, JSON_C_TO_STRING_PLAIN, &n);
        *out = s ? strndup(s, n) : NULL;
        *out_len = n;
        json_object_put(root);
        return *out ? 0 : error_set(err, ENOMEM, "krun: agent");
}

uint32_t krun_agent_host_id(uint32_t id, const struct oci_id_mapping *m, size_t n)
{
        if (n == 0)
                return id;
        for (size_t i = 0; i < n; i++)
                if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
                        return m[i].host_id + (id - m[i].container_id);
        return (uint32_t)-1;
}
