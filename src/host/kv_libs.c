/* kv_libs.c: loading the Redis backend's library at run time (kv_libs.h). */
#include "host/kv_libs.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

KvRedis kv_red;

/* What loading one library came to: error NULL when it loaded. */
typedef struct Outcome {
    pthread_once_t once;
    const char *error;
    char message[400];
} Outcome;

static Outcome redis_outcome = {PTHREAD_ONCE_INIT, NULL, ""};

/* dlopens soname; NULL with o's error set. Never dlclosed: connections live until the
 * stores close, and the libraries keep global state until exit. RTLD_LOCAL keeps their
 * symbols out of everyone else's way. */
static void *open_lib(Outcome *o, const char *soname, const char *package, const char *use)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(o->message, sizeof o->message,
                 "cannot load %s (Debian package %s), needed for %s: %s", soname, package, use,
                 dlerror());
        o->error = o->message;
    }
    return h;
}

/* Fills table.f from lib unless an earlier function was missing. */
#define KV_LIB_SYM(o, lib, soname, table, f)                                                 \
    if (!(o)->error && !(*(void **)(void *)&(table).f = dlsym(lib, #f))) {                   \
        snprintf((o)->message, sizeof (o)->message, "%s lacks %s (too old?)", soname, #f);   \
        (o)->error = (o)->message;                                                           \
    }

static void load_redis(void)
{
    Outcome *o = &redis_outcome;
    void *lib = open_lib(o, "libhiredis.so.0.14", "libhiredis0.14", "Redis key-value stores");
    if (!lib)
        return;
#define KV_REDIS_SYM(f) KV_LIB_SYM(o, lib, "libhiredis.so.0.14", kv_red, f)
    KV_REDIS_FUNCS(KV_REDIS_SYM)
#undef KV_REDIS_SYM
}

bool kv_redis_load(const char **out_err)
{
    pthread_once(&redis_outcome.once, load_redis);
    *out_err = redis_outcome.error;
    return redis_outcome.error == NULL;
}
