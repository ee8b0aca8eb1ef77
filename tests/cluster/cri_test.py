#!/usr/bin/env python3
"""cri_test.py: drives containerd's CRI plugin over gRPC the way the kubelet does, with a runc
pod (busybox) and a Corral pod (runtime handler "corral", a WASI guest) alive side by side.

Run by tests/cluster/cri_test.sh, which starts containerd, imports the images and puts the
Python messages generated from tests/cluster/cri/cri_min.proto on PYTHONPATH. Writes
"PASSED FAILED SKIPPED" to --result; prints one line per check.

The calls and their fields follow the kubelet's (pkg/kubelet/kuberuntime): PullImage;
RunPodSandbox with metadata, hostname, log_directory, labels, annotations and a Linux security
context; CreateContainer with the sandbox's config beside the container's, log_path relative
to the pod's log directory, resources; StartContainer; ContainerStatus; ExecSync (what exec
probes use); StopContainer with the grace period as its timeout; RemoveContainer;
StopPodSandbox; RemovePodSandbox.

The Corral pod runs: a guest that prints and exits 3; the same from the wasi/wasm image; the
images pulled through CRI; a guest looping until StopContainer; a WAGI app, fetched over HTTP
at the pod's IP (so in the pod's network namespace, as a Service or a probe reaches it)."""
import argparse
import os
import re
import shutil
import signal
import sys
import time
import urllib.request
import uuid

import grpc

import cri_min_pb2 as pb

RUNNING, EXITED = pb.CONTAINER_RUNNING, pb.CONTAINER_EXITED
STATE = {v: k for k, v in pb.ContainerState.items()}
# A line of a CRI container log: time (RFC 3339, nanoseconds), stream, P(artial)/F(ull), text.
# Straight to the pod: no proxy from the environment.
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)) "
                      r"(stdout|stderr) ([PF]) (.*)$")


