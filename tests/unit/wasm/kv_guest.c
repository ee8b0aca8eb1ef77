/* kv_guest.c: a WASI command written against the guest SDK (sdk/corral_kv.h), run by
 * test_kv.c on every backend with the store named by argv[1] granted (and nothing else).
 * It exercises the helpers (open_str, set_str, get_alloc's retry, the key iterator over a
 * tiny page) and prints what it sees; the test compares the output line by line. */
#include "corral_kv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int show(const char *what, uint32_t err)
{
    printf("%s: %s\n", what, corral_kv_error_name(err));
    return err != CORRAL_KV_OK;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "default";
    corral_kv_store_t s, other;
    if (show("open", corral_kv_open_str(name, &s)))
        return 1;
    show("open default", corral_kv_open_str("default", &other));

    show("set greeting", corral_kv_set_str(s, "greeting", "hello"));
    char *v;
    size_t n;
    if (!show("get greeting", corral_kv_get_alloc(s, "greeting", 8, &v, &n))) {
        printf("greeting = %s (%zu bytes)\n", v, n);
        free(v);
    }

    /* Bigger than get_alloc's first buffer (256): it has to ask again. */
    static char big[5000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    show("set big", corral_kv_set(s, "big", 3, big, sizeof big));
    if (!show("get big", corral_kv_get_alloc(s, "big", 3, &v, &n))) {
        printf("big: %zu bytes, %s\n", n, memcmp(v, big, n) ? "different" : "same");
        free(v);
    }
    show("get missing", corral_kv_get_alloc(s, "missing", 7, &v, &n));

    int64_t hits = 0;
    for (int i = 0; i < 3; i++)
        corral_kv_increment(s, "hits", 4, 14, &hits);
    printf("hits = %" PRId64 "\n", hits);
    if (!corral_kv_get_alloc(s, "hits", 4, &v, &n)) {
        printf("hits as text = \"%s\"\n", v);
        free(v);
    }
    show("increment greeting", corral_kv_increment(s, "greeting", 8, 1, &hits));

    char key[16];
    for (int i = 0; i < 30; i++) {
        snprintf(key, sizeof key, "k%02d", i);
        corral_kv_set_str(s, key, "x");
    }
    uint32_t yes = 0;
    corral_kv_exists(s, "k07", 3, &yes);
    printf("exists k07 = %u\n", (unsigned)yes);

    /* 20 bytes: two 3-byte keys per page at most, so the walk takes many calls. */
    uint8_t page[20];
    corral_kv_keys_t it;
    const char *k;
    size_t len;
    int count = 0;
    printf("keys:");
    for (corral_kv_keys_init(&it, s, page, sizeof page); corral_kv_keys_next(&it, &k, &len);) {
        if (count++ < 6 || len != 3)
            printf(" %.*s", (int)len, k);
    }
    printf("\nkeys: %d, %s\n", count, corral_kv_error_name(it.err));

    /* A page too small for "greeting" (4 + 8 bytes) stops the walk there. */
    uint8_t tiny[8];
    for (corral_kv_keys_init(&it, s, tiny, sizeof tiny); corral_kv_keys_next(&it, &k, &len);)
        ;
    show("walk with 8 bytes", it.err);

    for (int i = 0; i < 30; i++) {
        snprintf(key, sizeof key, "k%02d", i);
        corral_kv_delete(s, key, 3);
    }
    corral_kv_delete(s, "big", 3);
    corral_kv_delete(s, "hits", 4);
    corral_kv_delete(s, "greeting", 8);
    for (corral_kv_keys_init(&it, s, page, sizeof page); corral_kv_keys_next(&it, &k, &len);)
        printf("left over: %.*s\n", (int)len, k);
    show("close", corral_kv_close(s));
    show("close again", corral_kv_close(s));

    printf("codes:");
    for (uint32_t e = 0; e <= 13; e++)
        printf(" %s", corral_kv_error_name(e));
    printf("\n");
    return 0;
}
