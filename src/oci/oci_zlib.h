/* oci_zlib.h: zlib, loaded with dlopen on first use like libcurl (util/lib_curl.h): only
 * image layers need it (gzip on push, gunzip on pull), and a linked libz would be one more
 * library for every `corral run` to load. libcurl depends on libz, so by the time a layer is
 * read it is usually mapped already. Only src/oci/oci_tar.c includes this. */
#ifndef CORRAL_OCI_ZLIB_H
#define CORRAL_OCI_ZLIB_H

#include <stdbool.h>
#include <zlib.h>

#define OCI_ZLIB_FUNCS(X)                                                                          \
    X(zlibVersion)                                                                                 \
    X(deflateInit2_)                                                                               \
    X(deflate)                                                                                     \
    X(deflateEnd)                                                                                  \
    X(inflateInit2_)                                                                               \
    X(inflate)                                                                                     \
    X(inflateEnd)

typedef struct OciZlib {
#define OCI_ZLIB_FIELD(f) __typeof__(&f) f;
    OCI_ZLIB_FUNCS(OCI_ZLIB_FIELD)
#undef OCI_ZLIB_FIELD
} OciZlib;

/* Filled by oci_zlib_load (oci_int.h); read-only afterwards. */
extern OciZlib oci_zlib;

#endif
