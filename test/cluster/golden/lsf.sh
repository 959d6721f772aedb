#!/usr/bin/env bash

#BSUB -J tessera-worker
#BSUB -e /tmp/tessera-golden-logs/tessera-worker-%J.err
#BSUB -o /tmp/tessera-golden-logs/tessera-worker-%J.out
#BSUB -q regular
#BSUB -P "proj42"
#BSUB -n 8
#BSUB -R "span[hosts=1]"
#BSUB -M 16000
#BSUB -W 01:30
#BSUB -R "select[mem>16000]"
module load node
singularity exec img.sif node <tessera>/dist/src/cli/main.js worker 'tcp://<scheduler-address>:<port>' --name LSFCluster-0 --nthreads 4 --memory-limit 7.45GiB --nworkers 2 --nanny --death-timeout 60 --local-directory "$TMPDIR"
