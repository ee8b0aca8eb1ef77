/* lib_sqlite.c: loading libsqlite3 at run time (lib_sqlite.h). */
#include "util/lib_sqlite.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

LibSqlite lib_sql;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *load_error;
static char message[400];

/* Never dlclosed: databases stay open until exit, and SQLite keeps global state. RTLD_LOCAL
 * keeps its symbols out of everyone else's way. */
static void load(void)
{
    void *lib = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(message, sizeof message,
                 "cannot load libsqlite3.so.0 (Debian package libsqlite3-0): %s", dlerror());
        load_error = message;
        return;
    }
#define LIB_SQLITE_SYM(f)                                                                          \
    if (!load_error && !(*(void **)(void *)&lib_sql.f = dlsym(lib, #f))) {                         \
        snprintf(message, sizeof message, "libsqlite3.so.0 lacks %s (too old?)", #f);              \
        load_error = message;                                                                      \
    }
    LIB_SQLITE_FUNCS(LIB_SQLITE_SYM)
#undef LIB_SQLITE_SYM
}

bool lib_sqlite_load(const char **out_err)
{
    pthread_once(&once, load);
    *out_err = load_error;
    return load_error == NULL;
}
