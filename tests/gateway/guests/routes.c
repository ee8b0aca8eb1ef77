/* routes.c: a module with WAGI's _routes export. run.sh compiles it several times with
 * -DROUTES=<n> to choose what _routes prints:
 *   0 (default)  WAGI's own test module: "/exact on_exact", "/wildcard/... on_wildcard",
 *                "/main _start" (the dynamic-routes golden table, WAGI.md 1.4)
 *   1            "/x h1" then "/x h2": the same pattern twice; the last printed must win
 *   2            nothing at all (startup must fail)
 *   3            a line of three columns (startup must fail)
 *   4            a line of one column (startup must fail)
 *   5            traps (startup must fail)
 * Every handler answers with dump() (dump.h), naming itself. */
#include "dump.h"

#ifndef ROUTES
#define ROUTES 0
#endif

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("_routes") void routes(void)
{
    switch (ROUTES) {
    case 0: printf("/exact on_exact\n/wildcard/... on_wildcard\n/main _start\n"); break;
    case 1: printf("/x h1\n/x h2\n"); break;
    case 2: break;
    case 3: printf("/exact on_exact\n/a on_exact extra\n"); break;
    case 4: printf("/exact\n"); break;
    default: __builtin_trap();
    }
}

EXPORT("on_exact") void on_exact(void) { dump("on_exact"); }
EXPORT("on_wildcard") void on_wildcard(void) { dump("on_wildcard"); }
EXPORT("h1") void h1(void) { dump("h1"); }
EXPORT("h2") void h2(void) { dump("h2"); }

int main(void)
{
    dump("main");
    return 0;
}
