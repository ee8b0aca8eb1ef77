/* native_load.c: a shared object from memory into the process (native_load.h). The object is
 * written to a memfd, sealed against every change, and dlopen'ed through /proc/PID/fd/N.
 * The memfd stays open as long as the object is loaded: glibc recognises an already loaded
 * object by the path it was opened with, and a closed fd's number, reused for the next object,
 * would hand back the first one (seen: two objects, one function). */
#include "engine/native_load.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct NativeSo {
    void *dl;
    int fd; /* the memfd the object was loaded from; -1 for the temporary-file fallback */
    uintptr_t code_lo, code_hi; /* the union of the executable segments, as loaded */
} NativeSo;

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* This program's own ELF header (GNU ld and lld define the symbol): the machine to match. */
extern const ElfW(Ehdr) __ehdr_start __attribute__((weak, visibility("hidden")));

/* The ELF checks the dynamic loader leaves out: it maps segments past the end of a truncated
 * file and the process dies of SIGBUS on the first touch, and it reports another CPU's object as
 * "No such file or directory". The bytes were verified by a
 * checksum; this keeps a mistake in a caller from crashing the process. NULL when the header
 * and the loadable segments lie within len, else what is wrong. */
static const char *elf_problem(const uint8_t *so, size_t len)
{
    ElfW(Ehdr) eh;
    if (len < sizeof eh)
        return "not an ELF object (too short)";
    memcpy(&eh, so, sizeof eh);
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return "not an ELF object (bad magic)";
    if (eh.e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
        eh.e_type != ET_DYN || eh.e_phentsize != sizeof(ElfW(Phdr)))
        return "not a shared object of this machine's word size";
    if (&__ehdr_start && (eh.e_machine != __ehdr_start.e_machine ||
                          eh.e_ident[EI_DATA] != __ehdr_start.e_ident[EI_DATA]))
        return "an ELF object for another kind of CPU";
    if (eh.e_phoff > len || eh.e_phnum > (len - eh.e_phoff) / sizeof(ElfW(Phdr)))
        return "truncated ELF object (program headers)";
    for (size_t i = 0; i < eh.e_phnum; i++) {
        ElfW(Phdr) ph;
        memcpy(&ph, so + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type == PT_LOAD && (ph.p_offset > len || ph.p_filesz > len - ph.p_offset))
            return "truncated ELF object (a segment lies past the end)";
    }
    return NULL;
}

/* How much of so the loader reads: through the end of the program header table and of every
 * segment's bytes (elf_problem checked them). What follows, the section headers and their
 * names, only tools read: a hello world's object then fits 4 pages of the memfd, not 5. */
static size_t image_len(const uint8_t *so, size_t len)
{
    ElfW(Ehdr) eh;
    memcpy(&eh, so, sizeof eh);
    size_t end = eh.e_phoff + (size_t)eh.e_phnum * sizeof(ElfW(Phdr));
    for (size_t i = 0; i < eh.e_phnum; i++) {
        ElfW(Phdr) ph;
        memcpy(&ph, so + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
            return len; /* not a loadable segment's, or elf_problem would have refused it */
        if (ph.p_offset + ph.p_filesz > end)
            end = (size_t)(ph.p_offset + ph.p_filesz);
    }
    return end > sizeof eh ? end : sizeof eh;
}

/* The union of so's executable segments at load bias base (elf_problem checked the program
 * headers): what native_so_code_range reports, without asking the loader (dladdr,
 * dl_iterate_phdr). */
static void code_range(const uint8_t *so, uintptr_t base, uintptr_t *lo, uintptr_t *hi)
{
    ElfW(Ehdr) eh;
    memcpy(&eh, so, sizeof eh);
    *lo = *hi = 0;
    for (size_t i = 0; i < eh.e_phnum; i++) {
        ElfW(Phdr) ph;
        memcpy(&ph, so + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X) || ph.p_memsz == 0)
            continue;
        uintptr_t a = base + ph.p_vaddr, b = a + ph.p_memsz;
        if (*hi == 0 || a < *lo)
            *lo = a;
        if (b > *hi)
            *hi = b;
    }
}

