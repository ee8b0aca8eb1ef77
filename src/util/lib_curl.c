/* lib_curl.c: loading libcurl at run time (lib_curl.h). */
#include "util/lib_curl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

LibCurl lib_curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *load_error;
static char message[512];

static void load(void)
{
    /* RTLD_LOCAL: curl's symbols (and its TLS library's) stay out of the global namespace,
     * so nothing else in the process binds to them by accident. Never dlclosed: curl keeps
     * global state until exit. */
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(message, sizeof message, "cannot load libcurl.so.4 (Debian package libcurl4): %s",
                 dlerror());
        load_error = message;
        return;
    }
#define CURL_LIB_LOAD(f)                                                                           \
    if (!load_error && !(*(void **)(void *)&lib_curl.f = dlsym(lib, #f))) {                        \
        snprintf(message, sizeof message,                                                          \
                 "libcurl.so.4 lacks %s (Corral needs libcurl " CURL_LIB_MIN_VERSION_TEXT          \
                 " or later)",                                                                     \
                 #f);                                                                              \
        load_error = message;                                                                      \
    }
    CURL_LIB_FUNCS(CURL_LIB_LOAD)
#undef CURL_LIB_LOAD
    if (load_error)
        return;
    const curl_version_info_data *v = lib_curl.curl_version_info(CURLVERSION_NOW);
    if (!v || v->version_num < CURL_LIB_MIN_VERSION) {
        snprintf(message, sizeof message,
                 "libcurl.so.4 is version %s; Corral needs " CURL_LIB_MIN_VERSION_TEXT " or later",
                 v && v->version ? v->version : "?");
        load_error = message;
        return;
    }
    if (lib_curl.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(message, sizeof message, "libcurl failed to initialise (curl_global_init)");
        load_error = message;
    }
}

bool lib_curl_load(const char **out_err)
{
    pthread_once(&once, load);
    if (out_err)
        *out_err = load_error;
    return load_error == NULL;
}
