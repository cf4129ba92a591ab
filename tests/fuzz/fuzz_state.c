/* libFuzzer target for state_parse (the text of <root>/<id>/state.json) and state_to_json on what it
 * accepts: any file must either load or fail with a message, and what `state` prints from a loaded one
 * must be JSON again (a state file is written by us, but a crash or a disk fault can leave anything). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "oci/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_output_is_json(const struct container_state *st, enum container_status status, bool pretty)
{
        _cleanup_free_ char *text = state_to_json(st, status, pretty);
        if (!text)
                return; /* out of memory */
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_error_ struct error *err = NULL;
        if (json_parse_object(text, strlen(text), &o, &err) < 0)
                __builtin_trap(); /* `state` would print something no client can parse */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* state_read hands the parser a NUL-terminated buffer. */
        _cleanup_free_ char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        _cleanup_error_ struct error *err = NULL;
        struct container_state *st = NULL;
        if (state_parse("fuzz", text, &st, &err) < 0) {
                if (!err || !err->msg)
                        __builtin_trap(); /* every failure must say what is wrong */
                return 0;
        }
        check_output_is_json(st, STATUS_RUNNING, false);
        check_output_is_json(st, STATUS_STOPPED, true);
        container_state_free(st);
        return 0;
}
