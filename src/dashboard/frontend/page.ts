import type { HistorySample, Snapshot, SpanWire } from "../api-types.js";

/** A page renders each update; `spans` are only those new since the previous update. */
export interface Page {
  render(snap: Snapshot, spans: readonly SpanWire[], history: readonly HistorySample[]): void;
}
