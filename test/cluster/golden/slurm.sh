#!/usr/bin/env bash

#SBATCH -J tessera-worker
#SBATCH -e /tmp/tessera-golden-logs/tessera-worker-%J.err
#SBATCH -o /tmp/tessera-golden-logs/tessera-worker-%J.out
#SBATCH -p regular
#SBATCH -A proj42
#SBATCH -n 1
#SBATCH -N 1
#SBATCH --cpus-per-task=8
#SBATCH --mem=15G
#SBATCH -t 01:30:00
#SBATCH --exclusive
module load node
singularity exec img.sif node <tessera>/dist/src/cli/main.js worker 'tcp://<scheduler-address>:<port>' --name SLURMCluster-0 --nthreads 4 --memory-limit 7.45GiB --nworkers 2 --nanny --death-timeout 60 --local-directory "$TMPDIR"
