/* lib_mhd.h: libmicrohttpd, loaded when a server starts rather than when corral starts.
 * Linking it would load GnuTLS and its dependencies into every `corral run` (measured: 0.8 ms
 * -> 3.1 ms for `corral --version`, 2 -> 5 MiB resident), so the servers (the gateway's
 * src/gateway/server*.c, the package store's src/store/server*.c) call it through this
 * table, filled with dlopen/dlsym by lib_mhd_load. Nothing else includes this. */
#ifndef CORRAL_LIB_MHD_H
#define CORRAL_LIB_MHD_H

#include <microhttpd.h>
#include <stdbool.h>

/* Every libmicrohttpd function the servers use. */
#define LIB_MHD_FUNCS(X)                                                                           \
    X(MHD_start_daemon)                                                                            \
    X(MHD_stop_daemon)                                                                             \
    X(MHD_quiesce_daemon)                                                                          \
    X(MHD_get_daemon_info)                                                                         \
    X(MHD_get_connection_info)                                                                     \
    X(MHD_get_connection_values_n)                                                                 \
    X(MHD_lookup_connection_value)                                                                 \
    X(MHD_get_connection_values)                                                                   \
    X(MHD_suspend_connection)                                                                      \
    X(MHD_resume_connection)                                                                       \
    X(MHD_create_response_from_buffer)                                                             \
    X(MHD_create_response_from_fd64)                                                               \
    X(MHD_add_response_header)                                                                     \
    X(MHD_queue_response)                                                                          \
    X(MHD_destroy_response)                                                                        \
    X(MHD_basic_auth_get_username_password)                                                        \
    X(MHD_free)

typedef struct LibMhd {
#define LIB_MHD_FIELD(f) __typeof__(&f) f;
    LIB_MHD_FUNCS(LIB_MHD_FIELD)
#undef LIB_MHD_FIELD
} LibMhd;

extern LibMhd lib_mhd;

/* Loads libmicrohttpd (once; thread-safe) and fills lib_mhd. false with *out_err set (static
 * text) when the library or a function is missing. */
bool lib_mhd_load(const char **out_err);

#endif
