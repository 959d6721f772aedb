/**
 * Fair admission for a listener's unauthenticated connections, IO-free. At most `maxPending` may be
 * part-way through the handshake at once, and at most `maxPendingPerSource` from one address. When a
 * new connection would pass a limit, it is not the newcomer that is refused but the oldest pending
 * connection of the address with the most pending ones, and silent ones (no byte sent yet) before
 * those that are talking. A real peer finishes its handshake in milliseconds, so a flood of held-open
 * sockets from one host keeps evicting itself, and a client or a reconnecting worker still gets in.
 * Authenticated connections hold no slot at all: they never wait behind strangers.
 */
import { UsageError } from "../util/errors.js";
export interface AdmissionLimits {
  /** Unauthenticated connections at once, over all addresses. */
  maxPending: number;
  /** Unauthenticated connections at once from one address. */
  maxPendingPerSource: number;
}

export interface Admitted {
  /** The handshake ended (either way): frees the slot. Idempotent. */
  release(): void;
  /** The peer sent its first bytes: it is evicted after silent ones. */
  talking(): void;
}

interface Entry {
  source: string;
  talking: boolean;
  evict: () => void;
}

export class HandshakeAdmission {
  /** Pending entries by source, each set in arrival order. */
  #bySource = new Map<string, Set<Entry>>();
  #pending = 0;

  constructor(
    readonly limits: AdmissionLimits,
    /** Called for each connection evicted, with its source address (the listener logs it, rate-limited). */
    private readonly onEvicted: (source: string) => void,
  ) {
    for (const [k, v] of Object.entries(limits)) {
      if (!Number.isInteger(v) || v < 1) throw new UsageError(`${k === "maxPending" ? "maxPendingHandshakes" : "maxPendingHandshakesPerSource"} ${v} is not valid; use a whole number ≥ 1`);
    }
  }

  get pending(): number {
    return this.#pending;
  }

  pendingFrom(source: string): number {
    return this.#bySource.get(source)?.size ?? 0;
  }

  /** Admits the connection, evicting another first if a limit is reached. `evict` closes this one if it is chosen later. */
  admit(source: string, evict: () => void): Admitted {
    const mine = this.#bySource.get(source);
    if (mine !== undefined && mine.size >= this.limits.maxPendingPerSource) this.#evictFrom(mine);
    else if (this.#pending >= this.limits.maxPending) this.#evictFrom(this.#busiest());
    const entry: Entry = { source, talking: false, evict };
    let set = this.#bySource.get(source);
    if (set === undefined) this.#bySource.set(source, (set = new Set()));
    set.add(entry);
    this.#pending++;
    return {
      release: () => this.#remove(entry),
      talking: () => {
        entry.talking = true;
      },
    };
  }

  #busiest(): Set<Entry> {
    let best: Set<Entry> | undefined;
    for (const s of this.#bySource.values()) if (best === undefined || s.size > best.size) best = s;
    return best!;
  }

  #evictFrom(set: Set<Entry>): void {
    let victim: Entry | undefined;
    for (const e of set) {
      if (!e.talking) {
        victim = e;
        break;
      }
      victim ??= e;
    }
    if (victim === undefined) return;
    this.#remove(victim);
    this.onEvicted(victim.source);
    victim.evict();
  }

  #remove(e: Entry): void {
    const set = this.#bySource.get(e.source);
    if (set === undefined || !set.delete(e)) return;
    this.#pending--;
    if (set.size === 0) this.#bySource.delete(e.source);
  }
}
