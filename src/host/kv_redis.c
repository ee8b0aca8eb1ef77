/* kv_redis.c: the Redis backend (hiredis). Store S keeps key K in the string key
 * "corral:S:K" and lists keys through a sorted set "corral:S" (every member at score 0, so
 * ZRANGEBYLEX walks them in bytewise order): a page costs O(log N + page) instead of a SCAN of
 * the whole database. Writes update both in one MULTI/EXEC. Threads: a mutex-protected pool
 * of connections, each used by one thread at a time; a connection that broke is dropped,
 * and an idempotent command is retried once on a new one. docs/design/kv.md has the rest. */
#include "host/kv_backend.h"
#include "host/kv_libs.h" /* libhiredis through kv_red: loaded by the first open */
#include "util/strf.h"

#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define CONNECT_TIMEOUT_MS 2000 /* connecting, including the name lookup */
#define COMMAND_TIMEOUT_MS 5000 /* waiting for one reply */
#define MAX_IDLE 64             /* idle connections kept; more are closed when returned */

typedef struct RedisStore {
    KvBackend base;
    char *url; /* for messages, without the password */
    char *host, *user, *password;
    int port, db;
    char *prefix; /* "corral:S:" */
    size_t prefix_len;
    char *index; /* "corral:S" */
    pthread_mutex_t lock;
    redisContext *idle[MAX_IDLE];
    size_t nidle;
} RedisStore;

/* ---- the URL ---- */

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
        return (ch | 0x20) - 'a' + 10;
    return -1;
}

/* A percent-decoded copy of s[0..n); NULL when out of memory or it decodes to a NUL. */
static char *decode(const char *s, size_t n)
{
    char *d = malloc(n + 1), *o = d;
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 &&
            (l = hexval(s[i + 2])) >= 0) {
            *o++ = (char)(h * 16 + l);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    if (memchr(d, '\0', (size_t)(o - d))) {
        free(d);
        return NULL;
    }
    return d;
}

/* Decimal in [lo, hi] from s[0..n); -1 when it is not. */
static long number(const char *s, size_t n, long lo, long hi)
{
    long v = 0;
    if (n == 0 || n > 9)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v >= lo && v <= hi ? v : -1;
}

/* Parses redis://[[user]:password@]host[:port][/db] into r; NULL or an owned message. */
static char *parse_url(RedisStore *r, const char *url)
{
    if (!strncmp(url, "rediss://", 9))
        return strf("'%s': TLS (rediss://) is not supported", url);
    if (strncmp(url, "redis://", 8))
        return strf("'%s' is not a redis:// URL", url);
    const char *auth = url + 8, *path = auth + strcspn(auth, "/?#");
    if (*path == '?' || *path == '#')
        return strf("'%s': query and fragment parts are not supported", url);
    const char *at = NULL;
    for (const char *p = auth; p < path; p++)
        if (*p == '@')
            at = p;
    const char *host = at ? at + 1 : auth;
    if (at) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        if (!colon)
            return strf("'%s': a user needs a password (redis://user:password@host)", url);
        if (colon > auth && !(r->user = decode(auth, (size_t)(colon - auth))))
            return strf("'%s': bad user name", url);
        if (!(r->password = decode(colon + 1, (size_t)(at - colon - 1))))
            return strf("'%s': bad password", url);
    }
    const char *host_end, *port = NULL;
    if (*host == '[') { /* [IPv6]:port */
        host_end = memchr(host, ']', (size_t)(path - host));
        if (!host_end)
            return strf("'%s': unterminated [address]", url);
        port = host_end + 1 < path && host_end[1] == ':' ? host_end + 2 : NULL;
        if (!port && host_end + 1 != path)
            return strf("'%s': junk after the [address]", url);
        host++;
    } else {
        host_end = memchr(host, ':', (size_t)(path - host));
        if (host_end)
            port = host_end + 1;
        else
            host_end = path;
    }
    if (host_end == host)
        return strf("'%s': no host", url);
    r->port = port ? (int)number(port, (size_t)(path - port), 1, 65535) : 6379;
    if (r->port < 0)
        return strf("'%s': the port must be a number from 1 to 65535", url);
    const char *db = *path == '/' ? path + 1 : path;
    r->db = *db ? (int)number(db, strlen(db), 0, INT_MAX / 2) : 0;
    if (r->db < 0)
        return strf("'%s': the database must be a number (redis://host/0)", url);
    if (!(r->host = decode(host, (size_t)(host_end - host))))
        return strf("'%s': bad host", url);
    return NULL;
}

