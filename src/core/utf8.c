/* UTF-8 validation by the table of well-formed byte sequences in RFC 3629 section 4. */
#include "core/utf8.h"

#include <stdint.h>

static bool in_range(uint8_t c, uint8_t lo, uint8_t hi)
{
        return c >= lo && c <= hi;
}

static size_t sequence_len(const uint8_t *s, size_t len)
{
        uint8_t c = s[0];
        if (c < 0x80)
                return 1;
        /* The second byte's range depends on the lead byte: it is what excludes overlong forms (C0, C1,
         * E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..). */
        uint8_t lo = 0x80, hi = 0xBF;
        size_t n;
        if (in_range(c, 0xC2, 0xDF))
                n = 2;
        else if (in_range(c, 0xE0, 0xEF)) {
                n = 3;
                if (c == 0xE0)
                        lo = 0xA0;
                else if (c == 0xED)
                        hi = 0x9F;
        } else if (in_range(c, 0xF0, 0xF4)) {
                n = 4;
                if (c == 0xF0)
                        lo = 0x90;
                else if (c == 0xF4)
                        hi = 0x8F;
        } else
                return 0;
        if (len < n || !in_range(s[1], lo, hi))
                return 0;
        for (size_t i = 2; i < n; i++)
                if (!in_range(s[i], 0x80, 0xBF))
                        return 0;
        return n;
}

bool utf8_is_valid(const char *s, size_t len)
{
        const uint8_t *p = (const uint8_t *)s;
        size_t i = 0;
        while (i < len) {
                if (p[i] < 0x80) { /* the common case: ASCII */
                        i++;
                        continue;
                }
                size_t n = sequence_len(p + i, len - i);
                if (n == 0)
                        return false;
                i += n;
        }
        return true;
}

size_t utf8_sequence_len(const char *s, size_t len)
{
        return len ? sequence_len((const uint8_t *)s, len) : 0;
}
