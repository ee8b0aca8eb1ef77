/* lib_sqlite.h: libsqlite3, loaded when the first database opens rather than when corral
 * starts. Linked, SQLite costs every `corral` process about 0.5 ms of relocations before
 * main, whether or not anything opens a database (`corral --version` went from 0.9 to 1.4
 * ms). So its users (the key-value host interface's SQLite backend, the package store's
 * index) call it through this table, filled with dlopen/dlsym. */
#ifndef CORRAL_LIB_SQLITE_H
#define CORRAL_LIB_SQLITE_H

#include <sqlite3.h>
#include <stdbool.h>

/* Every SQLite function Corral uses. */
#define LIB_SQLITE_FUNCS(X)                                                                        \
    X(sqlite3_threadsafe)                                                                          \
    X(sqlite3_open_v2)                                                                             \
    X(sqlite3_close)                                                                               \
    X(sqlite3_busy_timeout)                                                                        \
    X(sqlite3_exec)                                                                                \
    X(sqlite3_free)                                                                                \
    X(sqlite3_prepare_v3)                                                                          \
    X(sqlite3_finalize)                                                                            \
    X(sqlite3_reset)                                                                               \
    X(sqlite3_clear_bindings)                                                                      \
    X(sqlite3_step)                                                                                \
    X(sqlite3_changes)                                                                             \
    X(sqlite3_bind_blob64)                                                                         \
    X(sqlite3_bind_int64)                                                                          \
    X(sqlite3_bind_text)                                                                           \
    X(sqlite3_bind_zeroblob)                                                                       \
    X(sqlite3_column_blob)                                                                         \
    X(sqlite3_column_text)                                                                         \
    X(sqlite3_column_int64)                                                                        \
    X(sqlite3_column_bytes)                                                                        \
    X(sqlite3_get_autocommit)                                                                      \
    X(sqlite3_errmsg)                                                                              \
    X(sqlite3_errstr)

typedef struct LibSqlite {
#define LIB_SQLITE_FIELD(f) __typeof__(&f) f;
    LIB_SQLITE_FUNCS(LIB_SQLITE_FIELD)
#undef LIB_SQLITE_FIELD
} LibSqlite;

/* Filled by lib_sqlite_load; read-only afterwards. */
extern LibSqlite lib_sql;

/* Loads libsqlite3.so.0 into lib_sql, once per process (pthread_once; later calls only
 * report the outcome). false with *out_err set (static text) when the library or a function
 * is missing: "cannot load libsqlite3.so.0 (Debian package libsqlite3-0): ...". */
bool lib_sqlite_load(const char **out_err);

#endif
