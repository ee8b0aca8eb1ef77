/* toml_datetime.c: RFC 3339 dates and times as TOML 1.0 has them: offset datetime, local
 * datetime, local date, local time. Fields have their exact digit counts and ranges (the day
 * against the month and leap years, seconds up to 60 for a leap second); seconds are
 * required; 'T', 't' or a space separates date and time; a fraction keeps 9 digits. */
#include "util/toml_int.h"

#include <stdarg.h>
#include <stdio.h>

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

bool toml_looks_like_datetime(const TomlParser *p)
{
    bool two = is_digit(toml_peek_at(p, 0)) && is_digit(toml_peek_at(p, 1));
    if (two && toml_peek_at(p, 2) == ':')
        return true;
    return two && is_digit(toml_peek_at(p, 2)) && is_digit(toml_peek_at(p, 3)) &&
           toml_peek_at(p, 4) == '-';
}

/* Exactly n digits for the named field, within lo..hi. */
static TomlStatus field(TomlParser *p, int n, const char *name, int lo, int hi, int *out)
{
    size_t start = p->pos;
    int v = 0;
    for (int i = 0; i < n; i++) {
        int c = toml_peek(p);
        if (!is_digit(c)) {
            char d[24];
            return toml_fail(p, p->pos, "expected %d digits for the %s, found %s", n, name,
                             toml_describe(p, p->pos, d, sizeof d));
        }
        v = v * 10 + (c - '0');
        p->pos++;
    }
    if (v < lo || v > hi)
        return toml_fail(p, start, "%s %.*s is out of range (%0*d-%0*d)", name, n, p->s + start,
                         n, lo, n, hi);
    *out = v;
    return TOML_OK;
}

static TomlStatus expect(TomlParser *p, char c, const char *where)
{
    if (toml_peek(p) == c) {
        p->pos++;
        return TOML_OK;
    }
    char d[24];
    return toml_fail(p, p->pos, "expected '%c' %s, found %s", c, where,
                     toml_describe(p, p->pos, d, sizeof d));
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    return m == 2 && leap ? 29 : days[m - 1];
}

static TomlStatus scan_date(TomlParser *p, TomlDatetime *dt)
{
    TomlStatus st = field(p, 4, "year", 0, 9999, &dt->year);
    if (st == TOML_OK)
        st = expect(p, '-', "after the year");
    if (st == TOML_OK)
        st = field(p, 2, "month", 1, 12, &dt->month);
    if (st == TOML_OK)
        st = expect(p, '-', "after the month");
    size_t day = p->pos;
    if (st == TOML_OK)
        st = field(p, 2, "day", 1, 31, &dt->day);
    if (st == TOML_OK && dt->day > days_in_month(dt->year, dt->month))
        return toml_fail(p, day, "day %02d is out of range for %04d-%02d", dt->day, dt->year,
                         dt->month);
    dt->flags |= TOML_DT_DATE;
    return st;
}

/* '.' and one or more digits; the first nine make the nanoseconds. */
static TomlStatus scan_fraction(TomlParser *p, TomlDatetime *dt)
{
    p->pos++;
    if (!is_digit(toml_peek(p))) {
        char d[24];
        return toml_fail(p, p->pos, "expected a digit after '.' in the seconds, found %s",
                         toml_describe(p, p->pos, d, sizeof d));
    }
    uint32_t ns = 0;
    int n = 0;
    for (; is_digit(toml_peek(p)); p->pos++, n++)
        if (n < 9)
            ns = ns * 10 + (uint32_t)(toml_peek(p) - '0');
    dt->frac_digits = n < 9 ? n : 9;
    for (int i = dt->frac_digits; i < 9; i++)
        ns *= 10;
    dt->nanosecond = ns;
    return TOML_OK;
}

static TomlStatus scan_time(TomlParser *p, TomlDatetime *dt)
{
    TomlStatus st = field(p, 2, "hour", 0, 23, &dt->hour);
    if (st == TOML_OK)
        st = expect(p, ':', "after the hour");
    if (st == TOML_OK)
        st = field(p, 2, "minute", 0, 59, &dt->minute);
    if (st == TOML_OK)
        st = expect(p, ':', "after the minute (TOML 1.0 requires seconds)");
    if (st == TOML_OK)
        st = field(p, 2, "second", 0, 60, &dt->second);
    if (st == TOML_OK && toml_peek(p) == '.')
        st = scan_fraction(p, dt);
    dt->flags |= TOML_DT_TIME;
    return st;
}

