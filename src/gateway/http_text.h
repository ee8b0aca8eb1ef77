/* http_text.h: the character rules the gateway core checks text against: RFC 9110 tokens
 * and field values, strict UTF-8 (as Rust's str, which WAGI uses), and ASCII case-blind
 * comparison. Pure functions over (pointer, length); nothing here allocates. */
#ifndef CORRAL_HTTP_TEXT_H
#define CORRAL_HTTP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 9110 5.6.2 tchar: "!#$%&'*+-.^_`|~", DIGIT, ALPHA. */
bool gw_is_tchar(unsigned char c);
/* s[0..n) is a token: at least one tchar and nothing else. */
bool gw_is_token(const char *s, size_t n);
/* c may appear inside an RFC 9110 field value: HTAB, SP, VCHAR (0x21-0x7e) or obs-text
 * (0x80-0xff). Everything else is a control byte: NUL, CR, LF, the other CTLs and DEL. */
bool gw_is_field_byte(unsigned char c);

/* Length of the UTF-8 sequence starting at p[0] (n > 0), setting *ok. A valid sequence
 * (shortest form, no surrogate, at most U+10FFFF) gives its length and *ok = true. An
 * invalid one gives the length of its "maximal subpart" (Unicode 15 3.9, the unit that
 * Rust's from_utf8_lossy replaces by one U+FFFD), always >= 1, and *ok = false. */
size_t gw_utf8_next(const uint8_t *p, size_t n, bool *ok);
/* p[0..n) is entirely valid UTF-8. */
bool gw_utf8_valid(const uint8_t *p, size_t n);

/* s[0..n) equals lower, a NUL-terminated lower-case ASCII literal, ignoring ASCII case. */
bool gw_ascii_ieq(const char *s, size_t n, const char *lower);

#endif
