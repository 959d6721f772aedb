import { test } from "node:test";
import assert from "node:assert/strict";
import { describeFunction, remote, loadFunction, UnshippableFunctionError } from "../../src/client/functions.js";
import { analyseFunctionSource } from "../../src/client/free-variables.js";

const none = new Set<string>();

test("self-contained functions ship as source and compile back", async () => {
  const cases: Array<[Function, unknown[], unknown]> = [
    [(x: number) => x * 2, [4], 8],
    [function add(a: number, b: number) { return a + b; }, [1, 2], 3],
    [(xs: number[]) => xs.map((v) => Math.sqrt(v)), [[4, 9]], [2, 3]],
    [({ a, b: [c, ...rest] }: { a: number; b: number[] }) => a + (c ?? 0) + rest.length, [{ a: 1, b: [2, 3, 4] }], 5],
    [(n: number) => { let s = 0; for (let i = 0; i < n; i++) { s += i; } return s; }, [5], 10],
    [(x: number) => { try { throw new Error("e"); } catch (err) { return (err as Error).message + x; } }, [1], "e1"],
    [(x: number) => { function inner(y: number): number { return y + 1; } class K { v = inner(x); } return new K().v; }, [1], 2],
    [function f(n: number): number { return n <= 1 ? 1 : n * f(n - 1); }, [5], 120],
    [function () { return arguments.length; }, [1, 2, 3], 3],
    [(x: number) => JSON.stringify({ x, t: typeof process, b: typeof Buffer }), [1], '{"x":1,"t":"object","b":"function"}'],
  ];
  for (const [fn, args, expected] of cases) {
    const d = describeFunction(fn);
    assert.equal(d.kind, "source");
    const back = await loadFunction(d);
    assert.deepEqual(await back(...args), expected, d.kind === "source" ? d.source : "");
  }
  const asyncFn = async (x: number) => { await new Promise((r) => setTimeout(r, 1)); return x + 1; };
  assert.equal(await (await loadFunction(describeFunction(asyncFn)))(1), 2);
  const d = describeFunction(function named() { return 1; });
  assert.equal(d.kind === "source" && d.name, "named");
});

test("a function may call itself by the name it was defined under", async () => {
  const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
  const d = describeFunction(fib);
  assert.equal(d.kind === "source" && d.name, "fib");
  assert.equal((await loadFunction(d))(10), 55);
  const other = (n: number): number => (n < 2 ? n : fib(n - 1));
  assert.throws(() => describeFunction(other), /uses variable 'fib' from outside itself/);
});

test("functions that close over locals or imports are refused at submit time, naming the variables", () => {
  const scale = 3;
  const offset = 1;
  assert.throws(
    () => describeFunction((x: number) => x * scale + offset),
    (e: Error) => {
      assert.ok(e instanceof UnshippableFunctionError);
      assert.match(e.message, /uses variables 'offset', 'scale' from outside itself/);
      assert.match(e.message, /Pass the values as arguments/);
      assert.match(e.message, /remote\(import\.meta\.url, \{ fn \}\)/);
      return true;
    },
  );
  // A module-level import is a free variable too.
  assert.throws(() => describeFunction((x: unknown) => describeFunction(x as Function)), /variable 'describeFunction'/);
  // Assigning to an outer variable is using it.
  let counter = 0;
  assert.throws(() => describeFunction(() => { counter += 1; }), /variable 'counter'/);
  void counter;
  // Declared in a sibling scope does not count as declared here.
  const r = analyseFunctionSource("(a) => { { let q = 1; } return q + a; }", none);
  assert.deepEqual(r.ok && r.free, ["q"]);
  // var is function-scoped (hoisted out of blocks), let is not.
  const v = analyseFunctionSource("() => { if (1) { var h = 2; } return h; }", none);
  assert.deepEqual(v.ok && v.free, []);
  // Object keys and non-computed members are not variables.
  const m = analyseFunctionSource("(o) => ({ key: o.prop, [o.k]: 1 })", none);
  assert.deepEqual(m.ok && m.free, []);
});

test("methods, classes, native and bound functions get a clear error", () => {
  const obj = { method(x: number) { return x; }, get g() { return 1; } };
  assert.throws(() => describeFunction(obj.method), /function 'method' cannot be shipped as source \(it looks like a method/);
  class Sim { run() { return 1; } }
  assert.throws(() => describeFunction(Sim), /'Sim' is a class/);
  assert.throws(() => describeFunction(Math.sqrt), /function 'sqrt' is native or bound/);
  assert.throws(() => describeFunction(((x: number) => x).bind(null)), /native or bound/);
  assert.throws(() => describeFunction(42 as unknown as Function), /expected a function to run on workers, got number/);
});

test("remote() tags module functions to ship by URL and export name", async () => {
  const url = new URL("../worker/executor-fixtures/user-module.js", import.meta.url).href;
  const fns = remote(url, { double: (x: number) => x });
  assert.deepEqual(describeFunction(fns.double), { kind: "module", url, exportName: "double" });
  const f = await loadFunction(describeFunction(fns.double));
  assert.equal(f(21), 42);
  await assert.rejects(loadFunction({ kind: "module", url, exportName: "triple" }), /has no exported function 'triple' \(exports: double\)/);
  assert.throws(() => remote("not a url", { f: () => 1 }), /'not a url' is not a module URL; pass import\.meta\.url/);
  assert.throws(() => remote(url, { f: 3 as unknown as Function }), /'f' is number, not a function/);
  await assert.rejects(loadFunction({ kind: "bogus" } as never), /not a function descriptor/);
});
