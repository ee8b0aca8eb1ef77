/* test_provider.c: the store's files and index (provider.c, index.c): invoices created, read,
 * refused twice, yanked; parcels streamed in and checked (size over, size under, digest),
 * made visible only whole; concurrent writers of one parcel (threads, then processes: exactly
 * one stores it, the others get EXISTS or IN_PROGRESS); the start-up walk removing stale
 * .part files and empty directories and rebuilding an index that disagreed with the files;
 * search by name substring, yanked filter and id order. */
#include "store/bindle_id.h"
#include "store/provider.h"
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[256];

static void sha_of(const void *data, size_t n, char out[BINDLE_SHA_TEXT])
{
    unsigned char d[32];
    crypto_hash_sha256(d, data, n);
    bindle_hex(d, out);
}

static Invoice *make_invoice(const char *name, const char *version, const char *sha, size_t size)
{
    char text[1024];
    snprintf(text, sizeof text,
             "bindleVersion = \"1.0.0\"\n[bindle]\nname = \"%s\"\nversion = \"%s\"\n"
             "[[parcel]]\n[parcel.label]\nsha256 = \"%s\"\nname = \"p\"\nsize = %zu\n",
             name, version, sha, size);
    char *err = NULL;
    Invoice *inv = invoice_parse(text, strlen(text), INV_TOML, &err);
    if (!inv)
        fprintf(stderr, "  %s\n", err);
    free(err);
    return inv;
}

static bool exists(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    return access(path, F_OK) == 0;
}

static Provider *open_store(ProviderStats *st)
{
    char *err = NULL;
    Provider *p = provider_open(root, stderr, st, &err);
    if (!p)
        fprintf(stderr, "  provider_open: %s\n", err);
    free(err);
    return p;
}

static StoreErr put_parcel(Provider *p, const char *sha, const void *data, size_t n, uint64_t size)
{
    StoreErr st;
    char *err = NULL;
    ParcelWrite *w = provider_parcel_begin(p, sha, size, &st, &err);
    if (w) {
        /* in three pieces, as an upload arrives */
        size_t a = n / 3, b = 2 * n / 3;
        st = parcel_write(w, data, a, &err);
        if (st == STORE_OK)
            st = parcel_write(w, (const char *)data + a, b - a, &err);
        if (st == STORE_OK)
            st = parcel_write(w, (const char *)data + b, n - b, &err);
        if (st == STORE_OK)
            st = parcel_finish(w, &err);
        else
            parcel_abort(w);
    }
    free(err);
    return st;
}

static void test_invoices_and_parcels(void)
{
    ProviderStats st;
    Provider *p = open_store(&st);
    CHECK(p && st.invoices == 0, "open an empty store");
    if (!p)
        return;
    const char data[] = "hello parcel";
    char sha[BINDLE_SHA_TEXT];
    sha_of(data, sizeof data - 1, sha);
    Invoice *inv = make_invoice("example.com/hello", "1.0.0", sha, sizeof data - 1);
    char *err = NULL;
    CHECK(inv && provider_invoice_create(p, inv, &err) == STORE_OK, "create an invoice");
    CHECK(provider_invoice_create(p, inv, &err) == STORE_EXISTS, "the same invoice again");
    char key[BINDLE_SHA_TEXT], rel[256];
    bindle_id_sha("example.com/hello", 17, "1.0.0", 5, key);
    snprintf(rel, sizeof rel, "invoices/%s/invoice.toml", key);
    CHECK(exists(rel), "Bindle's invoice layout");
    snprintf(rel, sizeof rel, "invoices/%s/invoice.toml.part", key);
    CHECK(!exists(rel), "no .part left after a write");
    Invoice *got = NULL;
    CHECK(provider_invoice_get(p, "example.com/hello", "1.0.0", &got, &err) == STORE_OK && got &&
              got->nparcels == 1 && !strcmp(got->parcels[0].label.sha256, sha),
          "read the invoice back");
    invoice_free(got);
    got = NULL;
    CHECK(provider_invoice_get(p, "example.com/hello", "1.0.1", &got, &err) == STORE_NOT_FOUND,
          "unknown invoice");

    /* parcels */
    CHECK(!provider_parcel_exists(p, sha), "parcel not there yet");
    CHECK(put_parcel(p, sha, data, sizeof data - 2, sizeof data - 1) == STORE_BAD,
          "a short parcel is refused");
    CHECK(put_parcel(p, sha, data, sizeof data - 1, sizeof data - 2) == STORE_BAD,
          "a long parcel is refused");
    char other[BINDLE_SHA_TEXT];
    sha_of("x", 1, other);
    CHECK(put_parcel(p, other, data, sizeof data - 1, sizeof data - 1) == STORE_BAD,
          "a parcel whose digest differs is refused");
    CHECK(!provider_parcel_exists(p, sha) && !provider_parcel_exists(p, other),
          "refused parcels are not visible");
    snprintf(rel, sizeof rel, "parcels/%s/parcel.dat.part", other);
    CHECK(!exists(rel), "a refused parcel leaves no .part");
    CHECK(put_parcel(p, sha, data, sizeof data - 1, sizeof data - 1) == STORE_OK,
          "store the parcel");
    CHECK(put_parcel(p, sha, data, sizeof data - 1, sizeof data - 1) == STORE_EXISTS,
          "store it again: exists");
    int fd = -1;
    uint64_t size = 0;
    char buf[64] = {0};
    CHECK(provider_parcel_open(p, sha, &fd, &size) == STORE_OK && size == sizeof data - 1 &&
              read(fd, buf, sizeof buf) == (ssize_t)(sizeof data - 1) && !strcmp(buf, data),
          "read the parcel back");
    if (fd >= 0)
        close(fd);
    CHECK(provider_parcel_open(p, "../../etc/passwd", &fd, &size) == STORE_NOT_FOUND,
          "a path is not a digest");
    /* an empty parcel */
    char empty[BINDLE_SHA_TEXT];
    sha_of("", 0, empty);
    CHECK(put_parcel(p, empty, "", 0, 0) == STORE_OK && provider_parcel_exists(p, empty),
          "an empty parcel");

    /* yank */
    CHECK(provider_invoice_yank(p, "example.com/hello", "1.0.0", &err) == STORE_OK, "yank");
    CHECK(provider_invoice_get(p, "example.com/hello", "1.0.0", &got, &err) == STORE_OK &&
              got->has_yanked && got->yanked,
          "the yanked state is in the file");
    invoice_free(got);
    CHECK(provider_invoice_yank(p, "nope", "1.0.0", &err) == STORE_NOT_FOUND, "yank unknown");
    IndexRows rows;
    CHECK(provider_search(p, "", false, &rows, &err) == 0 && rows.n == 0, "yanked hidden");
    index_rows_free(&rows);
    CHECK(provider_search(p, "", true, &rows, &err) == 0 && rows.n == 1 && rows.rows[0].yanked,
          "yanked shown on request");
    index_rows_free(&rows);
    invoice_free(inv);
    free(err);
    provider_close(p);
}

