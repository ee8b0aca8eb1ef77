/* kv_libs.h: the key-value backends' libraries, libsqlite3 and libhiredis, loaded when the
 * first store of their kind opens rather than when corral starts. Linked, they cost every
 * `corral` process about 0.5 ms (SQLite's relocations) and 0.07 ms (one more library to
 * map) before main, whether or not a guest uses a store: `corral --version` went from 0.9
 * to 1.4 ms. So kv_sqlite.c and kv_redis.c call them through these tables, filled with
 * dlopen/dlsym (as curl_lib.h does for libcurl). Only those two files include this. */
#ifndef CORRAL_KV_LIBS_H
#define CORRAL_KV_LIBS_H

#include <hiredis/hiredis.h>
#include <sqlite3.h>
#include <stdbool.h>

/* Every SQLite function the SQLite backend uses. */
#define KV_SQLITE_FUNCS(X)                                                                   \
    X(sqlite3_threadsafe)                                                                    \
    X(sqlite3_open_v2)                                                                       \
    X(sqlite3_close)                                                                         \
    X(sqlite3_busy_timeout)                                                                  \
    X(sqlite3_exec)                                                                          \
    X(sqlite3_prepare_v3)                                                                    \
    X(sqlite3_finalize)                                                                      \
    X(sqlite3_reset)                                                                         \
    X(sqlite3_clear_bindings)                                                                \
    X(sqlite3_step)                                                                          \
    X(sqlite3_bind_blob64)                                                                   \
    X(sqlite3_bind_int64)                                                                    \
    X(sqlite3_bind_text)                                                                     \
    X(sqlite3_bind_zeroblob)                                                                 \
    X(sqlite3_column_blob)                                                                   \
    X(sqlite3_column_bytes)                                                                  \
    X(sqlite3_get_autocommit)                                                                \
    X(sqlite3_errmsg)                                                                        \
    X(sqlite3_errstr)

/* Every hiredis function the Redis backend uses. */
#define KV_REDIS_FUNCS(X)                                                                    \
    X(redisConnectWithTimeout)                                                               \
    X(redisSetTimeout)                                                                       \
    X(redisEnableKeepAlive)                                                                  \
    X(redisAppendCommandArgv)                                                                \
    X(redisGetReply)                                                                         \
    X(redisvCommand)                                                                         \
    X(redisFree)                                                                             \
    X(freeReplyObject)

#define KV_LIB_FIELD(f) __typeof__(&f) f;
typedef struct KvSqlite {
    KV_SQLITE_FUNCS(KV_LIB_FIELD)
} KvSqlite;
typedef struct KvRedis {
    KV_REDIS_FUNCS(KV_LIB_FIELD)
} KvRedis;
#undef KV_LIB_FIELD

/* Filled by the load functions; read-only afterwards. */
extern KvSqlite kv_sql;
extern KvRedis kv_red;

/* Load libsqlite3.so.0 into kv_sql, or libhiredis.so.0.14 into kv_red, once per process
 * (pthread_once; later calls only report the outcome). false with *out_err set (static
 * text) when the library or a function is missing, e.g. "cannot load libsqlite3.so.0
 * (Debian package libsqlite3-0), needed for SQLite key-value stores: ...". */
bool kv_sqlite_load(const char **out_err);
bool kv_redis_load(const char **out_err);

#endif
