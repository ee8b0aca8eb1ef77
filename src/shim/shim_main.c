/* shim_main.c: containerd-shim-corral-v1, the binary contract of containerd's runtime v2.
 * `start` finds or starts the shim serving this container's group and prints its address;
 * the started shim is a daemon serving the task service over ttrpc until Shutdown.
 * `delete` cleans up after a shim that is gone. Protocol only: containers are container.h's,
 * and no child is reaped here (the runtime waits for the children it forks itself). */
#include "corral.h"
#include "shim/address.h"
#include "shim/container.h"
#include "shim/events.h"
#include "shim/log.h"
#include "shim/task.h"
#include "shim/ttrpc.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct Flags {
    const char *ns, *address, *publish_binary, *id, *bundle, *action;
    int debug, version, info;
} Flags;

static int usage(void)
{
    fprintf(stderr, "usage: containerd-shim-corral-v1 -namespace NS -address ADDR "
                    "-publish-binary BIN -id ID [-debug] [-bundle DIR] start|delete\n"
                    "       containerd-shim-corral-v1 -v\n");
    return 2;
}

/* Go's flag syntax, as containerd passes it: -name value, -name=value, --name; booleans
 * alone. Returns false on an unknown flag or a missing value. */
static bool parse_flag(Flags *f, int argc, char **argv, int *i)
{
    const char *a = argv[*i] + 1 + (argv[*i][1] == '-');
    const char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    static const struct {
        const char *name;
        size_t off;
    } strs[] = {
        {"namespace", offsetof(Flags, ns)},
        {"address", offsetof(Flags, address)},
        {"publish-binary", offsetof(Flags, publish_binary)},
        {"id", offsetof(Flags, id)},
        {"bundle", offsetof(Flags, bundle)},
    };
    for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++) {
        if (strlen(strs[k].name) == n && strncmp(a, strs[k].name, n) == 0) {
            const char **dst = (const char **)((char *)f + strs[k].off);
            if (eq)
                *dst = eq + 1;
            else if (*i + 1 < argc)
                *dst = argv[++*i];
            else
                return false;
            return true;
        }
    }
    int *flag = strncmp(a, "debug", n) == 0 && n == 5  ? &f->debug
                : strncmp(a, "v", n) == 0 && n == 1    ? &f->version
                : strncmp(a, "info", n) == 0 && n == 4 ? &f->info
                                                       : NULL;
    if (flag)
        *flag = !eq || strcmp(eq + 1, "false") != 0;
    return flag != NULL;
}

static bool parse_flags(Flags *f, int argc, char **argv)
{
    *f = (Flags){.ns = "default", .address = "", .publish_binary = "", .id = ""};
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) {
            if (!parse_flag(f, argc, argv, &i))
                return false;
        } else if (!f->action) {
            f->action = argv[i];
        } else {
            return false;
        }
    }
    return true;
}

/* ---- start ---- */

static void write_address_file(const char *bundle, const char *address)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/address", bundle);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(address, f);
        fclose(f);
    }
}

/* The daemon's stdio: /dev/null in, and out to the log (containerd reads start's stdout and
 * stderr until every copy is closed, so none may stay with the daemon). */
static void redirect_stdio(int log_fd)
{
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(log_fd >= 0 ? log_fd : null, STDERR_FILENO);
        if (null > STDERR_FILENO)
            close(null);
    }
}

/* Serves until Shutdown, then makes sure the last events reached containerd. */
static int serve(const Flags *f, int listen_fd, const char *socket_path)
{
    ShimEvents *events = shim_events_new(getenv("TTRPC_ADDRESS"), f->ns);
    ShimTasks *tasks = shim_tasks_new(f->ns, f->address, events);
    size_t n;
    const TtrpcMethod *methods = shim_task_methods(&n);
    TtrpcServer *srv = tasks ? ttrpc_server_new(listen_fd, methods, n, tasks) : NULL;
    if (!events || !srv) {
        shim_log("out of memory starting the shim");
        return 1;
    }
    shim_log("serving %s for namespace %s", socket_path, f->ns);
    int rc = ttrpc_server_run(srv);
    unlink(socket_path);
    /* /tasks/delete must reach containerd before the process goes. Nothing is freed: with
     * Shutdown{now} guests and requests may still run on other threads, and may still
     * queue events, until the exit. */
    if (!shim_events_drain(events, 2000))
        shim_log("exiting with events not yet published");
    shim_log("shim exits (%s)", rc == 0 ? "shutdown" : "accept failed");
    return rc == 0 ? 0 : 1;
}

