/* mandelbrot.c: the Mandelbrot set over an n x n grid of [-1.5, 0.5] x [-1, 1], at most 50
 * iterations per point, in the manner of the Computer Language Benchmarks Game: one bit per
 * point, 8 points a byte. Measures f64 multiplies and adds in a short loop with a
 * data-dependent exit. Native and wasm must agree on every bit. */
/* No fused multiply-add from either compiler. gcc does not know the STDC pragma and would
 * warn about it; for gcc, -std=c11 already means -ffp-contract=off. */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma STDC FP_CONTRACT OFF
#include <stdint.h>

#define BENCH_ARG 1600
#define MAX_ITER 50

/* Returns 1 if c = cr + ci i stays within |z| <= 2 for MAX_ITER iterations of z = z^2 + c. */
static uint32_t in_set(double cr, double ci)
{
    double zr = 0, zi = 0;
    for (int i = 0; i < MAX_ITER; i++) {
        double tr = zr * zr - zi * zi + cr;
        double ti = 2 * zr * zi + ci;
        zr = tr;
        zi = ti;
        if (zr * zr + zi * zi > 4.0)
            return 0;
    }
    return 1;
}

/* Returns the hash of the n rows of packed bits (each row padded to whole bytes, as in the
 * PBM output of the Benchmarks Game), folded to 31 bits. */
int32_t mandelbrot(int32_t n)
{
    uint32_t h = 0;
    for (int32_t y = 0; y < n; y++) {
        double ci = 2.0 * y / n - 1.0;
        uint32_t byte = 0;
        int bits = 0;
        for (int32_t x = 0; x < n; x++) {
            byte = byte << 1 | in_set(2.0 * x / n - 1.5, ci);
            if (++bits == 8) {
                h = h * 31 + byte;
                byte = 0;
                bits = 0;
            }
        }
        if (bits != 0)
            h = h * 31 + (byte << (8 - bits));
    }
    return (int32_t)(h & 0x7fffffff);
}
