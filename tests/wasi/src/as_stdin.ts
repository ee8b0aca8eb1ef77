// as_stdin: reads stdin to the end with process.stdin.read (fd_read) in 16-byte pieces,
// counts bytes and lines and echoes the text back.
const buf = new ArrayBuffer(16);
let bytes = 0;
let lines = 0;
let text = "";
while (true) {
  const n = process.stdin.read(buf);
  if (n <= 0) break;
  const view = Uint8Array.wrap(buf, 0, n);
  for (let i = 0; i < n; i++) if (view[i] == 10) lines++;
  text += String.UTF8.decode(buf.slice(0, n));
  bytes += n;
}
process.stdout.write(text);
console.log("--");
console.log("bytes=" + bytes.toString() + " lines=" + lines.toString());
