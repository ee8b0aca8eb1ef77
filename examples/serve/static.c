/* static.c: a static file server. Shows a module reading files from a `volumes` mount: in
 * modules.toml, volumes = { "/static" = "examples/serve/static" } preopens that host
 * directory, and the guest opens paths under /static with ordinary libc calls. It serves
 * the file PATH_INFO names (the part of the URL after the route's prefix), with:
 *   - a Content-Type guessed from the extension (html css js json png jpg svg txt wasm);
 *   - index.html for a directory that has one, else a small HTML listing; a directory asked
 *     for without its trailing slash is redirected to it (Status 301 + Location), so that
 *     relative links inside it resolve;
 *   - Status 404 with a text body for a missing file, 403 when the sandbox refuses, 400 for
 *     a ".." segment, 405 for methods other than GET and HEAD.
 * The sandbox already confines the guest to the mount (a ".." cannot climb out of a WASI
 * preopen), but a server should not lean on that alone: it checks the path itself, and
 * hides dot-files (.git, .env) as well.
 *
 * Build: scripts/build_examples.sh
 * Try:   build/corral run --dir examples/serve/static::/static --env PATH_INFO=/index.html \
 *          build/examples/serve/static.wasm */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define ROOT "/static" /* the guest path modules.toml mounts the files at */
#define PATH_CAP 1024  /* longest file path served */

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

/* ---- Responses ----------------------------------------------------------------------- */

/* Answers an error: Status, a text body naming the request path. text/plain plus nosniff
 * keeps a browser from reading an attacker's path as HTML. */
static int fail(const char *status, const char *what, const char *path)
{
    printf("Status: %s\nContent-Type: text/plain; charset=utf-8\n"
           "X-Content-Type-Options: nosniff\n\n%s: %s\n",
           status, what, path);
    return 0; /* a handled error is still a successful run: the status is in the header */
}

/* Maps the errno of a failed stat/open/opendir to a response. */
static int fail_errno(int err, const char *path)
{
    if (err == ENOENT || err == ENOTDIR)
        return fail("404 Not Found", "Not found", path);
    if (err == EACCES || err == EPERM || err == ENOTCAPABLE)
        return fail("403 Forbidden", "Forbidden", path);
    return fail("500 Internal Server Error", strerror(err), path);
}

/* The Content-Type for a file name, by its extension, ignoring case. */
static const char *content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"}, /* RFC 9239 */
        {"json", "application/json"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"svg", "image/svg+xml"},
        {"txt", "text/plain; charset=utf-8"},
        {"wasm", "application/wasm"},
    };
    const char *base = strrchr(name, '/');
    const char *dot = strrchr(base ? base : name, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcasecmp(dot + 1, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

/* Writes s with the five characters HTML gives meaning to escaped. */
static void html_text(const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", stdout);
            break;
        case '<':
            fputs("&lt;", stdout);
            break;
        case '>':
            fputs("&gt;", stdout);
            break;
        case '"':
            fputs("&quot;", stdout);
            break;
        case '\'':
            fputs("&#39;", stdout);
            break;
        default:
            putchar(*s);
        }
    }
}

/* Writes a file name as a relative URL: every byte but unreserved ones percent-encoded, so a
 * name holding '?', '#', ':' or a space still links to itself. */
static void url_text(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c))
            putchar(c);
        else
            printf("%%%02X", c);
    }
}

/* ---- Serving ------------------------------------------------------------------------- */

static int serve_file(const char *fs_path, const char *url_path, bool head)
{
    FILE *f = fopen(fs_path, "rb");
    if (!f)
        return fail_errno(errno, url_path);
    printf("Content-Type: %s\nX-Content-Type-Options: nosniff\n\n", content_type(fs_path));
    if (!head) {
        static char buf[64 * 1024];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, n, stdout);
        /* A read error now can only cut the body short: the headers are already written. */
    }
    fclose(f);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists directory fs_dir (ending in '/') as HTML: sorted names, '/' after subdirectories,
 * the size of files, and a link to the parent unless this is the mount's root. */
static int serve_listing(const char *fs_dir, const char *url_path, bool at_root, bool head)
{
    DIR *d = opendir(fs_dir);
    if (!d)
        return fail_errno(errno, url_path);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ".", ".." and hidden files */
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);

    printf("Content-Type: text/html; charset=utf-8\nX-Content-Type-Options: nosniff\n\n");
    if (head)
        return 0;
    printf("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ");
    html_text(url_path);
    printf("</title></head>\n<body>\n<h1>Index of ");
    html_text(url_path);
    printf("</h1>\n<ul>\n");
    if (!at_root)
        printf("<li><a href=\"../\">../</a></li>\n");
    for (size_t i = 0; i < n; i++) {
        char path[PATH_CAP];
        struct stat st;
        bool dir = false;
        long long size = -1;
        if ((size_t)snprintf(path, sizeof path, "%s%s", fs_dir, names[i]) < sizeof path &&
            stat(path, &st) == 0) {
            dir = S_ISDIR(st.st_mode);
            size = (long long)st.st_size;
        }
        printf("<li><a href=\"");
        url_text(names[i]);
        printf("%s\">", dir ? "/" : "");
        html_text(names[i]);
        printf("%s</a>", dir ? "/" : "");
        if (!dir && size >= 0)
            printf(" (%lld byte%s)", size, size == 1 ? "" : "s");
        printf("</li>\n");
        free(names[i]);
    }
    printf("</ul>\n</body></html>\n");
    free(names);
    return 0;
}

