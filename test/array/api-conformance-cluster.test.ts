// A subset of the dask.array API properties on a real LocalCluster (2 worker processes over TCP).
import { after, before } from "node:test";
import { Client } from "../../src/client/client.js";
import { LocalCluster } from "../../src/cluster/local.js";
import { defineApiConformance } from "./api-conformance.js";

let cluster: LocalCluster | undefined;
let client: Client | undefined;
before(async () => {
  cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, logLevel: "error" });
  client = await Client.connect(cluster, { setAsDefault: false });
  await client.waitForWorkers(2);
});
after(async () => {
  await client?.close();
  await cluster?.close();
});

defineApiConformance("LocalCluster", () => {
  if (!client) throw new Error("the cluster did not start");
  return client;
}, { numRuns: 4, only: ["cumsum / cumprod along an axis and flattened", "argmin / argmax (first occurrence, NaN wins)", "take, boolean masks, nonzero", "pad in every mode and mapOverlap with every boundary", "concatenate, stack, flip, roll, moveaxis, squeeze, expandDims", "median and quantile along an axis"] });
