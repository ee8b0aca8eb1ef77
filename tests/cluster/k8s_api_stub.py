#!/usr/bin/env python3
"""k8s_api_stub.py PORTFILE LOGFILE: the least of a Kubernetes API server that lets
`kubectl apply --dry-run=client` run with no cluster. kubectl needs API discovery even for a
client-side dry run (to map each kind to its resource); this answers it for the kinds
docs/kubernetes/*.yaml use, says 404 Not Found to every object GET (nothing exists, so apply
would create), and refuses anything else with 405 — a dry run must never write, and every
request is logged (method and path, one a line) so the test can check that none did.
Listens on 127.0.0.1, a port of the kernel's choosing, written to PORTFILE."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def res(name, kind, namespaced, short=()):
    return {"name": name, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind,
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
            "shortNames": list(short)}


RESOURCES = {
    "/api/v1": ("v1", [res("pods", "Pod", True, ["po"]), res("services", "Service", True, ["svc"]),
                       res("configmaps", "ConfigMap", True, ["cm"]),
                       res("namespaces", "Namespace", False, ["ns"]),
                       res("nodes", "Node", False, ["no"])]),
    "/apis/apps/v1": ("apps/v1", [res("deployments", "Deployment", True, ["deploy"]),
                                  res("daemonsets", "DaemonSet", True, ["ds"])]),
    "/apis/node.k8s.io/v1": ("node.k8s.io/v1", [res("runtimeclasses", "RuntimeClass", False)]),
}
GROUPS = [("apps", "v1"), ("node.k8s.io", "v1")]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self):
        with open(sys.argv[2], "a") as f:
            f.write(f"{self.command} {self.path}\n")

    def do_GET(self):
        self.record()
        path = self.path.split("?", 1)[0]
        if path == "/version":
            return self.send(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0-stub",
                                   "platform": "linux/amd64"})
        if path == "/api":
            return self.send(200, {"kind": "APIVersions", "versions": ["v1"],
                                   "serverAddressByClientCIDRs": [
                                       {"clientCIDR": "0.0.0.0/0",
                                        "serverAddress": "127.0.0.1"}]})
        if path == "/apis":
            return self.send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v}],
                 "preferredVersion": {"groupVersion": f"{g}/{v}", "version": v}}
                for g, v in GROUPS]})
        if path in RESOURCES:
            gv, resources = RESOURCES[path]
            return self.send(200, {"kind": "APIResourceList", "apiVersion": "v1",
                                   "groupVersion": gv, "resources": resources})
        name = path.rstrip("/").rsplit("/", 1)[-1]
        return self.send(404, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                               "status": "Failure", "reason": "NotFound", "code": 404,
                               "message": f"{name} not found (stub)"})

    def refuse(self):
        self.record()
        self.send(405, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                        "reason": "MethodNotAllowed", "code": 405,
                        "message": "the stub takes no writes"})

    do_POST = do_PUT = do_PATCH = do_DELETE = refuse


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
