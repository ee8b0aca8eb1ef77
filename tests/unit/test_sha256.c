/* test_sha256.c: the portable SHA-256 against FIPS 180-4's examples, fed whole and in every
 * split, and past the 55/56/64-byte padding boundaries against a one-shot hash. */
#include "util/sha256.h"
#include "unit.h"

#include <string.h>

static int hex_is(const uint8_t d[32], const char *want)
{
    char hex[65];
    sha256_hex(d, hex);
    return strcmp(hex, want) == 0;
}

int main(void)
{
    uint8_t d[32];
    sha256_digest("", 0, d);
    CHECK(hex_is(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), "empty");
    sha256_digest("abc", 3, d);
    CHECK(hex_is(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), "abc");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_digest(two, strlen(two), d);
    CHECK(hex_is(d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
          "two blocks");

    /* A million 'a' in pieces of 1000. */
    Sha256 s;
    char a[1000];
    memset(a, 'a', sizeof a);
    sha256_init(&s);
    for (int i = 0; i < 1000; i++)
        sha256_update(&s, a, sizeof a);
    sha256_final(&s, d);
    CHECK(hex_is(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
          "a million a");

    /* Every split point of every length up to 130: the same digest as one-shot. */
    uint8_t msg[130], whole[32];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    int bad = 0;
    for (size_t len = 0; len <= sizeof msg; len++) {
        sha256_digest(msg, len, whole);
        for (size_t cut = 0; cut <= len; cut++) {
            sha256_init(&s);
            sha256_update(&s, msg, cut);
            sha256_update(&s, msg + cut, len - cut);
            sha256_final(&s, d);
            bad += memcmp(d, whole, 32) != 0;
        }
    }
    CHECK(bad == 0, "split updates agree with one-shot");
    return unit_report("test_sha256");
}
