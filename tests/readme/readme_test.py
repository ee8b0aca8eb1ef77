#!/usr/bin/env python3
"""readme_test.py: runs every command the READMEs show and checks what they say it does.

Usage: tests/readme/run.sh [-v] [--list] [README...]   (default: every README.md in the tree)

What counts as a command, in each README.md (tracked or new, not ignored):
  - every command line of a fenced block marked sh, shell or bash (a line ending in "\\"
    continues on the next one; blank and comment lines are not commands);
  - every "$ " line of a fenced block marked console; the lines up to the next "$ " line are
    its output, which must match (after the normalisations below). A last output line "..."
    means the output goes on: only the lines before it are compared;
  - every inline code span outside fenced blocks that starts with a command: build/corral,
    corral, make, a script of scripts/ or bench/, clang, cc, gcc, wat2wasm, wast2json, curl,
    apt-get, hyperfine, valgrind, node, rustc or a fuzz target of /tmp/fz/, after any
    NAME=value assignments. One word alone is the name of a tool (`corral`), not a command,
    unless it is `make` or a script. A span with placeholders (an upper-case word such as
    FILE.wasm or NAME, "[...]" or "...") is usage syntax, not a command, and is only
    counted. An inline command already run is not run again.
A fenced block without a language fails the test: mark blocks that hold no commands "text".
A command may end with the comment "# exit status N": its exit status must then be N, not 0.

How they run: in a scratch copy of the tree (the files git tracks or would track, without
build/ and .corral/), from its root, in one bash per README, so that a command sees what the
ones before it in the same README made, as a reader typing them in order would; with
build/ first in PATH, so "corral ..." is build/corral. Each README starts with a fresh
key-value store (.corral/ removed): the counter examples count from 1.

Commands handled specially, with safe settings (the table SPECIAL below):
  - `make demo` runs in the background with DEMO_LISTEN=127.0.0.1:0 (a free port), until the
    end of its README: its "$ curl ..." lines must be pasteable (each is run again and must
    print what the demo printed under it), every app must have answered, and `make demo
    DEMO_LISTEN=ADDR` with the demo's own address must stop at once with "port in use".
    It then gets SIGINT (Ctrl-C) and must stop.
  - `build/corral serve -c examples/serve/modules.toml` runs in the background with
    "-l 127.0.0.1:0" added, until the end of its README.
  - the quick start's `build/corral serve --bindle hello/0.1.0 ...` runs in the background
    with "-l 127.0.0.1:0" added, until the end of its README; the app must answer with its
    signature verified. XDG_CONFIG_HOME is a directory of the scratch copy (the keys the
    quick start makes never reach the reader's own), and "~/.config/corral" in commands
    names it.
  While one of them runs, "127.0.0.1:3000", "localhost:3000" and "SERVER_PORT=3000" in the
  commands and outputs of that README name its real port. /tmp/fz (tests/fuzz/README.md)
  becomes a directory of the scratch copy.
Normalisations of outputs (on both sides): curl's version in User-Agent values, and the
time fields of the Rust example ("time", "unix_time"), which the README says vary.

Commands not run are listed in NOT_RUN with the reason; a make target among them is still
checked with `make -n TARGET` (it exists). A listed command that no README shows any more
fails the test, so the list stays current. `make format` runs last (DEFERRED): it rewrites
the sources of the scratch copy.

Prints one line per failure and a summary; exits 1 on any failure. -v prints every command,
--list only lists the commands and what would be done with each.
"""

