/* kv_sqlite.c: the SQLite backend. One table shared by every store of a database file,
 * corral_key_value(store, key, value) as in Spin, in WAL mode. Threads: a pool of connections
 * per store, each used by one thread at a time (opened NOMUTEX), so readers run in parallel
 * and never wait for a writer; writers, of this process or another, are serialised by
 * SQLite's own write lock with a busy timeout. docs/design/kv.md has the measurements behind
 * these choices (a single shared connection, and a mutex of our own for writers, lost). */
#include "host/kv_backend.h"
#include "util/lib_sqlite.h" /* libsqlite3 through lib_sql: loaded by the first open */
#include "util/fs.h"
#include "util/strf.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long a statement waits for another process's lock before BACKEND_ERROR. */
#define BUSY_TIMEOUT_MS 5000

enum { ST_GET, ST_SET, ST_DEL, ST_EXISTS, ST_LIST, ST_BEGIN, ST_COMMIT, ST_ROLLBACK, NSTMT };

static const char *const sql_text[NSTMT] = {
    [ST_GET] = "SELECT value FROM corral_key_value WHERE store = ?1 AND key = ?2",
    [ST_SET] = "INSERT OR REPLACE INTO corral_key_value(store, key, value) VALUES (?1, ?2, ?3)",
    [ST_DEL] = "DELETE FROM corral_key_value WHERE store = ?1 AND key = ?2",
    [ST_EXISTS] = "SELECT 1 FROM corral_key_value WHERE store = ?1 AND key = ?2",
    [ST_LIST] = ("SELECT key FROM corral_key_value WHERE store = ?1 AND key > ?2 "
                 "ORDER BY key LIMIT ?3"),
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
};

static const char schema[] = "CREATE TABLE IF NOT EXISTS corral_key_value("
                             "store TEXT, key BLOB, value BLOB, PRIMARY KEY(store, key))";

typedef struct Conn {
    sqlite3 *db;
    sqlite3_stmt *st[NSTMT];
    struct Conn *next_idle, *next_all;
} Conn;

typedef struct SqlStore {
    KvBackend base;
    char *path, *store;
    pthread_mutex_t pool_lock; /* guards idle and all */
    Conn *idle, *all;
} SqlStore;

/* ---- connections ---- */

static void conn_close(Conn *c)
{
    for (int i = 0; i < NSTMT; i++)
        lib_sql.sqlite3_finalize(c->st[i]);
    lib_sql.sqlite3_close(c->db);
    free(c);
}

/* How long to sleep before retrying an open-time statement: doubling from 1 ms to 32 ms,
 * with jitter so that processes that collided once do not collide again in step. */
static void open_backoff(unsigned attempt, unsigned *seed)
{
    long max_us = 1000L << (attempt < 5 ? attempt : 5);
    long us = max_us / 2 + rand_r(seed) % (max_us / 2);
    struct timespec ts = {0, us * 1000};
    nanosleep(&ts, NULL);
}

