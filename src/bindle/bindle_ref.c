/* bindle_ref.c: the small things every part of the client needs: statuses and failures,
 * references and ids, options from the environment, default places, URL paths. */
#include "bindle/bindle_int.h"

#include "util/strf.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const status_texts[] = {
#define X(name, text) text,
#include "bindle/bindle_status.def"
#undef X
};

const char *bindle_status_text(BindleStatus st)
{
    size_t n = sizeof status_texts / sizeof status_texts[0];
    return (size_t)st < n ? status_texts[st] : "unknown status";
}

BindleStatus bindle_fail(char **err, BindleStatus st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vstrf(fmt, ap);
    va_end(ap);
    free(*err);
    *err = msg;
    return msg ? st : BINDLE_ERR_NOMEM;
}

void bindle_log(BindleClient *c, const char *fmt, ...)
{
    if (!c->log)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("corral: ", c->log);
    vfprintf(c->log, fmt, ap);
    fputc('\n', c->log);
    va_end(ap);
}

/* ---- options ---- */

static void from_env(const char **field, const char *name)
{
    const char *v = getenv(name);
    if (!*field && v && v[0])
        *field = v;
}

void bindle_opts_from_env(BindleClientOpts *o)
{
    from_env(&o->server_url, "BINDLE_URL");
    from_env(&o->cache_dir, "BINDLE_DIRECTORY");
    from_env(&o->http_user, "BINDLE_HTTP_USER");
    from_env(&o->http_password, "BINDLE_HTTP_PASSWORD");
}

char *bindle_default_cache_dir(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && xdg[0] == '/')
        return strf("%s/corral/bindle", xdg);
    const char *home = getenv("HOME");
    if (!home || !home[0]) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    return home && home[0] ? strf("%s/.cache/corral/bindle", home) : NULL;
}

VerifyStrategy bindle_default_strategy(void)
{
    return (VerifyStrategy){
        .kind = VERIFY_MULTIPLE_ATTESTATION_GREEDY, .roles = {SIGN_ROLE_HOST}, .nroles = 1};
}

/* ---- references and ids ---- */

#define PREFIX "bindle:"

static const char *strip_prefix(const char *text)
{
    return strncmp(text, PREFIX, strlen(PREFIX)) ? text : text + strlen(PREFIX);
}

bool bindle_ref_is_bindle(const char *text)
{
    if (!strncmp(text, PREFIX, strlen(PREFIX)))
        return true;
    const char *slash = strrchr(text, '/');
    SemVer v;
    return slash && slash > text && semver_parse(slash + 1, strlen(slash + 1), &v);
}

char *bindle_id_checked(const char *text, char **out_err)
{
    const char *id = strip_prefix(text);
    BindleId parsed;
    const char *why;
    if (!bindle_id_parse(id, strlen(id), &parsed, &why)) {
        bindle_fail(out_err, BINDLE_ERR_USAGE, "'%.200s' is not a bindle id NAME/VERSION (%s)",
                    text, why);
        return NULL;
    }
    char *d = strdup(id);
    if (!d)
        bindle_fail(out_err, BINDLE_ERR_NOMEM, "out of memory");
    return d;
}

char *bindle_ref_id(const char *text, char **out_err)
{
    *out_err = NULL;
    return bindle_id_checked(text, out_err);
}

void bindle_id_key(const char *id, char out[BINDLE_SHA_TEXT])
{
    const char *slash = strrchr(id, '/');
    size_t name_len = (size_t)(slash - id);
    bindle_id_sha(id, name_len, slash + 1, strlen(slash + 1), out);
}

/* ---- URL paths ---- */

static bool unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

char *bindle_url_path(const char *kind, const char *id, const char *sha)
{
    size_t n = strlen(id);
    char *enc = malloc(3 * n + 1), *p = enc;
    if (!enc)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (unreserved(c) || c == '/') {
            *p++ = (char)c;
        } else {
            static const char hex[] = "0123456789ABCDEF";
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    *p = 0;
    char *path = strf("%s%s%s%s", kind, enc, sha ? "@" : "", sha ? sha : "");
    free(enc);
    return path;
}

/* ---- lists ---- */

void bindle_shas_clear(BindleShas *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i]);
    free(s->items);
    s->items = NULL;
    s->n = 0;
}

void bindle_matches_clear(BindleMatches *m)
{
    for (size_t i = 0; i < m->n; i++)
        invoice_free(m->invoices[i]);
    free(m->invoices);
    free(m->text);
    free(m->query);
    *m = (BindleMatches){0};
}