import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Commands not run, by their text (whitespace collapsed, trailing comment removed), and why.
SUITE = "make test runs it (and this test is part of make test); `make -n` checks it exists"
NOT_RUN = {
    # README.md
    "make test": "it runs this test: running it here would recurse",
    "make readme-test": "this test itself",
    "make unit": SUITE,
    "make spec": SUITE,
    "make cli-test": SUITE,
    "make wasi-test": SUITE,
    "make wasi-testsuite": SUITE,
    "make tsan": SUITE,
    "make fuzz-replay": SUITE,
    "make toml-test": SUITE,
    "make server-test": SUITE,
    "make gateway-test": SUITE,
    "make host-test": SUITE,
    "make store-test": SUITE,
    "make keys-test": SUITE,
    "make oci-test": SUITE,
    "make bindle-test": SUITE,
    "make dist-test": SUITE,
    "make cluster-test": SUITE,
    "make asan": SUITE,
    "make workflow-test": SUITE,
    "corral up --watch": "serves until Ctrl-C, from an app's directory; make workflow-test runs "
    "it (an edit served, requests in flight across the reload)",
    "corral up": "names the subcommand (it runs in an app's directory); make workflow-test runs "
    "it for every template",
    "corral new": "names the subcommand; the quick start's `build/corral new http-c hello` runs "
    "it",
    "corral build": "names the subcommand (it runs in an app's directory); make workflow-test "
    "runs it for every template",
    "corral push": "names the subcommand; the quick start's `build/corral push --manifest ...` "
    "runs it",
    "corral serve --bindle": "names the flag; the quick start's `build/corral serve --bindle "
    "...` runs it",
    "corral serve -c": "names the flag; examples/serve/README.md's `build/corral serve -c ...` "
    "runs it",
    "make cross ARCH=aarch64": "a cross build (about a minute); make test runs test-cross-ci, "
    "which builds and tests s390x",
    "make test-cross ARCH=s390x": "make test runs it (test-cross-ci, without test_kv's 282 s)",
    "make test-cross-ci": SUITE,
    "scripts/cross-sysroot.sh": "names the script; make cross runs it with ARCH and its folder",
    "scripts/cross-test.sh": "names the script; make test-cross runs it with ARCH",
    "corral compile": "names the subcommand; the console example runs build/corral compile",
    "make spec-asan": SUITE,
    "make bench": "minutes of benchmarks whose timings are never pass/fail; `make -n` checks it",
    "BENCH_RECORD=1 make bench": "a full `make bench` that also writes into bench/results/",
    "bench/run.sh": "what `make bench` runs (see above)",
    "apt-get install": "names the tool scripts/deps.sh uses, which this test runs",
    "corral serve": "names the subcommand (without -c it prints its usage); "
    "examples/serve/README.md's `build/corral serve -c ...` runs it",
    "corral store serve": "names the subcommand (without --htpasswd-file or --unauthenticated "
    "it refuses to start); make store-test runs it",
    "corral wast": "names the subcommand; make spec runs it over the spec suite",
    "wat2wasm --debug-names": "names the flag; the block below it runs the whole command",
    "corral serve -c modules.toml": "the command's form; examples/serve/README.md runs it with "
    "its modules.toml (`build/corral serve -c examples/serve/modules.toml`)",
    "bench/gateway.sh": "a benchmark of the gateway, which `make bench` runs (see above)",
    "bench/startup_limits.sh": "benchmarks of start-up and limits, which `make bench` runs",
    "bench/startup_big.sh": "start-up of LLVM and Yosys from npm, which `make bench` runs",
    "bench/store.sh": "the package store's throughput against nginx, which `make bench` runs",
    "corral validate": "names the subcommand; the CLI suite runs it on valid and invalid "
    "modules",
    "gcc -O2": "names the native compiler's flags of the benchmark, not a command",
    "clang --target=wasm32-wasi -O2": "names the benchmark's wasm flags, not a command",
    "build/corral run": "names the engine in the benchmark's list, not a command",
    "hyperfine -N": "names hyperfine's flag, not a command",
    # examples/serve/README.md
    "corral run": "names the subcommand; the commands below it run it",
    "curl -d": "names curl's flag, not a command",
    "clang --target=wasm32-wasi -O2 -mbulk-memory -I sdk": "the flags scripts/build_examples.sh "
    "uses, which the block above runs",
    "/usr/bin/rustc --target wasm32-wasi -O": "the flags scripts/build_examples.sh uses",
    # tests/fuzz/README.md
    "mkdir -p /tmp/fz/work /tmp/fz/art /tmp/fz/spec": "seeds a fuzzing run (not run, below)",
    "find build/spec -name '*.wasm' -exec cp -t /tmp/fz/spec {} +": "needs make spec's "
    "binaries in build/spec; seeds a fuzzing run (not run, below)",
    "/tmp/fz/fuzz_module -max_total_time=600 -max_len=4096 -timeout=10 -rss_limit_mb=2048 "
    "-artifact_prefix=/tmp/fz/art/ /tmp/fz/work tests/fuzz/corpus /tmp/fz/spec": "fuzzes for "
    "ten minutes; its result is whatever it finds, not an expected output",
    "/tmp/fz/fuzz_module -minimize_crash=1 -runs=20000 -artifact_prefix=/tmp/fz/min- "
    "/tmp/fz/art/crash-...": "needs a crash found by fuzzing",
    "cp /tmp/fz/min-... tests/fuzz/corpus/crash-<short-desc>.wasm": "needs a minimised crash",
    "mkdir /tmp/fz/merged": "prepares a corpus merge after a fuzzing run (not run)",
    "/tmp/fz/fuzz_exec -set_cover_merge=1 -max_len=4096 /tmp/fz/merged /tmp/fz/work "
    "tests/fuzz/corpus": "merges the output of a fuzzing run (not run)",
    # tests/spec/fixups/README.md
    "scripts/spec.sh": "names the script; make spec runs it",
}