class Test:
    def __init__(self, args):
        self.args = args
        self.passed = self.failed = self.skipped = 0
        ch = grpc.insecure_channel("unix://" + args.socket)
        self.ch = ch

    def rpc(self, service, method, req, resp, timeout=60):
        call = self.ch.unary_unary(f"/runtime.v1.{service}/{method}",
                                   request_serializer=lambda m: m.SerializeToString(),
                                   response_deserializer=resp.FromString)
        return call(req, timeout=timeout)

    def rt(self, method, req, timeout=60):
        return self.rpc("RuntimeService", method, req, getattr(pb, method + "Response"), timeout)

    def check(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print(f"ok - {what}")
        else:
            self.failed += 1
            print(f"FAIL - {what}" + (f": {detail}" if detail else ""))
        sys.stdout.flush()
        return cond

    def skip(self, what, why):
        self.skipped += 1
        print(f"skip - {what} ({why})")

    # ---- the kubelet's messages ----

    def sandbox_config(self, name, uid):
        logdir = os.path.join(self.args.logs, f"default_{name}_{uid}")
        os.makedirs(logdir, exist_ok=True)
        return pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=name, uid=uid, namespace="default", attempt=0),
            hostname=name,
            log_directory=logdir,
            dns_config=pb.DNSConfig(),
            labels={"io.kubernetes.pod.name": name, "io.kubernetes.pod.namespace": "default",
                    "io.kubernetes.pod.uid": uid, "app": name},
            annotations={"kubernetes.io/config.source": "api",
                         "kubernetes.io/config.seen": "2026-01-01T00:00:00Z"},
            linux=pb.LinuxPodSandboxConfig(
                cgroup_parent="",
                security_context=pb.LinuxSandboxSecurityContext(
                    namespace_options=pb.NamespaceOption(network=pb.POD, pid=pb.CONTAINER,
                                                         ipc=pb.POD),
                    seccomp_profile_path="")),
        )

    def container_config(self, sbcfg, name, image, command, args=(), envs=(),
                         memory=64 << 20):
        return pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name=name, attempt=0),
            image=pb.ImageSpec(image=image),
            command=list(command), args=list(args),
            envs=[pb.KeyValue(key=k, value=v.encode()) for k, v in envs],
            labels={"io.kubernetes.container.name": name,
                    "io.kubernetes.pod.name": sbcfg.metadata.name,
                    "io.kubernetes.pod.namespace": "default",
                    "io.kubernetes.pod.uid": sbcfg.metadata.uid},
            annotations={"io.kubernetes.container.restartCount": "0",
                         "io.kubernetes.container.terminationMessagePath": "/dev/termination-log"},
            log_path=f"{name}/0.log",
            # As the kubelet fills it for a container with limits.memory and no CPU request:
            # the minimum shares, a period, the memory limit, a Burstable-like score.
            linux=pb.LinuxContainerConfig(
                resources=pb.LinuxContainerResources(cpu_period=100000, cpu_shares=2,
                                                     memory_limit_in_bytes=memory,
                                                     oom_score_adj=1000),
                security_context=pb.LinuxContainerSecurityContext(
                namespace_options=pb.NamespaceOption(network=pb.POD, pid=pb.CONTAINER,
                                                     ipc=pb.POD))),
        )

    # ---- helpers ----

    def status(self, cid):
        return self.rt("ContainerStatus", pb.ContainerStatusRequest(container_id=cid)).status

    def wait_state(self, cid, state, secs):
        end = time.time() + secs
        while True:
            st = self.status(cid)
            if st.state == state or time.time() > end:
                return st
            time.sleep(0.1)

    def log_lines(self, path):
        """The text of each line of a CRI log file, and the lines not in CRI format."""
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                raw = f.read().splitlines()
        except FileNotFoundError:
            return [], ["(no file)"]
        text, bad = [], []
        for line in raw:
            m = LOG_LINE.match(line)
            if m:
                text.append(m.group(6))
            else:
                bad.append(line)
        return text, bad

    def wait_log(self, path, want, secs):
        end = time.time() + secs
        while True:
            text, _ = self.log_lines(path)
            if want in text or time.time() > end:
                return text
            time.sleep(0.1)

    def run_pod(self, name, handler):
        uid = str(uuid.uuid4())
        cfg = self.sandbox_config(name, uid)
        resp = self.rt("RunPodSandbox", pb.RunPodSandboxRequest(config=cfg,
                                                                runtime_handler=handler),
                       timeout=120)
        return resp.pod_sandbox_id, cfg

    def remove_pod(self, sid, what):
        try:
            self.rt("StopPodSandbox", pb.StopPodSandboxRequest(pod_sandbox_id=sid))
            self.check(True, f"{what}: StopPodSandbox")
        except grpc.RpcError as e:
            self.check(False, f"{what}: StopPodSandbox", e.details())
        try:
            self.rt("RemovePodSandbox", pb.RemovePodSandboxRequest(pod_sandbox_id=sid))
            self.check(True, f"{what}: RemovePodSandbox")
        except grpc.RpcError as e:
            self.check(False, f"{what}: RemovePodSandbox", e.details())

    # ---- the test ----

    def run(self):
        v = self.rt("Version", pb.VersionRequest(version="v1"))
        self.check(v.runtime_name == "containerd" and v.runtime_api_version == "v1",
                   f"Version: {v.runtime_name} {v.runtime_version}, CRI {v.runtime_api_version}")
        for image in ("corral.local/pause:1", "corral.local/busybox:1",
                      "corral.local/hello-wasm:1", "corral.local/hello-wasm-wasi:1",
                      "corral.local/hello-wagi:1"):
            st = self.rpc("ImageService", "ImageStatus",
                          pb.ImageStatusRequest(image=pb.ImageSpec(image=image)),
                          pb.ImageStatusResponse)
            self.check(image in st.image.repo_tags, f"ImageStatus {image}: known to CRI",
                       repr(st.image.repo_tags))

        self.pulled = self.pull_images()

        try:
            self.rt("RunPodSandbox", pb.RunPodSandboxRequest(
                config=self.sandbox_config("nohandler", str(uuid.uuid4())),
                runtime_handler="no-such-handler"))
            self.check(False, "RunPodSandbox with an unconfigured handler is refused")
        except grpc.RpcError as e:
            self.check("no-such-handler" in (e.details() or ""),
                       "RunPodSandbox with an unconfigured handler is refused", e.details())

        # The runc pod, kept running while the Corral pod lives.
        bb_sid = bb_cid = None
        try:
            bb_sid, bb_cfg = self.run_pod("bb", "")
            self.check(bool(bb_sid), "runc pod: RunPodSandbox (runtime_handler \"\")")
            st = self.rt("PodSandboxStatus",
                         pb.PodSandboxStatusRequest(pod_sandbox_id=bb_sid)).status
            self.check(st.state == pb.SANDBOX_READY, "runc pod: sandbox READY")
            self.check(st.network.ip.startswith(self.args.subnet),
                       f"runc pod: IP {st.network.ip} from the CNI bridge network",
                       st.network.ip)
            cc = self.container_config(bb_cfg, "bb", "corral.local/busybox:1",
                                       ["/bin/sh", "-c"],
                                       ["echo hi; echo GREETING=$GREETING; sleep 100"],
                                       [("GREETING", "from the runc pod")])
            bb_cid = self.rt("CreateContainer", pb.CreateContainerRequest(
                pod_sandbox_id=bb_sid, config=cc, sandbox_config=bb_cfg)).container_id
            self.check(bool(bb_cid), "runc pod: CreateContainer")
            self.rt("StartContainer", pb.StartContainerRequest(container_id=bb_cid))
            st = self.wait_state(bb_cid, RUNNING, 10)
            self.check(st.state == RUNNING, "runc pod: ContainerStatus RUNNING",
                       STATE[st.state])
            bb_log = os.path.join(bb_cfg.log_directory, "bb/0.log")
            self.check(st.log_path == bb_log, "runc pod: log_path under the pod's log_directory",
                       st.log_path)
            text = self.wait_log(bb_log, "GREETING=from the runc pod", 10)
            self.check(text[:2] == ["hi", "GREETING=from the runc pod"],
                       "runc pod: its output in the CRI log file", repr(text))
            ex = self.rt("ExecSync", pb.ExecSyncRequest(container_id=bb_cid,
                                                        cmd=["/bin/sh", "-c", "echo $GREETING"],
                                                        timeout=10), timeout=30)
            self.check(ex.exit_code == 0 and ex.stdout == b"from the runc pod\n",
                       "runc pod: ExecSync runs a command in the container", repr(ex))
        except grpc.RpcError as e:
            self.check(False, "runc pod started", e.details())

        self.corral_pod(bb_sid, bb_cid)

        if bb_cid:
            t0 = time.time()
            try:
                self.rt("StopContainer", pb.StopContainerRequest(container_id=bb_cid, timeout=2))
                st = self.status(bb_cid)
                # sh as PID 1 ignores SIGTERM: SIGKILL after the timeout, exit 137.
                self.check(st.state == EXITED and st.exit_code == 137 and
                           time.time() - t0 >= 1.5,
                           "runc pod: StopContainer(timeout 2) → EXITED, 137 after the timeout",
                           f"{STATE[st.state]} {st.exit_code} {time.time() - t0:.1f}s")
                _, bad = self.log_lines(os.path.join(self.args.logs,
                                                     f"default_bb_{bb_cfg.metadata.uid}",
                                                     "bb/0.log"))
                self.check(not bad, "runc pod: every log line in CRI format", repr(bad[:3]))
                self.rt("RemoveContainer", pb.RemoveContainerRequest(container_id=bb_cid))
                self.check(True, "runc pod: RemoveContainer")
            except grpc.RpcError as e:
                self.check(False, "runc pod: StopContainer/RemoveContainer", e.details())
        if bb_sid:
            self.remove_pod(bb_sid, "runc pod")

        left = self.rt("ListPodSandbox", pb.ListPodSandboxRequest()).items
        self.check(not left, "ListPodSandbox: none left", repr([p.id for p in left]))
        left = self.rt("ListContainers", pb.ListContainersRequest()).containers
        self.check(not left, "ListContainers: none left", repr([c.id for c in left]))

    def pull_images(self):
        """PullImage, as the kubelet pulls, of what `corral push` put in the registry: an
        ordinary image for the node's platform, one for wasi/wasm, and the wasm OCI artifact.
        Returns the references pulled."""
        if not self.args.registry:
            self.skip("PullImage of corral push's images", "no registry")
            return []
        pulled = []
        for tag in ("image", "wasi", "artifact"):
            ref = f"{self.args.registry}/corral/hello:{tag}"
            try:
                r = self.rpc("ImageService", "PullImage",
                             pb.PullImageRequest(image=pb.ImageSpec(image=ref)),
                             pb.PullImageResponse, timeout=60)
                pulled.append(ref)
                print(f"# PullImage {ref}: {r.image_ref}")
                self.check(bool(r.image_ref), f"PullImage {ref}")
            except grpc.RpcError as e:
                print(f"# PullImage {ref}: {e.code()}: {e.details()}")
                if tag == "artifact":
                    # containerd before 1.6.25/1.7.7 fetches the artifact and cannot unpack it.
                    self.check("mismatched image rootfs and manifest layers" in e.details(),
                               f"PullImage {ref}: the wasm artifact is refused at unpack "
                               "(containerd 1.6)", e.details())
                else:
                    self.check(False, f"PullImage {ref}", e.details())
        return pulled

    def run_pulled(self, sid, cfg):
        """Each image pulled through CRI, run in the corral pod (/app.wasm, corral push's)."""
        for n, ref in enumerate(self.pulled):
            name = f"pulled{n}"
            cc = self.container_config(cfg, name, ref, [], ["0", "0"])
            try:
                cid = self.rt("CreateContainer", pb.CreateContainerRequest(
                    pod_sandbox_id=sid, config=cc, sandbox_config=cfg)).container_id
                self.rt("StartContainer", pb.StartContainerRequest(container_id=cid))
                st = self.wait_state(cid, EXITED, 20)
                text, _ = self.log_lines(os.path.join(cfg.log_directory, f"{name}/0.log"))
                self.check(st.state == EXITED and st.exit_code == 0 and
                           text[:2] == ["hello from corral", "argc=3"],
                           f"corral pod: {ref} (pulled through CRI) runs its /app.wasm",
                           f"{STATE[st.state]} exit {st.exit_code} {text[:3]!r}")
                self.rt("RemoveContainer", pb.RemoveContainerRequest(container_id=cid))
            except grpc.RpcError as e:
                self.check(False, f"corral pod: {ref} (pulled through CRI) runs", e.details())

    def corral_pod(self, bb_sid, bb_cid):
        if not os.path.exists(self.args.shim):
            # Until the shim is built: the handler is configured, its binary is not there.
            try:
                sid, _ = self.run_pod("wasm", "corral")
                self.check(False, "corral pod without the shim: RunPodSandbox fails", sid)
                self.remove_pod(sid, "corral pod")
            except grpc.RpcError as e:
                self.check("containerd-shim-corral-v1" in (e.details() or ""),
                           "corral pod without the shim: RunPodSandbox fails naming "
                           "containerd-shim-corral-v1", e.details())
            for what in ("RunPodSandbox", "sandbox READY", "IP from CNI", "both pods listed",
                         "CreateContainer/StartContainer", "RUNNING then EXITED with its code",
                         "guest output in the CRI log", "wasi/wasm image runs",
                         "images pulled through CRI run",
                         "a looping guest RUNNING",
                         "ExecSync refused", "ListContainers shows both pods' containers",
                         "StopContainer stops a running guest",
                         "WAGI app answers at the pod IP", "WAGI container RUNNING",
                         "StopContainer stops the WAGI app", "WAGI app leaves no temporary dir",
                         "RemoveContainer x4",
                         "StopPodSandbox", "RemovePodSandbox"):
                self.skip(f"corral pod: {what}", f"no {self.args.shim}")
            return

        sid = None
        try:
            sid, cfg = self.run_pod("wasm", "corral")
            self.check(bool(sid), "corral pod: RunPodSandbox (runtime_handler corral)")
        except grpc.RpcError as e:
            self.check(False, "corral pod: RunPodSandbox (runtime_handler corral)", e.details())
            return
        try:
            st = self.rt("PodSandboxStatus", pb.PodSandboxStatusRequest(pod_sandbox_id=sid)).status
            self.check(st.state == pb.SANDBOX_READY and st.runtime_handler == "corral",
                       "corral pod: sandbox READY, runtime_handler corral",
                       f"{st.state} {st.runtime_handler!r}")
            pod_ip = st.network.ip
            self.check(pod_ip.startswith(self.args.subnet),
                       f"corral pod: IP {pod_ip} from the CNI bridge network", pod_ip)
            pods = {p.id: p for p in self.rt("ListPodSandbox", pb.ListPodSandboxRequest()).items}
            self.check(sid in pods and bb_sid in pods and
                       all(p.state == pb.SANDBOX_READY for p in pods.values()),
                       "ListPodSandbox: the runc pod and the corral pod, both READY",
                       repr({k[:12]: (p.metadata.name, p.runtime_handler, p.state)
                             for k, p in pods.items()}))

            # A guest that exits by itself: 2 ticks, exit status 3.
            envs = [("GREETING", "hi from CRI"), ("POD_NAME", "wasm")]
            cc = self.container_config(cfg, "hello", "corral.local/hello-wasm:1",
                                       ["/hello.wasm"], ["2", "3"], envs)
            hid = self.rt("CreateContainer", pb.CreateContainerRequest(
                pod_sandbox_id=sid, config=cc, sandbox_config=cfg)).container_id
            self.rt("StartContainer", pb.StartContainerRequest(container_id=hid))
            st = self.status(hid)
            self.check(st.state in (RUNNING, EXITED) and st.started_at > 0,
                       "corral pod: CreateContainer, StartContainer → RUNNING",
                       STATE[st.state])
            st = self.wait_state(hid, EXITED, 20)
            self.check(st.state == EXITED and st.exit_code == 3 and
                       st.finished_at >= st.started_at > 0,
                       "corral pod: guest EXITED with its exit code 3",
                       f"{STATE[st.state]} exit {st.exit_code} reason {st.reason!r}")
            log = os.path.join(cfg.log_directory, "hello/0.log")
            text, bad = self.log_lines(log)
            want = ["hello from corral", "argc=3", "argv[0]=/hello.wasm", "argv[1]=2",
                    "argv[2]=3", "GREETING=hi from CRI", "POD_NAME=wasm", "tick 1", "tick 2",
                    "bye, exit 3"]
            self.check(text == want and not bad,
                       "corral pod: guest output, args and env in the CRI log file",
                       f"{text!r} bad {bad[:3]!r}")

            # The image with platform wasi/wasm: containerd 1.6's CRI runs it all the same.
            cc = self.container_config(cfg, "wasi", "corral.local/hello-wasm-wasi:1",
                                       ["/hello.wasm"], ["0", "0"], envs)
            xid = self.rt("CreateContainer", pb.CreateContainerRequest(
                pod_sandbox_id=sid, config=cc, sandbox_config=cfg)).container_id
            self.rt("StartContainer", pb.StartContainerRequest(container_id=xid))
            st = self.wait_state(xid, EXITED, 20)
            text, _ = self.log_lines(os.path.join(cfg.log_directory, "wasi/0.log"))
            self.check(st.state == EXITED and st.exit_code == 0 and
                       text[:1] == ["hello from corral"],
                       "corral pod: an image whose platform is wasi/wasm runs too",
                       f"{STATE[st.state]} exit {st.exit_code} {text[:2]!r}")

            self.run_pulled(sid, cfg)

            # A guest that runs until stopped.
            cc = self.container_config(cfg, "ticker", "corral.local/hello-wasm:1",
                                       ["/hello.wasm"], [], envs)
            tid = self.rt("CreateContainer", pb.CreateContainerRequest(
                pod_sandbox_id=sid, config=cc, sandbox_config=cfg)).container_id
            self.rt("StartContainer", pb.StartContainerRequest(container_id=tid))
            tlog = os.path.join(cfg.log_directory, "ticker/0.log")
            text = self.wait_log(tlog, "tick 2", 10)
            st = self.status(tid)
            self.check(st.state == RUNNING and "tick 2" in text,
                       "corral pod: a looping guest RUNNING, ticking in its log",
                       f"{STATE[st.state]} {text[-2:]!r}")
            try:
                ex = self.rt("ExecSync", pb.ExecSyncRequest(container_id=tid, cmd=["/x.wasm"],
                                                            timeout=5), timeout=20)
                self.check(False, "corral pod: ExecSync is refused (no exec into a guest)",
                           repr(ex))
            except grpc.RpcError as e:
                self.check(e.code() != grpc.StatusCode.DEADLINE_EXCEEDED,
                           "corral pod: ExecSync is refused (no exec into a guest)",
                           f"{e.code()}: {e.details()}")
                print(f"# corral pod: ExecSync: {e.code()}: {e.details()}")
            conts = {c.id: c for c in
                     self.rt("ListContainers", pb.ListContainersRequest()).containers}
            self.check({hid, tid, bb_cid} <= set(conts) and conts[tid].pod_sandbox_id == sid
                       and conts[bb_cid].pod_sandbox_id == bb_sid,
                       "ListContainers: both pods' containers",
                       repr({k[:12]: (c.metadata.name, STATE[c.state]) for k, c in conts.items()}))
            t0 = time.time()
            self.rt("StopContainer", pb.StopContainerRequest(container_id=tid, timeout=5),
                    timeout=30)
            st = self.status(tid)
            took = time.time() - t0
            self.check(st.state == EXITED and st.exit_code in (137, 143),
                       "corral pod: StopContainer(timeout 5) → EXITED, killed by a signal",
                       f"{STATE[st.state]} exit {st.exit_code} after {took:.1f}s")
            print(f"# corral pod: stopped guest exit code {st.exit_code} after {took:.1f}s "
                  f"(143 = SIGTERM honoured, 137 = killed after the timeout)")
            # A WAGI app (the image's entrypoint /modules.toml): corral serve in the pod's
            # network namespace, reached at the pod's IP as a Service or a probe would.
            cc = self.container_config(cfg, "web", "corral.local/hello-wagi:1", [], [],
                                       [("CORRAL_LISTEN", "0.0.0.0:8080")])
            wid = self.rt("CreateContainer", pb.CreateContainerRequest(
                pod_sandbox_id=sid, config=cc, sandbox_config=cfg)).container_id
            self.rt("StartContainer", pb.StartContainerRequest(container_id=wid))
            url = f"http://{pod_ip}:8080/hello"
            body, err, end = None, None, time.time() + 15
            while body is None and time.time() < end:
                try:
                    with NO_PROXY.open(url, timeout=2) as r:
                        body = r.read().decode()
                except OSError as e:
                    err = e
                    time.sleep(0.2)
            wlog, _ = self.log_lines(os.path.join(cfg.log_directory, "web/0.log"))
            self.check(body == "hello from a corral pod: GET /hello\n",
                       f"corral pod: WAGI app answers at the pod IP ({url})",
                       (repr(body) if body is not None else repr(err)) + f", log {wlog[-5:]!r}")
            st = self.status(wid)
            self.check(st.state == RUNNING, "corral pod: WAGI container RUNNING",
                       f"{STATE[st.state]} exit {st.exit_code}, log {wlog[-5:]!r}")
            self.rt("StopContainer", pb.StopContainerRequest(container_id=wid, timeout=5),
                    timeout=30)
            st = self.status(wid)
            self.check(st.state == EXITED, "corral pod: StopContainer stops the WAGI app",
                       f"{STATE[st.state]} exit {st.exit_code}")
            # corral serve without --log-dir makes a temporary directory; the node must not
            # keep one per container start.
            tmp = [m.group(1) for line in wlog
                   for m in [re.search(r"using temporary directory (\S+)", line)] if m]
            left = [d for d in tmp if os.path.exists(d)]
            self.check(not left, "corral pod: the WAGI app left no temporary directory on the node",
                       repr(left))
            for d in left:
                shutil.rmtree(d, ignore_errors=True)
            for cid, name in ((hid, "hello"), (xid, "wasi"), (tid, "ticker"), (wid, "web")):
                self.rt("RemoveContainer", pb.RemoveContainerRequest(container_id=cid))
                self.check(True, f"corral pod: RemoveContainer {name}")
        except grpc.RpcError as e:
            self.check(False, "corral pod: container calls", e.details())
        finally:
            self.remove_pod(sid, "corral pod")

    def cleanup(self):
        """Whatever a failed run left: every pod stopped and removed (with its containers)."""
        try:
            for p in self.rt("ListPodSandbox", pb.ListPodSandboxRequest(), timeout=20).items:
                try:
                    self.rt("StopPodSandbox", pb.StopPodSandboxRequest(pod_sandbox_id=p.id))
                    self.rt("RemovePodSandbox", pb.RemovePodSandboxRequest(pod_sandbox_id=p.id))
                except grpc.RpcError as e:
                    print(f"# cleanup of pod {p.id[:12]}: {e.details()}")
        except grpc.RpcError as e:
            print(f"# cleanup: {e.details()}")


def main():
    # SIGTERM (from cri_test.sh's trap) unwinds like an exception: the pods get removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--logs", required=True)
    ap.add_argument("--shim", required=True)
    ap.add_argument("--subnet", required=True)
    ap.add_argument("--result", required=True)
    ap.add_argument("--registry", default="",
                    help="HOST:PORT of a registry holding corral/hello:{image,wasi,artifact}")
    t = Test(ap.parse_args())
    try:
        t.run()
    except grpc.RpcError as e:
        t.check(False, "CRI call", f"{e.code()}: {e.details()}")
    finally:
        t.cleanup()
        with open(t.args.result, "w") as f:
            f.write(f"{t.passed} {t.failed} {t.skipped}\n")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
