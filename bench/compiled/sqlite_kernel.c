/* sqlite_kernel.c: a second real program as a bench kernel. SQLite (the amalgamation, built
 * with SQLITE_OS_OTHER) runs an in-memory workload: insert rows, index them, aggregate, and
 * returns a checksum, as int32_t sqlbench(int32_t). The VFS below has no files: an in-memory
 * database needs only randomness, time and sleep from it, all deterministic here. */
#include <stdint.h>
#include <string.h>

#include "sqlite3.h"

#define BENCH_ARG 120

static int no_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
                   int *out_flags)
{
    (void)vfs, (void)name, (void)file, (void)flags, (void)out_flags;
    return SQLITE_CANTOPEN;
}

static int no_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs, (void)name, (void)sync_dir;
    return SQLITE_IOERR_DELETE;
}

static int no_access(sqlite3_vfs *vfs, const char *name, int flags, int *out_res)
{
    (void)vfs, (void)name, (void)flags;
    *out_res = 0;
    return SQLITE_OK;
}

static int full_name(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    sqlite3_snprintf(n, out, "%s", name);
    return SQLITE_OK;
}

static int zero_random(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    memset(out, 0, (size_t)n);
    return n;
}

static int no_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return us;
}

static int fixed_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    *out = 2461000.5;
    return SQLITE_OK;
}

static sqlite3_vfs mem_vfs = {
    .iVersion = 1,
    .szOsFile = (int)sizeof(sqlite3_file),
    .mxPathname = 256,
    .zName = "study-mem",
    .xOpen = no_open,
    .xDelete = no_delete,
    .xAccess = no_access,
    .xFullPathname = full_name,
    .xRandomness = zero_random,
    .xSleep = no_sleep,
    .xCurrentTime = fixed_time,
};

int sqlite3_os_init(void)
{
    return sqlite3_vfs_register(&mem_vfs, 1);
}

int sqlite3_os_end(void)
{
    return SQLITE_OK;
}

static int add_row(void *acc, int ncols, char **vals, char **names)
{
    uint32_t *h = acc;
    int i;

    (void)names;
    for (i = 0; i < ncols; i++)
        for (const char *p = vals[i] ? vals[i] : "-"; *p; p++)
            *h = *h * 31u + (unsigned char)*p;
    return 0;
}

int32_t sqlbench(int32_t n);

int32_t sqlbench(int32_t n)
{
    sqlite3 *db;
    char sql[512];
    uint32_t h = 7;

    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return -1;
    sqlite3_exec(db, "CREATE TABLE t(a INTEGER PRIMARY KEY, b INTEGER, c TEXT)", NULL, NULL,
                 NULL);
    sqlite3_snprintf((int)sizeof sql, sql,
                     "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s "
                     "WHERE i < %d) INSERT INTO t SELECT i, (i * 7919) %% 10007, "
                     "printf('row-%%d-%%x', i, i * 31) FROM s",
                     n * 1000);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return -2;
    sqlite3_exec(db, "CREATE INDEX tb ON t(b)", NULL, NULL, NULL);
    sqlite3_exec(db,
                 "SELECT b % 97, count(*), sum(a), max(c) FROM t WHERE b > 100 "
                 "GROUP BY b % 97 ORDER BY 1",
                 add_row, &h, NULL);
    sqlite3_exec(db, "SELECT count(*) FROM t x JOIN t y ON x.b = y.a WHERE y.c LIKE '%-1%'",
                 add_row, &h, NULL);
    sqlite3_exec(db, "UPDATE t SET c = upper(c) WHERE a % 3 = 0", NULL, NULL, NULL);
    sqlite3_exec(db, "SELECT group_concat(substr(c, 1, 6)) FROM t WHERE a % 1000 = 7",
                 add_row, &h, NULL);
    sqlite3_close(db);
    return (int32_t)(h & 0x7fffffffu);
}
