/* The section parsers of config.json (process, linux and its parts), called by spec.c and by each other;
 * not for use outside src/oci/. Every spec_parse_* takes the JSON path of the value it parses and leaves
 * the output untouched on failure, except for the "into" variants, which fill a caller-owned struct that
 * the caller clears with the matching *_clear function either way. */
#pragma once
#include "core/error.h"
#include "oci/spec_types.h"

struct json_object;

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
