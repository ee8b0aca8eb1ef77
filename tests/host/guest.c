/* guest.c: the WASI command tests/host/run.sh drives through `corral run` and `corral serve`:
 * it performs key-value and outbound HTTP operations named by its arguments, one a word,
 * and prints one line per operation, so the same words give the same output both ways. Under
 * the gateway the words come from the query string (WAGI splits it at '&' into argv) and a
 * text/plain header goes first. Words are percent-decoded, so a URL can carry its own query.
 *
 *   open=NAME          opens store NAME (the current one from then on)
 *   set=KEY:VALUE      get=KEY   del=KEY   has=KEY   keys   close
 *   inc=KEY:DELTA[:N]  N increments (default 1), printing every result
 *   handle=N           makes N the current store handle (forging one)
 *   fetch=URL          GET URL: status, body length and the body's first 60 bytes
 *   hold=URL           GET URL and keep the response open (the open-response limit)
 *
 * Errors print as the SDK's names (ACCESS_DENIED, DESTINATION_NOT_ALLOWED ...). */
#include "corral_kv.h"
#include "wasi_experimental_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static corral_kv_store_t store;

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                               : -1;
}

static void decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (s[0] == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
            *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

static void kv_result(const char *op, const char *arg, uint32_t err)
{
    printf("%s %s: %s\n", op, arg, err ? corral_kv_error_name(err) : "ok");
}

static void do_get(const char *key)
{
    char *v;
    size_t n;
    uint32_t err = corral_kv_get_alloc(store, key, strlen(key), &v, &n);
    if (err) {
        kv_result("get", key, err);
        return;
    }
    printf("get %s: '%.*s'\n", key, (int)n, v);
    free(v);
}

static void do_has(const char *key)
{
    uint32_t yes = 0, err = corral_kv_exists(store, key, strlen(key), &yes);
    if (err)
        kv_result("has", key, err);
    else
        printf("has %s: %u\n", key, (unsigned)yes);
}

static void do_keys(void)
{
    uint8_t page[256];
    corral_kv_keys_t it;
    const char *key;
    size_t len;
    printf("keys:");
    corral_kv_keys_init(&it, store, page, sizeof page);
    while (corral_kv_keys_next(&it, &key, &len))
        printf(" %.*s", (int)len, key);
    printf(it.err ? " (%s)\n" : "\n", corral_kv_error_name(it.err));
}

static void do_inc(char *arg)
{
    char *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    long long delta = c1 ? atoll(c1 + 1) : 1;
    long n = c2 ? atol(c2 + 1) : 1;
    if (c1)
        *c1 = '\0';
    printf("inc %s:", arg);
    for (long i = 0; i < n; i++) {
        int64_t v;
        uint32_t err = corral_kv_increment(store, arg, strlen(arg), delta, &v);
        if (err) {
            printf(" %s", corral_kv_error_name(err));
            break;
        }
        printf(" %lld", (long long)v);
    }
    printf("\n");
}

static void do_fetch(const char *url)
{
    uint16_t status;
    char *body;
    size_t len;
    uint32_t err = weh_get(url, &status, &body, &len);
    if (err) {
        printf("fetch %s: %s\n", url, weh_error_name(err));
        return;
    }
    printf("fetch %s: %u len=%zu body='%.*s'\n", url, (unsigned)status, len,
           (int)(len > 60 ? 60 : len), body);
    free(body);
}

static void do_hold(const char *url)
{
    uint16_t status;
    weh_handle_t h;
    uint32_t err = weh_send("GET", url, NULL, NULL, 0, &status, &h);
    if (err)
        printf("hold %s: %s\n", url, weh_error_name(err));
    else
        printf("hold %s: %u\n", url, (unsigned)status);
}

static void run(char *w)
{
    char *eq = strchr(w, '=');
    char *arg = eq ? eq + 1 : (char *)"";
    if (eq)
        *eq = '\0';
    if (!strcmp(w, "open")) {
        kv_result("open", arg, corral_kv_open_str(arg, &store));
    } else if (!strcmp(w, "set")) {
        char *colon = strchr(arg, ':');
        const char *value = colon ? colon + 1 : "";
        if (colon)
            *colon = '\0';
        kv_result("set", arg, corral_kv_set_str(store, arg, value));
    } else if (!strcmp(w, "get")) {
        do_get(arg);
    } else if (!strcmp(w, "del")) {
        kv_result("del", arg, corral_kv_delete(store, arg, strlen(arg)));
    } else if (!strcmp(w, "has")) {
        do_has(arg);
    } else if (!strcmp(w, "keys")) {
        do_keys();
    } else if (!strcmp(w, "handle")) {
        store = (corral_kv_store_t)strtoul(arg, NULL, 10);
    } else if (!strcmp(w, "close")) {
        kv_result("close", "", corral_kv_close(store));
    } else if (!strcmp(w, "inc")) {
        do_inc(arg);
    } else if (!strcmp(w, "fetch")) {
        do_fetch(arg);
    } else if (!strcmp(w, "hold")) {
        do_hold(arg);
    } else {
        printf("unknown word '%s'\n", w);
    }
}

int main(int argc, char **argv)
{
    if (getenv("REQUEST_METHOD"))
        printf("Content-Type: text/plain\n\n");
    for (int i = 1; i < argc; i++) {
        decode(argv[i]);
        run(argv[i]);
    }
    return 0;
}