/* Z, z, or +HH:MM / -HH:MM, if present. */
static TomlStatus scan_offset(TomlParser *p, TomlDatetime *dt)
{
    int c = toml_peek(p);
    if (c == 'Z' || c == 'z') {
        p->pos++;
        dt->flags |= TOML_DT_OFFSET;
        return TOML_OK;
    }
    if (c != '+' && c != '-')
        return TOML_OK;
    p->pos++;
    int h = 0, m = 0;
    TomlStatus st = field(p, 2, "offset hour", 0, 23, &h);
    if (st == TOML_OK)
        st = expect(p, ':', "in the offset");
    if (st == TOML_OK)
        st = field(p, 2, "offset minute", 0, 59, &m);
    dt->offset_minutes = (c == '-' ? -1 : 1) * (h * 60 + m);
    dt->flags |= TOML_DT_OFFSET;
    return st;
}

/* After a date: a time follows a 'T', a 't', or a space and a digit. */
static bool time_follows(const TomlParser *p)
{
    int c = toml_peek(p);
    return c == 'T' || c == 't' || (c == ' ' && is_digit(toml_peek_at(p, 1)));
}

TomlStatus toml_scan_datetime(TomlParser *p, TomlValue *out)
{
    TomlDatetime dt = {0};
    TomlStatus st;
    if (toml_peek_at(p, 2) == ':') {
        st = scan_time(p, &dt);
    } else {
        st = scan_date(p, &dt);
        if (st == TOML_OK && time_follows(p)) {
            p->pos++;
            st = scan_time(p, &dt);
            if (st == TOML_OK)
                st = scan_offset(p, &dt);
        }
    }
    if (st != TOML_OK)
        return st;
    bool date = dt.flags & TOML_DT_DATE, time = dt.flags & TOML_DT_TIME;
    out->kind = !date                        ? TOML_TIME_LOCAL
                : !time                      ? TOML_DATE_LOCAL
                : dt.flags & TOML_DT_OFFSET ? TOML_DATETIME
                                             : TOML_DATETIME_LOCAL;
    out->u.dt = dt;
    return TOML_OK;
}

/* Appends to t[0..cap) at *n, never past its end. */
static void put(char *t, size_t cap, size_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(t + *n, cap - *n, fmt, ap);
    va_end(ap);
    if (r > 0)
        *n = *n + (size_t)r < cap ? *n + (size_t)r : cap - 1;
}

size_t toml_datetime_format(const TomlDatetime *dt, char *buf, size_t cap)
{
    char t[TOML_DATETIME_TEXT * 2];
    size_t n = 0;
    t[0] = '\0';
    if (dt->flags & TOML_DT_DATE)
        put(t, sizeof t, &n, "%04d-%02d-%02d", dt->year, dt->month, dt->day);
    if ((dt->flags & TOML_DT_DATE) && (dt->flags & TOML_DT_TIME))
        put(t, sizeof t, &n, "T");
    if (dt->flags & TOML_DT_TIME)
        put(t, sizeof t, &n, "%02d:%02d:%02d", dt->hour, dt->minute, dt->second);
    if ((dt->flags & TOML_DT_TIME) && dt->frac_digits > 0 && dt->frac_digits <= 9) {
        uint32_t div = 1;
        for (int i = dt->frac_digits; i < 9; i++)
            div *= 10;
        put(t, sizeof t, &n, ".%0*u", dt->frac_digits, (unsigned)(dt->nanosecond / div));
    }
    long long off = dt->offset_minutes, a = off < 0 ? -off : off;
    if ((dt->flags & TOML_DT_OFFSET) && off == 0)
        put(t, sizeof t, &n, "Z");
    else if (dt->flags & TOML_DT_OFFSET)
        put(t, sizeof t, &n, "%c%02lld:%02lld", off < 0 ? '-' : '+', a / 60,
            a % 60);
    if (cap > 0)
        snprintf(buf, cap, "%s", t);
    return n;
}
