/* ref.c: OCI references (oci.h): parsing "oci://host[:port]/repo:tag@digest" and WAGI's
 * "oci:repo:tag", Docker's defaults (Docker Hub, "library/", the tag latest), formatting them
 * back, and which registries are loopback. Pure text: no I/O. The grammar is the
 * distribution spec's: path components [a-z0-9]+ joined by '.', '_', '__' or dashes, tags
 * [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, digests sha256 only. */
#include "oci/oci_int.h"

#include "util/strf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DOCKER_HUB "docker.io"
/* The longest repository name the distribution registry accepts, host excluded. */
#define MAX_NAME 255
#define MAX_TAG 128

bool oci_ref_is_oci(const char *text)
{
    return !strncmp(text, "oci:", 4);
}

static bool lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*. */
static bool component_ok(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (!lower_alnum(s[i]))
            return false;
        while (i < n && lower_alnum(s[i]))
            i++;
        if (i == n)
            return true;
        size_t sep = i;
        if (s[i] == '.')
            i++;
        else if (s[i] == '_')
            i += i + 1 < n && s[i + 1] == '_' ? 2 : 1;
        else
            while (i < n && s[i] == '-')
                i++;
        if (i == sep || i == n)
            return false; /* no separator, or one at the end */
    }
    return n > 0;
}

static char *check_repository(const char *s, size_t n)
{
    if (n == 0)
        return strf("the repository name is empty");
    if (n > MAX_NAME)
        return strf("the repository name is longer than %d characters", MAX_NAME);
    for (size_t start = 0; start <= n;) {
        const char *slash = memchr(s + start, '/', n - start);
        size_t end = slash ? (size_t)(slash - s) : n;
        if (!component_ok(s + start, end - start))
            return strf("'%.*s' is not a valid repository name component (lower-case "
                        "letters and digits, with '.', '_', '__' or '-' between them)",
                        (int)(end - start), s + start);
        start = end + 1;
    }
    return NULL;
}

static bool tag_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

static char *check_tag(const char *s, size_t n)
{
    if (n == 0)
        return strf("the tag after ':' is empty");
    if (n > MAX_TAG)
        return strf("the tag is longer than %d characters", MAX_TAG);
    if (s[0] == '.' || s[0] == '-')
        return strf("the tag '%.*s' starts with '%c' (it must start with a letter, a digit "
                    "or '_')",
                    (int)n, s, s[0]);
    for (size_t i = 0; i < n; i++)
        if (!tag_char(s[i]))
            return strf("the tag '%.*s' has a character other than letters, digits, '_', "
                        "'.' and '-'",
                        (int)n, s);
    return NULL;
}

static char *check_digest(const char *s, size_t n)
{
    const char *colon = memchr(s, ':', n);
    if (!colon)
        return strf("the digest '%.*s' is not ALGORITHM:HEX", (int)n, s);
    if (colon - s != 6 || memcmp(s, "sha256", 6) != 0)
        return strf("the digest algorithm '%.*s' is not supported (only sha256)", (int)(colon - s),
                    s);
    char buf[OCI_DIGEST_SIZE];
    if (n >= sizeof buf)
        return strf("the sha256 digest has more than 64 hex digits");
    memcpy(buf, s, n);
    buf[n] = 0;
    if (!oci_digest_valid(buf))
        return strf("the sha256 digest must be 64 lower-case hex digits");
    return NULL;
}

/* host[:port] as written: a DNS name or IPv4 address, or [IPv6]; the port 1-65535. */
static char *check_registry(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0)
        return strf("the registry host is empty");
    if (s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close || close - s < 3)
            return strf("the IPv6 registry address '%.*s' has no closing ']'", (int)n, s);
        for (const char *p = s + 1; p < close; p++)
            if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
                return strf("'%.*s' is not an IPv6 address", (int)n, s);
        i = (size_t)(close - s) + 1;
    } else {
        while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '.'))
            i++;
        if (i == 0 || s[0] == '-' || s[0] == '.' || s[i - 1] == '-')
            return strf("'%.*s' is not a registry host name", (int)n, s);
    }
    if (i == n)
        return NULL;
    if (s[i] != ':')
        return strf("the registry host '%.*s' has a character a host name cannot have", (int)n, s);
    size_t digits = n - i - 1;
    long port = 0;
    for (size_t j = i + 1; j < n && port <= 65535; j++)
        port = isdigit((unsigned char)s[j]) ? port * 10 + (s[j] - '0') : 100000;
    if (digits == 0 || digits > 5 || port < 1 || port > 65535)
        return strf("the registry port in '%.*s' is not a number from 1 to 65535", (int)n, s);
    return NULL;
}

/* Docker's rule for "a/b/c" without a scheme: the first component is a registry when it has
 * a '.' or a ':' or is localhost. */
