/* kv_libs.h: the Redis backend's library, libhiredis, loaded when the first Redis store
 * opens rather than when corral starts. Linked, it costs every `corral` process about 0.07
 * ms (one more library to map) before main, whether or not a guest uses a store. So
 * kv_redis.c calls it through this table, filled with dlopen/dlsym (as src/util/lib_curl.h does
 * for libcurl). SQLite is loaded the same way by src/util/lib_sqlite.h, which the package store
 * shares. Only kv_redis.c includes this. */
#ifndef CORRAL_KV_LIBS_H
#define CORRAL_KV_LIBS_H

#include <hiredis/hiredis.h>
#include <stdbool.h>

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
typedef struct KvRedis {
    KV_REDIS_FUNCS(KV_LIB_FIELD)
} KvRedis;
#undef KV_LIB_FIELD

/* Filled by kv_redis_load; read-only afterwards. */
extern KvRedis kv_red;

/* Loads libhiredis.so.0.14 into kv_red, once per process (pthread_once; later calls only
 * report the outcome). false with *out_err set (static text) when the library or a function
 * is missing, e.g. "cannot load libhiredis.so.0.14 (Debian package libhiredis0.14), needed
 * for Redis key-value stores: ...". */
bool kv_redis_load(const char **out_err);

#endif