/* A sealed memfd holding the bytes; -1 with errno set (ENOSYS, EINVAL: none on this system). */
static int sealed_memfd(const uint8_t *so, size_t len)
{
    int fd = memfd_create("corral-native", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -1;
    if (write_all(fd, so, len) != 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Appends the decimal digits of v at path + *at. */
static void put_decimal(char *path, size_t *at, unsigned long v)
{
    char digits[24];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        path[(*at)++] = digits[--n];
}

/* "/proc/PID/fd/N" into path: the first lookup of /proc/self's symbolic link in a process
 * costs a few us more (measured 15.6 against 13.0 us for the first open). Not snprintf: the
 * first printf of a process runs about 10 us of cold libc code, and nothing else in a run of
 * an artifact prints. */
static void fd_path(int fd, char path[48])
{
    size_t at = sizeof "/proc/" - 1;
    memcpy(path, "/proc/", at);
    put_decimal(path, &at, (unsigned long)getpid());
    memcpy(path + at, "/fd/", 4);
    at += 4;
    put_decimal(path, &at, (unsigned long)fd);
    path[at] = '\0';
}

/* Where memfd_create is missing: a private file (O_EXCL, 0600) in $TMPDIR or /tmp, loaded by
 * its path and unlinked at once. The process-wide counter in its name keeps every path unique
 * within this process, which is what glibc's "already loaded" check compares. */
static void *open_tempfile(const uint8_t *so, size_t len, char *err, size_t errlen)
{
    static atomic_ulong counter;
    const char *tmp = getenv("TMPDIR");
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/corral-native-%ld-%lu-XXXXXX", tmp && tmp[0] ? tmp : "/tmp",
             (long)getpid(), atomic_fetch_add(&counter, 1));
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot load compiled code: temporary file %s: %s", path,
                 strerror(errno));
        return NULL;
    }
    void *dl = NULL;
    if (write_all(fd, so, len) != 0)
        snprintf(err, errlen, "cannot load compiled code: writing %s: %s", path, strerror(errno));
    else if (!(dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)))
        snprintf(err, errlen, "cannot load compiled code: %s", dlerror());
    unlink(path);
    close(fd);
    return dl;
}

void *native_so_open(const uint8_t *so, size_t len, const char *symbol, void **sym_out,
                     char *err, size_t errlen)
{
    if (sym_out)
        *sym_out = NULL;
    NativeSo *h = malloc(sizeof *h);
    if (!h) {
        snprintf(err, errlen, "cannot load compiled code: out of memory");
        return NULL;
    }
    h->dl = NULL;
    h->fd = -1;
    const char *problem = elf_problem(so, len);
    if (problem) {
        snprintf(err, errlen, "cannot load compiled code: %s", problem);
        native_so_close(h);
        return NULL;
    }
    h->fd = sealed_memfd(so, image_len(so, len));
    if (h->fd >= 0) {
        char path[48];
        fd_path(h->fd, path);
        if (!(h->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)))
            snprintf(err, errlen, "cannot load compiled code: %s", dlerror());
    } else if (errno == ENOSYS || errno == EINVAL) {
        h->dl = open_tempfile(so, len, err, errlen);
    } else {
        snprintf(err, errlen, "cannot load compiled code: memfd: %s", strerror(errno));
    }
    struct link_map *lm = NULL;
    if (h->dl && (dlinfo(h->dl, RTLD_DI_LINKMAP, &lm) != 0 || !lm)) {
        snprintf(err, errlen, "cannot load compiled code: %s", dlerror());
        native_so_close(h);
        return NULL;
    }
    if (!h->dl) {
        native_so_close(h);
        return NULL;
    }
    code_range(so, (uintptr_t)lm->l_addr, &h->code_lo, &h->code_hi);
    if (symbol && sym_out && !(*sym_out = dlsym(h->dl, symbol))) {
        snprintf(err, errlen, "compiled code has no symbol `%s`", symbol);
        native_so_close(h);
        return NULL;
    }
    return h;
}

void *native_so_sym(void *handle, const char *symbol)
{
    NativeSo *h = handle;
    return dlsym(h->dl, symbol);
}

void native_so_code_range(void *handle, uintptr_t *lo, uintptr_t *hi)
{
    const NativeSo *h = handle;
    *lo = h->code_lo;
    *hi = h->code_hi;
}

void native_so_close(void *handle)
{
    NativeSo *h = handle;
    if (!h)
        return;
    if (h->dl)
        dlclose(h->dl);
    if (h->fd >= 0)
        close(h->fd);
    free(h);
}
