#!/usr/bin/env bash

#OAR -n tessera-worker
#OAR -q regular
#OAR --project proj42
#OAR -l /nodes=1/core=8,walltime=01:30:00
#OAR -p memcore>=1908
#OAR -O /tmp/tessera-golden-logs/tessera-worker-%jobid%.out
#OAR -E /tmp/tessera-golden-logs/tessera-worker-%jobid%.err
module load node
singularity exec img.sif node <tessera>/dist/src/cli/main.js worker 'tcp://<scheduler-address>:<port>' --name OARCluster-0 --nthreads 4 --memory-limit 7.45GiB --nworkers 2 --nanny --death-timeout 60 --local-directory "$TMPDIR"
