/* test_native_load.c: what test_cc cannot see from outside native_load.c: the memfd is sealed
 * against every change and stays open while the object is loaded, the temporary-file fallback
 * loads too and leaves no file, the code range comes from the program headers as the loader
 * mapped them, and the ELF pre-checks. The .c is included under other names,
 * so the library's copy is not linked. */
#define native_so_open t_native_so_open
#define native_so_sym t_native_so_sym
#define native_so_close t_native_so_close
#define native_so_code_range t_native_so_code_range
#include "engine/native_load.c"

#include "compile/cc.h"
#include "compile/tier.h"
#include "unit.h"
#include "util/fs.h"

#include <dirent.h>


int main(void)
{
    /* as in test_cc: no compiled tier here, no object of this machine to load */
    const char *unsupported = tier_native_unsupported();
    if (unsupported) {
        printf("test_native_load: not run: %s\n", unsupported);
        return unit_report("test_native_load");
    }
    char scratch[] = "/tmp/corral-native-test-XXXXXX";
    if (!mkdtemp(scratch))
        return 1;
    const char *src = "__attribute__((visibility(\"default\"))) int corral_probe(int x) "
                      "{ return x + 100; }";
    CcConfig cfg = {.tmpdir = scratch, .opt = 1};
    uint8_t *so;
    size_t len;
    char err[512] = "";
    if (cc_compile(&cfg, src, strlen(src), &so, &len, err, sizeof err) != 0) {
        CHECK(0, err);
        return unit_report("test_native_load");
    }

    void *sym = NULL;
    NativeSo *h = t_native_so_open(so, len, "corral_probe", &sym, err, sizeof err);
    CHECK(h && sym && ((int (*)(int))sym)(1) == 101, err);
    if (h) {
        int seals = fcntl(h->fd, F_GET_SEALS);
        CHECK(seals == (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), "sealed");
        CHECK(write(h->fd, "x", 1) == -1 && errno == EPERM, "write refused");
        CHECK(ftruncate(h->fd, 0) == -1 && errno == EPERM, "shrink refused");
        CHECK(t_native_so_sym(h, "corral_probe") == sym, "native_so_sym");
        /* the range, against what the loader says about the function's object */
        uintptr_t lo, hi;
        t_native_so_code_range(h, &lo, &hi);
        CHECK(lo < hi && (uintptr_t)sym >= lo && (uintptr_t)sym < hi, "function in the range");
        Dl_info di;
        CHECK(dladdr(sym, &di) && (uintptr_t)di.dli_fbase <= lo, "range within the object");
    }
    t_native_so_close(h);
    t_native_so_close(NULL);

    /* The fallback, in the scratch directory: loads, and no file is left. */
    setenv("TMPDIR", scratch, 1);
    void *dl = open_tempfile(so, len, err, sizeof err);
    CHECK(dl != NULL, err);
    int (*f)(int) = dl ? (int (*)(int))dlsym(dl, "corral_probe") : NULL;
    CHECK(f && f(2) == 102, "fallback object runs");
    CHECK(unit_dir_entries(scratch, NULL, 0) == 0, "fallback file unlinked");
    void *dl2 = open_tempfile(so, len, err, sizeof err);
    CHECK(dl2 && dl2 != dl, "a second fallback load is a second object");
    if (dl)
        dlclose(dl);
    if (dl2)
        dlclose(dl2);

    /* The memfd gets the loader's part: the segments, not the section headers after them. */
    ElfW(Ehdr) h0;
    memcpy(&h0, so, sizeof h0);
    CHECK(image_len(so, len) < len && image_len(so, len) <= h0.e_shoff, "image ends before the section headers");

    /* ELF pre-checks: a bad program header table, and a segment past the end. */
    uint8_t *b = malloc(len);
    memcpy(b, so, len);
    ElfW(Ehdr) eh;
    memcpy(&eh, b, sizeof eh);
    CHECK(elf_problem(b, len) == NULL, "intact object passes");
    CHECK(elf_problem(b, sizeof eh - 1) != NULL, "short header");
    eh.e_phnum = 0xffff;
    memcpy(b, &eh, sizeof eh);
    CHECK(elf_problem(b, len) && strstr(elf_problem(b, len), "program headers"), "phnum");
    memcpy(b, so, len);
    memcpy(&eh, b, sizeof eh);
    for (size_t i = 0; i < eh.e_phnum && i < 64; i++) {
        ElfW(Phdr) ph;
        memcpy(&ph, b + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type == PT_LOAD) {
            ph.p_filesz = len - ph.p_offset + 1;
            memcpy(b + eh.e_phoff + i * sizeof ph, &ph, sizeof ph);
            break;
        }
    }
    CHECK(elf_problem(b, len) && strstr(elf_problem(b, len), "past the end"), "segment");
    b[4] = ELFCLASS32;
    CHECK(elf_problem(b, len) && strstr(elf_problem(b, len), "word size"), "class");
    free(b);
    free(so);
    fs_remove_tree(scratch);
    return unit_report("test_native_load");
}