static void test_search_order(void)
{
    Provider *p = open_store(NULL);
    if (!p)
        return;
    const char *ids[][2] = {
        {"b/x", "1.0.0"}, {"a", "2.0.0"}, {"a", "10.0.0"}, {"ab", "1.0.0"}, {"a/b", "1.0.0"}};
    char sha[BINDLE_SHA_TEXT];
    sha_of("y", 1, sha);
    for (size_t i = 0; i < 5; i++) {
        Invoice *inv = make_invoice(ids[i][0], ids[i][1], sha, 1);
        char *err = NULL;
        CHECK(inv && provider_invoice_create(p, inv, &err) == STORE_OK, "create for search");
        free(err);
        invoice_free(inv);
    }
    IndexRows rows;
    char *err = NULL;
    CHECK(provider_search(p, "a", false, &rows, &err) == 0 && rows.n == 4, "substring of name");
    /* "NAME/VERSION" in byte order: a/10.0.0 < a/2.0.0 < a/b/1.0.0 < ab/1.0.0 */
    bool order = rows.n == 4 && !strcmp(rows.rows[0].version, "10.0.0") &&
                 !strcmp(rows.rows[1].version, "2.0.0") && !strcmp(rows.rows[2].name, "a/b") &&
                 !strcmp(rows.rows[3].name, "ab");
    CHECK(order, "id byte order (Bindle's BTreeMap)");
    index_rows_free(&rows);
    CHECK(provider_search(p, "b/", false, &rows, &err) == 0 && rows.n == 1, "term with a slash");
    index_rows_free(&rows);
    CHECK(provider_search(p, "zzz", false, &rows, &err) == 0 && rows.n == 0, "no match");
    index_rows_free(&rows);
    free(err);
    provider_close(p);
}

/* ---- concurrent writers ---- */

#define BIG (4u << 20)
static unsigned char *big;
static char big_sha[BINDLE_SHA_TEXT];
static Provider *shared;

typedef struct Outcome {
    StoreErr st;
} Outcome;

static void *writer(void *arg)
{
    Outcome *o = arg;
    o->st = put_parcel(shared, big_sha, big, BIG, BIG);
    return NULL;
}

