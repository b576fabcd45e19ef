// A worker thread of the MinHash clustering pass: clusters the bands it is given and posts its forest.
import { parentPort, workerData } from 'node:worker_threads';
import { clusterBandPartition, type ClusterJob } from './cluster.js';

const result = clusterBandPartition(workerData as ClusterJob);
parentPort!.postMessage(result, [result.roots.buffer as ArrayBuffer]);
