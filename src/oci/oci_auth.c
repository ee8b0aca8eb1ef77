/* oci_auth.c: registry credentials. Reads the docker config (auths.<registry>.auth, or
 * username and password) once per session, and answers a 401's WWW-Authenticate challenge:
 * Basic sends those credentials, Bearer fetches a token from the challenge's realm (with the
 * credentials when there are some, anonymously otherwise) for the session's repository.
 * Credential helpers (credsStore, credHelpers) are not run: a registry that needs one gets a
 * message saying so. Secrets are wiped from memory when released. */
#include "oci/oci_int.h"

#include "util/strf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- the docker config ---- */

/* The config file to read, owned: path, else $DOCKER_CONFIG/config.json, else
 * $HOME/.docker/config.json; NULL when there is no home to look in. */
static char *config_path(const char *path)
{
    const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
    if (path)
        return strdup(path);
    if (dir && *dir)
        return strf("%s/config.json", dir);
    return home && *home ? strf("%s/.docker/config.json", home) : NULL;
}

/* The registry an auths key names: without scheme and path ("https://index.docker.io/v1/"
 * names "index.docker.io"). */
static bool key_names(const char *key, const char *registry)
{
    if (!strncasecmp(key, "https://", 8))
        key += 8;
    else if (!strncasecmp(key, "http://", 7))
        key += 7;
    size_t n = strcspn(key, "/");
    if (strlen(registry) == n && !strncasecmp(key, registry, n))
        return true;
    /* Docker Hub goes by several names. */
    static const char *const hub[] = {"docker.io", "index.docker.io", "registry-1.docker.io"};
    bool key_hub = false, reg_hub = false;
    for (size_t i = 0; i < 3; i++) {
        key_hub |= strlen(hub[i]) == n && !strncasecmp(key, hub[i], n);
        reg_hub |= !strcasecmp(registry, hub[i]);
    }
    return key_hub && reg_hub;
}

static void wipe_free(char *s)
{
    if (s) {
        sodium_memzero(s, strlen(s));
        free(s);
    }
}

/* base64 of "user:password"; the user name goes to out_user. */
static bool encode_pair(const char *user, const char *password, OciCreds *out)
{
    char *pair = strf("%s:%s", user, password);
    if (!pair)
        return false;
    size_t len = strlen(pair), cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    out->basic = malloc(cap);
    if (out->basic)
        sodium_bin2base64(out->basic, cap, (const uint8_t *)pair, len,
                          sodium_base64_VARIANT_ORIGINAL);
    wipe_free(pair);
    out->user = strdup(user);
    return out->basic && out->user;
}

/* Takes the credentials of one auths entry; false with *out_err when it is unusable. */
static bool take_entry(const char *path, const char *key, json_t *entry, OciCreds *out,
                       char **out_err)
{
    const char *auth = json_string_value(json_object_get(entry, "auth"));
    const char *user = json_string_value(json_object_get(entry, "username"));
    const char *password = json_string_value(json_object_get(entry, "password"));
    if (auth && *auth) {
        size_t len = strlen(auth), got = 0;
        char *pair = calloc(1, len + 1);
        bool ok = pair && sodium_base642bin((uint8_t *)pair, len, auth, len, NULL, &got, NULL,
                                            sodium_base64_VARIANT_ORIGINAL) == 0;
        char *colon = ok ? memchr(pair, ':', got) : NULL;
        if (colon) {
            *colon = 0;
            ok = encode_pair(pair, colon + 1, out);
        }
        if (pair)
            sodium_memzero(pair, len);
        free(pair);
        if (!colon)
            *out_err = strf("%s: auths.\"%s\".auth is not base64 of USER:PASSWORD", path, key);
        else if (!ok)
            *out_err = strf("out of memory");
        return colon && ok;
    }
    if (user && password) {
        if (encode_pair(user, password, out))
            return true;
        *out_err = strf("out of memory");
        return false;
    }
    if (json_object_get(entry, "identitytoken"))
        out->note = strf("; %s holds an identity token for it, which Corral does not use "
                         "(give auths.\"%s\".auth instead)",
                         path, key);
    return true;
}

