/* list.c: pointer chasing through a singly linked list of 2^20 nodes laid out in a
 * pseudo-random order (a Fisher-Yates shuffle), walked arg times; each walk also moves about
 * one node in 64 to the front. Measures dependent loads that miss the caches, which hide part
 * of an interpreter's overhead. Links are 32-bit node indices, not pointers, so that a node
 * takes 8 bytes natively as in wasm32 and both walk the same 8 MiB. */
#include <stdint.h>

#define BENCH_ARG 5
#define N_NODES (1u << 20)
#define NIL UINT32_MAX

typedef struct {
    uint32_t next; /* index into nodes, or NIL */
    uint32_t value;
} Node;

static Node nodes[N_NODES];
static uint32_t order[N_NODES];

static uint64_t lcg_state;

/* Returns a pseudo-random number below n (Knuth's MMIX LCG; the high bits). */
static uint32_t below(uint32_t n)
{
    lcg_state = lcg_state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)((lcg_state >> 32) % n);
}

/* Links the nodes in a random order and returns the head. */
static uint32_t build(void)
{
    lcg_state = 42;
    for (uint32_t i = 0; i < N_NODES; i++)
        order[i] = i;
    for (uint32_t i = N_NODES - 1; i > 0; i--) {
        uint32_t j = below(i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (uint32_t i = 0; i < N_NODES; i++) {
        nodes[order[i]].next = i + 1 < N_NODES ? order[i + 1] : NIL;
        nodes[order[i]].value = order[i] * 2654435761u;
    }
    return order[0];
}

/* walk: sums the values of the list at *head, weighting each by its position, and moves every
 * node that follows one with (value >> 8) % 64 == round % 64 to the front of the list (a
 * delete and an insert), so the next walk sees a different order. */
static uint32_t walk(uint32_t *head, uint32_t round)
{
    uint32_t sum = 0, pos = 0;
    for (uint32_t p = *head; p != NIL; p = nodes[p].next) {
        sum += nodes[p].value ^ pos++;
        uint32_t q = nodes[p].next;
        if ((nodes[p].value >> 8) % 64 == round % 64 && q != NIL) {
            nodes[p].next = nodes[q].next;
            nodes[q].next = *head;
            *head = q;
        }
    }
    return sum;
}

/* Returns the sums of arg walks folded to 31 bits. */
int32_t list(int32_t walks)
{
    uint32_t head = build();
    uint32_t sum = 0;
    for (int32_t r = 0; r < walks; r++)
        sum = sum * 31 + walk(&head, (uint32_t)r);
    return (int32_t)(sum & 0x7fffffff);
}
