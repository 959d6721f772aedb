#!/usr/bin/env bash

#PBS -N tessera-worker
#PBS -q regular
#PBS -A proj42
#PBS -l select=1:ncpus=8:mem=15GB
#PBS -l walltime=01:30:00
#PBS -e /tmp/tessera-golden-logs/
#PBS -o /tmp/tessera-golden-logs/
#PBS -V
module load node
singularity exec img.sif node <tessera>/dist/src/cli/main.js worker 'tcp://<scheduler-address>:<port>' --name PBSCluster-0 --nthreads 4 --memory-limit 7.45GiB --nworkers 2 --nanny --death-timeout 60 --local-directory "$TMPDIR"
