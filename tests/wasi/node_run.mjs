// node_run.mjs: runs a WASI command module under Node's node:wasi with the subset of
// `corral run`'s syntax that Node can honour, so tests/wasi/run.sh can use Node as the
// reference for cases that do not need a sandbox (Node follows symlinks out of its preopens:
// never use it as a sandbox reference).
//
// usage: node node_run.mjs [--dir HOST[::GUEST]]... [--env NAME[=VALUE]]... [--argv0 NAME]
//                          MODULE.wasm [ARGS...]
// stdin, stdout and stderr are the process's own fds 0, 1 and 2. The guest's exit code is the
// process's exit code; a trap prints "error: trap: MESSAGE" (V8's wording mapped to the spec's
// for the common traps) and exits 134, as corral does. Options corral has and Node cannot
// honour (--dir-ro, --fuel, --timeout, --max-memory, --max-stack) are refused with exit 2.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

function usage(msg) {
    process.stderr.write(`node_run: ${msg}\n`);
    process.exit(2);
}

const preopens = {};
const env = {};
let argv0 = null;
const argv = process.argv.slice(2);
let i = 0;
for (; i < argv.length && argv[i].startsWith('--'); i++) {
    const opt = argv[i];
    const val = argv[i + 1];
    if (val === undefined) usage(`${opt} needs a value`);
    if (opt === '--dir') {
        const sep = val.indexOf('::');
        const host = sep < 0 ? val : val.slice(0, sep);
        const guest = sep < 0 ? val : val.slice(sep + 2);
        preopens[guest] = host;
    } else if (opt === '--env') {
        const eq = val.indexOf('=');
        if (eq >= 0) env[val.slice(0, eq)] = val.slice(eq + 1);
        else if (process.env[val] !== undefined) env[val] = process.env[val];
    } else if (opt === '--argv0') {
        argv0 = val;
    } else {
        usage(`${opt} is not supported under Node`);
    }
    i++;
}
if (i >= argv.length) usage('no module given');
const modulePath = argv[i];
const args = [argv0 ?? modulePath, ...argv.slice(i + 1)];

// V8's trap messages, in the spec's words (the ones corral prints).
const TRAP_WORDS = [
    [/^unreachable/, 'unreachable'],
    [/^divide by zero/, 'integer divide by zero'],
    [/^remainder by zero/, 'integer divide by zero'],
    [/^divide result unrepresentable/, 'integer overflow'],
    [/^memory access out of bounds/, 'out of bounds memory access'],
    [/^float unrepresentable in integer range/, 'invalid conversion to integer'],
    [/^Maximum call stack size exceeded/, 'call stack exhausted'],
];

function trapMessage(err) {
    for (const [re, words] of TRAP_WORDS) if (re.test(err.message)) return words;
    return err.message;
}

const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
let code;
try {
    const module = await WebAssembly.compile(readFileSync(modulePath));
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
    code = wasi.start(instance);
} catch (err) {
    if (!(err instanceof WebAssembly.RuntimeError || err instanceof RangeError)) throw err;
    process.stderr.write(`error: trap: ${trapMessage(err)}\n`);
    code = 134;
}
process.exitCode = code;
