/* bindle_app.h: what a bindle's invoice means to WAGI (WAGI.md 1.3, WAGI's bindle_util.rs):
 * its handler parcels with their routes, entrypoints, argv and allowed hosts, and the asset
 * parcels each handler needs; and, for WAGI's deprecated `bindle:` module references, the
 * first module of the global group. Reads an Invoice (src/store/invoice.h) and nothing else:
 * no files, no network. */
#ifndef CORRAL_GW_BINDLE_APP_H
#define CORRAL_GW_BINDLE_APP_H

#include "store/invoice.h"

#include <stdbool.h>
#include <stddef.h>

#define BINDLE_WASM_MEDIA_TYPE "application/wasm"

/* One handler: a parcel whose label has mediaType application/wasm, which is in the global
 * group (no conditions.memberOf, or an empty one) and has feature.wagi.route. Strings are
 * borrowed from the invoice. */
typedef struct BindleHandler {
    const InvParcel *parcel;
    const char *route;
    const char *entrypoint;    /* feature.wagi.entrypoint, or NULL */
    const char *argv;          /* feature.wagi.argv, or NULL */
    const char *allowed_hosts; /* feature.wagi.allowed_hosts (comma-separated), or NULL */
    const InvParcel **assets;  /* its asset parcels, in invoice order, each once */
    size_t nassets;
} BindleHandler;

typedef struct BindleApp {
    BindleHandler *handlers; /* in invoice order */
    size_t nhandlers;
    char **warnings; /* owned: "parcel 'x.wasm' has feature.wagi.route but is not in the
                        global group (memberOf: files): not served" */
    size_t nwarnings;
} BindleApp;

/* Finds inv's handlers and their assets. A handler's assets are the parcels with
 * feature.wagi.file = "true" among the members of the groups it requires, of the groups
 * those members require, and so on (WAGI's transitive closure). Corral gives each handler
 * only those, where WAGI mounted every asset of the invoice for every handler that had any.
 * false with *out_err (owned) when memory is short or the invoice has no handler. */
bool bindle_app_build(const Invoice *inv, BindleApp *out, char **out_err);
void bindle_app_free(BindleApp *app);

/* The value of feature.SECTION.KEY of label l, or NULL. */
const char *bindle_feature(const InvLabel *l, const char *section, const char *key);

/* True when p is in the global group: no conditions.memberOf, or an empty one. */
bool bindle_is_global(const InvParcel *p);

/* For `module = "bindle:NAME/VERSION"` (WAGI's deprecated form): the first parcel of the
 * global group with mediaType application/wasm, or NULL. *out_skipped counts the wasm parcels
 * passed over because they are in a named group (WAGI warns about each). */
const InvParcel *bindle_first_module(const Invoice *inv, size_t *out_skipped);

/* WAGI's allowed_hosts feature, "a,b,c", split at commas into owned strings (each trimmed of
 * blanks; empty items dropped, where WAGI kept them and its allow-list then refused them).
 * NULL when memory is short; *out_n gets the count. */
char **bindle_split_hosts(const char *text, size_t *out_n);

#endif
