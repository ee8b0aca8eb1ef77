/* test_grpc_status.c: the gRPC status table (src/shim/grpc_status.def): all 17 codes, numbered
 * 0..16 in order, each with a distinct name; the SHIM_* constants are gRPC's numbers; names of
 * numbers outside the table. */
#include "shim/grpc_status.h"
#include "unit.h"

#include <stdbool.h>
#include <string.h>

typedef struct Row {
    int num, value;
    const char *id, *name;
} Row;

static const Row rows[] = {
#define X(num, id, name) {num, SHIM_##id, #id, name},
#include "shim/grpc_status.def"
#undef X
};

enum { NROWS = sizeof rows / sizeof rows[0] };

static void test_table(void)
{
    CHECK(NROWS == 17, "17 codes");
    bool in_order = true, named = true, distinct = true;
    for (int i = 0; i < NROWS; i++) {
        in_order &= rows[i].num == i && rows[i].value == i;
        named &= rows[i].name && rows[i].name[0] && !strcmp(shim_status_name(i), rows[i].name);
        for (int j = 0; j < i; j++)
            distinct &= strcmp(rows[i].name, rows[j].name) != 0 && strcmp(rows[i].id, rows[j].id);
    }
    CHECK(in_order, "numbered 0..16 in order, SHIM_<id> == number");
    CHECK(named, "every code has its name");
    CHECK(distinct, "ids and names distinct");
}

static void test_numbers(void)
{
    /* Spot checks against gRPC's fixed numbers (google.rpc.Code). */
    CHECK(SHIM_OK == 0 && SHIM_CANCELED == 1 && SHIM_UNKNOWN == 2, "0, 1, 2");
    CHECK(SHIM_NOT_FOUND == 5 && SHIM_PERMISSION_DENIED == 7 && SHIM_FAILED_PRECONDITION == 9,
          "5, 7, 9");
    CHECK(SHIM_INTERNAL == 13 && SHIM_UNAVAILABLE == 14 && SHIM_UNAUTHENTICATED == 16,
          "13, 14, 16");
    CHECK(!strcmp(shim_status_name(SHIM_NOT_FOUND), "NotFound"), "NotFound");
    CHECK(!strcmp(shim_status_name(SHIM_FAILED_PRECONDITION), "FailedPrecondition"),
          "FailedPrecondition");
}

static void test_unknown_numbers(void)
{
    CHECK(!strcmp(shim_status_name(17), "code 17"), "code 17");
    CHECK(!strcmp(shim_status_name(-1), "code -1"), "code -1");
    CHECK(!strcmp(shim_status_name(2147483647), "code 2147483647"), "the largest int");
}

int main(void)
{
    test_table();
    test_numbers();
    test_unknown_numbers();
    return unit_report("test_grpc_status");
}