static bool past(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->tv_sec ||
           (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* Runs one statement of a connection's set-up, retried from scratch while SQLite answers
 * SQLITE_BUSY, until deadline. The busy timeout does not cover every case: PRAGMA
 * journal_mode=WAL on a file not yet in WAL mode (a new one) reads the header under a
 * shared lock, then upgrades that lock to an exclusive one to write the new format. When
 * several connections (processes) do it at once, each holds the shared lock the others wait
 * for, so SQLite, to avoid a deadlock, returns SQLITE_BUSY at once instead of calling the
 * busy handler (sqlite.org/c3ref/busy_handler.html). Only retrying the statement, which
 * drops the shared lock in between, gets out of it; the first to win converts the file and
 * the others then find it in WAL mode and need no exclusive lock at all. The schema
 * statement and the prepares do wait in the busy handler, and are retried here as well so
 * that no open-time step depends on which case SQLite treats as a possible deadlock. */
static int open_step(sqlite3 *db, const char *sql, sqlite3_stmt **out_st,
                     const struct timespec *deadline, unsigned *seed)
{
    for (unsigned attempt = 0;; attempt++) {
        int rc =
            out_st ? lib_sql.sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out_st, NULL)
                   : lib_sql.sqlite3_exec(db, sql, NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY || past(deadline))
            return rc;
        open_backoff(attempt, seed);
    }
}

/* Opens a connection with the pragmas and statements; NULL with *out_err on failure, which
 * a busy database is only after BUSY_TIMEOUT_MS. */
static Conn *conn_open(SqlStore *s, bool create_schema, char **out_err)
{
    Conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    unsigned seed = (unsigned)deadline.tv_nsec ^ (unsigned)getpid();
    deadline.tv_sec += BUSY_TIMEOUT_MS / 1000;
    deadline.tv_nsec += BUSY_TIMEOUT_MS % 1000 * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = lib_sql.sqlite3_open_v2(s->path, &c->db, flags, NULL);
    if (rc == SQLITE_OK)
        rc = lib_sql.sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    /* WAL: readers never wait for the writer. synchronous=NORMAL: a commit survives a crash
     * of the process, the last ones may be lost if the machine loses power. The mode is
     * kept in the file, so only the first connection ever converts it; later ones only read
     * it. */
    if (rc == SQLITE_OK)
        rc = open_step(c->db, "PRAGMA journal_mode=WAL", NULL, &deadline, &seed);
    if (rc == SQLITE_OK)
        rc = open_step(c->db, "PRAGMA synchronous=NORMAL", NULL, &deadline, &seed);
    if (rc == SQLITE_OK && create_schema)
        rc = open_step(c->db, schema, NULL, &deadline, &seed);
    for (int i = 0; i < NSTMT && rc == SQLITE_OK; i++)
        rc = open_step(c->db, sql_text[i], &c->st[i], &deadline, &seed);
    if (rc != SQLITE_OK) {
        *out_err = strf("sqlite %s: %s", s->path,
                        c->db ? lib_sql.sqlite3_errmsg(c->db) : lib_sql.sqlite3_errstr(rc));
        conn_close(c);
        return NULL;
    }
    return c;
}

/* A connection for this thread's use; NULL (logged) when none can be opened. */
static Conn *conn_get(SqlStore *s)
{
    pthread_mutex_lock(&s->pool_lock);
    Conn *c = s->idle;
    if (c)
        s->idle = c->next_idle;
    pthread_mutex_unlock(&s->pool_lock);
    if (c)
        return c;
    char *err = NULL;
    if (!(c = conn_open(s, false, &err))) {
        kv_log(s->base.log, "%s", err ? err : "sqlite: out of memory");
        free(err);
        return NULL;
    }
    pthread_mutex_lock(&s->pool_lock);
    c->next_all = s->all;
    s->all = c;
    pthread_mutex_unlock(&s->pool_lock);
    return c;
}

static void conn_put(SqlStore *s, Conn *c)
{
    /* Never pool a connection inside a transaction (a ROLLBACK that failed): the next user's
     * BEGIN would fail for ever. */
    if (!lib_sql.sqlite3_get_autocommit(c->db) &&
        lib_sql.sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
        kv_log(s->base.log, "sqlite %s: rollback: %s", s->path, lib_sql.sqlite3_errmsg(c->db));
    pthread_mutex_lock(&s->pool_lock);
    c->next_idle = s->idle;
    s->idle = c;
    pthread_mutex_unlock(&s->pool_lock);
}

/* ---- statements ---- */

/* Binds a blob; an empty one must not be bound from a NULL pointer (that would be NULL). */
static int bind_blob(sqlite3_stmt *st, int i, const uint8_t *p, size_t n)
{
    if (n == 0)
        return lib_sql.sqlite3_bind_zeroblob(st, i, 0);
    return lib_sql.sqlite3_bind_blob64(st, i, p, n, SQLITE_STATIC);
}

/* Resets st and binds ?1 = the store's name and ?2 = key. */
static int bind_key(SqlStore *s, sqlite3_stmt *st, const uint8_t *key, size_t key_len)
{
    lib_sql.sqlite3_reset(st);
    lib_sql.sqlite3_clear_bindings(st);
    int rc = lib_sql.sqlite3_bind_text(st, 1, s->store, -1, SQLITE_STATIC);
    return rc == SQLITE_OK ? bind_blob(st, 2, key, key_len) : rc;
}

/* Logs the connection's error and gives BACKEND_ERROR. */
static KvError fail(SqlStore *s, Conn *c, const char *what)
{
    kv_log(s->base.log, "sqlite %s: %s: %s", s->path, what, lib_sql.sqlite3_errmsg(c->db));
    return KV_ERR_BACKEND_ERROR;
}

/* Runs a statement that returns no rows (the key is bound already). */
static KvError run_done(SqlStore *s, Conn *c, sqlite3_stmt *st, const char *what)
{
    int rc = lib_sql.sqlite3_step(st);
    KvError r = rc == SQLITE_DONE ? KV_ERR_OK : fail(s, c, what);
    lib_sql.sqlite3_reset(st);
    return r;
}

/* The current value of key on connection c: *out_val owned (NULL when absent). */
static KvError read_value(SqlStore *s, Conn *c, const uint8_t *key, size_t key_len,
                          uint8_t **out_val, size_t *out_len)
{
    sqlite3_stmt *st = c->st[ST_GET];
    *out_val = NULL;
    *out_len = 0;
    if (bind_key(s, st, key, key_len) != SQLITE_OK)
        return fail(s, c, "get");
    int rc = lib_sql.sqlite3_step(st);
    KvError r = KV_ERR_OK;
    if (rc == SQLITE_ROW) {
        const void *p = lib_sql.sqlite3_column_blob(st, 0);
        size_t n = (size_t)lib_sql.sqlite3_column_bytes(st, 0);
        uint8_t *v = malloc(n ? n : 1);
        if (v && n)
            memcpy(v, p, n);
        *out_val = v;
        *out_len = n;
        if (!v) {
            kv_log(s->base.log, "sqlite: out of memory");
            r = KV_ERR_BACKEND_ERROR;
        }
    } else if (rc != SQLITE_DONE) {
        r = fail(s, c, "get");
    }
    lib_sql.sqlite3_reset(st);
    return r;
}

static KvError write_value(SqlStore *s, Conn *c, const uint8_t *key, size_t key_len,
                           const uint8_t *val, size_t val_len)
{
    sqlite3_stmt *st = c->st[ST_SET];
    if (bind_key(s, st, key, key_len) != SQLITE_OK || bind_blob(st, 3, val, val_len) != SQLITE_OK)
        return fail(s, c, "set");
    return run_done(s, c, st, "set");
}

/* ---- operations ---- */

static KvError sql_get(KvBackend *b, const uint8_t *key, size_t key_len, uint8_t **out_val,
                       size_t *out_len)
{
    SqlStore *s = (SqlStore *)b;
    Conn *c = conn_get(s);
    if (!c)
        return KV_ERR_BACKEND_ERROR;
    KvError r = read_value(s, c, key, key_len, out_val, out_len);
    conn_put(s, c);
    if (r == KV_ERR_OK && !*out_val)
        r = KV_ERR_NOT_FOUND;
    return r;
}

static KvError sql_set(KvBackend *b, const uint8_t *key, size_t key_len, const uint8_t *val,
                       size_t val_len)
{
    SqlStore *s = (SqlStore *)b;
    Conn *c = conn_get(s);
    if (!c)
        return KV_ERR_BACKEND_ERROR;
    KvError r = write_value(s, c, key, key_len, val, val_len);
    conn_put(s, c);
    return r;
}

static KvError sql_del(KvBackend *b, const uint8_t *key, size_t key_len)
{
    SqlStore *s = (SqlStore *)b;
    Conn *c = conn_get(s);
    if (!c)
        return KV_ERR_BACKEND_ERROR;
    sqlite3_stmt *st = c->st[ST_DEL];
    KvError r = bind_key(s, st, key, key_len) == SQLITE_OK ? run_done(s, c, st, "delete")
                                                           : fail(s, c, "delete");
    conn_put(s, c);
    return r;
}

static KvError sql_exists(KvBackend *b, const uint8_t *key, size_t key_len, bool *out)
{
    SqlStore *s = (SqlStore *)b;
    Conn *c = conn_get(s);
    if (!c)
        return KV_ERR_BACKEND_ERROR;
    sqlite3_stmt *st = c->st[ST_EXISTS];
    KvError r = KV_ERR_OK;
    int rc = bind_key(s, st, key, key_len) == SQLITE_OK ? lib_sql.sqlite3_step(st) : SQLITE_ERROR;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        *out = rc == SQLITE_ROW;
    else
        r = fail(s, c, "exists");
    lib_sql.sqlite3_reset(st);
    conn_put(s, c);
    return r;
}

static KvError sql_list_after(KvBackend *b, const uint8_t *after, size_t after_len, size_t limit,
                              KvKeyList *out)
{
    SqlStore *s = (SqlStore *)b;
    Conn *c = conn_get(s);
    if (!c)
        return KV_ERR_BACKEND_ERROR;
    sqlite3_stmt *st = c->st[ST_LIST];
    KvError r = KV_ERR_OK;
    int rc = bind_key(s, st, after, after_len);
    if (rc == SQLITE_OK)
        rc = lib_sql.sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
    while (rc == SQLITE_OK && (rc = lib_sql.sqlite3_step(st)) == SQLITE_ROW) {
        const uint8_t *k = lib_sql.sqlite3_column_blob(st, 0);
        if (!kv_keylist_push(out, k, (size_t)lib_sql.sqlite3_column_bytes(st, 0))) {
            kv_log(s->base.log, "sqlite: out of memory");
            r = KV_ERR_BACKEND_ERROR;
            break;
        }
        rc = SQLITE_OK;
    }
    if (r == KV_ERR_OK && rc != SQLITE_DONE)
        r = fail(s, c, "list");
    lib_sql.sqlite3_reset(st);
    conn_put(s, c);
    return r;
}

/* Read, add, write in one BEGIN IMMEDIATE transaction: it takes the database's write lock
 * before reading, so no other connection (thread or process) can change the value between
 * the read and the write. */
static KvError increment_in(SqlStore *s, Conn *c, const uint8_t *key, size_t key_len, int64_t delta,
                            int64_t *out)
{
    if (run_done(s, c, c->st[ST_BEGIN], "begin") != KV_ERR_OK)
        return KV_ERR_BACKEND_ERROR;
    uint8_t *old;
    size_t old_len;
    KvError r = read_value(s, c, key, key_len, &old, &old_len);
    if (r == KV_ERR_OK)
        r = kv_add_i64(old, old_len, delta, out);
    free(old);
    if (r == KV_ERR_OK) {
        char text[24];
        size_t n = kv_format_i64(*out, text);
        r = write_value(s, c, key, key_len, (const uint8_t *)text, n);
    }
    if (r == KV_ERR_OK && run_done(s, c, c->st[ST_COMMIT], "commit") == KV_ERR_OK)
        return KV_ERR_OK;
    if (!lib_sql.sqlite3_get_autocommit(c->db) &&
        run_done(s, c, c->st[ST_ROLLBACK], "rollback") != KV_ERR_OK)
        r = KV_ERR_BACKEND_ERROR;
    return r == KV_ERR_OK ? KV_ERR_BACKEND_ERROR : r;
}

static KvError sql_increment(KvBackend *b, const uint8_t *key, size_t key_len, int64_t delta,
                             int64_t *out)
{
    SqlStore *s = (SqlStore *)b;
    Conn *c = conn_get(s);
    if (!c)
        return KV_ERR_BACKEND_ERROR;
    KvError r = increment_in(s, c, key, key_len, delta, out);
    conn_put(s, c);
    return r;
}

static void sql_close(KvBackend *b)
{
    SqlStore *s = (SqlStore *)b;
    for (Conn *c = s->all, *next; c; c = next) {
        next = c->next_all;
        conn_close(c);
    }
    pthread_mutex_destroy(&s->pool_lock);
    free(s->path);
    free(s->store);
    free(s);
}

static const KvBackendOps sql_ops = {
    sql_get, sql_set, sql_del, sql_exists, sql_list_after, sql_increment, sql_close,
};

KvBackend *kv_sqlite_open(const char *path, const char *store, const KvLog *log, char **out_err)
{
    *out_err = NULL;
    const char *why;
    if (!lib_sqlite_load(&why)) {
        *out_err = strf("%s", why);
        return NULL;
    }
    if (!lib_sql.sqlite3_threadsafe()) {
        *out_err = strf("sqlite: the library was built without thread support");
        return NULL;
    }
    if (!fs_mkdirs_for(path, 0777)) {
        *out_err = strf("cannot create the directory of '%s': %s", path, strerror(errno));
        return NULL;
    }
    SqlStore *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->base = (KvBackend){&sql_ops, log};
    pthread_mutex_init(&s->pool_lock, NULL);
    s->path = strdup(path);
    s->store = strdup(store);
    if (!s->path || !s->store) {
        sql_close(&s->base);
        return NULL;
    }
    /* The first connection creates the table, and tells now (not at the first request)
     * whether the file can be used at all. */
    Conn *c = conn_open(s, true, out_err);
    if (!c) {
        sql_close(&s->base);
        return NULL;
    }
    c->next_all = NULL;
    s->all = s->idle = c;
    return &s->base;
}
