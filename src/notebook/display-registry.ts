/**
 * What a value looks like in a notebook: a MIME bundle (text/plain always, text/html when a renderer
 * knows the value). Renderers are registered explicitly (see tessera-displays.ts); objects that
 * carry their own `_repr_html_()` (IPython's convention) are honoured too. text/plain is the REPL's
 * view (util.inspect), so the terminal and the notebook agree on the text.
 */
import { inspect } from "node:util";

export type MimeBundle = Record<string, string>;

export interface Renderer<T> {
  html(value: T): string;
  text?(value: T): string;
}

type Ctor<T> = abstract new (...args: never[]) => T;

export class DisplayRegistry {
  readonly #rules: { ctor: Ctor<unknown>; r: Renderer<unknown> }[] = [];

  /** Later registrations win over earlier ones (so a subclass registered after its base is found first). */
  register<T>(ctor: Ctor<T>, renderer: Renderer<T>): this {
    this.#rules.unshift({ ctor: ctor as Ctor<unknown>, r: renderer as Renderer<unknown> });
    return this;
  }

  bundle(value: unknown): MimeBundle {
    const out: MimeBundle = { "text/plain": typeof value === "string" ? value : inspect(value, { colors: false, depth: 4 }) };
    if (value !== null && typeof value === "object") {
      const rule = this.#rules.find((x) => value instanceof x.ctor);
      if (rule) {
        out["text/html"] = rule.r.html(value);
        if (rule.r.text) out["text/plain"] = rule.r.text(value);
        return out;
      }
      const own = (value as { _repr_html_?: unknown })._repr_html_;
      if (typeof own === "function") {
        const html = own.call(value) as unknown;
        if (typeof html === "string") out["text/html"] = html;
      }
    }
    return out;
  }
}
