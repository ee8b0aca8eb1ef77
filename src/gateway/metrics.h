/* metrics.h: the gateway's counters, gauges and histograms, rendered in the Prometheus text
 * exposition format (version 0.0.4) for GET /metrics. One process-wide set: any thread may
 * record at any time with relaxed C11 atomics (no lock on the hot path); only route
 * registration, at startup, takes a lock. It records numbers and knows nothing of HTTP
 * servers or WebAssembly. */
#ifndef CORRAL_GW_METRICS_H
#define CORRAL_GW_METRICS_H

#include <stddef.h>

/* The route index of everything that is not a registered route: 404s, /healthz, /metrics
 * and the server's own rejections. Always valid, even before gw_metrics_init. */
#define GW_METRICS_OTHER 0

/* Events counted by kind. X(enum suffix, metric name, label or NULL, help text): a label is
 * rendered as status="..." on the shared name, so the three rejections are one family. */
#define GW_METRIC_EVENTS(X)                                                                        \
    X(TRAP, "corral_traps_total", NULL, "Guest executions that ended in a trap.")                  \
    X(TIMEOUT, "corral_timeouts_total", NULL, "Guest executions stopped by a deadline.")           \
    X(REJECT_413, "corral_http_rejections_total", "413",                                           \
      "Requests refused by the server before any guest ran, by status.")                           \
    X(REJECT_431, "corral_http_rejections_total", "431",                                           \
      "Requests refused by the server before any guest ran, by status.")                           \
    X(REJECT_503, "corral_http_rejections_total", "503",                                           \
      "Requests refused by the server before any guest ran, by status.")

/* clang-format off */
typedef enum GwMetricEvent {
#define GW_METRIC_ENUM(id, name, label, help) GW_METRIC_##id,
    GW_METRIC_EVENTS(GW_METRIC_ENUM)
#undef GW_METRIC_ENUM
    GW_METRIC_EVENT_COUNT
} GwMetricEvent;
/* clang-format on */

/* Sets up room for max_routes registered routes (besides "other") and zeroes every metric.
 * Call once, before any thread records; a second call resets everything. Returns 0, or -1
 * when memory is short (then recording is a no-op and rendering shows no per-route data). */
int gw_metrics_init(unsigned max_routes);
/* Frees what gw_metrics_init allocated; recording afterwards is a no-op. Only when no other
 * thread records or renders any more. */
void gw_metrics_free(void);

/* Registers a route label (copied; e.g. "/hello" or "/static/...") and returns its index
 * (>= 1) for gw_metrics_observe_request. The same label twice gives the same index. When
 * the table is full, or before init, returns GW_METRICS_OTHER. Thread-safe, but meant for
 * startup. */
int gw_metrics_route(const char *label);

/* Counts one answered request of route index `route` (GW_METRICS_OTHER, or an index from
 * gw_metrics_route; anything else counts as other) with HTTP status 100..599, and records
 * its duration in the latency histogram. A status outside 100..599 is ignored entirely. */
void gw_metrics_observe_request(int route, unsigned status, double seconds);
/* Records one instantiation time in the instantiation histogram. */
void gw_metrics_observe_instantiation(double seconds);
/* Adds delta (+1 when an instance starts, -1 when it ends) to the active-instances gauge. */
void gw_metrics_active(int delta);
/* Counts one event. */
void gw_metrics_count(GwMetricEvent ev);

/* Writes the exposition text into buf[0..cap) (NUL-terminated when cap > 0, truncated if
 * needed) and returns the length of the whole text, without the NUL, as snprintf does:
 * a result >= cap means "call again with at least result + 1 bytes". The values are read
 * with relaxed loads while other threads record, so one scrape may see an observation in a
 * histogram's buckets but not yet in its _sum; _count always equals the +Inf bucket. */
size_t gw_metrics_render(char *buf, size_t cap);

#endif
