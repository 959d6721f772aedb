// A subset of the dask.array API properties on a real LocalCluster (2 worker processes over TCP).
import { fileCluster } from "../fixtures/cluster.js";
import { defineApiConformance } from "./api-conformance.js";

const executor = fileCluster();

defineApiConformance("LocalCluster", executor, { numRuns: 4, only: ["cumsum / cumprod along an axis and flattened", "argmin / argmax (first occurrence, NaN wins)", "take, boolean masks, nonzero", "pad in every mode and mapOverlap with every boundary", "concatenate, stack, flip, roll, moveaxis, squeeze, expandDims", "median and quantile along an axis"] });
