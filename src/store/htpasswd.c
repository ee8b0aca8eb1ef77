/* htpasswd.c: bcrypt htpasswd files (htpasswd.h). */
#include "store/htpasswd.h"

#include "util/strf.h"

#include <crypt.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Entry {
    char *user, *hash;
} Entry;

struct Htpasswd {
    Entry *entries;
    size_t n;
};

/* crypt_r, from libcrypt.so.1, loaded once: linking it would cost every corral start one
 * more library, for a server feature. */
static __typeof__(&crypt_r) crypt_r_fn;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[300];

static void load(void)
{
    void *lib = dlopen("libcrypt.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(load_error, sizeof load_error,
                 "cannot load libcrypt.so.1 (Debian package libcrypt1): %s", dlerror());
        return;
    }
    if (!(*(void **)(void *)&crypt_r_fn = dlsym(lib, "crypt_r")))
        snprintf(load_error, sizeof load_error, "libcrypt.so.1 lacks crypt_r");
}

/* A bcrypt hash to spend the same time on when the user is unknown (of "x", cost 5, as
 * `htpasswd -B` makes by default). */
static const char dummy_hash[] = "$2y$05$kimi3IgYeFeiVd3luqGfyuP0hAkoTcDcEr1DOZIDKK2Xwz1BGaCFa";

static bool is_bcrypt(const char *h)
{
    return strlen(h) == 60 && h[0] == '$' && h[1] == '2' &&
           (h[2] == 'y' || h[2] == 'b' || h[2] == 'a') && h[3] == '$';
}

void htpasswd_free(Htpasswd *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++) {
        free(h->entries[i].user);
        sodium_memzero(h->entries[i].hash, strlen(h->entries[i].hash));
        free(h->entries[i].hash);
    }
    free(h->entries);
    free(h);
}

static bool add(Htpasswd *h, const char *user, size_t ulen, const char *hash)
{
    Entry *e = realloc(h->entries, (h->n + 1) * sizeof *e);
    if (!e)
        return false;
    h->entries = e;
    e[h->n].user = strndup(user, ulen);
    e[h->n].hash = strdup(hash);
    if (!e[h->n].user || !e[h->n].hash) {
        free(e[h->n].user);
        free(e[h->n].hash);
        return false;
    }
    h->n++;
    return true;
}

Htpasswd *htpasswd_load(const char *path, char **out_err)
{
    *out_err = NULL;
    pthread_once(&once, load);
    if (load_error[0]) {
        *out_err = strf("%s", load_error);
        return NULL;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        *out_err = strf("cannot read the htpasswd file %s: %s", path, strerror(errno));
        return NULL;
    }
    Htpasswd *h = calloc(1, sizeof *h);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned lineno = 0;
    while (h && !*out_err && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        char *colon = strchr(line, ':');
        if (!colon || colon == line)
            *out_err = strf("%s:%u: expected user:hash", path, lineno);
        else if (!is_bcrypt(colon + 1))
            *out_err = strf("%s:%u: the hash of '%.*s' is not bcrypt ($2y$, made by htpasswd -B); "
                            "Bindle accepts bcrypt only",
                            path, lineno, (int)(colon - line), line);
        else if (!add(h, line, (size_t)(colon - line), colon + 1))
            *out_err = strf("out of memory");
    }
    if (line) {
        sodium_memzero(line, cap);
        free(line);
    }
    fclose(f);
    if (!h && !*out_err)
        *out_err = strf("out of memory");
    if (*out_err) {
        htpasswd_free(h);
        return NULL;
    }
    return h;
}

bool htpasswd_check(const Htpasswd *h, const char *user, const char *password)
{
    const char *hash = NULL;
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->entries[i].user, user) == 0)
            hash = h->entries[i].hash;
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (!cd)
        return false;
    const char *out = crypt_r_fn(password, hash ? hash : dummy_hash, cd);
    bool ok =
        hash && out && strlen(out) == strlen(hash) && sodium_memcmp(out, hash, strlen(hash)) == 0;
    sodium_memzero(cd, sizeof *cd);
    free(cd);
    return ok;
}