/* Says where the credentials are when a credential helper keeps them. */
static void note_helper(const char *path, json_t *root, const char *registry, OciCreds *out)
{
    json_t *helpers = json_object_get(root, "credHelpers");
    const char *key, *helper = NULL;
    json_t *v;
    json_object_foreach(helpers, key, v)
    {
        if (key_names(key, registry))
            helper = json_string_value(v);
    }
    if (!helper)
        helper = json_string_value(json_object_get(root, "credsStore"));
    if (helper && !out->note)
        out->note = strf("; %s sends it to the credential helper docker-credential-%s, which "
                         "Corral does not run (give auths.\"%s\".auth with base64 of "
                         "USER:PASSWORD instead)",
                         path, helper, registry);
}

OciStatus oci_creds_load(const char *registry, const char *path_given, OciCreds *out,
                         char **out_err)
{
    memset(out, 0, sizeof *out);
    *out_err = NULL;
    char *path = config_path(path_given);
    if (!path)
        return OCI_OK;
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root && !path_given && access(path, F_OK) != 0) {
        free(path); /* no docker config at all: no credentials */
        return OCI_OK;
    }
    if (!root) {
        *out_err = strf("%s:%d: %s", path, jerr.line, jerr.text);
        free(path);
        return OCI_ERR_IO;
    }
    out->source = path;
    json_t *auths = json_object_get(root, "auths");
    const char *key;
    json_t *entry;
    bool ok = true;
    json_object_foreach(auths, key, entry)
    {
        if (ok && !out->basic && key_names(key, registry))
            ok = take_entry(path, key, entry, out, out_err);
    }
    if (ok && !out->basic)
        note_helper(path, root, registry, out);
    json_decref(root);
    if (!ok) {
        oci_creds_clear(out);
        return OCI_ERR_IO;
    }
    return OCI_OK;
}

void oci_creds_clear(OciCreds *c)
{
    wipe_free(c->basic);
    free(c->user);
    free(c->note);
    free(c->source);
    memset(c, 0, sizeof *c);
}

/* ---- challenges ---- */

typedef struct Challenge {
    char scheme[16];
    char *realm, *service, *scope;
} Challenge;

static void challenge_clear(Challenge *c)
{
    free(c->realm);
    free(c->service);
    free(c->scope);
}

/* Reads a token or a quoted string (with backslash escapes) at *p; owned. */
static char *param_value(const char **p)
{
    const char *s = *p;
    size_t cap = strlen(s) + 1, n = 0;
    char *v = malloc(cap);
    if (!v)
        return NULL;
    if (*s == '"') {
        for (s++; *s && *s != '"'; s++)
            v[n++] = *s == '\\' && s[1] ? *++s : *s;
        if (*s == '"')
            s++;
    } else {
        while (*s && *s != ',' && *s != ' ' && *s != '\t')
            v[n++] = *s++;
    }
    v[n] = 0;
    *p = s;
    return v;
}

/* Parses 'Bearer realm="...",service="...",scope="..."' or 'Basic realm="..."'. */
static bool parse_challenge(const char *text, Challenge *c)
{
    memset(c, 0, sizeof *c);
    size_t n = strcspn(text, " \t");
    if (n == 0 || n >= sizeof c->scheme)
        return false;
    memcpy(c->scheme, text, n);
    for (const char *p = text + n; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t k = strcspn(p, "= \t,");
        if (p[k] != '=')
            break;
        const char *name = p;
        p += k + 1;
        char *v = param_value(&p);
        if (!v)
            return false;
        char **slot = k == 5 && !strncasecmp(name, "realm", 5)     ? &c->realm
                      : k == 7 && !strncasecmp(name, "service", 7) ? &c->service
                      : k == 5 && !strncasecmp(name, "scope", 5)   ? &c->scope
                                                                   : NULL;
        if (slot) {
            free(*slot);
            *slot = v;
        } else {
            free(v);
        }
    }
    return true;
}

/* ---- answers ---- */

static OciStatus set_authorization(OciSession *s, const char *scheme, const char *value)
{
    char *line = strf("Authorization: %s %s", scheme, value);
    if (!line)
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    wipe_free(s->authorization);
    s->authorization = line;
    return OCI_OK;
}

static OciStatus answer_basic(OciSession *s)
{
    if (!s->creds.basic)
        return oci_fail(s, OCI_ERR_AUTH, "%s requires a user name and password, and %s%s",
                        s->ref.registry,
                        s->creds.source ? "the docker config has none for it"
                                        : "there is no docker config (~/.docker/config.json)",
                        s->creds.note ? s->creds.note : "");
    if (s->authorization && !strncmp(s->authorization, "Authorization: Basic ", 21))
        return oci_fail(s, OCI_ERR_AUTH, "%s refused user '%s' (credentials from %s)",
                        s->ref.registry, s->creds.user ? s->creds.user : "?",
                        s->creds.source ? s->creds.source : "the docker config");
    return set_authorization(s, "Basic", s->creds.basic);
}

