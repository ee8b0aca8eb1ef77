/* crc32.c: table-driven CRC-32 (the zlib polynomial) over 1 MiB of pseudo-random bytes,
 * repeated. Measures i32 shifts, xors, byte loads and table lookups. */
#include <stdint.h>

#define BENCH_ARG 48
#define BUF_LEN (1u << 20)

static uint8_t buf[BUF_LEN];
static uint32_t table[256];

static void init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t x = 2463534242u; /* xorshift32 */
    for (uint32_t i = 0; i < BUF_LEN; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
}

/* Returns the CRC of reps passes over the buffer, each pass continuing the last one's CRC. */
int32_t crc32(int32_t reps)
{
    init();
    uint32_t crc = 0xffffffffu;
    for (int32_t r = 0; r < reps; r++)
        for (uint32_t i = 0; i < BUF_LEN; i++)
            crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
    return (int32_t)(~crc & 0x7fffffff);
}