/* ---- connections ---- */

static redisReply *command(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *rep = kv_red.redisvCommand(c, fmt, ap);
    va_end(ap);
    return rep;
}

/* Sends AUTH and SELECT as the URL asks; false (logged) when Redis refuses. */
static bool handshake(RedisStore *r, redisContext *c)
{
    redisReply *rep = NULL;
    if (r->password) {
        rep = r->user ? command(c, "AUTH %s %s", r->user, r->password)
                      : command(c, "AUTH %s", r->password);
        if (!rep || rep->type == REDIS_REPLY_ERROR) {
            kv_log(r->base.log, "redis %s: AUTH: %s", r->url, rep ? rep->str : c->errstr);
            kv_red.freeReplyObject(rep);
            return false;
        }
        kv_red.freeReplyObject(rep);
    }
    if (r->db != 0) {
        rep = command(c, "SELECT %d", r->db);
        if (!rep || rep->type == REDIS_REPLY_ERROR) {
            kv_log(r->base.log, "redis %s: SELECT: %s", r->url, rep ? rep->str : c->errstr);
            kv_red.freeReplyObject(rep);
            return false;
        }
        kv_red.freeReplyObject(rep);
    }
    return true;
}

static redisContext *conn_open(RedisStore *r)
{
    struct timeval ct = {CONNECT_TIMEOUT_MS / 1000, CONNECT_TIMEOUT_MS % 1000 * 1000};
    struct timeval rt = {COMMAND_TIMEOUT_MS / 1000, COMMAND_TIMEOUT_MS % 1000 * 1000};
    redisContext *c = kv_red.redisConnectWithTimeout(r->host, r->port, ct);
    if (!c || c->err) {
        kv_log(r->base.log, "redis %s: cannot connect: %s", r->url,
               c ? c->errstr : "out of memory");
        kv_red.redisFree(c);
        return NULL;
    }
    if (kv_red.redisSetTimeout(c, rt) != REDIS_OK || kv_red.redisEnableKeepAlive(c) != REDIS_OK ||
        !handshake(r, c)) {
        if (c->err)
            kv_log(r->base.log, "redis %s: %s", r->url, c->errstr);
        kv_red.redisFree(c);
        return NULL;
    }
    return c;
}

/* An idle connection should have nothing to read: between commands the server only writes
 * when it closes the connection (a restart, CLIENT KILL, its idle timeout). */
static bool looks_alive(redisContext *c)
{
    struct pollfd p = {c->fd, POLLIN, 0};
    return !c->err && poll(&p, 1, 0) == 0;
}

/* A connection for this thread; NULL (logged) when Redis cannot be reached. */
static redisContext *conn_get(RedisStore *r)
{
    for (;;) {
        pthread_mutex_lock(&r->lock);
        redisContext *c = r->nidle ? r->idle[--r->nidle] : NULL;
        pthread_mutex_unlock(&r->lock);
        if (!c)
            return conn_open(r);
        if (looks_alive(c))
            return c;
        kv_red.redisFree(c);
    }
}

