/**
 * Futures on a LocalCluster: the shortest tour of Tessera's distributed engine.
 *
 *   npm run build && node dist/examples/futures.js
 */
import { inspect } from "node:util";
import { Client, LocalCluster, TaskError } from "../src/index.js";

const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, memoryLimit: "1GB" });
const client = await Client.connect(cluster);
console.log(inspect(client));

// One task: a self-contained function runs on a worker; `await` fetches the result.
const inc = (x: number) => x + 1;
console.log("inc(41) =", await client.submit(inc, 41));

// Many tasks at once, then their results in one go.
const squares = client.map((x: number) => x * x, Array.from({ length: 10 }, (_, i) => i));
console.log("squares:", await client.gather(squares));

// Futures as arguments: the sum runs where the squares are; only inputs move between workers.
const total = client.submit((xs: number[]) => xs.reduce((a, b) => a + b, 0), squares);
console.log("sum of squares:", await total);

// Typed arrays travel as raw bytes.
const noise = client.submit((n: number) => Float64Array.from({ length: n }, () => Math.random()), 1_000_000);
const mean = client.submit((a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length, noise);
console.log("mean of 1e6 uniform numbers ≈", (await mean as number).toFixed(3));

// Errors come back with the task key and the worker's stack.
try {
  await client.submit(function fails(x: number) {
    throw new Error(`cannot handle ${x}`);
  }, 13);
} catch (e) {
  if (e instanceof TaskError) console.log(`caught ${e.name} for key ${e.key}: ${e.message}`);
  else throw e;
}

// A thousand small tasks, timed.
const t0 = performance.now();
const many = client.map(inc, Array.from({ length: 1000 }, (_, i) => i));
await client.gather(many);
console.log(`1000 tasks in ${(performance.now() - t0).toFixed(0)} ms`);

await client.close();
await cluster.close();
