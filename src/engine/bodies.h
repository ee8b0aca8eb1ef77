/* bodies.h: checking every function body of a module being decoded (bodies.c), for decode.c. */
#ifndef CORRAL_BODIES_H
#define CORRAL_BODIES_H

#include "validate.h"

/* The first malformed body and the first invalid one, in module order (UINT32_MAX: none),
 * with their errors. */
typedef struct BodiesOutcome {
    uint32_t malformed_body, invalid_body;
    DecodeError malformed, invalid;
} BodiesOutcome;

/* Runs validate_code(full) on bodies [0, n) of m, whose ranges and locals are decoded, on up
 * to `threads` threads (0: as many as the machine has CPUs, at most 8; 1: this thread only)
 * when the code is big enough to gain from it. val is the decoder's; the memory.init and
 * data.drop uses the other threads note are moved into it. Returns 0, or -1 when out of
 * memory. The outcome does not depend on the number of threads. */
int check_bodies(const Module *m, Val *val, uint32_t n, bool full, unsigned threads,
                 BodiesOutcome *out) __attribute__((warn_unused_result));

#endif
