/* test_bindle_app.c: what an invoice means to the gateway (src/gateway/bindle_app.c): WAGI's
 * handler parcels and their features, the groups a handler requires followed transitively
 * (cycles included) to its assets, each handler's own assets only, the parcels that look like
 * handlers but are not, bindle: references' first module, and allowed_hosts lists. Invoices
 * are read from TOML by the store's parser, as the gateway reads them. */
#include "gateway/bindle_app.h"
#include "unit.h"

#include <string.h>

#define SHA(c)                                                                                     \
    "\"" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
        c c c c c c c c c c c c c c c c c c c "\""

static const char head[] =
    "bindleVersion = \"1.0.0\"\n[bindle]\nname = \"t\"\nversion = \"1.0.0\"\n";

/* One [[parcel]]: sha letter, name, media type, then raw lines (features, conditions). */
static char *parcel(char *buf, size_t size, const char *sha, const char *name, const char *mt,
                    const char *rest)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n,
             "[[parcel]]\n[parcel.label]\nsha256 = %s\nname = \"%s\"\nmediaType = \"%s\"\n"
             "size = 1\n%s\n",
             sha, name, mt, rest);
    return buf;
}

static Invoice *parse(const char *text)
{
    char *err = NULL;
    Invoice *inv = invoice_parse(text, strlen(text), INV_TOML, &err);
    if (!inv)
        fprintf(stderr, "  invoice: %s\n", err);
    free(err);
    return inv;
}

/* "a b c": the names of a handler's assets. */
static const char *asset_names(const BindleHandler *h)
{
    static char out[256];
    out[0] = '\0';
    for (size_t i = 0; i < h->nassets; i++) {
        if (i)
            strcat(out, " ");
        strcat(out, h->assets[i]->label.name);
    }
    return out;
}

static void test_handlers(void)
{
    char text[8192];
    snprintf(text, sizeof text, "%s", head);
    parcel(text, sizeof text, SHA("a"), "a.wasm", "application/wasm",
           "[parcel.label.feature.wagi]\nroute = \"/a/...\"\nentrypoint = \"go\"\n"
           "argv = \"${SCRIPT_NAME} x\"\nallowed_hosts = \"https://x.com,http://y:8080\"\n"
           "[parcel.conditions]\nrequires = [\"g1\"]");
    parcel(text, sizeof text, SHA("b"), "b.wasm", "application/wasm",
           "[parcel.label.feature.wagi]\nroute = \"/b\"\n[parcel.conditions]\nrequires = [\"g3\"]");
    parcel(text, sizeof text, SHA("c"), "c.wasm", "application/wasm",
           "[parcel.label.feature.wagi]\nroute = \"/c\"\n[parcel.conditions]\nmemberOf = [\"g1\"]");
    parcel(text, sizeof text, SHA("d"), "d.txt", "text/plain",
           "[parcel.label.feature.wagi]\nroute = \"/d\"\nfile = \"true\"\n"
           "[parcel.conditions]\nmemberOf = [\"g1\"]\nrequires = [\"g2\"]");
    parcel(text, sizeof text, SHA("e"), "e.txt", "text/plain",
           "[parcel.label.feature.wagi]\nfile = \"true\"\n"
           "[parcel.conditions]\nmemberOf = [\"g2\"]\nrequires = [\"g1\"]");
    parcel(
        text, sizeof text, SHA("f"), "f.txt", "text/plain",
        "[parcel.label.feature.wagi]\nfile = \"false\"\n[parcel.conditions]\nmemberOf = [\"g2\"]");
    parcel(
        text, sizeof text, SHA("9"), "g.txt", "text/plain",
        "[parcel.label.feature.wagi]\nfile = \"true\"\n[parcel.conditions]\nmemberOf = [\"g3\"]");
    parcel(text, sizeof text, SHA("8"), "plain.wasm", "application/wasm", "");
    parcel(text, sizeof text, SHA("7"), "empty.wasm", "application/wasm",
           "[parcel.label.feature.wagi]\nroute = \"/e\"\nhttp_max_concurrency = \"2\"\n"
           "[parcel.conditions]\nmemberOf = []\nrequires = [\"nowhere\"]");
    Invoice *inv = parse(text);
    CHECK(inv != NULL, "the invoice parses");
    if (!inv)
        return;
    BindleApp app;
    char *err = NULL;
    CHECK(bindle_app_build(inv, &app, &err), "handlers found");
    CHECK(app.nhandlers == 3, "three handlers: wasm, global group, with a route");
    if (app.nhandlers != 3) {
        invoice_free(inv);
        return;
    }
    const BindleHandler *a = &app.handlers[0], *b = &app.handlers[1], *e = &app.handlers[2];
    CHECK(!strcmp(a->route, "/a/...") && !strcmp(a->entrypoint, "go") &&
              !strcmp(a->argv, "${SCRIPT_NAME} x") &&
              !strcmp(a->allowed_hosts, "https://x.com,http://y:8080"),
          "feature.wagi: route, entrypoint, argv, allowed_hosts");
    CHECK(!strcmp(asset_names(a), "d.txt e.txt"),
          "assets: g1's files, then through d.txt's requires g2's, and g2 requiring g1 again "
          "ends (a cycle); file = \"false\" and a wasm member are not assets");
    CHECK(!strcmp(b->route, "/b") && !b->entrypoint && !b->argv && !b->allowed_hosts,
          "absent features are NULL");
    CHECK(!strcmp(asset_names(b), "g.txt"), "another handler: its own group's assets only");
    CHECK(!strcmp(e->parcel->label.name, "empty.wasm") && e->nassets == 0,
          "an empty memberOf is the global group; a group nobody is in gives no assets");
    size_t nw = app.nwarnings;
    CHECK(nw == 3, "three warnings");
    CHECK(nw > 0 && strstr(app.warnings[0], "parcel 'c.wasm' has feature.wagi.route but is in "
                                            "group 'g1', not the global group: not served"),
          "warning: a route in a named group");
    CHECK(nw > 1 && strstr(app.warnings[1], "parcel 'd.txt' has feature.wagi.route but its "
                                            "mediaType is text/plain"),
          "warning: a route on a parcel that is not wasm");
    CHECK(nw > 2 && strstr(app.warnings[2], "parcel 'empty.wasm': unknown key "
                                            "feature.wagi.http_max_concurrency (ignored)"),
          "warning: a feature.wagi key WAGI does not read (http_max_concurrency included)");
    size_t skipped;
    const InvParcel *first = bindle_first_module(inv, &skipped);
    CHECK(first && !strcmp(first->label.name, "a.wasm") && skipped == 0,
          "bindle: the first wasm parcel of the global group");
    bindle_app_free(&app);
    invoice_free(inv);
}