/* Double fork: the daemon is re-parented away from containerd and leads no session that
 * could acquire a terminal. In the parent returns after the first child has exited. */
static int daemonize(const Flags *f, int listen_fd, int log_fd, const char *socket_path)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        int st;
        while (waitpid(pid, &st, 0) < 0) { /* our own child, by pid */
        }
        return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
    }
    setsid();
    pid = fork();
    if (pid != 0)
        _exit(pid < 0 ? 1 : 0);
    redirect_stdio(log_fd);
    if (chdir("/") != 0) { /* the bundle may be removed while a grouped shim lives on */
    }
    _exit(serve(f, listen_fd, socket_path));
}

static int cmd_start(const Flags *f)
{
    char bundle[PATH_MAX], path[108], address[120];
    if (!getcwd(bundle, sizeof bundle) || !*f->id) {
        fprintf(stderr, "start: no bundle (cwd) or no -id\n");
        return 1;
    }
    char *group = shim_group_of(bundle, f->id);
    int rc = group
                 ? shim_socket_path(shim_socket_dir(), f->address, f->ns, group, path, sizeof path)
                 : -1;
    free(group);
    if (rc != 0) {
        fprintf(stderr, "start: no socket path for %s under %s\n", f->id, shim_socket_dir());
        return 1;
    }
    snprintf(address, sizeof address, "unix://%s", path);
    if (!shim_socket_alive(path)) { /* else the group's shim gets this container's Create */
        int fd = shim_socket_listen(path);
        if (fd < 0) {
            fprintf(stderr, "start: cannot listen on %s: %m\n", path);
            return 1;
        }
        int log_fd = shim_log_add_bundle(bundle);
        if (daemonize(f, fd, log_fd, path) != 0) {
            unlink(path);
            fprintf(stderr, "start: cannot start the shim daemon\n");
            return 1;
        }
        close(fd);
    }
    write_address_file(bundle, address);
    printf("%s\n", address);
    return 0;
}

/* ---- delete ---- */

/* After cleanup: DeleteResponse{pid=1, exit_status=2, exited_at=3} on stdout, the status
 * being SIGKILL's (128 + 9) as runc's shim reports a container it did not see exit. */
static int print_delete_response(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    PbBuf b = {0};
    pb_uint(&b, 2, 128 + SIGKILL);
    pb_timestamp(&b, 3, &now);
    bool ok = !b.oom && fwrite(b.data, 1, b.len, stdout) == b.len && fflush(stdout) == 0;
    pb_buf_free(&b);
    return ok ? 0 : 1;
}

/* A socket left by a shim that died without Shutdown goes too, unless the group's shim
 * still serves other containers there. */
static void remove_stale_socket(const Flags *f, const char *bundle)
{
    char path[108];
    char *group = shim_group_of(bundle, f->id);
    if (group &&
        shim_socket_path(shim_socket_dir(), f->address, f->ns, group, path, sizeof path) == 0 &&
        !shim_socket_alive(path))
        unlink(path);
    free(group);
}

static int cmd_delete(const Flags *f)
{
    char cwd[PATH_MAX];
    const char *bundle = f->bundle && *f->bundle ? f->bundle : getcwd(cwd, sizeof cwd);
    if (!bundle) {
        fprintf(stderr, "delete: no bundle\n");
        return 1;
    }
    remove_stale_socket(f, bundle);
    char *err = NULL;
    if (shim_container_cleanup(bundle, &err) != SHIM_OK) {
        fprintf(stderr, "delete: %s\n", err ? err : "cleanup failed");
        free(err);
        return 1;
    }
    return print_delete_response();
}

int main(int argc, char **argv)
{
    Flags f;
    if (!parse_flags(&f, argc, argv))
        return usage();
    if (f.version) {
        printf("containerd-shim-corral-v1:\n  Version:  %s\n", CORRAL_VERSION);
        return 0;
    }
    if (f.info) {
        fprintf(stderr, "-info is not supported (containerd 1.7+ RuntimeInfo)\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN); /* a peer gone mid-write is an error return, not a death */
    shim_log_debug = f.debug;
    if (f.action && strcmp(f.action, "start") == 0)
        return cmd_start(&f);
    if (f.action && strcmp(f.action, "delete") == 0)
        return cmd_delete(&f);
    return usage();
}