/* Redirects to the same URL with a '/' after the path. X_FULL_URL is the absolute URL WAGI
 * requires in Location ("http://host:port/raw/path?query"); without it (a run outside the
 * gateway) the path alone has to do. Corral lets Status pick 301 over Location's default
 * 302; WAGI lets either win. */
static int redirect_to_slash(const char *url_path)
{
    const char *full = getenv("X_FULL_URL");
    printf("Status: 301 Moved Permanently\nLocation: ");
    if (full && *full) {
        size_t path_end = strcspn(full, "?");
        printf("%.*s/%s", (int)path_end, full, full + path_end);
    } else {
        printf("%s/", url_path);
    }
    printf("\nContent-Type: text/plain; charset=utf-8\n\nMoved to %s/\n", url_path);
    return 0;
}

/* The request's path: SCRIPT_NAME (the route's prefix) then PATH_INFO, with one '/' where
 * they meet: the route "/..." has SCRIPT_NAME "/", and "/" + "/x" is "/x". */
static void request_path(const char *info, char *out, size_t cap)
{
    const char *script = env_or("SCRIPT_NAME", "");
    size_t sn = strlen(script);
    if (sn && script[sn - 1] == '/' && info[0] == '/')
        sn--;
    snprintf(out, cap, "%.*s%s", (int)sn, script, info);
    if (!*out)
        snprintf(out, cap, "/");
}

/* Builds ROOT plus the cleaned-up info path into out: empty and "." segments dropped. Returns
 * 0, or -1 for a ".." segment, -2 for a hidden (dot) name, -3 when it does not fit. */
static int clean_path(const char *info, char *out, size_t cap)
{
    size_t len = (size_t)snprintf(out, cap, "%s", ROOT);
    while (*info) {
        size_t seg = strcspn(info, "/");
        if (seg == 2 && info[0] == '.' && info[1] == '.')
            return -1;
        if (seg > 0 && !(seg == 1 && info[0] == '.')) {
            if (info[0] == '.')
                return -2;
            if (len + 1 + seg >= cap)
                return -3;
            out[len++] = '/';
            memcpy(out + len, info, seg);
            out[len += seg] = '\0';
        }
        info += seg + (info[seg] == '/');
    }
    return 0;
}

int main(void)
{
    const char *method = env_or("REQUEST_METHOD", "GET");
    bool head = strcmp(method, "HEAD") == 0;
    /* PATH_INFO is what follows the route's prefix, already percent-decoded: for the route
     * "/static/..." and the URL /static/css/a%20b.css it is "/css/a b.css". */
    const char *info = env_or("PATH_INFO", "");
    char url_path[PATH_CAP]; /* the request's path, for messages and the listing's title */
    request_path(info, url_path, sizeof url_path);

    if (!head && strcmp(method, "GET") != 0) {
        printf("Allow: GET, HEAD\n");
        return fail("405 Method Not Allowed", "Method not allowed", method);
    }
    char fs_path[PATH_CAP];
    switch (clean_path(info, fs_path, sizeof fs_path - sizeof "/index.html")) {
    case -1:
        return fail("400 Bad Request", "'..' is not allowed in the path", url_path);
    case -2:
        return fail("404 Not Found", "Not found", url_path);
    case -3:
        return fail("414 URI Too Long", "Path too long", url_path);
    }

    struct stat st;
    if (stat(fs_path, &st) != 0)
        return fail_errno(errno, url_path);
    if (S_ISREG(st.st_mode))
        return serve_file(fs_path, url_path, head);
    if (!S_ISDIR(st.st_mode))
        return fail("404 Not Found", "Not found", url_path);

    size_t in = strlen(info);
    if (in == 0 || info[in - 1] != '/')
        return redirect_to_slash(url_path);
    size_t fn = strlen(fs_path);
    strcpy(fs_path + fn, "/index.html"); /* clean_path left room for it */
    if (stat(fs_path, &st) == 0 && S_ISREG(st.st_mode))
        return serve_file(fs_path, url_path, head);
    strcpy(fs_path + fn, "/");
    return serve_listing(fs_path, url_path, strcmp(fs_path, ROOT "/") == 0, head);
}
