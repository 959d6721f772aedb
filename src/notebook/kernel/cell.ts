/**
 * A notebook cell, from TypeScript to a script that keeps its top-level names between cells.
 *
 * 1. TypeScript → JavaScript with the compiler's `transpileModule` (types erased, nothing checked;
 *    imports kept as written, so `import { Client } from "tessera"` in one cell serves later ones).
 * 2. The top-level statements are rewritten (acorn) so that the cell runs as
 *      var a, b, C;                  // every top-level name, global: the next cell sees it
 *      (async () => { …cell… })()    // so top-level `await` works
 *    `const/let x = e` → `x = e`; `import {a as b} from "m"` → `({a: b} = await __tessera.import("m"))`;
 *    functions are assigned first (hoisted, as in a module); classes where they stand; the last
 *    expression statement (only declarations after it) is the cell's value, boxed so that a
 *    returned Future is shown rather than awaited.
 *
 * Pure apart from loading the compiler. A re-run cell may redeclare its `const`s (as in a REPL).
 */
import { parse, type Node, type Pattern, type Program } from "acorn";
import { createRequire } from "node:module";
import { TesseraError } from "../../util/errors.js";

export class CellSyntaxError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_CELL_SYNTAX", message);
    this.name = "SyntaxError";
  }
}

type TS = typeof import("typescript");
let ts: TS | undefined;

function typescript(): TS {
  // Loaded on first use (about half a second): the kernel answers kernel_info before any cell runs.
  ts ??= createRequire(import.meta.url)("typescript") as TS;
  return ts;
}

export function transpile(code: string): string {
  const t = typescript();
  const out = t.transpileModule(code, {
    reportDiagnostics: true,
    compilerOptions: {
      target: t.ScriptTarget.ES2022,
      module: t.ModuleKind.ESNext,
      verbatimModuleSyntax: true,
      sourceMap: false,
    },
  });
  const diag = out.diagnostics?.[0];
  if (diag) {
    const text = t.flattenDiagnosticMessageText(diag.messageText, "\n");
    const pos = diag.file && diag.start !== undefined ? diag.file.getLineAndCharacterOfPosition(diag.start) : undefined;
    throw new CellSyntaxError(pos ? `line ${pos.line + 1}, column ${pos.character + 1}: ${text}` : text);
  }
  return out.outputText;
}

function patternNames(p: Pattern, out: string[]): void {
  switch (p.type) {
    case "Identifier":
      out.push(p.name);
      break;
    case "ObjectPattern":
      for (const prop of p.properties) patternNames(prop.type === "RestElement" ? prop.argument : prop.value, out);
      break;
    case "ArrayPattern":
      for (const el of p.elements) if (el) patternNames(el, out);
      break;
    case "AssignmentPattern":
      patternNames(p.left, out);
      break;
    case "RestElement":
      patternNames(p.argument, out);
      break;
    default:
      break;
  }
}

export interface RewrittenCell {
  /** The script to run (in this realm, as a classic script). */
  script: string;
  /** Top-level names the cell declares. */
  names: string[];
}

/** Rewrites transpiled JavaScript (see the file comment); `importName` is the host's import function. */
export function rewrite(js: string, importName = "__tessera.import"): RewrittenCell {
  let program: Program;
  try {
    program = parse(js, { ecmaVersion: "latest", sourceType: "module", allowAwaitOutsideFunction: true, allowReturnOutsideFunction: true });
  } catch (err) {
    throw new CellSyntaxError((err as Error).message);
  }
  const names = new Set<string>();
  const hoisted: string[] = [];
  const body: string[] = [];
  const src = (n: Node) => js.slice(n.start, n.end);
  const stmts = program.body;
  // The cell's value: its last expression statement, if only declarations follow (as in a REPL).
  const DECLARATIONS = new Set(["FunctionDeclaration", "ClassDeclaration", "VariableDeclaration", "ImportDeclaration", "ExportNamedDeclaration", "ExportDefaultDeclaration", "ExportAllDeclaration", "EmptyStatement"]);
  let valueAt = stmts.length - 1;
  while (valueAt >= 0 && DECLARATIONS.has(stmts[valueAt]!.type)) valueAt--;
  stmts.forEach((raw, i) => {
    const last = i === valueAt;
    let st: Node = raw;
    if ((st.type === "ExportNamedDeclaration" || st.type === "ExportDefaultDeclaration") && (st as { declaration?: Node | null }).declaration) {
      st = (st as unknown as { declaration: Node }).declaration;
    } else if (st.type === "ExportNamedDeclaration" || st.type === "ExportAllDeclaration") {
      return; // `export { a }`: nothing to do in a notebook
    }
    switch (st.type) {
      case "ImportDeclaration": {
        const d = st as import("acorn").ImportDeclaration;
        const from = JSON.stringify(d.source.value);
        if (d.specifiers.length === 0) {
          body.push(`await ${importName}(${from});`);
          break;
        }
        const parts: string[] = [];
        for (const s of d.specifiers) {
          names.add(s.local.name);
          if (s.type === "ImportNamespaceSpecifier") body.push(`${s.local.name} = await ${importName}(${from});`);
          else if (s.type === "ImportDefaultSpecifier") parts.push(`default: ${s.local.name}`);
          else {
            const imported = s.imported.type === "Identifier" ? s.imported.name : String(s.imported.value);
            parts.push(`${JSON.stringify(imported)}: ${s.local.name}`);
          }
        }
        if (parts.length) body.push(`({${parts.join(", ")}} = await ${importName}(${from}));`);
        break;
      }
      case "VariableDeclaration": {
        const d = st as import("acorn").VariableDeclaration;
        for (const decl of d.declarations) {
          const declared: string[] = [];
          patternNames(decl.id, declared);
          declared.forEach((n) => names.add(n));
          if (decl.init) body.push(`(${src(decl.id)} = ${src(decl.init)});`);
          else if (d.kind !== "var") body.push(`${declared[0]} = undefined;`);
        }
        break;
      }
      case "FunctionDeclaration": {
        const f = st as import("acorn").FunctionDeclaration;
        if (f.id) {
          names.add(f.id.name);
          hoisted.push(`${f.id.name} = ${src(f)};`);
        } else body.push(src(f));
        break;
      }
      case "ClassDeclaration": {
        const c = st as import("acorn").ClassDeclaration;
        if (c.id) {
          names.add(c.id.name);
          body.push(`${c.id.name} = ${src(c)};`);
        } else body.push(src(c));
        break;
      }
      case "ExpressionStatement":
        if (last) body.push(`return { value: (${src((st as import("acorn").ExpressionStatement).expression)}) };`);
        else body.push(src(st));
        break;
      default:
        body.push(src(st));
    }
  });
  const decl = names.size ? `var ${[...names].join(", ")};\n` : "";
  return { script: `${decl}(async () => {\n${hoisted.join("\n")}\n${body.join("\n")}\n})()`, names: [...names] };
}

export function compileCell(code: string, importName?: string): RewrittenCell {
  return rewrite(transpile(code), importName);
}