static bool looks_like_host(const char *s, size_t n)
{
    return memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && !memcmp(s, "localhost", 9)) ||
           (n > 0 && s[0] == '[');
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* Splits "repo[:tag][@digest]" (the part after the registry) into out's fields. */
static char *parse_name(const char *s, bool docker_hub, OciRef *out)
{
    size_t n = strlen(s);
    const char *at = memchr(s, '@', n);
    size_t name_end = at ? (size_t)(at - s) : n;
    char *err = at ? check_digest(at + 1, n - name_end - 1) : NULL;
    if (err)
        return err;
    /* The tag is after the last ':' that follows the last '/'. */
    const char *colon = NULL;
    for (const char *p = s; p < s + name_end; p++)
        if (*p == '/')
            colon = NULL;
        else if (*p == ':')
            colon = p;
    size_t repo_len = colon ? (size_t)(colon - s) : name_end;
    if ((err = check_repository(s, repo_len)))
        return err;
    if (colon && (err = check_tag(colon + 1, name_end - repo_len - 1)))
        return err;
    bool library = docker_hub && !memchr(s, '/', repo_len);
    out->repository = library ? strf("library/%.*s", (int)repo_len, s) : dup_n(s, repo_len);
    if (colon)
        out->tag = dup_n(colon + 1, name_end - repo_len - 1);
    else if (!at)
        out->tag = strdup("latest");
    if (at)
        out->digest = dup_n(at + 1, n - name_end - 1);
    if (!out->repository || (!out->tag && !at) || (at && !out->digest))
        return strf("out of memory");
    return NULL;
}

OciStatus oci_ref_parse(const char *text, OciRef *out, char **out_err)
{
    memset(out, 0, sizeof *out);
    *out_err = NULL;
    const char *rest, *slash;
    char *err = NULL;
    if (!strncmp(text, "oci://", 6)) {
        rest = text + 6;
        slash = strchr(rest, '/');
        if (!slash || slash == rest)
            err = strf("an oci:// reference needs a registry and a repository: "
                       "oci://HOST[:PORT]/NAME[:TAG]");
    } else if (!strncmp(text, "oci:", 4)) {
        rest = text + 4;
        slash = strchr(rest, '/');
        if (!slash || !looks_like_host(rest, (size_t)(slash - rest)))
            slash = NULL; /* no registry: Docker Hub */
    } else {
        *out_err = strf("not an OCI reference (oci://HOST[:PORT]/NAME[:TAG])");
        return OCI_ERR_REF;
    }
    if (!err && slash)
        err = check_registry(rest, (size_t)(slash - rest));
    if (!err) {
        size_t host_len = slash ? (size_t)(slash - rest) : 0;
        bool hub = !slash || (host_len == 9 && !memcmp(rest, DOCKER_HUB, 9)) ||
                   (host_len == 15 && !memcmp(rest, "index.docker.io", 15));
        out->registry = hub ? strdup(DOCKER_HUB) : dup_n(rest, host_len);
        err =
            out->registry ? parse_name(slash ? slash + 1 : rest, hub, out) : strf("out of memory");
    }
    if (err) {
        oci_ref_clear(out);
        *out_err = err;
        return OCI_ERR_REF;
    }
    return OCI_OK;
}

void oci_ref_clear(OciRef *r)
{
    free(r->registry);
    free(r->repository);
    free(r->tag);
    free(r->digest);
    memset(r, 0, sizeof *r);
}

char *oci_ref_format(const OciRef *r, const char *digest)
{
    if (!digest)
        digest = r->digest;
    return strf("oci://%s/%s%s%s%s%s", r->registry, r->repository, r->tag ? ":" : "",
                r->tag ? r->tag : "", digest ? "@" : "", digest ? digest : "");
}

/* The host part of "host[:port]" or "[v6]:port". */
static size_t host_len(const char *registry)
{
    if (registry[0] == '[') {
        const char *close = strchr(registry, ']');
        return close ? (size_t)(close - registry) + 1 : strlen(registry);
    }
    const char *colon = strchr(registry, ':');
    return colon ? (size_t)(colon - registry) : strlen(registry);
}

static bool is_ipv4_loopback(const char *s, size_t n)
{
    int parts = 0, value = -1;
    if (n < 7 || memcmp(s, "127.", 4) != 0)
        return false;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (value < 0 || value > 255)
                return false;
            parts++;
            value = -1;
        } else if (isdigit((unsigned char)s[i])) {
            value = (value < 0 ? 0 : value * 10) + (s[i] - '0');
            if (value > 255)
                return false;
        } else {
            return false;
        }
    }
    return parts == 4;
}

bool oci_registry_is_loopback(const char *registry)
{
    size_t n = host_len(registry);
    return (n == 9 && !strncasecmp(registry, "localhost", 9)) || is_ipv4_loopback(registry, n) ||
           (n == 5 && !memcmp(registry, "[::1]", 5));
}
