// Type tests for array compute() and Client.compute/persist (compiled with the project; see submit.ts).
import { Client, CollectionFuture, type ProgressReporter } from "../../src/index.js";
import { ones, random, NDArray, type Computed } from "../../src/array/index.js";

export async function typed(client: Client): Promise<void> {
  const xy = random.uniform(0, 1, { shape: [1000, 2], chunks: [250, 2], seed: 1 });
  // A full reduction is 0-d: compute() gives a number.
  const pi = await xy.pow(2).sum({ axis: -1 }).lt(1).mean().mul(4).compute();
  pi.toFixed(3);
  const m: number = await ones([10]).mean().compute();
  const s: number = await ones([10]).sum().add(ones([10]).max()).compute();
  const any: boolean = await ones([10]).gt(0).any().compute();
  const mx = await ones([10]).max().compute();
  void m, s, any;
  // @ts-expect-error min/max keep the element type, which may be boolean
  mx.toFixed(1);
  // A reduction along an axis may have dimensions: number | boolean | NDArray.
  const r: Computed = await ones([4, 4]).sum({ axis: 0 }).compute();
  // @ts-expect-error not known to be a number
  r.toFixed(1);
  const nd = await ones([4, 4]).computeArray();
  nd.shape;

  // client.compute gives futures of collections; await gives what compute() gives.
  const f: CollectionFuture<number> = client.compute(ones([10]).sum());
  (await f).toFixed(0);
  const [a, b] = client.compute([ones([10]).sum(), ones([3, 3])] as const);
  (await a).toFixed(0);
  const bv: Computed = await b;
  void bv;
  const persisted = await client.persist(ones([10]).mean());
  (await persisted.compute()).toFixed(2);
  const reporter: ProgressReporter = { start() {}, update() {}, end() {} };
  await client.compute(ones([10]).sum(), { progress: reporter });
  if (bv instanceof NDArray) bv.shape;
}
