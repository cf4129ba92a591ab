/* libFuzzer target for passwd_field: any passwd file (the container's own /etc/passwd is image-controlled)
 * gives a field or none, never a crash, and a field found is never empty and never holds a ':' or '\n'. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/passwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const uid_t uids[] = {0, 1, 1000, 65534, 4294967295u};
        static const enum passwd_field fields[] = {PASSWD_NAME, PASSWD_HOME};
        if (size == 0)
                return 0;
        for (size_t i = 0; i < sizeof(uids) / sizeof(uids[0]); i++)
                for (size_t j = 0; j < sizeof(fields) / sizeof(fields[0]); j++) {
                        FILE *f = fmemopen((void *)data, size, "r");
                        if (!f)
                                return 0;
                        char *out = NULL;
                        int r = passwd_field(f, uids[i], fields[j], &out);
                        fclose(f);
                        if (r > 0 && (!out[0] || strpbrk(out, ":\n")))
                                __builtin_trap();
                        free(out);
                }
        return 0;
}
