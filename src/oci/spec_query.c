/* Lookups in a parsed spec. Apart from the parser (spec.c) so that pure modules that only read a spec,
 * such as the executor selection, do not pull the parser and json-c in with them. */
#include <stddef.h>
#include <string.h>

#include "oci/spec.h"

const char *oci_spec_annotation(const struct oci_spec *spec, const char *key)
{
        if (!spec || !key)
                return NULL;
        for (size_t i = 0; i < spec->n_annotations; i++)
                if (spec->annotations[i].key && strcmp(spec->annotations[i].key, key) == 0)
                        return spec->annotations[i].value;
        return NULL;
}

const struct oci_namespace *oci_spec_namespace(const struct oci_spec *spec, enum oci_ns_type type)
{
        if (!spec)
                return NULL;
        for (size_t i = 0; i < spec->linux_.n_namespaces; i++)
                if (spec->linux_.namespaces[i].type == type)
                        return &spec->linux_.namespaces[i];
        return NULL;
}