/* Returns c to the pool, or closes it when it broke or the pool is full. */
static void conn_put(RedisStore *r, redisContext *c)
{
    if (c->err) {
        kv_red.redisFree(c);
        return;
    }
    pthread_mutex_lock(&r->lock);
    if (r->nidle < MAX_IDLE) {
        r->idle[r->nidle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&r->lock);
    kv_red.redisFree(c);
}

/* ---- commands ---- */

/* A command as argument vectors (binary-safe). */
typedef struct Cmd {
    int argc;
    const char *argv[7];
    size_t len[7];
} Cmd;

/* Sends ncmds commands in one pipeline and reads every reply into out (owned; the caller
 * frees them). A broken connection is dropped; when retry is set the whole pipeline is sent
 * once more on a new connection, which is only right for idempotent commands: a reply lost
 * after the server ran the command would otherwise run it twice. */
static KvError run(RedisStore *r, bool retry, const Cmd *cmds, int ncmds, redisReply **out)
{
    for (int attempt = 0; attempt < 1 + retry; attempt++) {
        redisContext *c = conn_get(r);
        if (!c)
            return KV_ERR_BACKEND_ERROR;
        int got = 0;
        bool queued = true;
        for (int i = 0; i < ncmds && queued; i++) {
            Cmd cmd = cmds[i]; /* hiredis takes a const char ** */
            queued = kv_red.redisAppendCommandArgv(c, cmd.argc, cmd.argv, cmd.len) == REDIS_OK;
        }
        while (queued && got < ncmds && kv_red.redisGetReply(c, (void **)&out[got]) == REDIS_OK)
            got++;
        if (got == ncmds) {
            conn_put(r, c);
            return KV_ERR_OK;
        }
        kv_log(r->base.log, "redis %s: %s", r->url, c->errstr[0] ? c->errstr : "I/O error");
        for (int i = 0; i < got; i++)
            kv_red.freeReplyObject(out[i]);
        kv_red.redisFree(c);
    }
    return KV_ERR_BACKEND_ERROR;
}

/* Logs an unexpected reply and gives BACKEND_ERROR. */
static KvError bad_reply(RedisStore *r, const char *what, const redisReply *rep)
{
    kv_log(r->base.log, "redis %s: %s: %s", r->url, what,
           rep && rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
    return KV_ERR_BACKEND_ERROR;
}

/* The Redis key of key: prefix + key, malloc'd. */
static char *full_key(RedisStore *r, const uint8_t *key, size_t key_len, size_t *out_len)
{
    char *k = malloc(r->prefix_len + key_len);
    if (!k) {
        kv_log(r->base.log, "redis: out of memory");
        return NULL;
    }
    memcpy(k, r->prefix, r->prefix_len);
    memcpy(k + r->prefix_len, key, key_len);
    *out_len = r->prefix_len + key_len;
    return k;
}

#define ARG(s) (s), strlen(s)

/* One command of up to 4 arguments; pass NULL after the last. */
static Cmd cmd4(const char *a0, size_t l0, const char *a1, size_t l1, const char *a2, size_t l2,
                const char *a3, size_t l3)
{
    Cmd c = {0, {a0, a1, a2, a3}, {l0, l1, l2, l3}};
    while (c.argc < 4 && c.argv[c.argc])
        c.argc++;
    return c;
}

/* MULTI, write, index update, EXEC: both commands or neither. *out_exec is EXEC's reply
 * (owned) when the transaction ran. */
static KvError transaction(RedisStore *r, bool retry, Cmd write, Cmd index, redisReply **out_exec)
{
    Cmd cmds[4] = {cmd4(ARG("MULTI"), NULL, 0, NULL, 0, NULL, 0), write, index,
                   cmd4(ARG("EXEC"), NULL, 0, NULL, 0, NULL, 0)};
    redisReply *rep[4];
    KvError e = run(r, retry, cmds, 4, rep);
    if (e != KV_ERR_OK)
        return e;
    for (int i = 0; i < 3; i++)
        kv_red.freeReplyObject(rep[i]);
    if (rep[3]->type != REDIS_REPLY_ARRAY || rep[3]->elements != 2) {
        e = bad_reply(r, "EXEC", rep[3]);
        kv_red.freeReplyObject(rep[3]);
        return e;
    }
    *out_exec = rep[3];
    return KV_ERR_OK;
}

/* ---- operations ---- */

static KvError red_get(KvBackend *b, const uint8_t *key, size_t key_len, uint8_t **out_val,
                       size_t *out_len)
{
    RedisStore *r = (RedisStore *)b;
    size_t klen;
    char *k = full_key(r, key, key_len, &klen);
    if (!k)
        return KV_ERR_BACKEND_ERROR;
    Cmd cmd = cmd4(ARG("GET"), k, klen, NULL, 0, NULL, 0);
    redisReply *rep;
    KvError e = run(r, true, &cmd, 1, &rep);
    free(k);
    if (e != KV_ERR_OK)
        return e;
    if (rep->type == REDIS_REPLY_NIL) {
        e = KV_ERR_NOT_FOUND;
    } else if (rep->type != REDIS_REPLY_STRING) {
        e = bad_reply(r, "GET", rep);
    } else if ((*out_val = malloc(rep->len ? rep->len : 1))) {
        memcpy(*out_val, rep->str, rep->len);
        *out_len = rep->len;
    } else {
        kv_log(r->base.log, "redis: out of memory");
        e = KV_ERR_BACKEND_ERROR;
    }
    kv_red.freeReplyObject(rep);
    return e;
}

/* Checks that no command of an EXEC reply failed. */
static KvError exec_ok(RedisStore *r, const char *what, redisReply *exec)
{
    KvError e = KV_ERR_OK;
    for (size_t i = 0; i < exec->elements && e == KV_ERR_OK; i++)
        if (exec->element[i]->type == REDIS_REPLY_ERROR)
            e = bad_reply(r, what, exec->element[i]);
    kv_red.freeReplyObject(exec);
    return e;
}

static KvError red_set(KvBackend *b, const uint8_t *key, size_t key_len, const uint8_t *val,
                       size_t val_len)
{
    RedisStore *r = (RedisStore *)b;
    size_t klen;
    char *k = full_key(r, key, key_len, &klen);
    if (!k)
        return KV_ERR_BACKEND_ERROR;
    redisReply *exec;
    KvError e = transaction(
        r, true, cmd4(ARG("SET"), k, klen, val ? (const char *)val : "", val_len, NULL, 0),
        cmd4(ARG("ZADD"), ARG(r->index), ARG("0"), (const char *)key, key_len), &exec);
    free(k);
    return e == KV_ERR_OK ? exec_ok(r, "SET", exec) : e;
}

static KvError red_del(KvBackend *b, const uint8_t *key, size_t key_len)
{
    RedisStore *r = (RedisStore *)b;
    size_t klen;
    char *k = full_key(r, key, key_len, &klen);
    if (!k)
        return KV_ERR_BACKEND_ERROR;
    redisReply *exec;
    KvError e =
        transaction(r, true, cmd4(ARG("DEL"), k, klen, NULL, 0, NULL, 0),
                    cmd4(ARG("ZREM"), ARG(r->index), (const char *)key, key_len, NULL, 0), &exec);
    free(k);
    return e == KV_ERR_OK ? exec_ok(r, "DEL", exec) : e;
}

static KvError red_exists(KvBackend *b, const uint8_t *key, size_t key_len, bool *out)
{
    RedisStore *r = (RedisStore *)b;
    size_t klen;
    char *k = full_key(r, key, key_len, &klen);
    if (!k)
        return KV_ERR_BACKEND_ERROR;
    Cmd cmd = cmd4(ARG("EXISTS"), k, klen, NULL, 0, NULL, 0);
    redisReply *rep;
    KvError e = run(r, true, &cmd, 1, &rep);
    free(k);
    if (e != KV_ERR_OK)
        return e;
    if (rep->type == REDIS_REPLY_INTEGER)
        *out = rep->integer != 0;
    else
        e = bad_reply(r, "EXISTS", rep);
    kv_red.freeReplyObject(rep);
    return e;
}

static KvError red_list_after(KvBackend *b, const uint8_t *after, size_t after_len, size_t limit,
                              KvKeyList *out)
{
    RedisStore *r = (RedisStore *)b;
    /* "(" + after: members strictly greater; with an empty after that is every member but
     * "", which no guest can write, so the empty cursor means "from the first". */
    char *min = malloc(after_len + 1), count[24];
    if (!min)
        return KV_ERR_BACKEND_ERROR;
    min[0] = '(';
    if (after_len)
        memcpy(min + 1, after, after_len);
    snprintf(count, sizeof count, "%zu", limit);
    Cmd cmd = {7,
               {"ZRANGEBYLEX", r->index, min, "+", "LIMIT", "0", count},
               {11, strlen(r->index), after_len + 1, 1, 5, 1, strlen(count)}};
    redisReply *rep;
    KvError e = run(r, true, &cmd, 1, &rep);
    free(min);
    if (e != KV_ERR_OK)
        return e;
    if (rep->type != REDIS_REPLY_ARRAY)
        e = bad_reply(r, "ZRANGEBYLEX", rep);
    for (size_t i = 0; i < rep->elements && e == KV_ERR_OK; i++)
        if (!kv_keylist_push(out, (const uint8_t *)rep->element[i]->str, rep->element[i]->len))
            e = KV_ERR_BACKEND_ERROR;
    kv_red.freeReplyObject(rep);
    return e;
}

static KvError red_increment(KvBackend *b, const uint8_t *key, size_t key_len, int64_t delta,
                             int64_t *out)
{
    RedisStore *r = (RedisStore *)b;
    size_t klen;
    char *k = full_key(r, key, key_len, &klen), by[24];
    if (!k)
        return KV_ERR_BACKEND_ERROR;
    size_t bylen = kv_format_i64(delta, by);
    redisReply *exec;
    /* Not retried: INCRBY may have run when the reply was lost. */
    KvError e =
        transaction(r, false, cmd4(ARG("INCRBY"), k, klen, by, bylen, NULL, 0),
                    cmd4(ARG("ZADD"), ARG(r->index), ARG("0"), (const char *)key, key_len), &exec);
    free(k);
    if (e != KV_ERR_OK)
        return e;
    const redisReply *inc = exec->element[0];
    if (inc->type == REDIS_REPLY_INTEGER) {
        *out = inc->integer;
    } else if (inc->type == REDIS_REPLY_ERROR &&
               (strstr(inc->str, "not an integer") || strstr(inc->str, "overflow"))) {
        e = KV_ERR_NOT_A_NUMBER;
    } else {
        e = bad_reply(r, "INCRBY", inc);
    }
    if (e == KV_ERR_OK && exec->element[1]->type == REDIS_REPLY_ERROR)
        e = bad_reply(r, "ZADD", exec->element[1]);
    kv_red.freeReplyObject(exec);
    return e;
}

static void red_close(KvBackend *b)
{
    RedisStore *r = (RedisStore *)b;
    for (size_t i = 0; i < r->nidle; i++)
        kv_red.redisFree(r->idle[i]);
    pthread_mutex_destroy(&r->lock);
    free(r->url);
    free(r->host);
    free(r->user);
    free(r->password);
    free(r->prefix);
    free(r->index);
    free(r);
}

static const KvBackendOps red_ops = {
    red_get, red_set, red_del, red_exists, red_list_after, red_increment, red_close,
};

/* url without its user information, for messages. */
static char *public_url(const char *url)
{
    const char *auth = url + 8, *end = auth + strcspn(auth, "/?#"), *at = NULL;
    for (const char *p = auth; p < end; p++)
        if (*p == '@')
            at = p;
    return at ? strf("redis://%s", at + 1) : strf("%s", url);
}

KvBackend *kv_redis_open(const char *url, const char *store, const KvLog *log, char **out_err)
{
    *out_err = NULL;
    const char *why;
    if (!kv_redis_load(&why)) {
        *out_err = strf("%s", why);
        return NULL;
    }
    RedisStore *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->base = (KvBackend){&red_ops, log};
    pthread_mutex_init(&r->lock, NULL);
    if ((*out_err = parse_url(r, url)))
        goto fail;
    r->url = public_url(url);
    r->prefix = strf("corral:%s:", store);
    r->index = strf("corral:%s", store);
    if (!r->url || !r->prefix || !r->index)
        goto fail;
    r->prefix_len = strlen(r->prefix);
    return &r->base;
fail:
    red_close(&r->base);
    return NULL;
}
