#!/usr/bin/env python3
"""run.py: runs WebAssembly/wasi-testsuite's preview 1 tests (prebuilt, C, AssemblyScript and
Rust) with `corral run`, as the suite's doc/specification.md and its wasmtime adapter describe.

usage: tests/wasi-testsuite/run.py CORRAL SUITE_DIR WORK_DIR
  SUITE_DIR  holds LANG/wasm32-wasip1/NAME.wasm (../shared/testsuite/wasi-p1)
  WORK_DIR   where each run gets a fresh world (build/wasi-testsuite); emptied first
Environment:
  WASI_TESTSUITE_ENGINES  default "corral corral-walk": corral is `corral run --tier
                          interp`, corral-walk the same with CORRAL_WASI_NO_OPENAT2=1 (paths
                          resolved by the fallback walk), corral-jit `--tier jit`, corral-aot
                          `--tier aot` with WORK_DIR/aot-cache as its --cache-dir
  WASI_TESTSUITE_ONLY     a regex: only the tests whose LANG/NAME it finds
  WASI_TESTSUITE_TIMEOUT  seconds per run (default 60)
  WASI_TESTSUITE_VERBOSE  1: a line for every run

A test is LANG/NAME (rust/path_link). NAME.json beside NAME.wasm, when there is one, gives
  args       the guest's arguments
  env        {NAME: VALUE}: the guest's whole environment (--env NAME=VALUE)
  root       a folder beside the test, preopened as "/" (wasmtime's adapter: --dir ROOT::/)
  dirs       folders beside the test, each preopened under its own name (the older format)
  exit_code  the expected exit status (default 0)
  stdout, stderr  the exact expected output, when given
An unknown field fails the test, so that a new requirement of the suite is not ignored. Tests
may change the folders they are given: each run works on a fresh copy in WORK_DIR/ENGINE/LANG/
NAME/, made writable; a run that passes has its copy removed, a failing one keeps it. stdin is
an empty pipe, stdout and stderr are pipes, as under the suite's own runner.

A test that cannot pass for a reason outside Corral is listed in expectations.txt next to this
script ("LANG/NAME  reason"): it must then fail, and the runner fails when it passes (the entry
is stale), as it does for an entry naming no test.

Prints one line per failing run, then "wasi-testsuite: N passed, M failed" (a run is one test
on one engine); exits 1 when a run failed, 2 when the suite could not be set up.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTATIONS = os.path.join(HERE, "expectations.txt")
KNOWN_FIELDS = {"args", "env", "root", "dirs", "exit_code", "stdout", "stderr"}
# engine: (environment, options of corral run); AOT_CACHE stands for WORK_DIR/aot-cache
AOT_CACHE = object()
ENGINES = {
    "corral": ({}, ["--tier", "interp"]),
    "corral-walk": ({"CORRAL_WASI_NO_OPENAT2": "1"}, ["--tier", "interp"]),
    "corral-jit": ({}, ["--tier", "jit"]),
    "corral-aot": ({}, ["--tier", "aot", "--cache-dir", AOT_CACHE]),
}


def die(msg):
    print("wasi-testsuite: %s" % msg, file=sys.stderr)
    sys.exit(2)


def find_tests(suite):
    """[(LANG/NAME, wasm path)], sorted; each LANG folder's wasm32-wasip1 tests."""
    tests = []
    for lang in sorted(os.listdir(suite)):
        d = os.path.join(suite, lang, "wasm32-wasip1")
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith(".wasm"):
                tests.append(("%s/%s" % (lang, f[: -len(".wasm")]), os.path.join(d, f)))
    return tests


def read_expectations():
    """{LANG/NAME: reason} from expectations.txt ('#' comments and blank lines skipped)."""
    expected = {}
    if not os.path.exists(EXPECTATIONS):
        return expected
    with open(EXPECTATIONS, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition(" ")
            expected[name] = reason.strip() or "(no reason given)"
    return expected


def make_writable(top):
    """The suite's folders may be read-only (a read-only checkout): the copies must not be."""
    for d, dirs, files in os.walk(top):
        os.chmod(d, os.stat(d).st_mode | stat.S_IRWXU)
        for f in files:
            p = os.path.join(d, f)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | stat.S_IRUSR | stat.S_IWUSR)


def copy_folder(src, dst):
    shutil.copytree(src, dst, symlinks=True)
    make_writable(dst)


def command(corral, options, wasm, config, world):
    """The corral run command line for one test; copies its folders into world."""
    argv = [corral, "run"] + options
    for name, value in config.get("env", {}).items():
        argv += ["--env", "%s=%s" % (name, value)]
    testdir = os.path.dirname(wasm)
    if config.get("root"):
        host = os.path.join(world, os.path.basename(config["root"].rstrip("/")))
        copy_folder(os.path.join(testdir, config["root"]), host)
        argv += ["--dir", "%s::/" % host]
    for d in config.get("dirs", []):
        host = os.path.join(world, d)
        copy_folder(os.path.join(testdir, d), host)
        argv += ["--dir", "%s::%s" % (host, d)]
    return argv + [wasm] + [str(a) for a in config.get("args", [])]


