#!/usr/bin/env bash

#$ -N tessera-worker
#$ -q regular
#$ -P proj42
#$ -l h_vmem=8G,mem_free=8G
#$ -l h_rt=01:30:00
#$ -e /tmp/tessera-golden-logs/
#$ -o /tmp/tessera-golden-logs/
#$ -cwd
#$ -j y
#$ -pe smp 8
module load node
singularity exec img.sif node <tessera>/dist/src/cli/main.js worker 'tcp://<scheduler-address>:<port>' --name SGECluster-0 --nthreads 4 --memory-limit 7.45GiB --nworkers 2 --nanny --death-timeout 60 --local-directory "$TMPDIR"
