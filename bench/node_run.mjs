// node_run.mjs: runs one exported function of a wasm module on Node's V8, for bench/run.sh.
//   node bench/node_run.mjs FILE.wasm NAME ARG...
//     prints the result like `corral run`; the caller times the whole process.
//   node bench/node_run.mjs --time N FILE.wasm NAME ARG...
//     also calls the function N times in this process after instantiating it, and prints
//     `median_s=SECONDS` (the median call, warm) to stderr.
// The module may import nothing; the function must give the same result on every call.
import { readFileSync } from 'node:fs';

let argv = process.argv.slice(2);
let times = 0;
if (argv[0] === '--time') {
    times = Number(argv[1]);
    argv = argv.slice(2);
}
const [file, name, ...args] = argv;
if (!file || !name) {
    console.error('usage: node node_run.mjs [--time N] FILE.wasm NAME ARG...');
    process.exit(2);
}
const { instance } = await WebAssembly.instantiate(readFileSync(file), {});
const fn = instance.exports[name];
if (typeof fn !== 'function') {
    console.error(`no exported function ${name}`);
    process.exit(2);
}
const params = args.map(Number);
let result = fn(...params);
if (times > 0) {
    const samples = [];
    for (let i = 0; i < times; i++) {
        const t0 = process.hrtime.bigint();
        result = fn(...params);
        samples.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    samples.sort((a, b) => a - b);
    const mid = samples.length >> 1;
    const median = samples.length % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
    console.error(`median_s=${median}`);
}
if (result !== undefined) console.log(String(result));