# Run after every README, in this order: they change the scratch copy.
DEFERRED = ["make format"]

COMMAND_WORDS = re.compile(
    r"^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*"
    r"(?:build/corral|corral|make|scripts/\S+|bench/\S+\.sh|clang|cc|gcc|wat2wasm|wast2json|"
    r"curl|apt-get|hyperfine|valgrind|node|/usr/bin/rustc|rustc|"
    r"/tmp/fz/(?:fuzz_module|fuzz_exec|replay_exec))"
    r"(?:\s|$)")
PLACEHOLDER = re.compile(r"\[|\.\.\.(?!/)|(?<![\w/.-])[A-Z][A-Z0-9_]*(?:\.[a-z]+)?(?![\w=])")
EXIT_NOTE = re.compile(r"#\s*exit status (\d+)\s*$")
NORMALISE = [
    (re.compile(r"curl/[0-9][0-9.]*"), "curl/VERSION"),
    (re.compile(r'"time": "[^"]*"'), '"time": "TIME"'),
    (re.compile(r'"unix_time": [0-9]+'), '"unix_time": TIME'),
]

verbose = False
failures = []
counts = {"run": 0, "not run": 0, "syntax": 0, "repeated": 0}


def fail(where, what):
    failures.append(f"{where}: {what}")
    print(f"FAIL {where}: {what}", flush=True)


def say(text):
    if verbose:
        print(text, flush=True)


class Command:
    """One command of a README: kind is sh, console or inline."""

    def __init__(self, readme, line, kind, text, output=None):
        self.readme, self.line, self.kind, self.text, self.output = readme, line, kind, text, output
        m = EXIT_NOTE.search(text)
        self.status = int(m.group(1)) if m else 0
        self.key = command_key(text)

    def where(self):
        return f"{self.readme}:{self.line}"


def command_key(text):
    """The text without a trailing comment, continuations and runs of blanks."""
    text = re.sub(r"\\\n", " ", text)
    text = re.sub(r"(^|\s)#(\s.*)?$", "", text)
    return " ".join(text.split())


# ---- extraction ----------------------------------------------------------------------


def logical_lines(lines):
    """Joins lines ending in a backslash with the next: [(first line number, text)]."""
    out, cur, start = [], None, 0
    for number, line in lines:
        if cur is None:
            cur, start = line, number
        else:
            cur += "\n" + line
        if not line.endswith("\\"):
            out.append((start, cur))
            cur = None
    if cur is not None:
        out.append((start, cur))
    return out


