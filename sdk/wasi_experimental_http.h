/* wasi_experimental_http.h: the guest side of outbound HTTP (import module
 * "wasi_experimental_http", the ABI of deislabs/wasi-experimental-http that Corral, WAGI and
 * Krustlet provide), for C compiled with clang --target=wasm32-wasi. Header only: the five
 * imports (prefix weh_), the error codes and a few inline helpers.
 *
 * The runtime allows a module only the destinations in its allow-list (scheme://host[:port]
 * entries); anything else is WEH_DESTINATION_NOT_ALLOWED, redirects included. Responses are
 * fully buffered by the host and read through a handle, which must be closed. Every call
 * returns an error code (WEH_SUCCESS = 0) and nothing traps.
 *
 * Example:
 *
 *     #include "wasi_experimental_http.h"
 *     #include <stdio.h>
 *
 *     int main(void)
 *     {
 *         uint16_t status;
 *         char *body;
 *         size_t len;
 *         uint32_t err = weh_get("https://api.example.com/v1/items", &status, &body, &len);
 *         if (err != WEH_SUCCESS) {
 *             printf("Status: 502\n\nerror %s\n", weh_error_name(err));
 *             return 0;
 *         }
 *         printf("Content-Type: application/json\n\n%.*s", (int)len, body);
 *         free(body);
 *         return 0;
 *     }
 *
 * Build: clang --target=wasm32-wasi -O2 app.c -o app.wasm */
#ifndef WASI_EXPERIMENTAL_HTTP_H
#define WASI_EXPERIMENTAL_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* Error codes (the witx http_error enum; Corral's src/host/http_errors.def, a test keeps
 * them equal). */
#define WEH_SUCCESS 0
#define WEH_INVALID_HANDLE 1          /* not an open response (or closed) */
#define WEH_MEMORY_NOT_FOUND 2        /* the module does not export "memory" */
#define WEH_MEMORY_ACCESS_ERROR 3     /* a pointer/length lies outside the memory */
#define WEH_BUFFER_TOO_SMALL 4        /* Corral writes the size needed to the out-param */
#define WEH_HEADER_NOT_FOUND 5        /* no such response header */
#define WEH_UTF8_ERROR 6              /* url, method, headers or a name not UTF-8 */
#define WEH_DESTINATION_NOT_ALLOWED 7 /* not in the allow-list (or a redirect was not) */
#define WEH_INVALID_METHOD 8          /* not an HTTP token */
#define WEH_INVALID_ENCODING 9        /* a request header line is not name:value */
#define WEH_INVALID_URL 10            /* not an absolute http(s) URL */
#define WEH_REQUEST_ERROR 11          /* connection, TLS, timeout, redirects, size limit */
#define WEH_RUNTIME_ERROR 12          /* the host (or, from the helpers, the guest) is OOM */
#define WEH_TOO_MANY_SESSIONS 13      /* too many open responses: close some */

#if defined(__wasm__) /* the rest is for guests; the codes above are usable anywhere */

#include <stdlib.h>
#include <string.h>

typedef uint32_t weh_handle_t;

#define WEH_IMPORT(n) __attribute__((import_module("wasi_experimental_http"), import_name(n)))

/* ---- the imports: (i32 ...) -> i32 each; lengths are bytes; outputs are little-endian ---- */

/* Sends a request and buffers its response: *out_status (2 bytes) and *out_handle.
 * headers: "name:value" lines separated by \n ("" for none). An empty body is sent as an
 * empty body (Content-Length: 0) for methods other than GET and HEAD. */
WEH_IMPORT("req")
uint32_t weh_req(const char *url, size_t url_len, const char *method, size_t method_len,
                 const char *headers, size_t headers_len, const void *body, size_t body_len,
                 uint16_t *out_status, weh_handle_t *out_handle);
/* Releases a response. Returns 0 even for a handle that is not open. */
WEH_IMPORT("close")
uint32_t weh_close(weh_handle_t handle);
/* The first value of the response header name (case-insensitive) into buf; *out_len its
 * length. When buf_len is too small: WEH_BUFFER_TOO_SMALL, buf untouched and (on Corral)
 * *out_len = the length needed. */