static void test_concurrent(void)
{
    big = malloc(BIG);
    if (!big)
        return;
    for (size_t i = 0; i < BIG; i++)
        big[i] = (unsigned char)(i * 2654435761u >> 13);
    sha_of(big, BIG, big_sha);
    shared = open_store(NULL);
    if (!shared)
        return;
    enum { N = 8 };
    pthread_t t[N];
    Outcome o[N];
    for (int i = 0; i < N; i++)
        pthread_create(&t[i], NULL, writer, &o[i]);
    int stored = 0, refused = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        stored += o[i].st == STORE_OK;
        refused += o[i].st == STORE_EXISTS || o[i].st == STORE_IN_PROGRESS;
    }
    CHECK(stored == 1 && refused == N - 1, "threads: one writer stores, the others get 409s");
    char rel[256];
    snprintf(rel, sizeof rel, "parcels/%s/parcel.dat.part", big_sha);
    CHECK(!exists(rel), "threads: no .part left");
    provider_close(shared);

    /* processes, each with its own provider, on a second parcel */
    big[0] ^= 1;
    sha_of(big, BIG, big_sha);
    pid_t pid[N];
    for (int i = 0; i < N; i++) {
        pid[i] = fork();
        if (pid[i] == 0) {
            char *err = NULL;
            Provider *p = provider_open(root, NULL, NULL, &err);
            /* open's walk removes .part files: wait until every child has opened */
            usleep(200000);
            shared = p;
            Outcome out = {STORE_IO};
            if (p)
                writer(&out);
            _exit(out.st == STORE_OK            ? 0
                  : out.st == STORE_EXISTS      ? 1
                  : out.st == STORE_IN_PROGRESS ? 2
                                                : 3);
        }
    }
    stored = refused = 0;
    for (int i = 0; i < N; i++) {
        int status = 0;
        waitpid(pid[i], &status, 0);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 9;
        stored += code == 0;
        refused += code == 1 || code == 2;
    }
    CHECK(stored == 1 && refused == N - 1, "processes: one writer stores, the others get 409s");
    Provider *p = open_store(NULL);
    int fd = -1;
    uint64_t size = 0;
    CHECK(p && provider_parcel_open(p, big_sha, &fd, &size) == STORE_OK && size == BIG,
          "processes: the parcel is whole");
    if (fd >= 0)
        close(fd);
    provider_close(p);
    free(big);
}

/* ---- the start-up walk ---- */

static void touch(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void mkdir_rel(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    mkdir(path, 0755);
}

static void test_startup_repair(void)
{
    char sha[BINDLE_SHA_TEXT], rel[256], key[BINDLE_SHA_TEXT];
    sha_of("stale", 5, sha);
    /* a parcel upload and an invoice write cut short, and an empty directory */
    snprintf(rel, sizeof rel, "parcels/%s", sha);
    mkdir_rel(rel);
    snprintf(rel, sizeof rel, "parcels/%s/parcel.dat.part", sha);
    touch(rel, "sta");
    bindle_id_sha("cut", 3, "1.0.0", 5, key);
    snprintf(rel, sizeof rel, "invoices/%s", key);
    mkdir_rel(rel);
    snprintf(rel, sizeof rel, "invoices/%s/invoice.toml.part", key);
    touch(rel, "bindleVersion = ");
    /* an invoice in the wrong directory, and garbage */
    char wrong[BINDLE_SHA_TEXT];
    sha_of("wrong", 5, wrong);
    snprintf(rel, sizeof rel, "invoices/%s", wrong);
    mkdir_rel(rel);
    snprintf(rel, sizeof rel, "invoices/%s/invoice.toml", wrong);
    touch(rel, "bindleVersion = \"1.0.0\"\n[bindle]\nname = \"w\"\nversion = \"1.0.0\"\n");
    /* an invoice written while the index was not told (killed between file and row) */
    bindle_id_sha("late", 4, "1.0.0", 5, key);
    snprintf(rel, sizeof rel, "invoices/%s", key);
    mkdir_rel(rel);
    snprintf(rel, sizeof rel, "invoices/%s/invoice.toml", key);
    touch(rel, "bindleVersion = \"1.0.0\"\n[bindle]\nname = \"late\"\nversion = \"1.0.0\"\n");
    ProviderStats st;
    fprintf(stderr, "  (one warning expected below)\n");
    Provider *p = open_store(&st);
    CHECK(p && st.parts_removed == 2 && st.skipped == 1, "stale .part files removed");
    snprintf(rel, sizeof rel, "parcels/%s", sha);
    CHECK(!exists(rel), "empty parcel directory removed");
    bindle_id_sha("cut", 3, "1.0.0", 5, key);
    snprintf(rel, sizeof rel, "invoices/%s", key);
    CHECK(!exists(rel), "empty invoice directory removed");
    IndexRows rows;
    char *err = NULL;
    bool late = false, w = false;
    if (p && provider_search(p, "", true, &rows, &err) == 0) {
        for (size_t i = 0; i < rows.n; i++) {
            late = late || !strcmp(rows.rows[i].name, "late");
            w = w || !strcmp(rows.rows[i].name, "w");
        }
        CHECK((size_t)st.invoices == rows.n, "index rows = invoice files");
        index_rows_free(&rows);
    }
    CHECK(late && !w, "the index agrees with the files after a restart");
    free(err);
    provider_close(p);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    snprintf(root, sizeof root, "%s/corral-store-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(root))
        return 1;
    test_invoices_and_parcels();
    test_search_order();
    test_concurrent();
    test_startup_repair();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "  could not remove %s\n", root);
    return unit_report("test_provider");
}
