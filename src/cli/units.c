/* units.c: the quantities command-line limits are written in (cli.h): counts, durations
 * ("500ms", "2s", "1.5m") and byte sizes ("65536", "64K", "16MiB"). Strict: the whole text
 * must parse, and a value that does not fit is an error rather than a wrapped number. */
#include "cli.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Reads a decimal integer at *s (digits only), advancing it. false when there is none or it
 * passes UINT64_MAX. */
static bool read_digits(const char **s, uint64_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    if (!isdigit((unsigned char)*p))
        return false;
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *s = p;
    *out = v;
    return true;
}

bool cli_parse_count(const char *text, uint64_t *out)
{
    const char *p = text;
    return read_digits(&p, out) && *p == '\0';
}

/* Multiplies v by m, false on overflow. */
static bool mul_ok(uint64_t v, uint64_t m, uint64_t *out)
{
    if (m && v > UINT64_MAX / m)
        return false;
    *out = v * m;
    return true;
}

bool cli_parse_duration(const char *text, uint64_t *out_ns)
{
    static const struct {
        const char *unit;
        uint64_t ns;
    } units[] = {{"ns", 1},           {"us", 1000},          {"ms", 1000000},  {"s", 1000000000u},
                 {"m", 60000000000u}, {"h", 3600000000000u}, {"", 1000000000u}}; /* a bare number is
                                                                                    seconds */
    const char *p = text;
    uint64_t whole, frac = 0, frac_scale = 1;
    if (!read_digits(&p, &whole))
        return false;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        for (; isdigit((unsigned char)*p); p++)
            if (frac_scale < 1000000000000000000u) { /* digits past 18 cannot matter */
                frac = frac * 10 + (uint64_t)(*p - '0');
                frac_scale *= 10;
            }
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(p, units[i].unit) != 0)
            continue;
        uint64_t ns;
        if (!mul_ok(whole, units[i].ns, &ns))
            return false;
        /* frac / frac_scale of a unit: the unit is at most 3.6e12 ns, frac_scale at most
         * 1e18, so divide first where the product could overflow. */
        uint64_t part = units[i].ns >= frac_scale ? frac * (units[i].ns / frac_scale)
                                                  : frac / (frac_scale / units[i].ns);
        if (ns > UINT64_MAX - part)
            return false;
        *out_ns = ns + part;
        return true;
    }
    return false;
}

bool cli_parse_size(const char *text, uint64_t *out_bytes)
{
    static const struct {
        const char *suffix;
        uint64_t mul;
    } suffixes[] = {{"", 1},         {"b", 1},          {"k", 1u << 10}, {"kib", 1u << 10},
                    {"m", 1u << 20}, {"mib", 1u << 20}, {"g", 1u << 30}, {"gib", 1u << 30}};
    const char *p = text;
    uint64_t v;
    if (!read_digits(&p, &v))
        return false;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (!strcasecmp(p, suffixes[i].suffix))
            return mul_ok(v, suffixes[i].mul, out_bytes);
    return false;
}
