// clang.mjs TOOL ARGS...: runs @yowasp/clang's TOOL (clang, clang++, or an LLVM utility such
// as objdump) on real files, for tests/cxx_eh/run.sh. The package runs its tools in a virtual
// filesystem: each argument that names an existing file is put there under its base name
// (so base names must differ), and the file named by -o is written back.
import { runClang, runLLVM } from '@yowasp/clang';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

// The package reports its first load ("fetched N%") on the console, whatever fetchProgress says.
const log = console.log;
console.log = (...a) => /^yowasp-llvm: fetched /.test(String(a[0])) || log(...a);

const [tool, ...argv] = process.argv.slice(2);
const files = {};
let out = null;
const args = argv.map((arg, i) => {
    if (argv[i - 1] === '-o') {
        out = arg;
        return basename(arg);
    }
    if (existsSync(arg) && statSync(arg).isFile()) {
        files[basename(arg)] = readFileSync(arg);
        return basename(arg);
    }
    return arg;
});
const run = tool === 'clang' || tool === 'clang++' ? runClang : runLLVM;
const options = {
    stdout: (bytes) => bytes && process.stdout.write(bytes),
    stderr: (bytes) => bytes && process.stderr.write(bytes),
    fetchProgress: () => {},
};
try {
    const tree = await run([tool, ...args], files, options);
    if (out) writeFileSync(out, tree[basename(out)]);
} catch (e) {
    if (typeof e.code === 'number') process.exit(e.code);
    throw e;
}
