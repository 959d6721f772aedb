/**
 * Free-variable analysis of a function's source with a real JS parser (acorn): which identifiers it
 * reads or writes that it does not declare itself (parameters, var/let/const, function and class
 * names, catch parameters, in any nested scope). A first pass records each scope's declarations,
 * a second resolves every identifier through its enclosing scopes.
 */
import { parse, type Node, type Pattern, type AnyNode } from "acorn";
import * as walk from "acorn-walk";

export type ParsedFunction =
  | { ok: true; node: Node; free: string[] }
  | { ok: false; reason: "syntax" | "not-a-function" | "class"; detail: string };

const FUNCTION_TYPES = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);
const BLOCK_TYPES = new Set([
  "BlockStatement", "Program", "ForStatement", "ForInStatement", "ForOfStatement", "SwitchStatement", "StaticBlock",
  ...FUNCTION_TYPES,
]);

function patternNames(p: Pattern | null | undefined, out: string[] = []): string[] {
  if (!p) return out;
  switch (p.type) {
    case "Identifier":
      out.push(p.name);
      break;
    case "ObjectPattern":
      for (const prop of p.properties) {
        if (prop.type === "RestElement") patternNames(prop.argument, out);
        else patternNames(prop.value, out);
      }
      break;
    case "ArrayPattern":
      for (const el of p.elements) patternNames(el, out);
      break;
    case "RestElement":
      patternNames(p.argument, out);
      break;
    case "AssignmentPattern":
      patternNames(p.left, out);
      break;
    default:
      // MemberExpression targets declare nothing.
      break;
  }
  return out;
}

/** Analyse `source` (a function's toString()); `free` lists the undeclared names, sorted, unique. */
export function analyseFunctionSource(source: string, allowed: ReadonlySet<string>): ParsedFunction {
  const wrapped = `(${source})`;
  let program;
  try {
    program = parse(wrapped, { ecmaVersion: "latest", sourceType: "script" });
  } catch (e) {
    return { ok: false, reason: "syntax", detail: (e as Error).message };
  }
  const stmt = program.body.length === 1 ? program.body[0] : undefined;
  if (!stmt || stmt.type !== "ExpressionStatement") return { ok: false, reason: "syntax", detail: "source is not a single expression" };
  const root: Node = stmt.expression;
  if (root.type === "ClassExpression") return { ok: false, reason: "class", detail: "a class" };
  if (root.type !== "FunctionExpression" && root.type !== "ArrowFunctionExpression") {
    return { ok: false, reason: "not-a-function", detail: root.type };
  }

  const locals = new WeakMap<Node, Set<string>>();
  const declare = (scope: Node, names: string[]) => {
    let s = locals.get(scope);
    if (!s) locals.set(scope, (s = new Set()));
    for (const n of names) s.add(n);
  };
  const nearest = (ancestors: AnyNode[], types: ReadonlySet<string>, skipSelf: boolean): Node => {
    for (let i = ancestors.length - (skipSelf ? 2 : 1); i >= 0; i--) {
      if (types.has(ancestors[i]!.type)) return ancestors[i]!;
    }
    return ancestors[0]!;
  };

  const declarations = {
    VariableDeclaration(node: AnyNode, _s: unknown, ancestors: AnyNode[]) {
      if (node.type !== "VariableDeclaration") return;
      const scope = node.kind === "var" ? nearest(ancestors, FUNCTION_TYPES, true) : nearest(ancestors, BLOCK_TYPES, true);
      for (const d of node.declarations) declare(scope, patternNames(d.id));
    },
    Function(node: AnyNode, _s: unknown, ancestors: AnyNode[]) {
      if (node.type !== "FunctionDeclaration" && node.type !== "FunctionExpression" && node.type !== "ArrowFunctionExpression") return;
      const names: string[] = [];
      for (const p of node.params) patternNames(p, names);
      declare(node, names);
      if (node.type !== "ArrowFunctionExpression") declare(node, ["arguments"]);
      if (node.id) {
        if (node.type === "FunctionDeclaration") declare(nearest(ancestors, BLOCK_TYPES, true), [node.id.name]);
        else declare(node, [node.id.name]);
      }
    },
    Class(node: AnyNode, _s: unknown, ancestors: AnyNode[]) {
      if ((node.type !== "ClassDeclaration" && node.type !== "ClassExpression") || !node.id) return;
      if (node.type === "ClassDeclaration") declare(nearest(ancestors, BLOCK_TYPES, true), [node.id.name]);
      else declare(node, [node.id.name]);
    },
    CatchClause(node: AnyNode) {
      if (node.type === "CatchClause" && node.param) declare(node, patternNames(node.param));
    },
  };
  walk.ancestor(root, declarations as unknown as walk.AncestorVisitors<unknown>);

  const free = new Set<string>();
  const resolve = (node: AnyNode, _s: unknown, ancestors: AnyNode[]) => {
    if (node.type !== "Identifier") return;
    const name = node.name;
    if (allowed.has(name)) return;
    for (let i = ancestors.length - 1; i >= 0; i--) {
      if (locals.get(ancestors[i]!)?.has(name)) return;
    }
    free.add(name);
  };
  walk.ancestor(root, { Identifier: resolve, VariablePattern: resolve } as unknown as walk.AncestorVisitors<unknown>);
  return { ok: true, node: root, free: [...free].sort() };
}
