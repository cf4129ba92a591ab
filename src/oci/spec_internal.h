/* Shared pieces of the config.json parser (spec*.c); not for use outside src/oci/. Every parse_* function
 * takes the JSON path of the value it parses and leaves the output untouched on failure, except for
 * the "into" variants, which fill a caller-owned struct that the caller clears with the matching
 * *_clear function either way. */
#pragma once
#include <stddef.h>

#include "core/error.h"
#include "oci/spec.h"

struct json_object;

void spec_strv_free(char **strv);
void spec_kv_free(struct oci_kv *kv, size_t n);

/* A JSON object of strings (`annotations`, `sysctl`, `unified`); keys must be non-empty. */
int spec_parse_kv_map(struct json_object *obj, const char *parent, const char *key, struct oci_kv **out, size_t *n_out,
                      struct error **err);
/* An array of {containerID, hostID, size}. */
int spec_parse_id_mappings(struct json_object *obj, const char *parent, const char *key, struct oci_id_mapping **out,
                           size_t *n_out, struct error **err);

/* spec_process.c */
int spec_parse_process(struct json_object *obj, const char *path, struct oci_process **out, struct error **err);

/* spec_linux.c */
int spec_parse_linux_into(struct json_object *obj, const char *path, struct oci_linux *l, struct error **err);
void spec_linux_clear(struct oci_linux *l);

/* spec_sched.c: process.scheduler, ioPriority, execCPUAffinity; linux.timeOffsets, memoryPolicy. */
int spec_parse_process_sched(struct json_object *obj, const char *path, struct oci_process *p, struct error **err);
void spec_process_sched_clear(struct oci_process *p);
int spec_parse_linux_sched(struct json_object *obj, const char *path, struct oci_linux *l, struct error **err);

/* spec_seccomp.c */
int spec_parse_seccomp(struct json_object *obj, const char *path, struct oci_seccomp **out, struct error **err);
void spec_seccomp_free(struct oci_seccomp *s);
