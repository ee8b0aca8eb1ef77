/* http_int.h: what the files of the outbound HTTP host share: the context's layout, a
 * buffered response, a validated request, and the URL and allow-list helpers. Not for
 * embedders (they use http_outbound.h). */
#ifndef CORRAL_HTTP_INT_H
#define CORRAL_HTTP_INT_H

#include "host/http_outbound.h"

#include "util/lib_curl.h" /* libcurl through lib_curl: loaded on first use */

#define HTTP_WARN __attribute__((warn_unused_result))

/* Response header bytes kept per response (as name:value\n lines). Above it the request fails
 * with 11: the Rust guest reads all headers into a fixed 64 KiB buffer, so more is useless. */
#define HTTP_MAX_HEADER_BYTES (256u * 1024u)

/* A response, fully buffered, as the guest reads it through its handle. */
typedef struct HttpResponse {
    uint32_t handle;
    uint16_t status;
    char *headers;      /* "name:value\n" lines: lower-case names, values without OWS */
    size_t headers_len; /* bytes in headers */
    uint8_t *body;
    size_t body_len, body_pos; /* body_read's cursor */
} HttpResponse;

struct HttpCtx {
    HttpPolicy policy;
    CURL *easy;          /* made on the first request, kept for its connection cache */
    HttpResponse **open; /* the open responses, in no order */
    size_t nopen, capopen;
    uint32_t next_handle; /* the next number tried; numbers are not reused until wrap-around */
    bool memory_exported; /* set by http_link: the module exports "memory" (memory 0) */
    uint64_t deadline_ns; /* CLOCK_MONOTONIC; 0 = none */
    bool has_error;
    char error[320]; /* http_ctx_last_error */
};

/* One request header from the guest, both parts NUL-terminated and validated. */
typedef struct HttpField {
    char *name; /* lower-case */
    char *value;
} HttpField;

/* A request as the guest asked for it, validated. The body points into guest memory, which
 * cannot move or change during the host call that owns the request. */
typedef struct HttpRequest {
    char method[32]; /* a token; longer methods are refused with 8 */
    HttpField *fields;
    size_t nfields;
    const uint8_t *body;
    size_t body_len;
} HttpRequest;

/* Records why a call failed (http_ctx_last_error) and returns code. */
uint32_t http_fail(HttpCtx *c, uint32_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

uint64_t http_now_ns(void);

/* ---- URLs and the allow-list (http_allow.c) ----
 * These and the request functions call libcurl: http_global_init must have succeeded. */

/* Parses the NUL-terminated url with curl's URL API, as curl will when fetching it, into
 * *out (owned, curl_url_cleanup). Returns 0, HTTP_ERR_INVALID_URL (not parsable, or a scheme
 * other than http and https) or HTTP_ERR_RUNTIME_ERROR (out of memory). */
uint32_t http_url_parse(const char *url, CURLU **out) HTTP_WARN;
/* Whether a parsed http(s) URL is allowed by a (NULL denies everything). */
bool http_allow_url(const HttpAllowList *a, CURLU *u);
/* The origin of u, "scheme://host:port", into buf (for messages and same-origin tests). */
void http_url_origin(CURLU *u, char *buf, size_t size);

/* ---- requests (http_request.c) ---- */

/* Parses the guest's header block s[0..len) ("name:value" lines split by \n; a trailing \r
 * and empty lines are ignored) into rq->fields. Returns 0 or HTTP_ERR_INVALID_ENCODING
 * (a line without ':', a name that is not a token, a value with a control character),
 * HTTP_ERR_RUNTIME_ERROR (out of memory). */
uint32_t http_request_parse_headers(HttpCtx *c, HttpRequest *rq, const uint8_t *s,
                                    size_t len) HTTP_WARN;
void http_request_clear(HttpRequest *rq);
/* Performs rq to url (parsed and allowed; borrowed, not changed), following redirects, each
 * redirect target checked against the allow-list before anything is sent to it. On
 * success *out is an owned response (handle not yet set). Returns 0 or an error code; sets
 * *out_deadline when the context's deadline cut the request short. */
uint32_t http_request_perform(HttpCtx *c, const HttpRequest *rq, CURLU *url, HttpResponse **out,
                              bool *out_deadline) HTTP_WARN;
void http_response_free(HttpResponse *r);

#endif
