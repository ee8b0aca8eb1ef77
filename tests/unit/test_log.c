/* test_log.c: the shim's log: one whole line per call with its prefix, and a pod's shim
 * moving from one container's log FIFO to the next when containerd stops reading the
 * first (a deleted container), with no FIFO reader meaning no destination. */
#include "shim/log.h"
#include "unit.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Makes dir/b<i>/log as a FIFO and opens its read end (non-blocking). */
static int make_fifo(const char *dir, int i, char *bundle, size_t len)
{
    snprintf(bundle, len, "%s/b%d", dir, i);
    mkdir(bundle, 0700);
    char path[256];
    snprintf(path, sizeof path, "%s/log", bundle);
    if (mkfifo(path, 0600) != 0)
        return -1;
    return open(path, O_RDONLY | O_NONBLOCK);
}

static ssize_t drain(int fd, char *buf, size_t len)
{
    ssize_t n = read(fd, buf, len - 1);
    buf[n > 0 ? n : 0] = '\0';
    return n;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* as the shim does */
    char dir[] = "/tmp/corral-log-XXXXXX", b1[128], b2[128], b3[128], buf[4096];
    if (!mkdtemp(dir))
        return 1;
    int r1 = make_fifo(dir, 1, b1, sizeof b1), r2 = make_fifo(dir, 2, b2, sizeof b2);
    int r3 = make_fifo(dir, 3, b3, sizeof b3);
    close(r3); /* b3: nobody reads */
    CHECK(r1 >= 0 && r2 >= 0, "FIFOs made");
    CHECK(shim_log_add_bundle(b1) >= 0 && shim_log_add_bundle(b2) >= 0,
          "bundles with a reader are added");
    CHECK(shim_log_add_bundle(b3) == -1, "a FIFO without a reader is not");
    CHECK(shim_log_add_bundle("/nonexistent") == -1, "nor a bundle without a FIFO");

    shim_log_id("c1", "created %d", 7);
    CHECK(drain(r1, buf, sizeof buf) > 0 && strstr(buf, "corral-shim[") &&
              strstr(buf, "]: c1: created 7\n") && strchr(buf, '\n') == buf + strlen(buf) - 1,
          "one prefixed line in the first FIFO");
    CHECK(drain(r2, buf, sizeof buf) <= 0, "nothing in the second");
    shim_log("with newline\n");
    CHECK(drain(r1, buf, sizeof buf) > 0 && strstr(buf, "with newline\n") &&
              !strstr(buf, "\n\n"),
          "a trailing newline is not doubled");

    close(r1); /* containerd deleted the first container */
    shim_log("after the first is gone");
    CHECK(drain(r2, buf, sizeof buf) > 0 && strstr(buf, "after the first is gone\n"),
          "the line moves to the next FIFO");
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    shim_log("%s", big);
    CHECK(drain(r2, buf, sizeof buf) > 0 && buf[strlen(buf) - 1] == '\n' &&
              strlen(buf) < 2100,
          "a long line is truncated, still one line");
    close(r2);
    shim_log_set_fd(open("/dev/null", O_WRONLY));
    shim_log("to /dev/null");
    shim_log_set_fd(-1);
    for (int i = 1; i <= 3; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/b%d/log", dir, i);
        unlink(p);
        snprintf(p, sizeof p, "%s/b%d", dir, i);
        rmdir(p);
    }
    rmdir(dir);
    return unit_report("test_log");
}
