/* jit_run.c: the LLVM JIT route of the compiled-tier study. Loads LLVM IR (a wasm2c module and
 * its study_entry, see w2c_entry.c), optimises it with the new pass manager's default<O2>,
 * compiles it with ORC's LLJIT for this host, calls study_entry(ARG) once and prints the
 * result (with ARG "compile-only", it stops after compiling). stderr gets one line of timings:
 * what a Corral JIT built on the LLVM C API pays. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/IRReader.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

typedef int (*EntryFn)(int32_t arg, int32_t *out_result);

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* check: reports an LLVM error (consuming it) and exits. */
static void check(LLVMErrorRef err, const char *what)
{
    char *msg;

    if (!err)
        return;
    msg = LLVMGetErrorMessage(err);
    fprintf(stderr, "jit_run: %s: %s\n", what, msg);
    LLVMDisposeErrorMessage(msg);
    exit(1);
}

/* host_machine: a target machine for this CPU at codegen level -O2 (owned by the caller). */
static LLVMTargetMachineRef host_machine(void)
{
    char *triple = LLVMGetDefaultTargetTriple(), *cpu = LLVMGetHostCPUName();
    char *features = LLVMGetHostCPUFeatures(), *msg = NULL;
    LLVMTargetRef target;
    LLVMTargetMachineRef tm;

    if (LLVMGetTargetFromTriple(triple, &target, &msg)) {
        fprintf(stderr, "jit_run: %s\n", msg);
        exit(1);
    }
    tm = LLVMCreateTargetMachine(target, triple, cpu, features, LLVMCodeGenLevelDefault,
                                 LLVMRelocDefault, LLVMCodeModelJITDefault);
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    return tm;
}

/* load_module: parses the IR file PATH (text or bitcode) into CTX. */
static LLVMModuleRef load_module(LLVMContextRef ctx, const char *path)
{
    LLVMMemoryBufferRef buf;
    LLVMModuleRef mod;
    char *msg = NULL;

    if (LLVMCreateMemoryBufferWithContentsOfFile(path, &buf, &msg)
        || LLVMParseIRInContext(ctx, buf, &mod, &msg)) {
        fprintf(stderr, "jit_run: %s: %s\n", path, msg ? msg : "cannot read");
        exit(1);
    }
    return mod;
}

int main(int argc, char **argv)
{
    LLVMOrcThreadSafeContextRef tsc;
    LLVMOrcLLJITBuilderRef builder;
    LLVMOrcLLJITRef jit;
    LLVMOrcDefinitionGeneratorRef gen;
    LLVMOrcExecutorAddress addr;
    LLVMPassBuilderOptionsRef opts;
    LLVMTargetMachineRef tm;
    LLVMModuleRef mod;
    int32_t result = 0;
    double t0, t1, t2, t3, t4;
    int trap;

    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE.bc ARG|compile-only\n", argv[0]);
        return 2;
    }
    t0 = now_ms();
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
    tsc = LLVMOrcCreateNewThreadSafeContext();
    mod = load_module(LLVMOrcThreadSafeContextGetContext(tsc), argv[1]);
    t1 = now_ms();

    tm = host_machine();
    opts = LLVMCreatePassBuilderOptions();
    check(LLVMRunPasses(mod, "default<O2>", tm, opts), "optimising");
    LLVMDisposePassBuilderOptions(opts);
    LLVMDisposeTargetMachine(tm);
    t2 = now_ms();

    builder = LLVMOrcCreateLLJITBuilder();
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(
        builder, LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(host_machine()));
    check(LLVMOrcCreateLLJIT(&jit, builder), "creating the JIT");
    check(LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
              &gen, LLVMOrcLLJITGetGlobalPrefix(jit), NULL, NULL),
          "process symbols");
    LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(jit), gen);
    check(LLVMOrcLLJITAddLLVMIRModule(jit, LLVMOrcLLJITGetMainJITDylib(jit),
                                      LLVMOrcCreateNewThreadSafeModule(mod, tsc)),
          "adding the module");
    LLVMOrcDisposeThreadSafeContext(tsc);
    check(LLVMOrcLLJITLookup(jit, &addr, "study_entry"), "compiling study_entry");
    t3 = now_ms();
    if (strcmp(argv[2], "compile-only") == 0) {
        fprintf(stderr, "jit_ms load=%.2f opt=%.2f codegen=%.2f run=0\n", t1 - t0, t2 - t1,
                t3 - t2);
        return 0;
    }

    trap = ((EntryFn)(uintptr_t)addr)((int32_t)strtol(argv[2], NULL, 10), &result);
    t4 = now_ms();
    if (trap != 0) {
        fprintf(stderr, "jit_run: trap %d\n", trap);
        return 1;
    }
    printf("%d\n", (int)result);
    fprintf(stderr, "jit_ms load=%.2f opt=%.2f codegen=%.2f run=%.2f\n", t1 - t0, t2 - t1,
            t3 - t2, t4 - t3);
    check(LLVMOrcDisposeLLJIT(jit), "disposing");
    return 0;
}
