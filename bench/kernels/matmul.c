/* matmul.c: n x n double-precision matrix multiply in linear memory (i-k-j order). Measures f64
 * loads, multiply-add and nested loops. Entries are small multiples of 1/8, so every sum is exact
 * and the checksum does not depend on the order of additions. */
#include <stdint.h>

#define BENCH_ARG 512
#define MAX_N 512

static double a[MAX_N * MAX_N], b[MAX_N * MAX_N], c[MAX_N * MAX_N];

int32_t matmul(int32_t n)
{
    if (n < 1 || n > MAX_N)
        return -1;
    for (int32_t i = 0; i < n; i++) {
        for (int32_t j = 0; j < n; j++) {
            a[i * n + j] = (double)((i * 7 + j * 3) % 17 - 8) / 8.0;
            b[i * n + j] = (double)((i * 5 + j * 11) % 13 - 6) / 8.0;
            c[i * n + j] = 0.0;
        }
    }
    for (int32_t i = 0; i < n; i++) {
        for (int32_t k = 0; k < n; k++) {
            double aik = a[i * n + k];
            for (int32_t j = 0; j < n; j++)
                c[i * n + j] += aik * b[k * n + j];
        }
    }
    int64_t sum = 0;
    for (int32_t i = 0; i < n * n; i++)
        sum = sum * 31 + (int64_t)(c[i] * 64.0);
    return (int32_t)(sum & 0x7fffffff);
}
