/* app_build.h: building an app's components (`corral build`, and `up`, `push` before they
 * serve or push): each component's build command run in the project directory with the
 * toolchain its language needs found first (or a message naming the tool and the Debian or
 * npm package that brings it), its output checked to be a valid module, and staleness by
 * modification times. Progress goes to stderr, one line per step. */
#ifndef CORRAL_CLI_APP_BUILD_H
#define CORRAL_CLI_APP_BUILD_H

#include "cli/manifest.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct AppBuildOpts {
    const char *cmd; /* the command in messages: "build", "up", "push" */
    bool force;      /* build every component, stale or not */
    bool quiet;      /* no progress lines (--json) */
    json_t *report;  /* when not NULL: an array that gets one object per component */
} AppBuildOpts;

/* Builds the stale components of m (every one with force), in manifest order, from the
 * current directory (the project's). 0 when all are built and valid, else an exit status
 * after a message naming the component and the command or tool; a failed component's .wasm
 * is removed, so no stale module looks fresh. */
int app_build(const AppManifest *m, const AppBuildOpts *o);

/* True when component k's wasm is missing or older than one of its sources or the manifest. */
bool app_component_stale(const AppManifest *m, const AppComponent *k);

/* The newest modification time (ns) of every component's sources and the manifest: what
 * `corral up --watch` polls. */
int64_t app_sources_mtime(const AppManifest *m);

#endif
