/* net.h: what Corral's two HTTP servers (the gateway, the package store) share before
 * libmicrohttpd takes over: the listening socket and the TLS files. */
#ifndef CORRAL_NET_H
#define CORRAL_NET_H

/* Binds and listens on where, "HOST:PORT" or "[IPV6]:PORT" (port 0: any free one, *out_port
 * says which); a non-blocking, close-on-exec socket with SO_REUSEADDR. -1 with *out_err
 * owned (free()) on failure: "cannot listen on 127.0.0.1:80: Permission denied". */
int net_listen(const char *where, unsigned *out_port, char **out_err);

/* The whole PEM text file at path (what: "certificate" or "key", for messages), owned;
 * NULL with *out_err owned when it cannot be read or is not text. */
char *net_read_pem(const char *what, const char *path, char **out_err);

/* Wipes and frees a secret string (a PEM key). NULL is allowed. */
void net_free_secret(char *s);

#endif