def parse_readme(rel):
    text = open(os.path.join(ROOT, rel), encoding="utf-8").read()
    lines = text.split("\n")
    commands, prose = [], []  # prose: (line number, text) outside fenced blocks
    i = 0
    while i < len(lines):
        m = re.match(r"^\s*```(.*)$", lines[i])
        if not m:
            prose.append((i + 1, lines[i]))
            i += 1
            continue
        lang, start = m.group(1).strip(), i + 1
        body = []
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            body.append((i + 1, lines[i]))
            i += 1
        i += 1
        if lang == "":
            fail(f"{rel}:{start}", "a fenced block without a language (mark it text if it "
                 "shows no commands)")
        elif lang in ("sh", "shell", "bash"):
            for number, cmd in logical_lines(body):
                if cmd.strip() and not cmd.strip().startswith("#"):
                    commands.append(Command(rel, number, "sh", cmd.strip()))
        elif lang == "console":
            commands += parse_console(rel, body)
        commands.append(Command(rel, start, "end of block", ""))
    commands += parse_inline(rel, prose)
    commands = [c for c in commands if c.kind != "end of block"]
    commands.sort(key=lambda c: c.line)
    return commands


def parse_console(rel, body):
    out, cmd, i = [], None, 0
    while i < len(body):
        number, line = body[i]
        if line.startswith("$ "):
            group = [(number, line[2:])]
            while group[-1][1].endswith("\\") and i + 1 < len(body):
                i += 1
                group.append(body[i])
            text = "\n".join(t for _, t in group)
            cmd = Command(rel, number, "console", text, [])
            out.append(cmd)
        elif cmd is not None:
            cmd.output.append(line)
        i += 1
    for c in out:
        while c.output and not c.output[-1].strip():
            c.output.pop()
    return out


def parse_inline(rel, prose):
    """Inline code spans, which may wrap across lines within a paragraph."""
    text = "\n".join(t for _, t in prose)
    numbers = [n for n, _ in prose]
    out = []
    for m in re.finditer(r"(?<!`)`([^`]+)`(?!`)", text):
        span = " ".join(m.group(1).split())
        if not COMMAND_WORDS.match(span):
            continue
        if " " not in span and span != "make" and not span.endswith(".sh"):
            continue  # the name of a tool (`corral`, `wat2wasm`), not a command
        line = numbers[text.count("\n", 0, m.start())]
        c = Command(rel, line, "inline", span)
        if PLACEHOLDER.search(span) and c.key not in NOT_RUN:
            c.kind = "syntax"
        out.append(c)
    return out


def find_readmes():
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.split("\n")
    readmes = sorted(f for f in files if os.path.basename(f) == "README.md")
    # The top README first, then the others in path order.
    return sorted(readmes, key=lambda f: (f != "README.md", f))


# ---- the scratch copy and its shell ----------------------------------------------------


def make_scratch():
    scratch = tempfile.mkdtemp(prefix="corral-readme-")
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           check=True, capture_output=True).stdout.split(b"\0")
    for f in files:
        if not f:
            continue
        src = os.path.join(ROOT.encode(), f)
        dst = os.path.join(scratch.encode(), f)
        if not os.path.lexists(src):  # deleted but not yet committed
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
    os.makedirs(os.path.join(scratch, "tmp"))
    return scratch


class Shell:
    """A bash that runs one command at a time and reports its output and exit status. Its
    output goes to a terminal (a pty), as a reader's would: curl, for one, shows a progress
    meter instead when its output is a pipe."""

    def __init__(self, cwd, env):
        self.cwd, self.env, self.n = cwd, env, 0
        self.start()

    def start(self):
        self.master, slave = pty.openpty()
        attrs = termios.tcgetattr(slave)
        attrs[1] &= ~termios.ONLCR  # LF stays LF
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        self.p = subprocess.Popen(["bash", "--noprofile", "--norc"], cwd=self.cwd, env=self.env,
                                  stdin=subprocess.PIPE, stdout=slave, stderr=slave,
                                  start_new_session=True)
        os.close(slave)

    def run(self, cmd, timeout):
        """(status, output); status None after a timeout (the shell is then restarted)."""
        self.n += 1
        marker = f"__readme_test_done_{os.getpid()}_{self.n}__"
        self.p.stdin.write(
            f"{{ {cmd}\n}} </dev/null; __status=$?; echo; echo {marker} $__status\n".encode())
        self.p.stdin.flush()
        data, deadline = b"", time.monotonic() + timeout
        fd = self.master
        while True:
            m = re.search(rb"\n" + marker.encode() + rb" (\d+)\n", data)
            if m:
                return int(m.group(1)), data[: m.start()].decode("utf-8", "replace")
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.kill()
                self.start()
                return None, data.decode("utf-8", "replace")
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the terminal's last user is gone
                chunk = b""
            if not chunk:
                self.kill()
                self.start()
                return None, data.decode("utf-8", "replace") + "\n(the shell died)"
            data += chunk

    def kill(self):
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.p.wait()
        os.close(self.master)

    def close(self):
        self.p.stdin.close()
        try:
            self.p.wait(timeout=10)
            os.close(self.master)
        except subprocess.TimeoutExpired:
            self.kill()