WEH_IMPORT("header_get")
uint32_t weh_header_get(weh_handle_t handle, const char *name, size_t name_len, char *buf,
                        size_t buf_len, uint32_t *out_len);
/* Every response header as "name:value\n" lines (lower-case names, in order), as
 * weh_header_get for a short buffer. */
WEH_IMPORT("headers_get_all")
uint32_t weh_headers_get_all(weh_handle_t handle, char *buf, size_t buf_len, uint32_t *out_len);
/* The next bytes of the body into buf; *out_len = 0 at the end. */
WEH_IMPORT("body_read")
uint32_t weh_body_read(weh_handle_t handle, void *buf, size_t buf_len, uint32_t *out_len);

/* ---- helpers ---- */

static inline const char *weh_error_name(uint32_t err)
{
    static const char *const names[] = {
        "success",          "invalid_handle",    "memory_not_found", "memory_access_error",
        "buffer_too_small", "header_not_found",  "utf8_error",       "destination_not_allowed",
        "invalid_method",   "invalid_encoding",  "invalid_url",      "request_error",
        "runtime_error",    "too_many_sessions",
    };
    return err < sizeof names / sizeof names[0] ? names[err] : "unknown_error";
}

/* weh_req with NUL-terminated strings (headers may be NULL). */
static inline uint32_t weh_send(const char *method, const char *url, const char *headers,
                                const void *body, size_t body_len, uint16_t *out_status,
                                weh_handle_t *out_handle)
{
    if (!headers)
        headers = "";
    return weh_req(url, strlen(url), method, strlen(method), headers, strlen(headers), body,
                   body_len, out_status, out_handle);
}

/* Reads the rest of the body into a malloc'd buffer (*out, release with free()) holding one
 * more byte, a NUL, so a text body can be used as a C string. On an error *out is NULL. */
static inline uint32_t weh_body_read_all(weh_handle_t handle, char **out, size_t *out_len)
{
    size_t len = 0, cap = 4096;
    char *buf = (char *)malloc(cap + 1);
    *out = NULL;
    if (!buf)
        return WEH_RUNTIME_ERROR;
    for (;;) {
        uint32_t n = 0;
        uint32_t err = weh_body_read(handle, buf + len, cap - len, &n);
        if (err != WEH_SUCCESS) {
            free(buf);
            return err;
        }
        if (n == 0)
            break; /* len < cap here: the buffer grows as soon as it is full */
        len += n;
        if (len == cap) {
            char *grown = (char *)realloc(buf, cap * 2 + 1);
            if (!grown) {
                free(buf);
                return WEH_RUNTIME_ERROR;
            }
            buf = grown;
            cap *= 2;
        }
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return WEH_SUCCESS;
}

/* A response header's first value into a malloc'd NUL-terminated buffer (*out, free()),
 * retrying once with the size the host says it needs. On an error *out is NULL. */
static inline uint32_t weh_header_get_alloc(weh_handle_t handle, const char *name, char **out,
                                            size_t *out_len)
{
    size_t cap = 256;
    *out = NULL;
    for (int tries = 0; tries < 8; tries++) {
        char *buf = (char *)malloc(cap + 1);
        uint32_t len = 0;
        if (!buf)
            return WEH_RUNTIME_ERROR;
        uint32_t err = weh_header_get(handle, name, strlen(name), buf, cap, &len);
        if (err == WEH_SUCCESS) {
            buf[len] = '\0';
            *out = buf;
            *out_len = len;
            return err;
        }
        free(buf);
        if (err != WEH_BUFFER_TOO_SMALL)
            return err;
        /* Corral wrote the size needed; a host that did not (len 0) gets a doubled buffer. */
        cap = len > cap ? len : cap * 2;
    }
    return WEH_BUFFER_TOO_SMALL;
}

/* GETs url: the status and the whole body (as weh_body_read_all); the response is closed. */
static inline uint32_t weh_get(const char *url, uint16_t *out_status, char **out_body,
                               size_t *out_len)
{
    weh_handle_t h;
    *out_body = NULL;
    uint32_t err = weh_send("GET", url, NULL, NULL, 0, out_status, &h);
    if (err != WEH_SUCCESS)
        return err;
    err = weh_body_read_all(h, out_body, out_len);
    weh_close(h);
    return err;
}

#endif /* __wasm__ */
#endif
