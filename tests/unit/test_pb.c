/* test_pb.c: the shim's Protocol Buffers codec: varints at their limits, proto3 defaults
 * left out, nested messages, skipping unknown fields of every wire type, and malformed
 * input (truncations, overlong varints, lengths past the end, groups) refused. */
#include "shim/pb.h"
#include "unit.h"

#include <string.h>

static void test_varints(void)
{
    PbBuf b = {0};
    pb_uint(&b, 1, 0); /* default: nothing */
    CHECK(b.len == 0, "b.len == 0");
    pb_uint(&b, 1, 150);
    CHECK(b.len == 3 && b.data[0] == 0x08 && b.data[1] == 0x96 && b.data[2] == 0x01,
          "b.len == 3 && b.data[0] == 0x08 && b.data[1] == 0x96 && b.data[2] == 0x01");
    pb_int(&b, 2, -1);
    CHECK(b.len == 3 + 11, "b.len == 3 + 11");
    pb_uint(&b, 3, UINT64_MAX);
    PbReader r = pb_reader(b.data, b.len);
    PbField f;
    CHECK(pb_next(&r, &f) && f.num == 1 && f.wire == PB_VARINT && f.u == 150,
          "pb_next(&r, &f) && f.num == 1 && f.wire == PB_VARINT && f.u == 150");
    CHECK(pb_next(&r, &f) && f.num == 2 && (int64_t)f.u == -1,
          "pb_next(&r, &f) && f.num == 2 && (int64_t)f.u == -1");
    CHECK(pb_next(&r, &f) && f.num == 3 && f.u == UINT64_MAX,
          "pb_next(&r, &f) && f.num == 3 && f.u == UINT64_MAX");
    CHECK(!pb_next(&r, &f) && !r.bad, "!pb_next(&r, &f) && !r.bad");
    pb_buf_free(&b);
}

static void test_strings_and_messages(void)
{
    PbBuf b = {0}, sub = {0};
    pb_str(&b, 1, NULL);
    pb_str(&b, 1, "");
    CHECK(b.len == 0, "b.len == 0");
    pb_str(&sub, 1, "containerd.task.v2.Task");
    pb_str(&sub, 2, "Connect");
    pb_msg(&b, 3, &sub);
    PbBuf empty = {0};
    pb_msg(&b, 4, &empty); /* an empty message is still present */
    PbReader r = pb_reader(b.data, b.len);
    PbField f;
    CHECK(pb_next(&r, &f) && f.num == 3 && f.wire == PB_LEN,
          "pb_next(&r, &f) && f.num == 3 && f.wire == PB_LEN");
    PbReader in = pb_sub(&f);
    PbField g;
    CHECK(pb_next(&in, &g) && g.num == 1, "pb_next(&in, &g) && g.num == 1");
    char *s = pb_strdup(&g);
    CHECK(s && !strcmp(s, "containerd.task.v2.Task"),
          "s && !strcmp(s, \"containerd.task.v2.Task\")");
    free(s);
    CHECK(pb_next(&in, &g) && g.num == 2 && g.len == 7 && !memcmp(g.data, "Connect", 7),
          "pb_next(&in, &g) && g.num == 2 && g.len == 7 && !memcmp(g.data, \"Connect\", 7)");
    CHECK(!pb_next(&in, &g) && !in.bad, "!pb_next(&in, &g) && !in.bad");
    CHECK(pb_next(&r, &f) && f.num == 4 && f.len == 0,
          "pb_next(&r, &f) && f.num == 4 && f.len == 0");
    CHECK(!pb_next(&r, &f) && !r.bad, "!pb_next(&r, &f) && !r.bad");
    pb_buf_free(&b);
    pb_buf_free(&sub);
}

static void test_unknown_fields_skipped(void)
{
    /* field 9 fixed64, field 10 fixed32, field 11 bytes, then field 1 varint 7 */
    static const uint8_t m[] = {0x49, 1, 2, 3, 4,    5, 6,   7,   8,    0x55,
                                1,    2, 3, 4, 0x5a, 2, 'h', 'i', 0x08, 7};
    PbReader r = pb_reader(m, sizeof m);
    PbField f;
    int seen = 0;
    while (pb_next(&r, &f))
        if (f.num == 1)
            seen = (int)f.u;
    CHECK(!r.bad && seen == 7, "!r.bad && seen == 7");
}

static void test_malformed(void)
{
    static const uint8_t cases[][12] = {
        {0x08},                                                             /* varint missing */
        {0x08, 0x80, 0x80},                                                 /* varint truncated */
        {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, /* > 64 bits */
        {0x0a, 0x05, 'a'}, /* length past the end */
        {0x0b},            /* group start */
        {0x00, 0x01},      /* field number 0 */
        {0x09, 1, 2},      /* fixed64 truncated */
    };
    static const size_t lens[] = {1, 3, 11, 3, 1, 2, 3};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
        PbReader r = pb_reader(cases[i], lens[i]);
        PbField f;
        while (pb_next(&r, &f))
            ;
        CHECK(r.bad, "r.bad");
    }
    PbReader r = pb_reader(NULL, 0);
    PbField f;
    CHECK(!pb_next(&r, &f) && !r.bad, "!pb_next(&r, &f) && !r.bad");
}

int main(void)
{
    test_varints();
    test_strings_and_messages();
    test_unknown_fields_skipped();
    test_malformed();
    return unit_report("test_pb");
}
