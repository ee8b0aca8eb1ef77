// node_wasi.mjs: runs a WASI command (its _start) on Node's V8 with node:wasi, for the
// start-up benchmark in bench/startup_limits.sh; the caller times the whole process.
//   node --no-warnings bench/startup/node_wasi.mjs FILE.wasm [ARGS...]
// The guest sees ARGS (after argv[0] = FILE, or $WASI_ARGV0 when set, as `corral run
// --argv0`), an empty environment and no directories, as under `corral run`; its exit status
// is the process's.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [file, ...args] = process.argv.slice(2);
if (!file) {
    console.error('usage: node node_wasi.mjs FILE.wasm [ARGS...]');
    process.exit(2);
}
const wasi = new WASI({ version: 'preview1', args: [process.env.WASI_ARGV0 || file, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance);
