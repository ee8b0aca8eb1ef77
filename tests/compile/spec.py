#!/usr/bin/env python3
"""tests/compile/spec.py: runs .wast scripts of the spec suite through the C emitter.

For each module of a script (converted by wast2json): build/tests/emit_c, gcc -O2 with
tests/compile/driver.c, then every assert_return / assert_trap / assert_exhaustion / action
on it through the driver's batch protocol, and compares with the script's expectations.
Modules with imports (which the emitter refuses for now), named-module actions, v128 and
the assert_invalid/malformed/unlinkable families are counted as skipped.

usage: tests/compile/spec.py WAST...   (prints one line per script, exits 1 on any failure)
"""
import json, os, subprocess, sys

OUT = "build/tests/compile/spec"
GEN = ["gcc", "-O2", "-std=gnu11", "-fno-math-errno", "-ffp-contract=off", "-fsignaling-nans", "-fno-optimize-sibling-calls", "-w",
       "-Isrc/compile", "-Isrc/engine"]

def bits(v):
    t, x = v["type"], v.get("value")
    if t in ("externref",):
        return 0 if x == "null" else int(x) + 1
    if t == "funcref":
        return 0 if x in (None, "null") else None
    return int(x)

def matches(exp, got):
    t, x = exp["type"], exp.get("value")
    if t in ("f32", "f64") and isinstance(x, str) and x.startswith("nan:"):
        sign, quiet, expo = (1 << 31, 1 << 22, 0x7f800000) if t == "f32" else \
            (1 << 63, 1 << 51, 0x7ff0000000000000)
        mag = got & ~sign
        if x == "nan:canonical":
            return mag == expo | quiet
        return (mag & expo) == expo and (mag & quiet) != 0
    if t == "funcref" and x not in (None, "null"):
        return got != 0
    if t == "externref" and x is None:
        return got != 0
    return bits(exp) == got

def close(drv):
    try:
        drv.stdin.close()
    except BrokenPipeError:
        pass
    drv.wait()

def run_script(wast):
    name = os.path.splitext(os.path.basename(wast))[0]
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    js = os.path.join(d, name + ".json")
    if subprocess.run(["wast2json", wast, "-o", js], capture_output=True).returncode:
        print("%-28s not converted (wast2json failed)" % name)
        return 0
    cmds = json.load(open(js))["commands"]
    ok = fail = skip = 0
    drv = None
    failures = []

    def ask(action):
        hexname = "x" + action["field"].encode().hex()
        args = [bits(a) for a in action.get("args", [])]
        try:
            drv.stdin.write(hexname + " " + " ".join(str(a) for a in args) + "\n")
            drv.stdin.flush()
            return drv.stdout.readline().strip() or "died (status %s)" % drv.poll()
        except BrokenPipeError:
            return "died (status %s)" % drv.poll()

    for c in cmds:
        t = c["type"]
        if t == "module":
            if drv:
                close(drv)
                drv = None
            wasm = os.path.join(d, c["filename"])
            src = wasm[:-5] + ".c"
            exe = wasm[:-5] + ".exe"
            with open(src, "w") as f:
                e = subprocess.run(["build/tests/emit_c", wasm], stdout=f, stderr=subprocess.PIPE,
                                   text=True)
            if e.returncode:
                if "imports are not supported" not in e.stderr:
                    failures.append("%d: emit: %s" % (c["line"], e.stderr.strip()))
                    fail += 1
                continue
            g = subprocess.run(GEN + [src, "tests/compile/driver.c", "-o", exe, "-lm"],
                               capture_output=True, text=True)
            if g.returncode:
                failures.append("%d: gcc: %s" % (c["line"], g.stderr.strip()[:300]))
                fail += 1
                continue
            drv = subprocess.Popen(["timeout", "60", exe, "-"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
            first = drv.stdout.readline().strip()
            if first != "instantiated":
                failures.append("%d: instantiate: %s" % (c["line"], first))
                fail += 1
                drv.wait()
                drv = None
            continue
        if t not in ("assert_return", "assert_trap", "assert_exhaustion", "action"):
            skip += 1
            continue
        a = c["action"]
        if (drv is None or a["type"] != "invoke" or "module" in a
                or any(v["type"] == "v128" for v in a.get("args", []) + c.get("expected", []))):
            skip += 1
            continue
        got = ask(a)
        if t in ("assert_return", "action"):
            parts = got.split()
            good = parts[:1] == ["ok"]
            if good and t == "assert_return":
                exp = c.get("expected", [])
                vals = [int(p) for p in parts[1:]]
                good = len(vals) == len(exp) and all(matches(e, v) for e, v in zip(exp, vals))
        else:
            want = c.get("text", "call stack exhausted")
            good = got.startswith("trap ") and got[5:].startswith(want)
        if good:
            ok += 1
        else:
            fail += 1
            failures.append("%d: %s %s -> %s" % (c["line"], t, json.dumps(a)[:120], got))
    if drv:
        close(drv)
    print("%-28s passed %5d  failed %4d  skipped %4d" % (name, ok, fail, skip))
    for f in failures[:10]:
        print("    " + f)
    return fail

def main():
    subprocess.run(["make", "-s", "-j2", "build/tests/emit_c"], check=True)
    bad = sum(run_script(w) for w in sys.argv[1:])
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()
