/* What `spec` writes: crun's template (oci-config.md §12) with hostname "krun". Pure: the host facts
 * that shape it come in as arguments. */
#pragma once
#include <stdbool.h>

struct json_object;

/* `is_rootless`: add a user namespace and drop the devpts gid=5 option (crun's --rootless).
 * `has_cgroupns`: add a cgroup namespace (crun does so on a pure cgroup v2 host only). */
struct json_object *spec_template_new(bool is_rootless, bool has_cgroupns);
/* The template as text, tab-indented like crun's output, with a trailing newline. Caller frees. */
char *spec_template_json(bool is_rootless, bool has_cgroupns);
