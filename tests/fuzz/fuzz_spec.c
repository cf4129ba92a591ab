/* libFuzzer target for oci_spec_parse (and oci_process_parse / oci_resources_parse_json through it):
 * any input must either parse or fail with an error, never crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/cleanup.h"
#include "oci/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_error_ struct error *err = NULL;
        struct oci_spec *spec = NULL;
        if (oci_spec_parse((const char *)data, size, "config.json", &spec, &err) >= 0) {
                /* Exercise the lookups on whatever parsed. */
                (void)oci_spec_annotation(spec, "run.oci.hooks.stdout");
                for (int t = 0; t < NS_COUNT; t++)
                        (void)oci_spec_namespace(spec, (enum oci_ns_type)t);
                oci_spec_free(spec);
        } else if (!err || !err->msg || strncmp(err->msg, "config.json: ", 13) != 0) {
                __builtin_trap(); /* every failure must say what is wrong */
        }
        error_free(&err);

        struct oci_process *p = NULL;
        if (oci_process_parse((const char *)data, size, "process.json", &p, &err) >= 0)
                oci_process_free(p);
        return 0;
}
