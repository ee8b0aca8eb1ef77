// v8_tiers.mjs: V8's two Wasm compilers as stand-ins for the two kinds of backend the study
// cannot build itself: Liftoff (a single-pass baseline compiler, what an own x86-64 code
// generator would be first) and TurboFan (an optimizing one). study.sh picks the tier with
// V8 flags and runs:
//   node FLAGS v8_tiers.mjs compile FILE.wasm N      median of N WebAssembly.compile, ms
//   node FLAGS v8_tiers.mjs run FILE.wasm NAME ARG N  result; stderr: median_s of N warm calls
// Imported functions are stubs, as in w2c_wasi.c: 52 (WASI's ENOSYS), except fd_prestat_get
// (8, EBADF: no preopened directories) and proc_exit (throws); _initialize runs if exported.
import { readFileSync } from 'node:fs';

const [mode, file, ...rest] = process.argv.slice(2);
const bytes = readFileSync(file);

function median(samples) {
    samples.sort((a, b) => a - b);
    const mid = samples.length >> 1;
    return samples.length % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
}

function stubImports(module) {
    const imports = {};
    for (const imp of WebAssembly.Module.imports(module)) {
        if (imp.kind !== 'function') throw new Error(`import ${imp.module}.${imp.name}: not a function`);
        imports[imp.module] ??= {};
        imports[imp.module][imp.name] = imp.name === 'fd_prestat_get' ? () => 8
            : imp.name === 'proc_exit' ? (code) => { throw new Error(`proc_exit(${code})`); }
            : () => 52;
    }
    return imports;
}

if (mode === 'compile') {
    const n = Number(rest[0]);
    const samples = [];
    for (let i = 0; i < n; i++) {
        // V8 caches compiled modules by their bytes: a custom section "x" holding i makes
        // every compilation a new module.
        const unique = new Uint8Array(bytes.length + 5);
        unique.set(bytes);
        unique.set([0, 3, 1, 0x78, i & 0x7f], bytes.length);
        const t0 = process.hrtime.bigint();
        await WebAssembly.compile(unique);
        samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    console.log(`median_ms=${median(samples).toFixed(1)}`);
} else if (mode === 'run') {
    const [name, arg, n] = rest;
    const module = await WebAssembly.compile(bytes);
    const instance = await WebAssembly.instantiate(module, stubImports(module));
    if (instance.exports._initialize) instance.exports._initialize();
    const fn = instance.exports[name];
    let result = fn(Number(arg));
    const samples = [];
    for (let i = 0; i < Number(n); i++) {
        const t0 = process.hrtime.bigint();
        result = fn(Number(arg));
        samples.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    console.error(`median_s=${median(samples)}`);
    console.log(String(result));
} else {
    console.error('usage: node v8_tiers.mjs compile FILE.wasm N | run FILE.wasm NAME ARG N');
    process.exit(2);
}
