/* wasi_poll.c: poll_oneoff (clock subscriptions, relative and absolute, and read/write
 * readiness of descriptors), the wait other blocking calls use, and corral_wasi_cancel.
 * Regular files, directories and callback streams are always ready; host streams and
 * sockets are polled. No wait outlives the context's deadline or a cancel: each also polls
 * the context's cancel eventfd. */
#include "wasi/wasi_int.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
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

/* ---- cancel ---- */

int wasi_cancel_fd(corral_wasi_t *w)
{
    int fd = atomic_load(&w->cancel_fd);
    if (fd >= 0)
        return fd;
    int mine = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (mine < 0)
        return -1;
    /* The guest's thread and a cancelling one may race to make it: one wins, the other
     * closes its own and uses the winner's, so both poll and write the same descriptor. */
    if (atomic_compare_exchange_strong(&w->cancel_fd, &fd, mine))
        return mine;
    close(mine);
    return fd;
}

void corral_wasi_cancel(corral_wasi_t *w)
{
    /* The flag first: a waiter that finds no wake-up in the eventfd still sees the flag
     * before it blocks, or the write below wakes it. */
    atomic_store(&w->cancelled, true);
    int fd = wasi_cancel_fd(w);
    uint64_t one = 1;
    if (fd >= 0 && write(fd, &one, sizeof one) < 0) {
        /* EAGAIN: the counter is full, so a wake-up is pending anyway. */
    }
}

bool wasi_cancelled(corral_wasi_t *w)
{
    return atomic_load(&w->cancelled);
}

void wasi_cancel_clear(corral_wasi_t *w)
{
    atomic_store(&w->cancelled, false);
    int fd = atomic_load(&w->cancel_fd);
    uint64_t n;
    if (fd >= 0 && read(fd, &n, sizeof n) < 0) {
        /* EAGAIN: nothing was pending. */
    }
}

/* ---- waiting ---- */

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

typedef enum WaitEnd { WAIT_READY, WAIT_DEADLINE, WAIT_CANCEL } WaitEnd;

/* poll()'s timeout until `until` (a monotonic deadline or NO_DEADLINE), at most a slice when
 * there is no cancel eventfd to wake the wait. */
static int wait_ms(uint64_t until, int cancel_fd)
{
    int ms = until == 0 ? 0 : poll_ms(until);
    if (cancel_fd < 0 && (ms < 0 || ms > WASI_CANCEL_SLICE_MS))
        ms = WASI_CANCEL_SLICE_MS;
    return ms;
}

/* Waits until something in subs is ready, the context's deadline or a cancel. pfds has room
 * for npfds + 1 entries: the last is the cancel eventfd. */
static WaitEnd wait_subs(WasiCall *c, Sub *subs, uint32_t n, struct pollfd *pfds, int npfds)
{
    int cfd = wasi_cancel_fd(c->w);
    pfds[npfds] = (struct pollfd){cfd, POLLIN, 0};
    for (;;) {
        if (wasi_cancelled(c->w))
            return WAIT_CANCEL;
        uint64_t first = NO_DEADLINE;
        bool any = false;
        for (uint32_t i = 0; i < n; i++) {
            any |= subs[i].ready;
            if (subs[i].type == EV_CLOCK && !subs[i].error && subs[i].deadline < first)
                first = subs[i].deadline;
        }
        uint64_t limit = c->w->deadline_ns ? c->w->deadline_ns : NO_DEADLINE;
        uint64_t until = any ? 0 : first < limit ? first : limit;
        int r = poll(pfds, (nfds_t)npfds + (cfd >= 0), wait_ms(until, cfd));
        if (r < 0 && errno != EINTR)
            return WAIT_READY; /* cannot wait: report what is ready, clocks below */
        if (wasi_cancelled(c->w))
            return WAIT_CANCEL;
        for (uint32_t i = 0; r > 0 && i < n; i++)
            if (subs[i].pollix >= 0)
                fd_result(&subs[i], &pfds[subs[i].pollix]);
        uint64_t now = wasi_now_ns();
        for (uint32_t i = 0; i < n; i++)
            if (subs[i].type == EV_CLOCK && !subs[i].error && subs[i].deadline <= now)
                subs[i].ready = true;
        for (uint32_t i = 0; i < n; i++)
            if (subs[i].ready)
                return WAIT_READY;
        if (limit != NO_DEADLINE && now >= limit)
            return WAIT_DEADLINE;
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
    struct pollfd *pfds = malloc(((size_t)n + 1) * sizeof *pfds); /* + the cancel eventfd */
    int npfds = 0;
    uint32_t err = WASI_ENOMEM;
    if (!subs || !pfds)
        goto done;
    if ((err = read_subs(c, in, n, subs, pfds, &npfds)))
        goto done;
    WaitEnd end = wait_subs(c, subs, n, pfds, npfds);
    if (end != WAIT_READY) {
        c->trap = corral_trap_new(end == WAIT_CANCEL ? WASI_CANCEL_MESSAGE : WASI_DEADLINE_MESSAGE);
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
    uint64_t limit = c->w->deadline_ns ? c->w->deadline_ns : NO_DEADLINE;
    int cfd = wasi_cancel_fd(c->w);
    struct pollfd p[2] = {{host, events, 0}, {cfd, POLLIN, 0}};
    for (;;) {
        if (wasi_cancelled(c->w)) {
            c->trap = corral_trap_new(WASI_CANCEL_MESSAGE);
            return WASI_ESUCCESS;
        }
        int r = poll(p, cfd >= 0 ? 2 : 1, wait_ms(limit, cfd));
        if (wasi_cancelled(c->w))
            continue; /* reported above */
        if ((r > 0 && p[0].revents) || (r < 0 && errno != EINTR))
            return WASI_ESUCCESS; /* ready, or let the transfer itself report the error */
        if (limit != NO_DEADLINE && wasi_now_ns() >= limit) {
            c->trap = corral_trap_new(WASI_DEADLINE_MESSAGE);
            return WASI_ESUCCESS;
        }
    }
}
