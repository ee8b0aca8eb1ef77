// as_env: the environment (environ_get) as the WASI shim's process.env, sorted; clocks seen
// through Date.now, performance.now and process.hrtime (properties only); random bytes from
// crypto.getRandomValues (random_get).
const env = process.env;
const keys = env.keys().sort();
console.log("count=" + keys.length.toString());
for (let i = 0; i < keys.length; i++) {
  console.log(keys[i] + "=[" + env.get(keys[i]) + "]");
}

const now = Date.now();
const plausible = now > 1577836800000 && now < 4102444800000;
console.log("Date.now after 2020 and before 2100: " + plausible.toString());
const p0 = performance.now();
let nondecreasing = true;
let last = process.hrtime();
for (let i = 0; i < 1000; i++) {
  const t = process.hrtime();
  if (t < last) nondecreasing = false;
  last = t;
}
console.log("hrtime nondecreasing: " + nondecreasing.toString());
console.log("performance.now nondecreasing: " + (performance.now() >= p0).toString());

const a = new Uint8Array(64);
const b = new Uint8Array(64);
crypto.getRandomValues(a);
crypto.getRandomValues(b);
let same = true;
let constant = true;
for (let i = 0; i < 64; i++) {
  if (a[i] != b[i]) same = false;
  if (a[i] != a[0]) constant = false;
}
console.log("two random draws differ: " + (!same).toString() +
            ", not constant: " + (!constant).toString());
