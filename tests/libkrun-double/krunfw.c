/* TEST DOUBLE of libkrunfw — not libkrunfw, holds no kernel. It exists so the libkrun double can load "its
 * guest kernel library" by soname as libkrun does, and the runtime's check for it (dlopen RTLD_NOLOAD)
 * sees the same thing as with the real pair. Exports libkrunfw's version call only. */
#include <stdint.h>

__attribute__((visibility("default"))) uint32_t krunfw_get_version(void)
{
        return 5;
}
