/* wasi_poll.c: poll_oneoff (clock subscriptions, relative and absolute, and read/write
 * readiness of descriptors) and the deadline-bounded wait other blocking calls use. Regular
 * files, directories and callback streams are always ready; host streams and sockets are
 * polled. No wait outlives the context's deadline. */
#include "wasi/wasi_int.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2 };
enum { SUB_SIZE = 48, EVENT_SIZE = 32 };
#define NO_DEADLINE UINT64_MAX

/* One subscription as read from guest memory, and what became of it. */
typedef struct Sub {
    uint64_t userdata;
    uint8_t type;
    uint64_t deadline; /* clocks: monotonic ns */
    int pollix;        /* index in the pollfd array, or -1 */
    uint16_t error;    /* set when it fails at once */
    bool ready;
    uint64_t nbytes;
    uint16_t rwflags;
} Sub;

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* A clock subscription's deadline on the monotonic clock. */
static uint16_t clock_sub(const uint8_t *p, Sub *s)
{
    uint32_t id = ld32(p + 16);
    uint64_t timeout = ld64(p + 24);
    bool abs = ld16(p + 40) & 1;
    uint64_t now = wasi_now_ns();
    if (id == 1) /* monotonic */
        s->deadline = abs ? timeout : sat_add(now, timeout);
    else if (id == 0) { /* realtime: absolute times convert through the current offset */
        uint64_t real = clock_ns(CLOCK_REALTIME);
        s->deadline = !abs              ? sat_add(now, timeout)
                      : timeout <= real ? now
                                        : sat_add(now, timeout - real);
    } else
        return WASI_EINVAL; /* CPU-time clocks cannot be waited on */
    return WASI_ESUCCESS;
}

/* An fd subscription: ready at once, or a pollfd to wait on. */
static void fd_sub(WasiCall *c, const uint8_t *p, Sub *s, struct pollfd *pfds, int *npfds)
{
    WasiFd *e;
    uint32_t err = wasi_fd_lookup(c->w, ld32(p + 16), R_POLL_FD_READWRITE, &e);
    if (err) {
        s->error = (uint16_t)err;
        return;
    }
    if (e->kind == FD_FILE || e->kind == FD_DIR || e->stream || e->host < 0) {
        s->ready = true;
        struct stat st;
        off_t pos;
        if (s->type == EV_FD_READ && e->kind == FD_FILE && fstat(e->host, &st) == 0 &&
            S_ISREG(st.st_mode) && (pos = lseek(e->host, 0, SEEK_CUR)) >= 0 && st.st_size > pos)
            s->nbytes = (uint64_t)(st.st_size - pos);
        return;
    }
    s->pollix = *npfds;
    pfds[*npfds].fd = e->host;
    pfds[*npfds].events = s->type == EV_FD_READ ? POLLIN : POLLOUT;
    pfds[*npfds].revents = 0;
    (*npfds)++;
}

/* Fills s from a polled descriptor's revents. */
static void fd_result(Sub *s, const struct pollfd *pfd)
{
    short re = pfd->revents;
    if (!re)
        return;
    s->ready = true;
    if (re & POLLNVAL)
        s->error = WASI_EBADF;
    if (re & POLLHUP)
        s->rwflags = 1; /* fd_readwrite_hangup */
    int avail = 0;
    if (s->type == EV_FD_READ && !(re & POLLNVAL) && ioctl(pfd->fd, FIONREAD, &avail) == 0 &&
        avail > 0)
        s->nbytes = (uint64_t)avail;
}

/* Milliseconds for poll() until deadline (rounded up), -1 for none. */
static int poll_ms(uint64_t deadline)
{
    if (deadline == NO_DEADLINE)
        return -1;
    uint64_t now = wasi_now_ns();
    if (deadline <= now)
        return 0;
    uint64_t ms = (deadline - now + 999999) / 1000000;
    return ms > 1000000 ? 1000000 : (int)ms;
}

static void put_event(uint8_t *p, const Sub *s)
{
    memset(p, 0, EVENT_SIZE);
    st64(p, s->userdata);
    st16(p + 8, s->error);
    st8(p + 10, s->type);
    if (s->type != EV_CLOCK) {
        st64(p + 16, s->nbytes);
        st16(p + 24, s->rwflags);
    }
}