static void test_none(void)
{
    char text[4096];
    snprintf(text, sizeof text, "%s", head);
    parcel(text, sizeof text, SHA("a"), "grouped.wasm", "application/wasm",
           "[parcel.conditions]\nmemberOf = [\"g\"]");
    parcel(text, sizeof text, SHA("b"), "x.wasm", "application/wasm", "");
    Invoice *inv = parse(text);
    BindleApp app;
    char *err = NULL;
    CHECK(inv && !bindle_app_build(inv, &app, &err) && err &&
              strstr(err, "the invoice has no handler parcel"),
          "no handler: an error that says what a handler is");
    free(err);
    size_t skipped;
    const InvParcel *first = inv ? bindle_first_module(inv, &skipped) : NULL;
    CHECK(first && !strcmp(first->label.name, "x.wasm") && skipped == 1,
          "bindle: passes over a wasm parcel of a named group, and counts it");
    invoice_free(inv);
    inv = parse(head);
    CHECK(inv && !bindle_first_module(inv, &skipped), "bindle: no parcel at all");
    invoice_free(inv);
}

static void test_hosts(void)
{
    size_t n;
    char **h = bindle_split_hosts(" https://a.com , http://b:1,,\tinsecure:allow-all ", &n);
    CHECK(h && n == 3 && !strcmp(h[0], "https://a.com") && !strcmp(h[1], "http://b:1") &&
              !strcmp(h[2], "insecure:allow-all"),
          "allowed_hosts: split at commas, trimmed, empty items dropped");
    for (size_t i = 0; h && i < n; i++)
        free(h[i]);
    free(h);
    h = bindle_split_hosts("", &n);
    CHECK(h && n == 0, "allowed_hosts: empty");
    free(h);
}

int main(void)
{
    test_handlers();
    test_none();
    test_hosts();
    return unit_report("test_bindle_app");
}
