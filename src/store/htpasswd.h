/* htpasswd.h: HTTP Basic credentials checked against an htpasswd file of bcrypt entries
 * (`htpasswd -B`: user:$2y$..., also $2b$ and $2a$), as Bindle's --htpasswd-file does. Other
 * hash kinds (MD5 $apr1$, SHA-1, crypt) are refused when the file is loaded: Bindle accepts
 * bcrypt only. The hash is computed with crypt_r from libcrypt (loaded with dlopen when the
 * first file loads) and compared in constant time. */
#ifndef CORRAL_STORE_HTPASSWD_H
#define CORRAL_STORE_HTPASSWD_H

#include <stdbool.h>

typedef struct Htpasswd Htpasswd;

/* Reads path: "user:hash" lines; blank lines and '#' comments allowed. NULL with *out_err
 * owned (free()) when it cannot be read, a line is malformed or not bcrypt (the message
 * names the line), or libcrypt cannot be loaded. */
Htpasswd *htpasswd_load(const char *path, char **out_err);
void htpasswd_free(Htpasswd *h);

/* Whether user and password match an entry. Takes bcrypt's time whether or not the user
 * exists, so timing does not tell which users exist. Thread-safe. */
bool htpasswd_check(const Htpasswd *h, const char *user, const char *password);

#endif
