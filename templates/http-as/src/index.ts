// index.ts: {{name}}, an HTTP handler (WAGI style) in AssemblyScript on the WASI shim: each
// request runs it in a fresh sandbox with the request in environment variables; it prints
// the response: headers, a blank line, the body.
let path = process.env.has("PATH_INFO") ? process.env.get("PATH_INFO") : "";
if (path.length == 0) path = "/";
process.stdout.write("Content-Type: text/plain; charset=utf-8\n\n");
process.stdout.write("Hello from {{name}}! You asked for " + path + "\n");
