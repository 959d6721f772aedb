#!/usr/bin/env condor_submit
MY.TesseraWorkerName = "htcondor--$F(MY.JobId)--"
batch_name = HTCondorCluster
RequestCpus = MY.TesseraWorkerCores
RequestMemory = floor(MY.TesseraWorkerMemory / 1048576)
RequestDisk = floor(MY.TesseraWorkerDisk / 1024)
MY.JobId = "$(ClusterId).$(ProcId)"
MY.TesseraWorkerCores = 8
MY.TesseraWorkerMemory = 16000000000
MY.TesseraWorkerDisk = 2000000000
LogDirectory = /tmp/tessera-golden-logs
Output = $(LogDirectory)/worker-$F(MY.JobId).out
Error = $(LogDirectory)/worker-$F(MY.JobId).err
Log = $(LogDirectory)/worker-$(ClusterId).log
Stream_Output = True
Stream_Error = True
+MyProject = "x"
Arguments = "-c 'module load node; singularity exec img.sif node <tessera>/dist/src/cli/main.js worker ''tcp://<scheduler-address>:<port>'' --name HTCondorCluster-0 --nthreads 4 --memory-limit 7.45GiB --nworkers 2 --nanny --death-timeout 60 --local-directory ""$TMPDIR""'"
Executable = /bin/sh
Queue
