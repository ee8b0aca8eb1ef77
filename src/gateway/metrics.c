/* metrics.c: the process-wide metric store behind metrics.h and its Prometheus rendering.
 * Every recorded number is a relaxed atomic add on a fixed slot: histograms keep one
 * non-cumulative counter per bucket and their sum in integer nanoseconds (no atomic
 * double); the render cumulates. It must not take a lock while recording. */
#include "gateway/metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATUS_MIN 100
#define STATUS_SLOTS 500 /* 100..599 */

typedef struct Histogram {
    const char *name;
    const char *help;
    const double *bounds; /* upper bounds, ascending; +Inf is implicit */
    size_t nbounds;
    _Atomic uint64_t counts[16]; /* [nbounds] is the +Inf bucket */
    _Atomic uint64_t sum_ns;
} Histogram;

static const double request_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,    0.25,  0.5,    1,     2.5,  5,     10};
static const double inst_bounds[] = {5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 1e-2};

static Histogram request_hist = {"corral_http_request_duration_seconds",
                                 "Time from a complete request line to the end of its response.",
                                 request_bounds,
                                 sizeof request_bounds / sizeof request_bounds[0],
                                 {0},
                                 0};
static Histogram inst_hist = {"corral_instantiation_duration_seconds",
                              "Time to make a fresh instance ready to run.",
                              inst_bounds,
                              sizeof inst_bounds / sizeof inst_bounds[0],
                              {0},
                              0};

typedef struct EventInfo {
    const char *name;
    const char *label;
    const char *help;
} EventInfo;

static const EventInfo events[GW_METRIC_EVENT_COUNT] = {
#define GW_METRIC_INFO(id, name, label, help) {name, label, help},
    GW_METRIC_EVENTS(GW_METRIC_INFO)
#undef GW_METRIC_INFO
};

static _Atomic uint64_t event_counts[GW_METRIC_EVENT_COUNT];
static _Atomic int64_t active_instances;

/* Per-route request counts: rows[route][status - 100]. Row 0 is "other". Rows and labels
 * are allocated by init; nroutes grows under route_lock and is published with release
 * order, so a reader that loads it with acquire sees the label it covers. */
typedef _Atomic uint64_t StatusRow[STATUS_SLOTS];
static StatusRow *rows;
static char **labels;
static unsigned max_rows;
static _Atomic unsigned nroutes;
static pthread_mutex_t route_lock = PTHREAD_MUTEX_INITIALIZER;

static void hist_reset(Histogram *h)
{
    for (size_t i = 0; i <= h->nbounds; i++)
        atomic_store_explicit(&h->counts[i], 0, memory_order_relaxed);
    atomic_store_explicit(&h->sum_ns, 0, memory_order_relaxed);
}

void gw_metrics_free(void)
{
    unsigned n = atomic_load(&nroutes);
    for (unsigned i = 0; labels && i < n; i++)
        free(labels[i]);
    free(labels);
    free(rows);
    labels = NULL;
    rows = NULL;
    max_rows = 0;
    atomic_store(&nroutes, 0);
}

int gw_metrics_init(unsigned max_routes)
{
    gw_metrics_free();
    hist_reset(&request_hist);
    hist_reset(&inst_hist);
    for (int i = 0; i < GW_METRIC_EVENT_COUNT; i++)
        atomic_store(&event_counts[i], 0);
    atomic_store(&active_instances, 0);
    size_t n = (size_t)max_routes + 1;
    rows = calloc(n, sizeof *rows);
    labels = calloc(n, sizeof *labels);
    if (labels)
        labels[0] = strdup("other");
    if (!rows || !labels || !labels[0]) {
        if (labels)
            free(labels[0]);
        free(rows);
        free(labels);
        rows = NULL;
        labels = NULL;
        return -1;
    }
    max_rows = (unsigned)n;
    atomic_store_explicit(&nroutes, 1, memory_order_release);
    return 0;
}

int gw_metrics_route(const char *label)
{
    int idx = GW_METRICS_OTHER;
    pthread_mutex_lock(&route_lock);
    unsigned n = atomic_load_explicit(&nroutes, memory_order_relaxed);
    for (unsigned i = 1; i < n; i++) {
        if (strcmp(labels[i], label) == 0) {
            idx = (int)i;
            goto done;
        }
    }
    if (n > 0 && n < max_rows && (labels[n] = strdup(label)) != NULL) {
        idx = (int)n;
        atomic_store_explicit(&nroutes, n + 1, memory_order_release);
    }
done:
    pthread_mutex_unlock(&route_lock);
    return idx;
}

static uint64_t seconds_to_ns(double seconds)
{
    if (!(seconds > 0)) /* negative or NaN */
        return 0;
    if (seconds > 1e9)
        return (uint64_t)1e18;
    return (uint64_t)(seconds * 1e9 + 0.5);
}

