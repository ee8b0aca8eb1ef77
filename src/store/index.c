/* index.c: the SQLite index of invoices (index.h). The table:
 *   invoices(sha TEXT PRIMARY KEY, name TEXT, version TEXT, id TEXT, yanked INTEGER)
 * where id is "NAME/VERSION", the search order. Statements are prepared per call: the index
 * answers searches and writes at human rates, never per byte of a parcel. */
#include "store/index.h"

#include "util/lib_sqlite.h"
#include "util/strf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct StoreIndex {
    sqlite3 *db;
    pthread_mutex_t lock;
};

static int fail_db(StoreIndex *ix, const char *what, char **out_err)
{
    *out_err = strf("index: %s: %s", what, lib_sql.sqlite3_errmsg(ix->db));
    return -1;
}

static int exec(StoreIndex *ix, const char *sql, char **out_err)
{
    if (lib_sql.sqlite3_exec(ix->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return fail_db(ix, sql, out_err);
    return 0;
}

StoreIndex *index_open(const char *path, char **out_err)
{
    const char *why;
    if (!lib_sqlite_load(&why)) {
        *out_err = strf("%s", why);
        return NULL;
    }
    StoreIndex *ix = calloc(1, sizeof *ix);
    if (!ix) {
        *out_err = strf("out of memory");
        return NULL;
    }
    pthread_mutex_init(&ix->lock, NULL);
    int rc = lib_sql.sqlite3_open_v2(
        path, &ix->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK) {
        *out_err = strf("cannot open the index %s: %s", path,
                        ix->db ? lib_sql.sqlite3_errmsg(ix->db) : lib_sql.sqlite3_errstr(rc));
        index_close(ix);
        return NULL;
    }
    lib_sql.sqlite3_busy_timeout(ix->db, 5000);
    if (exec(ix, "PRAGMA journal_mode=WAL", out_err) ||
        exec(ix, "PRAGMA synchronous=NORMAL", out_err) ||
        exec(ix,
             "CREATE TABLE IF NOT EXISTS invoices (sha TEXT PRIMARY KEY, name TEXT NOT NULL, "
             "version TEXT NOT NULL, id TEXT NOT NULL, yanked INTEGER NOT NULL)",
             out_err) ||
        exec(ix, "CREATE INDEX IF NOT EXISTS invoices_id ON invoices(id)", out_err)) {
        index_close(ix);
        return NULL;
    }
    return ix;
}

void index_close(StoreIndex *ix)
{
    if (!ix)
        return;
    if (ix->db)
        lib_sql.sqlite3_close(ix->db);
    pthread_mutex_destroy(&ix->lock);
    free(ix);
}

static int put_locked(StoreIndex *ix, const IndexRow *row, char **out_err)
{
    sqlite3_stmt *st = NULL;
    const char *sql = "INSERT OR REPLACE INTO invoices (sha, name, version, id, yanked) "
                      "VALUES (?1, ?2, ?3, ?2 || '/' || ?3, ?4)";
    if (lib_sql.sqlite3_prepare_v3(ix->db, sql, -1, 0, &st, NULL) != SQLITE_OK)
        return fail_db(ix, "prepare insert", out_err);
    lib_sql.sqlite3_bind_text(st, 1, row->sha, -1, SQLITE_STATIC);
    lib_sql.sqlite3_bind_text(st, 2, row->name, -1, SQLITE_STATIC);
    lib_sql.sqlite3_bind_text(st, 3, row->version, -1, SQLITE_STATIC);
    lib_sql.sqlite3_bind_int64(st, 4, row->yanked);
    int rc = lib_sql.sqlite3_step(st);
    lib_sql.sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail_db(ix, "insert", out_err);
    return 0;
}

int index_put(StoreIndex *ix, const IndexRow *row, char **out_err)
{
    pthread_mutex_lock(&ix->lock);
    int r = put_locked(ix, row, out_err);
    pthread_mutex_unlock(&ix->lock);
    return r;
}

int index_rebuild(StoreIndex *ix, const IndexRow *rows, size_t n, char **out_err)
{
    pthread_mutex_lock(&ix->lock);
    int r = exec(ix, "BEGIN IMMEDIATE", out_err);
    if (r == 0) {
        r = exec(ix, "DELETE FROM invoices", out_err);
        for (size_t i = 0; r == 0 && i < n; i++)
            r = put_locked(ix, &rows[i], out_err);
        if (r == 0)
            r = exec(ix, "COMMIT", out_err);
        else
            lib_sql.sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
    }
    pthread_mutex_unlock(&ix->lock);
    return r;
}

static char *dup_col(sqlite3_stmt *st, int col)
{
    const unsigned char *t = lib_sql.sqlite3_column_text(st, col);
    return strdup(t ? (const char *)t : "");
}

int index_find(StoreIndex *ix, const char *term, bool with_yanked, IndexRows *out, char **out_err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = NULL;
    /* instr() on TEXT compares bytes: Bindle's str::contains. */
    const char *sql = "SELECT sha, name, version, yanked FROM invoices WHERE instr(name, ?1) > 0 "
                      "AND (?2 OR yanked = 0) ORDER BY CAST(id AS BLOB)";
    pthread_mutex_lock(&ix->lock);
    int r = 0;
    if (lib_sql.sqlite3_prepare_v3(ix->db, sql, -1, 0, &st, NULL) != SQLITE_OK) {
        r = fail_db(ix, "prepare search", out_err);
        goto done;
    }
    lib_sql.sqlite3_bind_text(st, 1, term, -1, SQLITE_STATIC);
    lib_sql.sqlite3_bind_int64(st, 2, with_yanked);
    size_t cap = 0;
    int rc;
    while ((rc = lib_sql.sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            IndexRow *rows = realloc(out->rows, cap * sizeof *rows);
            if (!rows) {
                *out_err = strf("out of memory");
                r = -1;
                goto done;
            }
            out->rows = rows;
        }
        IndexRow *row = &out->rows[out->n++];
        row->sha = dup_col(st, 0);
        row->name = dup_col(st, 1);
        row->version = dup_col(st, 2);
        row->yanked = lib_sql.sqlite3_column_int64(st, 3) != 0;
        if (!row->sha || !row->name || !row->version) {
            *out_err = strf("out of memory");
            r = -1;
            goto done;
        }
    }
    if (rc != SQLITE_DONE)
        r = fail_db(ix, "search", out_err);
done:
    lib_sql.sqlite3_finalize(st);
    pthread_mutex_unlock(&ix->lock);
    if (r != 0)
        index_rows_free(out);
    return r;
}

int64_t index_count(StoreIndex *ix)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    pthread_mutex_lock(&ix->lock);
    if (lib_sql.sqlite3_prepare_v3(ix->db, "SELECT count(*) FROM invoices", -1, 0, &st, NULL) ==
            SQLITE_OK &&
        lib_sql.sqlite3_step(st) == SQLITE_ROW)
        n = lib_sql.sqlite3_column_int64(st, 0);
    lib_sql.sqlite3_finalize(st);
    pthread_mutex_unlock(&ix->lock);
    return n;
}

void index_rows_free(IndexRows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        free(rows->rows[i].sha);
        free(rows->rows[i].name);
        free(rows->rows[i].version);
    }
    free(rows->rows);
    rows->rows = NULL;
    rows->n = 0;
}
