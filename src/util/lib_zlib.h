/* lib_zlib.h: zlib, loaded with dlopen on first use like libcurl (util/lib_curl.h): only tar
 * archives need it (gzip on write, gunzip on read: OCI image layers, standalone bindles), and
 * a linked libz would be one more library for every `corral run` to load. libcurl depends on
 * libz, so by the time an archive is read it is usually mapped already. Only src/util/tar.c
 * includes this. */
#ifndef CORRAL_LIB_ZLIB_H
#define CORRAL_LIB_ZLIB_H

#include <stdbool.h>
#include <zlib.h>

#define ZLIB_LIB_FUNCS(X)                                                                          \
    X(zlibVersion)                                                                                 \
    X(deflateInit2_)                                                                               \
    X(deflate)                                                                                     \
    X(deflateEnd)                                                                                  \
    X(inflateInit2_)                                                                               \
    X(inflate)                                                                                     \
    X(inflateEnd)

typedef struct LibZlib {
#define ZLIB_LIB_FIELD(f) __typeof__(&f) f;
    ZLIB_LIB_FUNCS(ZLIB_LIB_FIELD)
#undef ZLIB_LIB_FIELD
} LibZlib;

/* Filled by lib_zlib_load; read-only afterwards. */
extern LibZlib lib_zlib;

/* Loads libz.so.1 once per process (pthread_once); false with *out_err (static text) when it
 * is missing, lacks a function or has another major version than the headers. */
bool lib_zlib_load(const char **out_err);

#endif
