/* net.c: listening sockets and TLS files for the HTTP servers (net.h). */
#include "util/net.h"

#include "util/strf.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Splits "host:port" or "[v6]:port" into host and port (pointers into buf). */
static bool split_listen(const char *where, char *buf, size_t cap, char **host, char **port)
{
    if (strlen(where) >= cap)
        return false;
    strcpy(buf, where);
    char *colon = strrchr(buf, ':');
    if (!colon || colon[1] == '\0')
        return false;
    *colon = '\0';
    *port = colon + 1;
    *host = buf;
    if (buf[0] == '[') {
        size_t n = strlen(buf);
        if (n < 3 || buf[n - 1] != ']')
            return false;
        buf[n - 1] = '\0';
        *host = buf + 1;
    } else if (strchr(buf, ':')) {
        return false; /* a bare IPv6 address needs brackets */
    }
    for (const char *p = *port; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return **host != '\0' && strlen(*port) <= 5 && atoi(*port) <= 65535;
}

int net_listen(const char *where, unsigned *out_port, char **out_err)
{
    char buf[300], *host, *port;
    if (!split_listen(where, buf, sizeof buf, &host, &port)) {
        *out_err = strf("cannot listen on '%s': expected HOST:PORT or [IPV6]:PORT", where);
        return -1;
    }
    struct addrinfo hints = {0}, *res;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        *out_err = strf("cannot listen on %s: %s", where, gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        *out_err = strf("cannot listen on %s: %s", where, strerror(err));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    *out_port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                         : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

/* ---- TLS files ---- */

char *net_read_pem(const char *what, const char *path, char **out_err)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0, cap = 0;
    if (!f)
        goto fail;
    for (;;) {
        if (cap - len < 4097) {
            char *t = realloc(text, cap = cap ? cap * 2 : 8192);
            if (!t) {
                errno = ENOMEM;
                goto fail;
            }
            text = t;
        }
        size_t n = fread(text + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f))
        goto fail;
    fclose(f);
    text[len] = '\0';
    if (len == 0 || strlen(text) != len) {
        *out_err = strf("cannot use TLS %s '%s': not a PEM text file", what, path);
        free(text);
        return NULL;
    }
    return text;
fail:;
    int e = errno;
    if (f)
        fclose(f);
    free(text);
    *out_err = strf("cannot read TLS %s '%s': %s", what, path, strerror(e));
    return NULL;
}

void net_free_secret(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}
