/* lib_mhd.c: loading libmicrohttpd at run time (lib_mhd.h). */
#include "util/lib_mhd.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

LibMhd lib_mhd;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *load_error;
static char message[512];

static void load(void)
{
    void *lib = dlopen("libmicrohttpd.so.12", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(message, sizeof message,
                 "cannot load libmicrohttpd.so.12 (Debian package "
                 "libmicrohttpd12): %s",
                 dlerror());
        load_error = message;
        return;
    }
#define LIB_MHD_LOAD(f)                                                                            \
    if (!load_error && !(*(void **)(void *)&lib_mhd.f = dlsym(lib, #f))) {                         \
        snprintf(message, sizeof message, "libmicrohttpd.so.12 lacks %s", #f);                     \
        load_error = message;                                                                      \
    }
    LIB_MHD_FUNCS(LIB_MHD_LOAD)
#undef LIB_MHD_LOAD
}

bool lib_mhd_load(const char **out_err)
{
    pthread_once(&once, load);
    *out_err = load_error;
    return load_error == NULL;
}
