/* routes.c: WAGI's `_routes` convention, one module serving several routes. At start-up the
 * gateway calls the export `_routes` once; each line it prints, "<sub-route> <export>", adds
 * a route under the module's own (here "/routes/..."), answered by calling that export
 * instead of `_start`:
 *     /hello say_hello      ->  /routes/hello        (exact)
 *     /bye/... say_bye      ->  /routes/bye/...      (prefix: /routes/bye/alice)
 * Everything else under /routes goes to `_start`, that is main(). Each handler is a plain
 * void function exported by name, and prints a whole CGI response as main() would.
 *
 * Exported functions other than _start in a wasi-libc *command* module. The worry: libc is
 * set up by _start (C constructors, including libc's own) and torn down by exit (flushing
 * the buffered stdout), so would an export called *instead of* _start find libc unready,
 * and lose its printf output? It does not, thanks to the linker: when wasm-ld links a
 * command (a module with _start), it wraps every export, _start included, in a
 * "<name>.command_export" function that calls __wasm_call_ctors (when there are any
 * constructors), then the function, then __wasm_call_dtors (which flushes stdio; getenv
 * sets up the environment lazily on its own). The wrappers are what the module exports:
 *     wasm-objdump -x build/examples/serve/routes.wasm | grep command_export
 * So the usual build (crt1-command, no special flags) just works: `_start` for the parent
 * route, say_hello and say_bye as entrypoints, each called as the first and only call of a
 * fresh instance, which is what WAGI and `corral serve` do for every request (and for the
 * start-up `_routes` call). Two exports called on one instance would run the constructors
 * twice; no gateway does that.
 * -mexec-model=reactor is the wrong tool here: a reactor has no _start for the parent
 * route, wants the host to call _initialize first (WAGI and corral serve never do; only
 * `corral run --invoke` does), and nothing flushes stdout after a handler returns: output
 * still in the stdio buffer is silently lost unless every handler calls fflush.
 *
 * Build: scripts/build_examples.sh
 * Try:   build/corral run --invoke _routes build/examples/serve/routes.wasm
 *        build/corral run --env PATH_INFO=/alice --invoke say_bye \
 *          build/examples/serve/routes.wasm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sub-routes, in the order _routes prints them. The export names must match the
 * export_name attributes below. (When two patterns match, WAGI picks the last printed.) */
static const struct {
    const char *pattern, *export, *about;
} routes[] = {
    {"/hello", "say_hello", "a fixed greeting (an exact sub-route)"},
    {"/bye/...", "say_bye", "a goodbye to whoever follows /bye/ (a prefix sub-route)"},
};

#define EXPORT(name) __attribute__((export_name(name)))

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

/* Called once at start-up, with no environment and no arguments: prints one
 * "<pattern> <export>" line per sub-route. Empty output would abort the gateway's start. */
EXPORT("_routes") void routes_list(void)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        printf("%s %s\n", routes[i].pattern, routes[i].export);
}

/* The route /routes/hello. */
EXPORT("say_hello") void say_hello(void)
{
    printf("Content-Type: text/plain; charset=utf-8\n\n");
    printf("Hello from say_hello, an export of routes.wasm!\n");
    printf("X_MATCHED_ROUTE: %s\n", env_or("X_MATCHED_ROUTE", "(unset)"));
}

/* The routes /routes/bye and /routes/bye/NAME: PATH_INFO holds what follows /routes/bye. */
EXPORT("say_bye") void say_bye(void)
{
    const char *name = env_or("PATH_INFO", "/");
    while (*name == '/')
        name++;
    printf("Content-Type: text/plain; charset=utf-8\n\n");
    printf("Goodbye, %s!\n", *name ? name : "stranger");
    printf("X_MATCHED_ROUTE: %s\n", env_or("X_MATCHED_ROUTE", "(unset)"));
}

/* _start: the parent route, /routes and whatever under it no sub-route took. */
int main(void)
{
    const char *base = env_or("SCRIPT_NAME", "/routes");
    int len = (int)strlen(base);
    if (base[len - 1] == '/')
        len--; /* joined as WAGI does: "/" + "/hello" is "/hello" */
    printf("Content-Type: text/plain; charset=utf-8\n\n");
    printf("routes.wasm: main() answered %s%s (the parent route, through _start).\n", base,
           env_or("PATH_INFO", ""));
    printf("Its _routes export added:\n");
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        printf("  %.*s%s -> %s: %s\n", len, base, routes[i].pattern, routes[i].export,
               routes[i].about);
    return 0;
}
