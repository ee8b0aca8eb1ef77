/* store_server.h: `corral store serve`'s HTTP side: Bindle's v1 API (BINDLE.md 4.1) on
 * libmicrohttpd, one thread per connection (every request may block on the disk: fsync,
 * SQLite), parcels streamed to and from files (sendfile on plain HTTP), errors as Bindle's
 * TOML `error = "..."`. It knows nothing of the CLI; the CLI opens the provider, the
 * verifier and the signer and hands them over, borrowed for the server's life. */
#ifndef CORRAL_STORE_SERVER_H
#define CORRAL_STORE_SERVER_H

#include "store/htpasswd.h"
#include "store/provider.h"
#include "store/store_sign_hook.h"

#include <stdint.h>
#include <stdio.h>

typedef struct StoreServerConfig {
    const char *listen;        /* "127.0.0.1:8080" (Bindle's default), "[::1]:0" ... */
    const char *tls_cert_path; /* PEM; NULL: plain HTTP */
    const char *tls_key_path;
    Provider *provider;
    const StoreVerifier *verifier;
    const StoreSigner *signer;
    const Htpasswd *htpasswd;  /* NULL: --unauthenticated (everyone may write) */
    uint64_t max_invoice_size; /* bytes of an invoice body; larger: 413 */
    unsigned max_connections;
    unsigned idle_timeout_s; /* a connection silent this long is closed */
    const char *version;     /* reported by /healthz */
    FILE *access_log;        /* one line per request, or NULL */
    FILE *error_log;
} StoreServerConfig;

/* Bindle's defaults: 127.0.0.1:8080, invoices up to 1 MiB, 512 connections, 120 s idle,
 * access log on stdout, errors on stderr. Provider, verifier and signer stay NULL. */
void store_server_config_default(StoreServerConfig *cfg);

typedef struct StoreServer StoreServer;

/* Listens and serves (returns once the socket is bound). NULL with *out_err owned. The
 * server's threads block SIGINT, SIGTERM, SIGHUP, SIGPIPE, so those reach the caller's. */
StoreServer *store_server_start(const StoreServerConfig *cfg, char **out_err);
unsigned store_server_port(const StoreServer *srv);
/* Stops accepting, closes every connection (an upload cut off leaves no .part) and frees
 * the server. */
void store_server_stop(StoreServer *srv);

#endif
