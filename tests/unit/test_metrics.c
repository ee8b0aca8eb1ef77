/* test_metrics.c: the Prometheus text of src/gateway/metrics.c: families with HELP and TYPE
 * once each, per-route and per-status counts, cumulative histogram buckets with exact
 * _sum and _count, label escaping, snprintf-style truncation, and counts that survive
 * concurrent recording. */
#include "gateway/metrics.h"
#include "unit.h"

#include <pthread.h>
#include <string.h>

static char text[1 << 16];

static void render(void)
{
    size_t n = gw_metrics_render(text, sizeof text);
    CHECK(n < sizeof text, "render fits the test buffer");
}

/* The whole line `line` is in the text. */
static int has_line(const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return 1;
    return 0;
}

static int count_of(const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void test_empty(void)
{
    CHECK(gw_metrics_init(4) == 0, "init");
    render();
    CHECK(has_line("# TYPE corral_http_requests_total counter"), "requests family typed");
    CHECK(has_line("# HELP corral_http_requests_total HTTP requests answered, by route and "
                   "status code."),
          "requests family has help");
    CHECK(count_of("corral_http_requests_total{") == 0, "no request samples yet");
    CHECK(has_line("# TYPE corral_http_request_duration_seconds histogram"), "latency typed");
    CHECK(has_line("corral_http_request_duration_seconds_bucket{le=\"0.0005\"} 0"),
          "first latency bucket");
    CHECK(has_line("corral_http_request_duration_seconds_bucket{le=\"+Inf\"} 0"), "+Inf bucket");
    CHECK(has_line("corral_http_request_duration_seconds_sum 0.000000000"), "empty sum");
    CHECK(has_line("corral_http_request_duration_seconds_count 0"), "empty count");
    CHECK(has_line("corral_instantiation_duration_seconds_bucket{le=\"5e-06\"} 0"),
          "first instantiation bucket");
    CHECK(has_line("corral_instantiation_duration_seconds_bucket{le=\"0.01\"} 0"),
          "last instantiation bucket");
    CHECK(count_of("corral_http_request_duration_seconds_bucket{") == 15, "14 buckets + Inf");
    CHECK(count_of("corral_instantiation_duration_seconds_bucket{") == 10, "9 buckets + Inf");
    CHECK(has_line("# TYPE corral_active_instances gauge"), "gauge typed");
    CHECK(has_line("corral_active_instances 0"), "gauge zero");
    CHECK(has_line("corral_traps_total 0"), "traps zero");
    CHECK(has_line("corral_timeouts_total 0"), "timeouts zero");
    CHECK(count_of("# TYPE corral_http_rejections_total counter") == 1,
          "one TYPE line for the three rejection samples");
    CHECK(has_line("corral_http_rejections_total{status=\"431\"} 0"), "431 sample");
}

static void test_routes(void)
{
    CHECK(gw_metrics_init(2) == 0, "init");
    int hello = gw_metrics_route("/hello");
    CHECK(hello == 1, "first route gets index 1");
    CHECK(gw_metrics_route("/hello") == hello, "same label, same index");
    CHECK(gw_metrics_route("/static/...") == 2, "second route");
    CHECK(gw_metrics_route("/third") == GW_METRICS_OTHER, "full table gives other");
    gw_metrics_observe_request(hello, 200, 0.003);
    gw_metrics_observe_request(hello, 200, 0.001); /* on a bound: that bucket */
    gw_metrics_observe_request(hello, 500, 0.0001);
    gw_metrics_observe_request(GW_METRICS_OTHER, 404, 0.0002);
    gw_metrics_observe_request(99, 404, 20);   /* unknown index: other; past 10 s: +Inf */
    gw_metrics_observe_request(hello, 600, 1); /* not a status: ignored entirely */
    gw_metrics_observe_request(hello, 99, 1);
    render();
    CHECK(has_line("corral_http_requests_total{route=\"/hello\",status=\"200\"} 2"), "200s");
    CHECK(has_line("corral_http_requests_total{route=\"/hello\",status=\"500\"} 1"), "500s");
    CHECK(has_line("corral_http_requests_total{route=\"other\",status=\"404\"} 2"), "other");
    CHECK(count_of("route=\"/static/...\"") == 0, "no zero samples");
    CHECK(count_of("status=\"600\"") == 0 && count_of("status=\"99\"") == 0, "bad status");
    CHECK(has_line("corral_http_request_duration_seconds_bucket{le=\"0.0005\"} 2"), "<=0.5ms");
    CHECK(has_line("corral_http_request_duration_seconds_bucket{le=\"0.001\"} 3"), "bound in");
    CHECK(has_line("corral_http_request_duration_seconds_bucket{le=\"0.0025\"} 3"), "cumul");
    CHECK(has_line("corral_http_request_duration_seconds_bucket{le=\"0.005\"} 4"), "3 ms");
    CHECK(has_line("corral_http_request_duration_seconds_bucket{le=\"10\"} 4"), "10 s");
    CHECK(has_line("corral_http_request_duration_seconds_bucket{le=\"+Inf\"} 5"), "+Inf");
    CHECK(has_line("corral_http_request_duration_seconds_count 5"), "count = +Inf");
    CHECK(has_line("corral_http_request_duration_seconds_sum 20.004300000"), "exact sum");
}

static void test_others(void)
{
    CHECK(gw_metrics_init(1) == 0, "init");
    gw_metrics_observe_instantiation(7e-6);
    gw_metrics_observe_instantiation(0.5);
    gw_metrics_active(1);
    gw_metrics_active(1);
    gw_metrics_active(-1);
    gw_metrics_count(GW_METRIC_TRAP);
    gw_metrics_count(GW_METRIC_REJECT_413);
    gw_metrics_count(GW_METRIC_REJECT_413);
    gw_metrics_count(GW_METRIC_EVENT_COUNT); /* out of range: ignored */
    render();
    CHECK(has_line("corral_instantiation_duration_seconds_bucket{le=\"5e-06\"} 0"), "5us");
    CHECK(has_line("corral_instantiation_duration_seconds_bucket{le=\"1e-05\"} 1"), "7us");
    CHECK(has_line("corral_instantiation_duration_seconds_bucket{le=\"0.01\"} 1"), "10ms");
    CHECK(has_line("corral_instantiation_duration_seconds_bucket{le=\"+Inf\"} 2"), "0.5s");
    CHECK(has_line("corral_instantiation_duration_seconds_sum 0.500007000"), "inst sum");
    CHECK(has_line("corral_active_instances 1"), "gauge");
    CHECK(has_line("corral_traps_total 1"), "traps");
    CHECK(has_line("corral_http_rejections_total{status=\"413\"} 2"), "413s");
    CHECK(has_line("corral_http_rejections_total{status=\"503\"} 0"), "503s");
}

static void test_escaping_and_truncation(void)
{
    CHECK(gw_metrics_init(1) == 0, "init");
    int r = gw_metrics_route("/a\"b\\c\nd");
    gw_metrics_observe_request(r, 201, 0);
    render();
    CHECK(has_line("corral_http_requests_total{route=\"/a\\\"b\\\\c\\nd\",status=\"201\"} 1"),
          "label escapes");
    size_t full = gw_metrics_render(NULL, 0);
    CHECK(full == strlen(text), "NULL, 0 gives the length");
    char small[10];
    memset(small, 'x', sizeof small);
    CHECK(gw_metrics_render(small, sizeof small) == full, "truncated render gives the length");
    CHECK(small[9] == '\0' && memcmp(small, text, 9) == 0, "truncated, NUL-terminated");
}

/* Every sample's family has its TYPE line before the first sample, and no family is typed
 * twice (Prometheus rejects both). */
static void test_well_formed(void)
{
    render();
    int bad = 0;
    char typed[32][80];
    int ntyped = 0;
    for (const char *line = text; *line; line = strchr(line, '\n') + 1) {
        char name[80];
        if (strncmp(line, "# TYPE ", 7) == 0) {
            sscanf(line + 7, "%79s", name);
            for (int i = 0; i < ntyped; i++)
                bad += strcmp(typed[i], name) == 0;
            if (ntyped < 32)
                strcpy(typed[ntyped++], name);
        } else if (line[0] != '#') {
            size_t n = strcspn(line, "{ ");
            snprintf(name, sizeof name, "%.*s", (int)n, line);
            int found = 0;
            for (int i = 0; i < ntyped; i++) {
                size_t tn = strlen(typed[i]);
                found |= strncmp(name, typed[i], tn) == 0 &&
                         (name[tn] == '\0' || strcmp(name + tn, "_bucket") == 0 ||
                          strcmp(name + tn, "_sum") == 0 || strcmp(name + tn, "_count") == 0);
            }
            bad += !found;
        }
    }
    CHECK(bad == 0, "families typed once, before their samples");
}

static void *hammer(void *arg)
{
    int route = *(int *)arg;
    for (int i = 0; i < 100000; i++) {
        gw_metrics_observe_request(route, 200, 0.002);
        gw_metrics_observe_instantiation(1e-5);
        gw_metrics_active(1);
        gw_metrics_active(-1);
        gw_metrics_count(GW_METRIC_TIMEOUT);
    }
    return NULL;
}

static void test_threads(void)
{
    CHECK(gw_metrics_init(1) == 0, "init");
    int route = gw_metrics_route("/t");
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, hammer, &route);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    render();
    CHECK(has_line("corral_http_requests_total{route=\"/t\",status=\"200\"} 400000"), "counts");
    CHECK(has_line("corral_http_request_duration_seconds_count 400000"), "histogram count");
    CHECK(has_line("corral_http_request_duration_seconds_sum 800.000000000"), "histogram sum");
    CHECK(has_line("corral_instantiation_duration_seconds_count 400000"), "inst count");
    CHECK(has_line("corral_active_instances 0"), "gauge back to 0");
    CHECK(has_line("corral_timeouts_total 400000"), "event count");
}

int main(void)
{
    gw_metrics_observe_request(1, 200, 0.1); /* before init: must not crash */
    test_empty();
    test_routes();
    test_others();
    test_escaping_and_truncation();
    test_well_formed();
    test_threads();
    gw_metrics_free();
    return unit_report("test_metrics");
}
