/* UTF-8 validity (RFC 3629). Pure. Every string we take from config.json ends up in JSON we print
 * (state, annotations, JSON log lines): JSON is UTF-8, so invalid bytes would make that output invalid. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* true when the `len` bytes are well-formed UTF-8: no overlong forms, no surrogates (U+D800..U+DFFF),
 * nothing above U+10FFFF, no truncated sequence. NUL bytes count as valid (callers reject them apart). */
bool utf8_is_valid(const char *s, size_t len);
/* Length (1..4) of the well-formed sequence starting at s[0] (len >= 1 bytes available), 0 when there is
 * none: for writers that replace bad bytes (U+FFFD) instead of refusing the whole text. */
size_t utf8_sequence_len(const char *s, size_t len);
