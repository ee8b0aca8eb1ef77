/* cgi_response.h: turns a module's stdout (CGI headers, a blank line, the body) into an HTTP
 * response: WAGI's rules (WAGI.md 1.8) without its defects. The parse never fails on what a
 * module writes: bad output becomes a 500 or 502 response plus a reason for the log. */
#ifndef CORRAL_GW_CGI_RESPONSE_H
#define CORRAL_GW_CGI_RESPONSE_H

#include "gateway/gw.h"
#include "gateway/gw_arena.h"
#include "gateway/request.h"

#include <stddef.h>
#include <stdint.h>

/* The body of the 500 for output without enough headers. It states Corral's rule (below);
 * WAGI's text, "Exactly one of 'location' or 'content-type' must be specified", was wrong
 * under WAGI too: Status alone is enough, and Content-Type with Location is fine. */
#define GW_CGI_INSUFFICIENT                                                                        \
    "At least one of 'content-type', 'status' or 'location' must be specified, then a blank "     \
    "line"

typedef struct GwCgiResponse {
    unsigned status;   /* 100..599 */
    GwHeader *headers; /* the headers to send, in the module's order; name and value are
                        * NUL-terminated copies in the arena. Several Set-Cookie (or any
                        * repeatable field) stay separate. Status is not among them */
    size_t nheaders;
    const uint8_t *body; /* into the module's stdout (bytes preserved, CRs included), or a
                          * static text for an error response; never NULL */
    size_t body_len;
    const char *error; /* NULL; or, when the output was turned into a 500 or 502, why
                        * (static text for the log, never for the client) */
    size_t error_line; /* the 1-based header line error is about, 0 if none */
    size_t skipped;    /* header lines without ':' ignored, as WAGI does (worth a log
                        * warning: WAGI logs "corrupt header") */
    size_t dropped;    /* hop-by-hop and framing headers dropped (hop_headers.def) */
} GwCgiResponse;

/* Parses the module's stdout out[0..out_len) into *res, using a for the header copies. res
 * borrows out (the body points into it) and a.
 * The rules, WAGI's first:
 *   - In the header part CR bytes are line-ending noise; the first empty line (LF LF, CRs
 *     between ignored) ends the headers; everything after it is the body, unchanged.
 *   - No such blank line (empty stdout included): 500 with body GW_CGI_INSUFFICIENT.
 *   - Header block not UTF-8: 500, empty body.
 *   - Each line "Name: value", both trimmed of SP and HTAB. A line without ':' is skipped.
 *   - Status: the first word of its value must be a 3-digit code 100..599, else 502. Status
 *     alone is a sufficient response (more lenient than RFC 3875, as WAGI).
 *   - Location: status 302 unless a Status line is present, wherever it is (WAGI's result
 *     depended on HashMap order: fixed, as Spin did).
 *   - Content-Type or Location or Status must be present, else 500 with GW_CGI_INSUFFICIENT.
 *   - Content-Type and Location are single-valued: a later one replaces an earlier one.
 *     Other names repeat freely (WAGI kept only one of each: fixed).
 * Where WAGI panicked on a bad byte or silently dropped a bad name, the whole response
 * becomes 502 (empty body, no headers; error says why): a name that is not an RFC 9110 token,
 * a value with a control byte (anything but HTAB, SP, VCHAR and obs-text: NUL, DEL, ...),
 * a CR that does not end its line, and obs-fold (a line starting with SP or HTAB after the
 * first). A module that writes such bytes is broken or compromised, and passing any of them
 * on invites response splitting. The headers of hop_headers.def are dropped: the server
 * owns framing and the connection.
 * Returns GW_OK with *res filled, or GW_ERR_NOMEM when the header copies do not fit in a;
 * then *res is still a usable 500 (empty body, error set). */
GwStatus gw_cgi_response_parse(GwArena *a, const uint8_t *out, size_t out_len,
                               GwCgiResponse *res) GW_WARN;

#endif
