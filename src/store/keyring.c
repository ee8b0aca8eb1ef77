/* keyring.c: reading and writing Bindle's keyring and secret key files (keyring.h). The
 * readers follow Bindle's serde structs field by field; the writers replace a file in one
 * rename so a crash never leaves half a key file. Nothing here decides whom to trust. */
#include "store/keyring.h"

#include "util/fs.h"
#include "util/strf.h"
#include "util/toml.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- reading ---- */

/* What a reader needs to report: where the text came from, the error, and where to note the
 * keys it ignores. */
typedef struct Parse {
    const char *origin;
    SignError *err;
    size_t *nignored;
    char *ignored;
    size_t ignored_size;
} Parse;

static SignStatus bad(Parse *p, uint32_t line, uint32_t column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static SignStatus bad(Parse *p, uint32_t line, uint32_t column, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return sign_fail(p->err, SIGN_ERR_FILE, SIZE_MAX, "%s:%u:%u: %s", p->origin, line, column,
                     what);
}

static void note_ignored(Parse *p, const TomlEntry *e, const char *where)
{
    if ((*p->nignored)++ == 0) {
        char key[80];
        sign_quote(e->key, 60, key, sizeof key);
        snprintf(p->ignored, p->ignored_size, "unknown key '%s'%s at line %u", key, where, e->line);
    }
}

/* A string field: a TOML string without NUL, copied into *out (owned). */
static SignStatus read_string(Parse *p, const TomlEntry *e, char **out)
{
    const char *s;
    size_t len;
    if (!toml_as_string(e->value, &s, &len))
        return bad(p, e->line, e->column, "'%s' must be a string, not %s", e->key,
                   toml_kind_name(toml_kind(e->value)));
    if (strlen(s) != len)
        return bad(p, e->line, e->column, "'%s' holds a NUL character", e->key);
    free(*out); /* a second definition cannot happen: the parser refuses duplicate keys */
    *out = strdup(s);
    return *out ? SIGN_OK : sign_fail(p->err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
}

/* roles = ["creator", ...]: each exactly a role's name, as serde reads Bindle's enum. */
static SignStatus read_roles(Parse *p, const TomlEntry *e, SignRole **out, size_t *out_n)
{
    if (toml_kind(e->value) != TOML_ARRAY)
        return bad(p, e->line, e->column, "'roles' must be an array of strings, not %s",
                   toml_kind_name(toml_kind(e->value)));
    size_t n = toml_array_len(e->value);
    SignRole *roles = malloc((n ? n : 1) * sizeof *roles);
    if (!roles)
        return sign_fail(p->err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const TomlValue *v = toml_array_at(e->value, i);
        const char *s;
        size_t len;
        if (!toml_as_string(v, &s, &len) || !sign_role_from_name(s, len, &roles[i])) {
            free(roles);
            return bad(p, toml_line(v), toml_column(v),
                       "roles: each must be one of \"creator\", \"approver\", \"host\", "
                       "\"proxy\" (lower case)");
        }
    }
    free(*out);
    *out = roles;
    *out_n = n;
    return SIGN_OK;
}

/* The file's root: version = "..." and key = [tables...]. Unknown keys are noted. */
static SignStatus read_root(Parse *p, const TomlValue *root, char **out_version,
                            const TomlValue **out_keys)
{
    const TomlValue *keys = NULL;
    for (size_t i = 0; i < toml_table_len(root); i++) {
        const TomlEntry *e = toml_table_entry(root, i);
        if (!strcmp(e->key, "version")) {
            SignStatus st = read_string(p, e, out_version);
            if (st)
                return st;
        } else if (!strcmp(e->key, "key")) {
            if (toml_kind(e->value) != TOML_ARRAY)
                return bad(p, e->line, e->column, "'key' must be an array of tables ([[key]])");
            keys = e->value;
        } else {
            note_ignored(p, e, "");
        }
    }
    if (!*out_version)
        return bad(p, 1, 1, "missing field 'version' (version = \"%s\")", KEYRING_VERSION);
    if (!keys)
        return bad(p, 1, 1,
                   "missing field 'key' (no [[key]] table; an empty file has "
                   "key = [])");
    for (size_t i = 0; i < toml_array_len(keys); i++) {
        const TomlValue *t = toml_array_at(keys, i);
        if (toml_kind(t) != TOML_TABLE)
            return bad(p, toml_line(t), toml_column(t), "'key' must be an array of tables");
    }
    *out_keys = keys;
    return SIGN_OK;
}

/* Parses text into a tree, or reports the TOML error. */
static SignStatus parse_toml(Parse *p, const char *text, size_t len, TomlValue **out_root)
{
    TomlError terr;
    TomlStatus ts = toml_parse(text, len, out_root, &terr);
    if (ts == TOML_ERR_NOMEM)
        return sign_fail(p->err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
    if (ts != TOML_OK)
        return bad(p, terr.line, terr.column, "%s", terr.message);
    return SIGN_OK;
}

static SignStatus grow(void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return SIGN_OK;
    size_t ncap = *cap ? *cap * 2 : 4;
    void *p = realloc(*items, ncap * size);
    if (!p)
        return SIGN_ERR_NOMEM;
    *items = p;
    *cap = ncap;
    return SIGN_OK;
}

/* Reads a whole key file. A missing one is SIGN_OK with *out_exists false and no text. */
static SignStatus read_key_file(const char *path, char **out_text, size_t *out_len,
                                bool *out_exists, SignError *err)
{
    *out_text = NULL;
    *out_len = 0;
    *out_exists = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return SIGN_OK;
    if (fd < 0)
        return sign_fail(err, SIGN_ERR_FILE, SIZE_MAX, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return sign_fail(err, SIGN_ERR_FILE, SIZE_MAX, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > KEYRING_MAX_FILE) {
        close(fd);
        return sign_fail(err, SIGN_ERR_FILE, SIZE_MAX, "%s: larger than %zu MiB", path,
                         KEYRING_MAX_FILE >> 20);
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *text = malloc(cap);
    if (!text) {
        close(fd);
        return sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
    }
    for (;;) {
        ssize_t n = read(fd, text + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            free(text);
            return sign_fail(err, SIGN_ERR_FILE, SIZE_MAX, "%s: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == cap) { /* the file grew while we read it: take what fits the limit */
            if (cap > KEYRING_MAX_FILE) {
                close(fd);
                free(text);
                return sign_fail(err, SIGN_ERR_FILE, SIZE_MAX, "%s: larger than %zu MiB", path,
                                 KEYRING_MAX_FILE >> 20);
            }
            char *more = realloc(text, cap * 2);
            if (!more) {
                close(fd);
                free(text);
                return sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
            }
            text = more;
            cap *= 2;
        }
    }
    close(fd);
    *out_text = text;
    *out_len = len;
    *out_exists = true;
    return SIGN_OK;
}

/* ---- writing ---- */

typedef struct Buf {
    char *p;
    size_t len, cap;
    bool oom;
} Buf;

static void buf_put(Buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        char *p = realloc(b->p, ncap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_puts(Buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

/* A TOML basic string, escaped as Bindle's toml crate escapes it. */
static void buf_toml_string(Buf *b, const char *s)
{
    buf_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        switch (c) {
        case '"':
            buf_puts(b, "\\\"");
            break;
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case '\b':
            buf_puts(b, "\\b");
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        case '\n':
            buf_puts(b, "\\n");
            break;
        case '\f':
            buf_puts(b, "\\f");
            break;
        case '\r':
            buf_puts(b, "\\r");
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                snprintf(esc, sizeof esc, "\\u%04X", c);
                buf_puts(b, esc);
            } else {
                buf_put(b, s, 1);
            }
        }
    }
    buf_put(b, "\"", 1);
}

static void buf_field(Buf *b, const char *name, const char *value)
{
    buf_puts(b, name);
    buf_puts(b, " = ");
    buf_toml_string(b, value);
    buf_puts(b, "\n");
}

static void buf_roles(Buf *b, const SignRole *roles, size_t n)
{
    buf_puts(b, "roles = [");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_puts(b, ", ");
        buf_toml_string(b, sign_role_name(roles[i]));
    }
    buf_puts(b, "]\n");
}

static char *buf_finish(Buf *b)
{
    if (b->oom) {
        free(b->p);
        return NULL;
    }
    return b->p;
}

/* Writes text to path through a temporary file in the same directory and one rename. mode
 * < 0: keep an existing file's mode, 0600 for a new one. A symlink is written through. */
static SignStatus write_key_file(const char *path, const char *text, int mode, SignError *err)
{
    SignStatus st = SIGN_ERR_FILE;
    char *target = NULL, *tmp = NULL;
    int fd = -1;
    struct stat lst, tst;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        target = realpath(path, NULL);
        if (!target) {
            sign_fail(err, SIGN_ERR_FILE, SIZE_MAX, "%s: %s", path, strerror(errno));
            goto done;
        }
    } else {
        target = strdup(path);
        if (!target)
            goto nomem;
    }
    if (stat(target, &tst) == 0) {
        if (!S_ISREG(tst.st_mode)) {
            sign_fail(err, SIGN_ERR_FILE, SIZE_MAX, "%s: not a regular file", path);
            goto done;
        }
        if (mode < 0)
            mode = (int)(tst.st_mode & 07777);
    }
    if (mode < 0)
        mode = 0600;
    if (!fs_mkdirs_for(target, 0700)) {
        sign_fail(err, SIGN_ERR_FILE, SIZE_MAX, "%s: cannot create its directory: %s", path,
                  strerror(errno));
        goto done;
    }
    tmp = strf("%s.XXXXXX", target);
    if (!tmp)
        goto nomem;
    fd = mkstemp(tmp); /* mode 0600 from the start: a secret is never readable by others */
    if (fd < 0) {
        sign_fail(err, SIGN_ERR_FILE, SIZE_MAX, "%s: %s", tmp, strerror(errno));
        free(tmp);
        tmp = NULL;
        goto done;
    }
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto io;
        done += (size_t)n;
    }
    if (fchmod(fd, (mode_t)mode) != 0 || fsync(fd) != 0)
        goto io;
    if (close(fd) != 0) {
        fd = -1;
        goto io;
    }
    fd = -1;
    if (rename(tmp, target) != 0)
        goto io;
    free(tmp);
    tmp = NULL;
    st = SIGN_OK;
    goto done;
nomem:
    st = sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
    goto done;
io:
    sign_fail(err, SIGN_ERR_FILE, SIZE_MAX, "%s: %s", path, strerror(errno));
done:
    if (fd >= 0)
        close(fd);
    if (tmp)
        unlink(tmp);
    free(tmp);
    free(target);
    return st;
}

/* Well-formed UTF-8: no overlong forms, surrogates or code points past U+10FFFF. (The
 * engine's reader has the same check; the store does not link the engine.) */
static bool utf8_ok(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s, n = c < 0x80                 ? 0
                             : c >= 0xc2 && c <= 0xdf ? 1
                             : (c & 0xf0) == 0xe0     ? 2
                             : c >= 0xf0 && c <= 0xf4 ? 3
                                                      : 4;
        if (n == 4)
            return false;
        unsigned lo = 0x80, hi = 0xbf; /* the range of the second byte */
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
        else if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
        for (unsigned i = 1; i <= n; i++) {
            unsigned b = s[i];
            if (i == 1 ? b < lo || b > hi : (b & 0xc0) != 0x80)
                return false;
        }
        s += n + 1;
    }
    return true;
}

static bool label_ok(const char *label, SignError *err)
{
    if (utf8_ok((const unsigned char *)label))
        return true;
    sign_fail(err, SIGN_ERR_FILE, SIZE_MAX, "the label is not valid UTF-8");
    return false;
}

static SignRole *copy_roles(const SignRole *roles, size_t n)
{
    SignRole *r = malloc((n ? n : 1) * sizeof *r);
    if (r && n)
        memcpy(r, roles, n * sizeof *r);
    return r;
}

/* ---- keyrings ---- */

void keyring_init(Keyring *kr)
{
    memset(kr, 0, sizeof *kr);
}

static void entry_free(KeyringEntry *e)
{
    free(e->label);
    free(e->roles);
    free(e->key);
    free(e->label_signature);
}

void keyring_free(Keyring *kr)
{
    for (size_t i = 0; i < kr->nkeys; i++)
        entry_free(&kr->keys[i]);
    free(kr->keys);
    free(kr->version);
    keyring_init(kr);
}

/* One [[key]] of a keyring: label, roles, key required; labelSignature optional. */
static SignStatus read_entry(Parse *p, const TomlValue *t, KeyringEntry *e)
{
    bool has_roles = false;
    for (size_t i = 0; i < toml_table_len(t); i++) {
        const TomlEntry *f = toml_table_entry(t, i);
        SignStatus st = SIGN_OK;
        if (!strcmp(f->key, "label"))
            st = read_string(p, f, &e->label);
        else if (!strcmp(f->key, "key"))
            st = read_string(p, f, &e->key);
        else if (!strcmp(f->key, "labelSignature"))
            st = read_string(p, f, &e->label_signature);
        else if (!strcmp(f->key, "roles")) {
            has_roles = true;
            st = read_roles(p, f, &e->roles, &e->nroles);
        } else
            note_ignored(p, f, " in [[key]]");
        if (st)
            return st;
    }
    const char *missing = !e->label ? "label" : !has_roles ? "roles" : !e->key ? "key" : NULL;
    if (missing)
        return bad(p, toml_line(t), toml_column(t), "[[key]] is missing field '%s'", missing);
    e->key_ok = sign_public_key_decode(e->key, e->pk);
    return SIGN_OK;
}

SignStatus keyring_parse(const char *text, size_t len, const char *origin, Keyring *out,
                         SignError *err)
{
    keyring_init(out);
    Parse p = {origin, err, &out->nignored, out->ignored, sizeof out->ignored};
    TomlValue *root;
    SignStatus st = parse_toml(&p, text, len, &root);
    if (st)
        return st;
    const TomlValue *keys;
    st = read_root(&p, root, &out->version, &keys);
    for (size_t i = 0; !st && i < toml_array_len(keys); i++) {
        if (grow((void **)&out->keys, &out->cap, out->nkeys, sizeof *out->keys)) {
            st = sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
            break;
        }
        KeyringEntry *e = &out->keys[out->nkeys++];
        memset(e, 0, sizeof *e);
        st = read_entry(&p, toml_array_at(keys, i), e);
    }
    toml_free(root);
    if (st) { /* nothing half-read is left for the caller to free */
        keyring_free(out);
        keyring_init(out);
    }
    return st;
}

SignStatus keyring_load(const char *path, Keyring *out, bool *out_exists, SignError *err)
{
    char *text;
    size_t len;
    bool exists;
    keyring_init(out);
    SignStatus st = read_key_file(path, &text, &len, &exists, err);
    if (out_exists)
        *out_exists = exists;
    if (st || !exists)
        return st;
    st = keyring_parse(text, len, path, out, err);
    free(text);
    return st;
}

char *keyring_format(const Keyring *kr)
{
    Buf b = {0};
    buf_field(&b, "version", kr->version ? kr->version : KEYRING_VERSION);
    if (kr->nkeys == 0)
        buf_puts(&b, "key = []\n");
    for (size_t i = 0; i < kr->nkeys; i++) {
        const KeyringEntry *e = &kr->keys[i];
        buf_puts(&b, "\n[[key]]\n");
        buf_field(&b, "label", e->label);
        buf_roles(&b, e->roles, e->nroles);
        buf_field(&b, "key", e->key);
        if (e->label_signature)
            buf_field(&b, "labelSignature", e->label_signature);
    }
    return buf_finish(&b);
}

SignStatus keyring_save(const char *path, const Keyring *kr, SignError *err)
{
    char *text = keyring_format(kr);
    if (!text)
        return sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
    SignStatus st = write_key_file(path, text, -1, err);
    free(text);
    return st;
}

SignStatus keyring_add(Keyring *kr, const char *label, const SignRole *roles, size_t nroles,
                       const char *key, const char *label_signature, SignError *err)
{
    if (!label_ok(label, err))
        return SIGN_ERR_FILE;
    if (grow((void **)&kr->keys, &kr->cap, kr->nkeys, sizeof *kr->keys))
        return sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
    KeyringEntry e = {0};
    e.label = strdup(label);
    e.roles = copy_roles(roles, nroles);
    e.nroles = nroles;
    e.key = strdup(key);
    e.label_signature = label_signature ? strdup(label_signature) : NULL;
    if (!e.label || !e.roles || !e.key || (label_signature && !e.label_signature)) {
        entry_free(&e);
        return sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
    }
    e.key_ok = sign_public_key_decode(e.key, e.pk);
    kr->keys[kr->nkeys++] = e;
    return SIGN_OK;
}

/* The public entry of a secret key with the given roles, its label signed by the key. */
static SignStatus add_public(Keyring *kr, const SecretKey *key, const SignRole *roles,
                             size_t nroles, SignError *err)
{
    uint8_t sk[SIGN_SECRET_KEY_SIZE], pk[SIGN_PUBLIC_KEY_SIZE], sig[SIGN_SIGNATURE_SIZE];
    SignStatus st = secrets_keypair(key, sk, err);
    if (st)
        return st;
    char pk_b64[SIGN_KEY_B64_SIZE], sig_b64[SIGN_SIG_B64_SIZE];
    sign_keypair_public(sk, pk);
    sign_b64_encode(pk, sizeof pk, pk_b64, sizeof pk_b64);
    sign_detached(sk, key->label, strlen(key->label), sig);
    sodium_memzero(sk, sizeof sk);
    sign_b64_encode(sig, sizeof sig, sig_b64, sizeof sig_b64);
    return keyring_add(kr, key->label, roles, nroles, pk_b64, sig_b64, err);
}

SignStatus keyring_add_secret(Keyring *kr, const SecretKey *key, SignError *err)
{
    return add_public(kr, key, key->roles, key->nroles, err);
}

bool keyring_contains(const Keyring *kr, const uint8_t pk[SIGN_PUBLIC_KEY_SIZE])
{
    for (size_t i = 0; i < kr->nkeys; i++)
        if (kr->keys[i].key_ok && !memcmp(kr->keys[i].pk, pk, SIGN_PUBLIC_KEY_SIZE))
            return true;
    return false;
}

KeyringLabel keyring_label_check(const KeyringEntry *e)
{
    uint8_t sig[SIGN_SIGNATURE_SIZE];
    if (!e->label_signature)
        return KEYRING_LABEL_UNSIGNED;
    if (!e->key_ok || !sign_b64_decode(e->label_signature, sig, sizeof sig) ||
        !sign_verify_detached(e->pk, sig, e->label, strlen(e->label)))
        return KEYRING_LABEL_INVALID;
    return KEYRING_LABEL_VALID;
}

SignStatus keyring_add_secrets(Keyring *kr, const SecretKeyFile *secrets, SignError *err)
{
    for (size_t i = 0; i < secrets->nkeys; i++) {
        SignStatus st = keyring_add_secret(kr, &secrets->keys[i], err);
        if (st)
            return st;
    }
    return SIGN_OK;
}

SignStatus keyring_host_keys(const SecretKeyFile *secrets, Keyring *out, SignError *err)
{
    static const SignRole host = SIGN_ROLE_HOST;
    keyring_init(out);
    for (size_t i = 0; i < secrets->nkeys; i++) {
        const SecretKey *k = &secrets->keys[i];
        bool is_host = false;
        for (size_t r = 0; r < k->nroles; r++)
            is_host |= k->roles[r] == SIGN_ROLE_HOST;
        if (!is_host)
            continue;
        SignStatus st = add_public(out, k, &host, 1, err);
        if (st)
            return st;
    }
    return SIGN_OK;
}

/* ---- secret key files ---- */

void secrets_init(SecretKeyFile *f)
{
    memset(f, 0, sizeof *f);
}

static void secret_free(SecretKey *k)
{
    free(k->label);
    if (k->keypair) {
        sodium_memzero(k->keypair, strlen(k->keypair));
        free(k->keypair);
    }
    free(k->roles);
}

void secrets_free(SecretKeyFile *f)
{
    for (size_t i = 0; i < f->nkeys; i++)
        secret_free(&f->keys[i]);
    free(f->keys);
    free(f->version);
    secrets_init(f);
}

/* One [[key]] of a secret key file: label, keypair and roles, all required. */
static SignStatus read_secret(Parse *p, const TomlValue *t, SecretKey *k)
{
    bool has_roles = false;
    for (size_t i = 0; i < toml_table_len(t); i++) {
        const TomlEntry *f = toml_table_entry(t, i);
        SignStatus st = SIGN_OK;
        if (!strcmp(f->key, "label"))
            st = read_string(p, f, &k->label);
        else if (!strcmp(f->key, "keypair"))
            st = read_string(p, f, &k->keypair);
        else if (!strcmp(f->key, "roles")) {
            has_roles = true;
            st = read_roles(p, f, &k->roles, &k->nroles);
        } else
            note_ignored(p, f, " in [[key]]");
        if (st)
            return st;
    }
    const char *missing = !k->label     ? "label"
                          : !k->keypair ? "keypair"
                          : !has_roles  ? "roles"
                                        : NULL;
    if (missing)
        return bad(p, toml_line(t), toml_column(t), "[[key]] is missing field '%s'", missing);
    return SIGN_OK;
}

SignStatus secrets_parse(const char *text, size_t len, const char *origin, SecretKeyFile *out,
                         SignError *err)
{
    secrets_init(out);
    Parse p = {origin, err, &out->nignored, out->ignored, sizeof out->ignored};
    TomlValue *root;
    SignStatus st = parse_toml(&p, text, len, &root);
    if (st)
        return st;
    const TomlValue *keys;
    st = read_root(&p, root, &out->version, &keys);
    for (size_t i = 0; !st && i < toml_array_len(keys); i++) {
        if (grow((void **)&out->keys, &out->cap, out->nkeys, sizeof *out->keys)) {
            st = sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
            break;
        }
        SecretKey *k = &out->keys[out->nkeys++];
        memset(k, 0, sizeof *k);
        st = read_secret(&p, toml_array_at(keys, i), k);
    }
    toml_free(root);
    if (st) {
        secrets_free(out);
        secrets_init(out);
    }
    return st;
}

SignStatus secrets_load(const char *path, SecretKeyFile *out, bool *out_exists, SignError *err)
{
    char *text;
    size_t len;
    bool exists;
    secrets_init(out);
    SignStatus st = read_key_file(path, &text, &len, &exists, err);
    if (out_exists)
        *out_exists = exists;
    if (st || !exists)
        return st;
    st = secrets_parse(text, len, path, out, err);
    sodium_memzero(text, len);
    free(text);
    return st;
}

char *secrets_format(const SecretKeyFile *f)
{
    Buf b = {0};
    buf_field(&b, "version", f->version ? f->version : KEYRING_VERSION);
    if (f->nkeys == 0)
        buf_puts(&b, "key = []\n");
    for (size_t i = 0; i < f->nkeys; i++) {
        const SecretKey *k = &f->keys[i];
        buf_puts(&b, "\n[[key]]\n");
        buf_field(&b, "label", k->label);
        buf_field(&b, "keypair", k->keypair);
        buf_roles(&b, k->roles, k->nroles);
    }
    return buf_finish(&b);
}

SignStatus secrets_save(const char *path, const SecretKeyFile *f, SignError *err)
{
    char *text = secrets_format(f);
    if (!text)
        return sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
    SignStatus st = write_key_file(path, text, 0600, err);
    sodium_memzero(text, strlen(text));
    free(text);
    return st;
}

SignStatus secrets_generate(SecretKeyFile *f, const char *label, const SignRole *roles,
                            size_t nroles, SignError *err)
{
    if (!label_ok(label, err))
        return SIGN_ERR_FILE;
    uint8_t sk[SIGN_SECRET_KEY_SIZE];
    char b64[SIGN_KEYPAIR_B64_SIZE];
    if (!sign_keypair_generate(sk))
        return sign_fail(err, SIGN_ERR_SIGNING_FAILED, SIZE_MAX, "libsodium failed to start");
    sign_b64_encode(sk, sizeof sk, b64, sizeof b64);
    sodium_memzero(sk, sizeof sk);
    if (grow((void **)&f->keys, &f->cap, f->nkeys, sizeof *f->keys)) {
        sodium_memzero(b64, sizeof b64);
        return sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
    }
    SecretKey k = {strdup(label), strdup(b64), copy_roles(roles, nroles), nroles};
    sodium_memzero(b64, sizeof b64);
    if (!k.label || !k.keypair || !k.roles) {
        secret_free(&k);
        return sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
    }
    f->keys[f->nkeys++] = k;
    return SIGN_OK;
}

const SecretKey *secrets_first_matching(const SecretKeyFile *f, SignRole role, SecretMatch match,
                                        const char *label)
{
    for (size_t i = 0; i < f->nkeys; i++) {
        const SecretKey *k = &f->keys[i];
        bool has_role = false;
        for (size_t r = 0; r < k->nroles; r++)
            has_role |= k->roles[r] == role;
        if (!has_role)
            continue;
        if (match == SECRET_MATCH_ANY || (match == SECRET_MATCH_FULL && !strcmp(k->label, label)) ||
            (match == SECRET_MATCH_PARTIAL && strstr(k->label, label)))
            return k;
    }
    return NULL;
}

SignStatus secrets_keypair(const SecretKey *key, uint8_t out_sk[SIGN_SECRET_KEY_SIZE],
                           SignError *err)
{
    if (sign_keypair_decode(key->keypair, out_sk))
        return SIGN_OK;
    char label[160];
    sign_quote(key->label, 100, label, sizeof label);
    return sign_fail(err, SIGN_ERR_CORRUPT_KEY, SIZE_MAX,
                     "key is corrupt for \"%s\": its keypair is not the base64 of a 32-byte "
                     "seed and the public key it gives",
                     label);
}

SignStatus secrets_sign(const SecretKeyFile *f, SignRole role, const SignSubject *subject,
                        const SignSignature *existing, size_t nexisting, uint64_t at, SignMade *out,
                        const SecretKey **out_key, SignError *err)
{
    const SecretKey *key = secrets_first_matching(f, role, SECRET_MATCH_ANY, NULL);
    if (!key)
        return sign_fail(err, SIGN_ERR_NO_SUITABLE_KEY, SIZE_MAX,
                         "no suitable key for signing data: no secret key has the role %s",
                         sign_role_name(role));
    uint8_t sk[SIGN_SECRET_KEY_SIZE];
    SignStatus st = secrets_keypair(key, sk, err);
    if (!st)
        st = sign_subject(sk, key->label, role, subject, existing, nexisting, at, out, err);
    sodium_memzero(sk, sizeof sk);
    if (out_key)
        *out_key = key;
    return st;
}

SignStatus secrets_ensure_host(const char *path, SecretKeyFile *out, bool *out_created,
                               SignError *err)
{
    static const SignRole host = SIGN_ROLE_HOST;
    bool exists;
    *out_created = false;
    SignStatus st = secrets_load(path, out, &exists, err);
    if (st || exists)
        return st;
    st = secrets_generate(out, SECRETS_DEFAULT_HOST_LABEL, &host, 1, err);
    if (!st)
        st = secrets_save(path, out, err);
    *out_created = st == SIGN_OK;
    return st;
}

char *keyring_default_dir(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/')
        return strf("%s/corral", xdg);
    const char *home = getenv("HOME");
    if (!home || !home[0]) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    return home && home[0] ? strf("%s/.config/corral", home) : NULL;
}