class Background:
    """A long-running command (make demo, corral serve) and its output so far."""

    def __init__(self, cmd, cwd, env):
        self.p = subprocess.Popen(["bash", "-c", cmd], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        self.out = b""
        os.set_blocking(self.p.stdout.fileno(), False)

    def read(self):
        try:
            while True:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    break
                self.out += chunk
        except BlockingIOError:
            pass
        return self.out.decode("utf-8", "replace")

    def wait_for(self, pattern, timeout):
        """The first match of pattern in the output, or None if the command ended or the
        time ran out first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.read(), re.M)
            if m:
                return m
            if self.p.poll() is not None:
                return re.search(pattern, self.read(), re.M)
            time.sleep(0.1)
        return None

    def stop(self, sig, timeout):
        """Sends sig to the whole process group; True when it ended within timeout."""
        try:
            os.killpg(self.p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.p.wait(timeout=timeout)
            self.read()
            return True
        except subprocess.TimeoutExpired:
            os.killpg(self.p.pid, signal.SIGKILL)
            self.p.wait()
            return False


# ---- running a README ------------------------------------------------------------------


def normalise(lines):
    out = []
    for line in lines:
        line = line.rstrip()
        for pattern, repl in NORMALISE:
            line = pattern.sub(repl, line)
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def check_output(c, got, want):
    got, want = normalise(got.split("\n")), normalise(want)
    if want and want[-1] == "...":
        want = want[:-1]
        got = got[: len(want)]
    if got != want:
        diff = next((i for i in range(max(len(got), len(want)))
                     if i >= len(got) or i >= len(want) or got[i] != want[i]), 0)
        fail(c.where(), f"`{c.key}` printed, at line {diff + 1}: "
             f"{got[diff] if diff < len(got) else '(nothing)'!r}, the README shows: "
             f"{want[diff] if diff < len(want) else '(nothing)'!r}")


class Session:
    """One README's run: its shell, its background servers and its substitutions."""

    def __init__(self, scratch, env, readme):
        self.scratch, self.env, self.readme = scratch, env, readme
        self.shell = Shell(scratch, env)
        self.subst = {"/tmp/fz": os.path.join(scratch, "tmp", "fz"),
                      "~/.config/corral": os.path.join(env["XDG_CONFIG_HOME"], "corral")}
        self.demo = self.gateway = None

    def sub(self, text):
        for a, b in self.subst.items():
            text = text.replace(a, b)
        return text

    def use_port(self, port):
        self.subst.update({"127.0.0.1:3000": f"127.0.0.1:{port}",
                           "localhost:3000": f"localhost:{port}",
                           "SERVER_PORT=3000": f"SERVER_PORT={port}"})

    def run(self, c, timeout=600):
        status, out = self.shell.run(self.sub(c.text), timeout)
        if status is None:
            fail(c.where(), f"`{c.key}` did not finish in {timeout} s; it printed: {out[-500:]!r}")
        elif status != c.status:
            fail(c.where(), f"`{c.key}` exited with {status}, want {c.status}; it printed: "
                 f"{out[-800:]!r}")
        elif c.output is not None:
            check_output(c, out, [self.sub(line) for line in c.output])
        return status, out

    def close(self):
        if self.demo:
            # Ctrl-C, as the README says, stops it.
            if not self.demo.stop(signal.SIGINT, 20):
                fail(self.readme, "make demo did not stop on SIGINT (Ctrl-C) within 20 s")
        if self.gateway and not self.gateway.stop(signal.SIGTERM, 20):
            fail(self.readme, "corral serve did not stop on SIGTERM within 20 s")
        self.shell.close()


def start_demo(s, c):
    env = dict(s.env, DEMO_LISTEN="127.0.0.1:0")
    s.demo = Background(c.text, s.scratch, env)
    m = s.demo.wait_for(r"^Serving on (http://127\.0\.0\.1:(\d+)) ", 900)
    out = s.demo.read()
    if not m:
        fail(c.where(), f"`make demo` did not start serving; it printed: {out[-1500:]!r}")
        return
    s.use_port(m.group(2))
    if "demo: every app answered" not in out:
        fail(c.where(), "`make demo` did not say that every app answered")
    check_demo_commands(s, c, out)


def check_demo_commands(s, c, out):
    """Every "$ curl ..." the demo printed, pasted into a shell, prints what the demo showed
    under it (the first 8 lines). Not compared: the counter and the metrics, which move."""
    shown = re.findall(r"^\$ (curl .*)\n((?:(?!  ok$|  \^ FAILED).*\n)*?)(?:  ok|  \^ FAILED)",
                       out, re.M)
    if len(shown) < 10:
        fail(c.where(), f"`make demo` showed {len(shown)} curl commands, want at least 10")
    for cmd, lines in shown:
        status, got = s.shell.run(cmd, 60)
        got = "\n".join(got.split("\n")[:8])
        say(f"  demo's: $ {cmd}")
        if status != 0:
            fail(c.where(), f"the demo's `{cmd}` does not run when pasted: status {status}")
        elif "/counter" not in cmd and "/metrics" not in cmd and \
                normalise(got.split("\n")) != normalise(lines.split("\n")):
            fail(c.where(), f"the demo's `{cmd}`, pasted, prints {got[:300]!r}, not what the "
                 f"demo showed: {lines[:300]!r}")


def demo_elsewhere(s, c):
    """`make demo DEMO_LISTEN=ADDR`: aimed at the running demo's address, it must stop at
    once with "port in use" and that address."""
    if not s.demo:
        fail(c.where(), "no demo is running to take the address of")
        return
    port = s.subst["127.0.0.1:3000"].split(":")[1]
    addr = f"127.0.0.1:{port}"
    cmd = re.sub(r"DEMO_LISTEN=\S+", f"DEMO_LISTEN={addr}", c.text)
    start = time.monotonic()
    status, out = s.shell.run(cmd, 120)
    if status == 0 or "port in use" not in out or addr not in out:
        fail(c.where(), f"`{cmd}` with the address in use: status {status}, printed {out!r}")
    elif "Building the example apps" in out:
        fail(c.where(), f"`{cmd}` built the apps before stopping")
    say(f"  in use: stopped in {time.monotonic() - start:.1f} s")


def start_gateway(s, c):
    s.gateway = Background(c.key + " -l 127.0.0.1:0", s.scratch, s.env)
    m = s.gateway.wait_for(r"^Ready: serving on http://127\.0\.0\.1:(\d+)$", 60)
    if not m:
        fail(c.where(), f"`{c.key}` did not get ready: {s.gateway.read()[-800:]!r}")
        return
    s.use_port(m.group(1))


def start_quick_start(s, c):
    """The quick start's last step serves until Ctrl-C: in the background on a free port, until
    the end of its README; the app must answer."""
    s.gateway = Background(s.sub(c.key) + " -l 127.0.0.1:0", s.scratch, s.env)
    m = s.gateway.wait_for(r"^Ready: serving on (http://127\.0\.0\.1:\d+)$", 60)
    if not m:
        fail(c.where(), f"`{c.key}` did not get ready: {s.gateway.read()[-800:]!r}")
        return
    status, out = s.shell.run(f"curl -s {m.group(1)}/", 60)
    if status != 0 or "Hello from hello!" not in out:
        fail(c.where(), f"the quick start's app does not answer: status {status}, {out[-300:]!r}")
    if "signatures verified" not in s.gateway.read():
        fail(c.where(), "the quick start's app was served without its signature checked")


def check_help(s, c, want):
    status, out = s.run(c)
    if status == 0 and want not in out:
        fail(c.where(), f"`{c.key}` does not print {want!r}")


SPECIAL = {
    "make demo": start_demo,
    "make demo DEMO_LISTEN=127.0.0.1:8080": demo_elsewhere,
    "build/corral serve -c examples/serve/modules.toml": start_gateway,
    "build/corral serve --bindle hello/0.1.0 --bindle-path build/apps "
    "--keyring ~/.config/corral/keyring.toml": start_quick_start,
    "corral help run": lambda s, c: check_help(s, c, "usage: corral run"),
    "corral help serve": lambda s, c: check_help(s, c, "usage: corral serve"),
}


def dry_run(s, c):
    """A make target not run must at least exist."""
    m = re.match(r"^(?:\S+=\S*\s+)*make\s+(\S+)$", c.key)
    if m:
        status, out = s.shell.run(f"make -n {m.group(1)} >/dev/null", 60)
        if status != 0:
            fail(c.where(), f"`make -n {m.group(1)}` fails: the target does not exist? {out!r}")


def run_readme(scratch, env, readme, commands, seen, listed):
    shutil.rmtree(os.path.join(scratch, ".corral"), ignore_errors=True)
    s = Session(scratch, env, readme)
    try:
        for c in commands:
            if c.kind == "syntax":
                counts["syntax"] += 1
                say(f"{c.where()}: syntax, not run: {c.key}")
                continue
            if c.kind == "inline" and c.key in seen:
                counts["repeated"] += 1
                continue
            seen.add(c.key)
            if c.key in NOT_RUN:
                listed.add(c.key)
                counts["not run"] += 1
                say(f"{c.where()}: not run: {c.key} ({NOT_RUN[c.key]})")
                dry_run(s, c)
                continue
            if c.key in DEFERRED:
                continue
            counts["run"] += 1
            say(f"{c.where()}: {c.kind}: {c.key}")
            if c.key in SPECIAL:
                SPECIAL[c.key](s, c)
            else:
                s.run(c)
    finally:
        s.close()


def main(argv):
    global verbose
    args = [a for a in argv if not a.startswith("-")]
    verbose = "-v" in argv
    readmes = args or find_readmes()
    plan = [(r, parse_readme(r)) for r in readmes]
    if "--list" in argv:
        for r, commands in plan:
            for c in commands:
                what = ("syntax" if c.kind == "syntax" else "not run: " + NOT_RUN[c.key]
                        if c.key in NOT_RUN else "deferred" if c.key in DEFERRED
                        else "special" if c.key in SPECIAL else c.kind)
                print(f"{c.where()}: [{what}] {c.key}")
        return 1 if failures else 0
    if failures:
        return 1
    scratch = make_scratch()
    # The keys the quick start makes go into the scratch copy, not the reader's own config.
    env = dict(os.environ, PATH=os.path.join(scratch, "build") + os.pathsep + os.environ["PATH"],
               XDG_CONFIG_HOME=os.path.join(scratch, "tmp", "config"))
    env.pop("MAKEFLAGS", None)  # a parent make's jobserver must not reach the commands
    env.pop("MFLAGS", None)
    env.pop("MAKELEVEL", None)
    seen, listed = set(), set()
    started = time.monotonic()
    try:
        for r, commands in plan:
            print(f"readme: {r}: {len(commands)} commands", flush=True)
            run_readme(scratch, env, r, commands, seen, listed)
        shown = {c.key for _, commands in plan for c in commands}
        s = Session(scratch, env, "deferred")
        for key in DEFERRED:
            if key in shown:
                counts["run"] += 1
                say(f"deferred: {key}")
                s.run(Command("deferred", 0, "sh", key))
        s.close()
        if not args:
            for key in sorted(set(NOT_RUN) - listed):
                fail("tests/readme/readme_test.py", f"NOT_RUN lists `{key}`, which no README "
                     "shows any more: remove it")
    finally:
        if os.environ.get("README_TEST_KEEP"):
            print(f"readme: the scratch copy stays in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"readme: {counts['run']} commands run, {counts['not run']} listed as not run, "
          f"{counts['syntax']} usage forms, {counts['repeated']} repeats; "
          f"{len(failures)} failed ({time.monotonic() - started:.0f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