/* Reads the subscriptions; WASI_EINVAL for an unknown tag. */
static uint32_t read_subs(WasiCall *c, uint32_t in, uint32_t n, Sub *subs, struct pollfd *pfds,
                          int *npfds)
{
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = c->mem.base + in + (uint64_t)i * SUB_SIZE;
        Sub *s = &subs[i];
        *s = (Sub){.userdata = ld64(p), .type = p[8], .deadline = NO_DEADLINE, .pollix = -1};
        if (s->type == EV_CLOCK)
            s->error = clock_sub(p, s);
        else if (s->type == EV_FD_READ || s->type == EV_FD_WRITE)
            fd_sub(c, p, s, pfds, npfds);
        else
            return WASI_EINVAL;
        if (s->error)
            s->ready = true;
    }
    return WASI_ESUCCESS;
}

/* Waits until something in subs is ready; false when the context's deadline came first. */
static bool wait_subs(WasiCall *c, Sub *subs, uint32_t n, struct pollfd *pfds, int npfds)
{
    for (;;) {
        uint64_t first = NO_DEADLINE;
        bool any = false;
        for (uint32_t i = 0; i < n; i++) {
            any |= subs[i].ready;
            if (subs[i].type == EV_CLOCK && !subs[i].error && subs[i].deadline < first)
                first = subs[i].deadline;
        }
        uint64_t limit = c->w->deadline_ns ? c->w->deadline_ns : NO_DEADLINE;
        uint64_t until = any ? 0 : first < limit ? first : limit;
        int r = poll(pfds, (nfds_t)npfds, until == 0 ? 0 : poll_ms(until));
        if (r < 0 && errno != EINTR)
            return true; /* cannot wait: report what is ready, clocks below */
        for (uint32_t i = 0; r > 0 && i < n; i++)
            if (subs[i].pollix >= 0)
                fd_result(&subs[i], &pfds[subs[i].pollix]);
        uint64_t now = wasi_now_ns();
        for (uint32_t i = 0; i < n; i++)
            if (subs[i].type == EV_CLOCK && !subs[i].error && subs[i].deadline <= now)
                subs[i].ready = true;
        for (uint32_t i = 0; i < n; i++)
            if (subs[i].ready)
                return true;
        if (limit != NO_DEADLINE && now >= limit)
            return false;
    }
}

uint32_t wasi_poll_oneoff(WasiCall *c, const corral_val_t *a)
{
    uint32_t in = ARG32(0), out = ARG32(1), n = ARG32(2), nout = ARG32(3);
    if (n == 0)
        return WASI_EINVAL;
    if (!gm_ok(&c->mem, in, (uint64_t)n * SUB_SIZE) ||
        !gm_ok(&c->mem, out, (uint64_t)n * EVENT_SIZE) || !gm_ok(&c->mem, nout, 4))
        return WASI_EFAULT;
    Sub *subs = malloc(n * sizeof *subs);
    struct pollfd *pfds = malloc(n * sizeof *pfds);
    int npfds = 0;
    uint32_t err = WASI_ENOMEM;
    if (!subs || !pfds)
        goto done;
    if ((err = read_subs(c, in, n, subs, pfds, &npfds)))
        goto done;
    if (!wait_subs(c, subs, n, pfds, npfds)) {
        c->trap = corral_trap_new(WASI_DEADLINE_MESSAGE);
        goto done;
    }
    uint32_t nev = 0;
    for (uint32_t i = 0; i < n; i++)
        if (subs[i].ready)
            put_event(c->mem.base + out + (uint64_t)nev++ * EVENT_SIZE, &subs[i]);
    st32(c->mem.base + nout, nev);
done:
    free(subs);
    free(pfds);
    return err;
}

uint32_t wasi_wait_fd(WasiCall *c, int host, short events)
{
    uint64_t limit = c->w->deadline_ns;
    if (!limit)
        return WASI_ESUCCESS;
    struct pollfd p = {host, events, 0};
    for (;;) {
        int r = poll(&p, 1, poll_ms(limit));
        if (r > 0 || (r < 0 && errno != EINTR))
            return WASI_ESUCCESS; /* ready, or let the transfer itself report the error */
        if (r == 0 && wasi_now_ns() >= limit) {
            c->trap = corral_trap_new(WASI_DEADLINE_MESSAGE);
            return WASI_ESUCCESS;
        }
    }
}
