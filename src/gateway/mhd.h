/* mhd.h: libmicrohttpd, loaded when the server starts rather than when corral starts.
 * Linking it would load GnuTLS and its dependencies into every `corral run` (measured: 0.8 ms
 * -> 3.1 ms for `corral --version`, 2 -> 5 MiB resident), so the server calls it through this
 * table, filled with dlopen/dlsym by gw_mhd_load. Only server*.c include this. */
#ifndef CORRAL_GW_MHD_H
#define CORRAL_GW_MHD_H

#include <microhttpd.h>
#include <stdbool.h>

/* Every libmicrohttpd function the server uses. */
#define GW_MHD_FUNCS(X)                                                                      \
    X(MHD_start_daemon)                                                                      \
    X(MHD_stop_daemon)                                                                       \
    X(MHD_quiesce_daemon)                                                                    \
    X(MHD_get_connection_info)                                                               \
    X(MHD_get_connection_values_n)                                                           \
    X(MHD_suspend_connection)                                                                \
    X(MHD_resume_connection)                                                                 \
    X(MHD_create_response_from_buffer)                                                       \
    X(MHD_add_response_header)                                                               \
    X(MHD_queue_response)                                                                    \
    X(MHD_destroy_response)

typedef struct GwMhd {
#define GW_MHD_FIELD(f) __typeof__(&f) f;
    GW_MHD_FUNCS(GW_MHD_FIELD)
#undef GW_MHD_FIELD
} GwMhd;

extern GwMhd gw_mhd;

/* Loads libmicrohttpd (once; thread-safe) and fills gw_mhd. false with *out_err set (static
 * text) when the library or a function is missing. */
bool gw_mhd_load(const char **out_err);

#endif
