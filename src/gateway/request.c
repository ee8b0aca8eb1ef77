/* request.c: the split of a request-target into its parts (RFC 9112 3.2). It only points
 * into the text; it decodes nothing, so routing sees the raw path as WAGI's does. */
#include "gateway/request.h"

#include <string.h>

/* The length of "scheme://" at the start of s, or 0 when s does not start with one
 * (RFC 3986 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )). */
static size_t scheme_prefix(const char *s)
{
    size_t i = 0;
    while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
           (i > 0 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.')))
        i++;
    return i > 0 && strncmp(s + i, "://", 3) == 0 ? i + 3 : 0;
}

/* Valid port text: 1 to 5 digits with a value of at most 65535. */
static bool port_ok(const char *p, size_t n)
{
    if (n == 0 || n > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    return v <= 65535;
}

/* Fills host and port from the authority a[0..n). */
static void split_authority(const char *a, size_t n, GwTarget *out)
{
    for (size_t i = n; i > 0; i--) { /* the host starts after the last '@' */
        if (a[i - 1] == '@') {
            a += i;
            n -= i;
            break;
        }
    }
    size_t host_end;
    if (n > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', n);
        host_end = close ? (size_t)(close - a) + 1 : n;
    } else {
        const char *colon = memchr(a, ':', n);
        host_end = colon ? (size_t)(colon - a) : n;
    }
    out->host = a;
    out->host_len = host_end;
    if (host_end < n && a[host_end] == ':' && port_ok(a + host_end + 1, n - host_end - 1)) {
        out->port = a + host_end + 1;
        out->port_len = n - host_end - 1;
    }
}

void gw_target_parse(const char *target, GwTarget *out)
{
    size_t end = strcspn(target, "#");
    const char *p = target;
    *out = (GwTarget){.path = "", .query = "", .host = "", .port = ""};
    size_t sp = target[0] == '/' ? 0 : scheme_prefix(target);
    if (sp) {
        size_t auth_len = strcspn(target + sp, "/?#");
        split_authority(target + sp, auth_len, out);
        p = target + sp + auth_len;
        end -= sp + auth_len;
    }
    const char *q = memchr(p, '?', end);
    size_t path_len = q ? (size_t)(q - p) : end;
    out->path = p;
    out->path_len = path_len;
    if (sp && path_len == 0) {
        out->path = "/";
        out->path_len = 1;
    }
    if (q) {
        out->has_query = true;
        out->query = q + 1;
        out->query_len = end - path_len - 1;
    }
}
