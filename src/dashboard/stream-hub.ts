/**
 * Server-sent events to open dashboard pages. One timer, running only while a page is connected,
 * builds one update (snapshot + spans and samples new since the previous one), serialises it once and
 * writes it to every client. Slow clients skip updates instead of buffering them without bound.
 */
import type { ServerResponse } from "node:http";
import type { HistorySample, StreamHello, StreamUpdate } from "./api-types.js";
import { toSpanWire, type Collector } from "./collector.js";

export interface StreamHubOptions {
  /** Update period, ms (the pages refresh this often while work runs). */
  intervalMs: number;
  /** Most spans sent in one update; more are counted as skipped (the canvas cannot show them anyway). */
  maxSpansPerUpdate: number;
}

interface Client {
  res: ServerResponse;
  /** The socket's buffer is full: skip updates until it drains. */
  blocked: boolean;
}

export class StreamHub {
  readonly #collector: Collector;
  readonly #opts: StreamHubOptions;
  readonly #clients = new Set<Client>();
  #timer: NodeJS.Timeout | undefined;
  /** Spans with sequence number < this have been broadcast. */
  #spanSeq: number;
  #pendingSamples: HistorySample[] = [];
  updatesSent = 0;

  constructor(collector: Collector, opts: StreamHubOptions) {
    this.#collector = collector;
    this.#opts = opts;
    this.#spanSeq = collector.spans.next;
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /** Called by the sampling timer: queue the sample for the next update. */
  addSample(s: HistorySample): void {
    if (this.#clients.size > 0) this.#pendingSamples.push(s);
  }

  attach(res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    const client: Client = { res, blocked: false };
    this.#clients.add(client);
    res.on("close", () => {
      this.#clients.delete(client);
      if (this.#clients.size === 0) this.#stop();
    });
    res.on("drain", () => {
      client.blocked = false;
    });
    const max = this.#opts.maxSpansPerUpdate;
    const ring = this.#collector.spans;
    if (this.#clients.size === 1) this.#spanSeq = ring.next; // nobody was listening: start from now
    const recent = ring.between(this.#spanSeq - max, this.#spanSeq);
    const hello: StreamHello = {
      ...this.#collector.snapshot(),
      history: this.#collector.history(),
      spans: recent.map(toSpanWire),
      spanSeq: this.#spanSeq,
    };
    this.#write(client, `retry: 2000\nevent: snapshot\ndata: ${JSON.stringify(hello)}\n\n`);
    this.#start();
  }

  #start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.broadcast(), this.#opts.intervalMs);
    this.#timer.unref();
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#pendingSamples = [];
  }

  /** Build and send one update now (the timer calls this). */
  broadcast(): void {
    if (this.#clients.size === 0) return;
    const got = this.#collector.spans.since(this.#spanSeq, this.#opts.maxSpansPerUpdate);
    this.#spanSeq = got.next;
    const update: StreamUpdate = {
      ...this.#collector.snapshot(),
      newSamples: this.#pendingSamples,
      spans: got.spans.map(toSpanWire),
      spansSkipped: got.skipped,
      spanSeq: got.next,
    };
    this.#pendingSamples = [];
    const text = `event: update\ndata: ${JSON.stringify(update)}\n\n`;
    for (const c of this.#clients) if (!c.blocked) this.#write(c, text);
    this.updatesSent++;
  }

  #write(c: Client, text: string): void {
    if (!c.res.write(text)) c.blocked = true;
  }

  close(): void {
    this.#stop();
    for (const c of this.#clients) c.res.end();
    this.#clients.clear();
  }
}