/* The token service's URL for this session's repository. Owned; NULL when out of memory. */
static char *token_url(OciSession *s, const Challenge *c)
{
    CURLU *u = lib_curl.curl_url();
    char *scope = strf("scope=repository:%s:%s", s->ref.repository, s->push ? "pull,push" : "pull");
    char *service = c->service ? strf("service=%s", c->service) : NULL;
    char *extra = c->scope ? strf("scope=%s", c->scope) : NULL;
    char *url = NULL, *out = NULL;
    const unsigned add = CURLU_APPENDQUERY | CURLU_URLENCODE;
    bool ok = u && scope && (!c->service || service) && (!c->scope || extra) &&
              !lib_curl.curl_url_set(u, CURLUPART_URL, c->realm, 0) &&
              (!service || !lib_curl.curl_url_set(u, CURLUPART_QUERY, service, add)) &&
              !lib_curl.curl_url_set(u, CURLUPART_QUERY, scope, add) &&
              (!extra || !strcmp(extra, scope) ||
               !lib_curl.curl_url_set(u, CURLUPART_QUERY, extra, add)) &&
              !lib_curl.curl_url_get(u, CURLUPART_URL, &url, 0);
    if (ok)
        out = strdup(url);
    lib_curl.curl_free(url);
    lib_curl.curl_url_cleanup(u);
    free(scope);
    free(service);
    free(extra);
    return out;
}

static OciStatus answer_bearer(OciSession *s, const Challenge *c)
{
    if (!c->realm)
        return oci_fail(s, OCI_ERR_AUTH,
                        "%s asked for a Bearer token without saying where "
                        "to get one (no realm)",
                        s->ref.registry);
    if (strncasecmp(c->realm, "https://", 8) && !s->plain_http)
        return oci_fail(s, OCI_ERR_AUTH,
                        "%s's token service %s is not HTTPS; Corral sends no "
                        "credentials there without --insecure-http",
                        s->ref.registry, c->realm);
    char *url = token_url(s, c);
    char *basic = s->creds.basic ? strf("Authorization: Basic %s", s->creds.basic) : NULL;
    OciReq rq = {.method = "GET",
                 .url = url,
                 .max_body = OCI_MAX_SMALL,
                 .follow = true,
                 .no_auth = true,
                 .authorization = basic};
    OciResp r;
    if (!url || (s->creds.basic && !basic)) {
        free(url);
        wipe_free(basic);
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    }
    OciStatus st = oci_send(s, &rq, &r);
    wipe_free(basic);
    free(url);
    if (!st && r.status != 200)
        st = oci_fail_status(s, "getting a token", &r);
    json_t *root = st ? NULL : json_loadb((const char *)r.body, r.body_len, 0, NULL);
    const char *token = json_string_value(json_object_get(root, "token"));
    if (!token)
        token = json_string_value(json_object_get(root, "access_token"));
    if (!st && !token)
        st = oci_fail(s, OCI_ERR_AUTH, "%s's token service %s answered without a token",
                      s->ref.registry, c->realm);
    if (!st)
        st = set_authorization(s, "Bearer", token);
    if (!st)
        s->token_fetched = true;
    json_decref(root);
    if (r.body)
        sodium_memzero(r.body, r.body_len);
    oci_resp_clear(&r);
    return st;
}

OciStatus oci_auth_answer(OciSession *s, const char *challenge)
{
    Challenge c;
    if (!parse_challenge(challenge, &c)) {
        challenge_clear(&c);
        return oci_fail(s, OCI_ERR_AUTH, "%s: cannot read the challenge '%.200s'", s->ref.registry,
                        challenge);
    }
    OciStatus st;
    if (!strcasecmp(c.scheme, "Basic"))
        st = answer_basic(s);
    else if (!strcasecmp(c.scheme, "Bearer"))
        st = answer_bearer(s, &c);
    else
        st = oci_fail(s, OCI_ERR_AUTH,
                      "%s asks for %s authentication, which Corral does not "
                      "speak (Basic and Bearer only)",
                      s->ref.registry, c.scheme);
    challenge_clear(&c);
    return st;
}
