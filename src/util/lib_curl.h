/* lib_curl.h: libcurl, loaded on first use rather than when corral starts. Linking it would
 * load libcurl and its ~33 dependencies (OpenSSL or GnuTLS, nghttp2, libssh2, LDAP,
 * Kerberos ...) into every `corral` process, about 6 ms per start whether or not anything
 * makes a request, so its users (the outbound HTTP host, src/host/http_*.c, and the OCI
 * registry client, src/oci/) call it through this table, filled by lib_curl_load with
 * dlopen/dlsym (as src/util/lib_mhd.h does for libmicrohttpd).
 *
 * The calls are lib_curl.curl_easy_setopt(...) and so on. CURL_DISABLE_TYPECHECK is needed
 * because curl's GCC type checks are function-like macros named after the functions, which
 * would expand inside lib_curl.curl_easy_setopt(...); they cannot check a call through a
 * pointer anyway. Every option value is written with its type (1L, (curl_off_t)) for that
 * reason. */
#ifndef CORRAL_LIB_CURL_H
#define CORRAL_LIB_CURL_H

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <stdbool.h>

/* Every libcurl function Corral uses. */
#define CURL_LIB_FUNCS(X)                                                                          \
    X(curl_global_init)                                                                            \
    X(curl_version_info)                                                                           \
    X(curl_easy_init)                                                                              \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_reset)                                                                             \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_strerror)                                                                          \
    X(curl_easy_escape)                                                                            \
    X(curl_free)                                                                                   \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)                                                                         \
    X(curl_url)                                                                                    \
    X(curl_url_dup)                                                                                \
    X(curl_url_cleanup)                                                                            \
    X(curl_url_get)                                                                                \
    X(curl_url_set)

typedef struct LibCurl {
#define CURL_LIB_FIELD(f) __typeof__(&f) f;
    CURL_LIB_FUNCS(CURL_LIB_FIELD)
#undef CURL_LIB_FIELD
} LibCurl;

/* Filled by lib_curl_load; read-only afterwards. */
extern LibCurl lib_curl;

/* The oldest libcurl that has every option Corral sets (CURLOPT_PROTOCOLS_STR). */
#define CURL_LIB_MIN_VERSION 0x075500 /* 7.85.0 */
#define CURL_LIB_MIN_VERSION_TEXT "7.85.0"

/* Loads libcurl.so.4, fills lib_curl and runs curl_global_init, once per process
 * (pthread_once: thread-safe, and later calls only read the outcome). false with *out_err
 * set (static text, e.g. "cannot load libcurl.so.4 (Debian package libcurl4): ...") when
 * the library is missing, lacks a function or is older than CURL_LIB_MIN_VERSION. */
bool lib_curl_load(const char **out_err);

#endif
