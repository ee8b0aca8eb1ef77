/* http_text.c: character classes and UTF-8 checking for the gateway core. Table-free and
 * branch-light on purpose: these run over every header byte of every request. */
#include "gateway/http_text.h"

#include <string.h>

bool gw_is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

bool gw_is_token(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!gw_is_tchar((unsigned char)s[i]))
            return false;
    return true;
}

bool gw_is_field_byte(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool cont(uint8_t b)
{
    return (b & 0xc0) == 0x80;
}

size_t gw_utf8_next(const uint8_t *p, size_t n, bool *ok)
{
    uint8_t b = p[0];
    *ok = true;
    if (b < 0x80)
        return 1;
    /* need: bytes of the whole sequence; lo/hi: the allowed range of the second byte, which
     * is where overlong forms, surrogates and values above U+10FFFF are excluded. */
    size_t need;
    uint8_t lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
        need = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
        need = 3;
        if (b == 0xe0)
            lo = 0xa0;
        else if (b == 0xed)
            hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        need = 4;
        if (b == 0xf0)
            lo = 0x90;
        else if (b == 0xf4)
            hi = 0x8f;
    } else {
        *ok = false; /* a continuation byte, C0, C1 or F5..FF cannot start anything */
        return 1;
    }
    if (n < 2 || p[1] < lo || p[1] > hi) {
        *ok = false;
        return 1;
    }
    for (size_t i = 2; i < need; i++) {
        if (i >= n || !cont(p[i])) {
            *ok = false;
            return i;
        }
    }
    return need;
}

bool gw_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        bool ok;
        i += gw_utf8_next(p + i, n - i, &ok);
        if (!ok)
            return false;
    }
    return true;
}

bool gw_ascii_ieq(const char *s, size_t n, const char *lower)
{
    size_t i = 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (lower[i] == '\0' || c != (unsigned char)lower[i])
            return false;
    }
    return lower[i] == '\0';
}