def run_one(corral, engine, name, wasm, world, timeout, cache):
    """Runs one test on one engine in world: a list of reasons it failed (empty: it passed)."""
    shutil.rmtree(world, ignore_errors=True)
    os.makedirs(world)
    config = {}
    json_path = wasm[: -len(".wasm")] + ".json"
    if os.path.exists(json_path):
        try:
            with open(json_path, encoding="utf-8") as f:
                config = json.load(f)
        except (OSError, ValueError) as e:
            return ["cannot read %s: %s" % (os.path.basename(json_path), e)]
    unknown = sorted(set(config) - KNOWN_FIELDS)
    if unknown:
        return ["unknown field %s in %s" % (", ".join(unknown), os.path.basename(json_path))]
    engine_env, options = ENGINES[engine]
    options = [cache if o is AOT_CACHE else o for o in options]
    argv = command(corral, options, wasm, config, world)
    env = dict(os.environ)
    env.pop("CORRAL_WASI_NO_OPENAT2", None)
    env.update(engine_env)
    try:
        p = subprocess.run(argv, cwd=world, env=env, input=b"", capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return ["timed out after %ss" % timeout]
    with open(os.path.join(world, "stdout"), "wb") as f:
        f.write(p.stdout)
    with open(os.path.join(world, "stderr"), "wb") as f:
        f.write(p.stderr)
    reasons = []
    want = config.get("exit_code", 0)
    if p.returncode != want:
        reasons.append("exit status %d, expected %d" % (p.returncode, want))
    for stream, got in (("stdout", p.stdout), ("stderr", p.stderr)):
        if stream in config and got != config[stream].encode():
            reasons.append("%s is %r, expected %r" % (stream, got[:200], config[stream][:200]))
    return reasons


def main():
    if len(sys.argv) != 4:
        die("usage: run.py CORRAL SUITE_DIR WORK_DIR")
    corral, suite, work = (os.path.abspath(a) for a in sys.argv[1:])
    engines = os.environ.get("WASI_TESTSUITE_ENGINES", "corral corral-walk").split()
    only = os.environ.get("WASI_TESTSUITE_ONLY", "")
    timeout = float(os.environ.get("WASI_TESTSUITE_TIMEOUT", "60"))
    verbose = os.environ.get("WASI_TESTSUITE_VERBOSE") == "1"
    if not os.access(corral, os.X_OK):
        die("%s is not an executable; run make first" % corral)
    if not os.path.isdir(suite):
        die("%s is not a directory (the prebuilt preview 1 tests of wasi-testsuite)" % suite)
    for e in engines:
        if e not in ENGINES:
            die("unknown engine %s (known: %s)" % (e, " ".join(ENGINES)))
    tests = find_tests(suite)
    if not tests:
        die("no LANG/wasm32-wasip1/*.wasm in %s" % suite)
    expected = read_expectations()
    names = {n for n, _ in tests}
    passed = failed = expected_failures = 0
    for stale in sorted(set(expected) - names):
        print("FAIL %s: listed in expectations.txt, but there is no such test" % stale)
        failed += 1
    shutil.rmtree(work, ignore_errors=True)
    cache = os.path.join(work, "aot-cache")  # emptied with work: the first run writes
    for name, wasm in tests:
        if only and not re.search(only, name):
            continue
        for engine in engines:
            world = os.path.join(work, engine, name)
            reasons = run_one(corral, engine, name, wasm, world, timeout, cache)
            if name in expected:
                if reasons:
                    expected_failures += 1
                    if verbose:
                        print("xfail %s (%s): %s" % (name, engine, "; ".join(reasons)))
                    continue
                reasons = ["passes, but expectations.txt says it fails (%s): remove the entry"
                           % expected[name]]
            if not reasons:
                passed += 1
                shutil.rmtree(world, ignore_errors=True)
                if verbose:
                    print("ok   %s (%s)" % (name, engine))
                continue
            failed += 1
            print("FAIL %s (%s): %s" % (name, engine, "; ".join(reasons)))
            try:
                with open(os.path.join(world, "stderr"), "rb") as f:
                    head = f.read().decode("utf-8", "replace").splitlines()[:6]
                for line in head:
                    print("    " + line)
                print("    (its world is kept in %s)" % world)
            except OSError:
                pass
    ran = {n for n, _ in tests if not only or re.search(only, n)}
    print("wasi-testsuite: %d tests, each run by %s" % (len(ran), ", ".join(engines)))
    if expected_failures:
        print("wasi-testsuite: %d expected failures (tests/wasi-testsuite/expectations.txt)"
              % expected_failures)
    print("wasi-testsuite: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
