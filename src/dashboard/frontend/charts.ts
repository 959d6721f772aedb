/** Time series with uPlot: cluster memory and tasks finished per second, over the last minutes. */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { HistorySample } from "../api-types.js";
import { formatBytes, formatRate } from "./format.js";

export class TimeSeriesChart {
  #plot: uPlot;
  #el: HTMLElement;
  #pick: (s: HistorySample) => number;

  constructor(parent: HTMLElement, label: string, colour: string, kind: "bytes" | "rate", pick: (s: HistorySample) => number) {
    this.#el = parent;
    this.#pick = pick;
    const fmt = kind === "bytes" ? formatBytes : formatRate;
    const opts: uPlot.Options = {
      width: Math.max(250, parent.clientWidth),
      height: 150,
      legend: { show: false },
      cursor: { show: true, drag: { x: false, y: false } },
      scales: {
        // At least a minute wide, so that a fresh cluster does not get sub-second ticks.
        x: { time: true, range: (_u, min, max) => [Math.min(min, max - 60), max] },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        {
          stroke: "#555",
          grid: { stroke: "#eee" },
          ticks: { stroke: "#ccc" },
          space: 70,
          values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toTimeString().slice(0, 8)),
        },
        { stroke: "#555", grid: { stroke: "#eee" }, ticks: { stroke: "#ccc" }, size: 70, values: (_u, ticks) => ticks.map((t) => fmt(t)) },
      ],
      series: [{}, { label, stroke: colour, width: 1.5, fill: colour + "33", points: { show: false } }],
    };
    this.#plot = new uPlot(opts, [[], []], parent);
    this.#plot.root.dataset["series"] = label;
  }

  setData(history: readonly HistorySample[]): void {
    const xs = history.map((s) => s.t);
    const ys = history.map(this.#pick);
    this.#plot.setData([xs, ys]);
    const w = Math.max(250, this.#el.clientWidth);
    if (Math.abs(w - this.#plot.width) > 4) this.#plot.setSize({ width: w, height: 150 });
  }
}
