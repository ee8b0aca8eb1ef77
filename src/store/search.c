/* search.c: one page of search results (search.h). The index narrows by name and yank
 * state; the version range is applied here, then the page's invoices are read from their
 * files. */
#include "store/search.h"

#include "store/doc_out.h"
#include "util/strf.h"

#include <string.h>

json_t *search_run(Provider *p, const SearchQuery *q, char **out_err)
{
    IndexRows rows;
    if (provider_search(p, q->term, q->yanked, &rows, out_err) != 0)
        return NULL;
    /* Keep the rows in range, in place. */
    size_t total = 0;
    for (size_t i = 0; i < rows.n; i++) {
        SemVer v;
        const char *ver = rows.rows[i].version;
        bool in = semver_parse(ver, strlen(ver), &v) &&
                  semver_range_match(q->range, strlen(q->range), &v) == 1;
        IndexRow r = rows.rows[i];
        rows.rows[i] = rows.rows[total];
        rows.rows[total] = r;
        total += in;
    }
    json_t *doc = json_pack(
        "{s:s, s:b, s:I, s:I, s:I, s:b, s:b, s:[]}", "query", q->term, "strict", 1, "offset",
        (json_int_t)q->offset, "limit", (json_int_t)q->limit, "total", (json_int_t)total, "more",
        q->offset < total && total - q->offset > q->limit, "yanked", q->yanked, "invoices");
    json_t *invoices = doc ? json_object_get(doc, "invoices") : NULL;
    bool ok = invoices != NULL;
    for (uint64_t i = q->offset; ok && i < total && i - q->offset < q->limit; i++) {
        Invoice *inv = NULL;
        char *err = NULL;
        /* An invoice whose file went away since the index was read is left out. */
        if (provider_invoice_get(p, rows.rows[i].name, rows.rows[i].version, &inv, &err) ==
            STORE_OK)
            ok = json_array_append_new(invoices, doc_invoice(inv)) == 0;
        invoice_free(inv);
        free(err);
    }
    index_rows_free(&rows);
    if (!ok) {
        json_decref(doc);
        *out_err = strf("out of memory");
        return NULL;
    }
    return doc;
}
