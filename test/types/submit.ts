// Type tests: compiled with the project (npm run build) and, against the packed package, by
// test/package/tarball.test.ts (tsc --strict, nodenext). Lines marked `@ts-expect-error` must fail to
// compile (tsc reports an unused directive otherwise).
import { Client, Future, TaskError, TesseraError, type RebalanceResult } from "../../src/index.js";

export async function typed(client: Client): Promise<void> {
  // submit infers the argument and result types from the function.
  const sq: Future<number> = client.submit((x: number) => x * x, 7);
  const n: number = await sq;
  n.toFixed(1);
  // Async functions resolve to their awaited value.
  const s: Future<string> = client.submit(async (x: number) => String(x), 1);
  (await s).toUpperCase();
  // Futures stand in for values, also inside arrays and plain objects.
  const total: Future<number> = client.submit((xs: number[]) => xs.reduce((a, b) => a + b, 0), [sq, 2, sq]);
  client.submit((o: { a: number; b: number[] }) => o.a + o.b[0]!, { a: sq, b: [sq] });
  client.submit((a: number, b: number) => a + b, total, sq);
  // An object argument is an argument, never options.
  const k: Future<string> = client.submit((o: { key: string }) => o.key, { key: "abc" });
  (await k).length;
  // Options go separately.
  const w: Future<number> = client.submitWith({ key: "x", retries: 2, priority: 1, pure: false }, (x: number) => x + 1, 1);
  void w;
  // map is typed the same way.
  const m: Future<number>[] = client.map((x: number, y: string) => x + y.length, [1, 2], ["a", "b"]);
  const ms: Future<boolean>[] = client.mapWith({ retries: 1 }, (x: number) => x > 0, new Set([1, 2]));
  const all: number[] = await client.gather(m);
  void ms;
  void all;
  // Registered ops by name: untyped unless told.
  const op: Future<number> = client.submit<number>("test.add", 1, 2);
  void op;

  // @ts-expect-error a string where the function takes a number
  client.submit((x: number) => x * x, "seven");
  // @ts-expect-error too few arguments
  client.submit((x: number, y: number) => x * y, 1);
  // @ts-expect-error too many arguments (an options object is an argument, not options)
  client.submit((x: number) => x, 1, { retries: 1 });
  // @ts-expect-error a Future of the wrong type
  client.submit((x: string) => x.length, sq);
  // @ts-expect-error the result is a number, not a string
  const wrong: Future<string> = client.submit((x: number) => x + 1, 1);
  void wrong;
  // @ts-expect-error map: elements of the wrong type
  client.map((x: number) => x, ["a"]);
  // @ts-expect-error unknown option
  client.submitWith({ retry: 1 }, (x: number) => x, 1);

  // rebalance and uploadFile.
  const moved: RebalanceResult = await client.rebalance([sq], { workers: ["tcp://127.0.0.1:1"] });
  const from: string = moved.moved["k"]![0];
  const paths: Record<string, string> = await client.uploadFile("ops.mjs", { load: true });
  void from, paths;
  // @ts-expect-error rebalance takes futures, not keys
  await client.rebalance(["x-1"]);
  // @ts-expect-error resources are numbers
  client.submitWith({ resources: { GPU: "1" } }, (x: number) => x, 1);

  // One TaskError, with a code.
  try {
    await sq;
  } catch (e) {
    if (e instanceof TaskError) {
      const key: string = e.key;
      const code: string = e.code;
      const base: TesseraError = e;
      void key, code, base;
    }
  }
}