static void hist_observe(Histogram *h, double seconds)
{
    size_t i = 0;
    while (i < h->nbounds && !(seconds <= h->bounds[i]))
        i++;
    atomic_fetch_add_explicit(&h->counts[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_ns, seconds_to_ns(seconds), memory_order_relaxed);
}

void gw_metrics_observe_request(int route, unsigned status, double seconds)
{
    if (status < STATUS_MIN || status >= STATUS_MIN + STATUS_SLOTS)
        return;
    hist_observe(&request_hist, seconds);
    unsigned n = atomic_load_explicit(&nroutes, memory_order_acquire);
    if (n == 0)
        return;
    if (route < 0 || (unsigned)route >= n)
        route = GW_METRICS_OTHER;
    atomic_fetch_add_explicit(&rows[route][status - STATUS_MIN], 1, memory_order_relaxed);
}

void gw_metrics_observe_instantiation(double seconds)
{
    hist_observe(&inst_hist, seconds);
}

void gw_metrics_active(int delta)
{
    atomic_fetch_add_explicit(&active_instances, delta, memory_order_relaxed);
}

void gw_metrics_count(GwMetricEvent ev)
{
    if ((unsigned)ev < GW_METRIC_EVENT_COUNT)
        atomic_fetch_add_explicit(&event_counts[ev], 1, memory_order_relaxed);
}

/* ---- rendering ---- */

typedef struct Out {
    char *buf;
    size_t cap;
    size_t len; /* of the whole text, even past cap */
} Out;

static void out_fmt(Out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_fmt(Out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *at = o->len < o->cap ? o->buf + o->len : NULL;
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    int n = vsnprintf(at, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

/* A label value with the exposition format's escapes: backslash, double quote, newline. */
static void out_label(Out *o, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            out_fmt(o, "\\%c", *s);
        else if (*s == '\n')
            out_fmt(o, "\\n");
        else
            out_fmt(o, "%c", *s);
    }
}

static void out_family(Out *o, const char *name, const char *type, const char *help)
{
    out_fmt(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void render_requests(Out *o)
{
    out_family(o, "corral_http_requests_total", "counter",
               "HTTP requests answered, by route and status code.");
    unsigned n = atomic_load_explicit(&nroutes, memory_order_acquire);
    for (unsigned r = 0; r < n; r++) {
        for (unsigned s = 0; s < STATUS_SLOTS; s++) {
            uint64_t v = atomic_load_explicit(&rows[r][s], memory_order_relaxed);
            if (v == 0)
                continue;
            out_fmt(o, "corral_http_requests_total{route=\"");
            out_label(o, labels[r]);
            out_fmt(o, "\",status=\"%u\"} %llu\n", s + STATUS_MIN, (unsigned long long)v);
        }
    }
}

static void render_hist(Out *o, Histogram *h)
{
    out_family(o, h->name, "histogram", h->help);
    uint64_t cum = 0;
    for (size_t i = 0; i <= h->nbounds; i++) {
        cum += atomic_load_explicit(&h->counts[i], memory_order_relaxed);
        if (i < h->nbounds)
            out_fmt(o, "%s_bucket{le=\"%g\"} %llu\n", h->name, h->bounds[i],
                    (unsigned long long)cum);
        else
            out_fmt(o, "%s_bucket{le=\"+Inf\"} %llu\n", h->name, (unsigned long long)cum);
    }
    uint64_t ns = atomic_load_explicit(&h->sum_ns, memory_order_relaxed);
    out_fmt(o, "%s_sum %llu.%09llu\n", h->name, (unsigned long long)(ns / 1000000000u),
            (unsigned long long)(ns % 1000000000u));
    out_fmt(o, "%s_count %llu\n", h->name, (unsigned long long)cum);
}

static void render_events(Out *o)
{
    for (int i = 0; i < GW_METRIC_EVENT_COUNT; i++) {
        const EventInfo *e = &events[i];
        if (i == 0 || strcmp(events[i - 1].name, e->name) != 0)
            out_family(o, e->name, "counter", e->help);
        unsigned long long v = atomic_load_explicit(&event_counts[i], memory_order_relaxed);
        if (e->label)
            out_fmt(o, "%s{status=\"%s\"} %llu\n", e->name, e->label, v);
        else
            out_fmt(o, "%s %llu\n", e->name, v);
    }
}

size_t gw_metrics_render(char *buf, size_t cap)
{
    Out o = {buf, cap, 0};
    if (cap > 0)
        buf[0] = '\0';
    render_requests(&o);
    render_hist(&o, &request_hist);
    render_hist(&o, &inst_hist);
    out_family(&o, "corral_active_instances", "gauge", "Instances running a request now.");
    out_fmt(&o, "corral_active_instances %lld\n",
            (long long)atomic_load_explicit(&active_instances, memory_order_relaxed));
    render_events(&o);
    return o.len;
}
