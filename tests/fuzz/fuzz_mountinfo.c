/* libFuzzer target for the mountinfo iterator (src/core/mountinfo.c) with the input as a whole
 * /proc/<pid>/mountinfo text: every line either parses or is reported malformed, and what parses holds
 * the invariants the callers rely on. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A decoded field is never longer than the text it came from; strlen must stay inside the line buffer,
 * which ASan checks. */
static void check_field(const char *f, size_t text_len)
{
        if (!f || strlen(f) > text_len)
                __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* The callers hand the iterator a NUL-terminated file; the input may hold NULs, which end it. */
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        struct mountinfo_iter it;
        struct mountinfo_entry e;
        int r;
        mountinfo_iter_init(&it, text);
        while ((r = mountinfo_next(&it, &e)) != 0) {
                if (r != 1 && r != -EINVAL)
                        break;
                if (r < 0)
                        continue;
                const char *fields[] = {e.root,   e.mount_point, e.options,      e.optional,
                                        e.fstype, e.source,      e.super_options};
                for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
                        check_field(fields[i], size);
                if (e.mount_id < 0 || e.parent_id < 0 || !*e.root || !*e.mount_point || !*e.options || !*e.fstype ||
                    !*e.super_options)
                        __builtin_trap(); /* parsed, but missing a field the header promises */
        }
        mountinfo_iter_done(&it);
        free(text);
        return 0;
}
