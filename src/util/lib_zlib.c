/* lib_zlib.c: loading zlib at run time (lib_zlib.h). */
#include "util/lib_zlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

LibZlib lib_zlib;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *load_error;
static char message[300];

static void load(void)
{
    /* Never dlclosed, like libcurl: cheap to keep, and no stream outlives it by mistake. */
    void *lib = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(message, sizeof message, "cannot load libz.so.1 (Debian package zlib1g): %s",
                 dlerror());
        load_error = message;
        return;
    }
#define ZLIB_LIB_LOAD(f)                                                                           \
    if (!load_error && !(*(void **)(void *)&lib_zlib.f = dlsym(lib, #f))) {                        \
        snprintf(message, sizeof message, "libz.so.1 lacks %s", #f);                               \
        load_error = message;                                                                      \
    }
    ZLIB_LIB_FUNCS(ZLIB_LIB_LOAD)
#undef ZLIB_LIB_LOAD
    /* zlib's ABI promise: same major version, which the first digit of the text says. */
    if (!load_error && lib_zlib.zlibVersion()[0] != ZLIB_VERSION[0]) {
        snprintf(message, sizeof message, "libz.so.1 is version %s; Corral was built with %s",
                 lib_zlib.zlibVersion(), ZLIB_VERSION);
        load_error = message;
    }
}

bool lib_zlib_load(const char **out_err)
{
    pthread_once(&once, load);
    if (out_err)
        *out_err = load_error;
    return load_error == NULL;
}
