// Status parsers of every batch system on command output in each system's documented format (the
// Grid Engine sample was captured from the real one the SGE tests run; the others follow their
// manuals: PBS Pro qstat -f, LSF bjobs -o, HTCondor condor_q -af:jt, OAR oarstat -J).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseQstat, sge } from "../../src/cluster/sge/sge-system.js";
import { parseQstatFull } from "../../src/cluster/pbs/pbs-system.js";
import { parseBjobs } from "../../src/cluster/lsf/lsf-system.js";
import { parseCondorQ } from "../../src/cluster/htcondor/htcondor-system.js";
import { parseOarstat } from "../../src/cluster/oar/oar-system.js";
import { parseJobId } from "../../src/cluster/jobqueue/batch-system.js";
import { pbs } from "../../src/cluster/pbs/pbs-system.js";
import { lsf } from "../../src/cluster/lsf/lsf-system.js";
import { htcondor } from "../../src/cluster/htcondor/htcondor-system.js";
import { oar } from "../../src/cluster/oar/oar-system.js";

test("SGE: qstat table + qstat -j scheduling info → states and pending reasons; array tasks expanded", () => {
  const out = `job-ID  prior   name       user         state submit/start at     queue                          slots ja-task-ID 
-----------------------------------------------------------------------------------------------------------------
      5 0.25000 tjob       root         r     12/04/2026 18:54:03 all.q@localhost                    2        
      7 0.75000 tjob       root         qw    12/04/2026 18:54:03                                    8        
      8 0.50000 tjob       root         Eqw   12/04/2026 18:54:09                                    1        
      9 0.50000 tjob       root         r     12/04/2026 18:55:00 all.q@localhost                    1 2
      9 0.50000 tjob       root         qw    12/04/2026 18:54:59                                    1 3-4:1
__tessera_qstat_details__
==============================================================
job_number:                 7
script_file:                /tmp/j2.sh
parallel environment:  smp range: 8
scheduling info:            cannot run in PE "smp" because it only offers 4 slots
`;
  const rows = parseQstat(out);
  assert.deepEqual(rows.map((r) => [r.jobId, r.state, r.reason]), [
    ["5", "RUNNING", undefined],
    ["7", "PENDING", 'cannot run in PE "smp" because it only offers 4 slots'],
    ["8", "PENDING", "error state (Eqw); see qstat -j"],
    ["9.2", "RUNNING", undefined],
    ["9.3", "PENDING", undefined],
    ["9.4", "PENDING", undefined],
  ]);
  assert.equal(rows[0]!.startTimeMs, new Date(2026, 11, 4, 18, 54, 3).getTime());
  assert.equal(parseJobId(sge, 'Your job 4 ("j.sh") has been submitted\n'), "4");
  assert.equal(parseJobId(sge, 'Your job-array 12.1-4:1 ("w") has been submitted\n'), "12");
  assert.deepEqual(sge.submitCommand("/x/job.sh", {} as never, ["TESSERA_SECRET_FILE"]), ["qsub", "-v", "TESSERA_SECRET_FILE", "/x/job.sh"]);
});

test("PBS: qstat -x -f blocks → queued with comment, running with walltime left, finished by exit status", () => {
  const out = `Job Id: 1234.pbs-server
    Job_Name = tessera-worker
    job_state = Q
    queue = workq
    comment = Not Running: Insufficient amount of resource: ncpus (R: 8 A: 4 T: 
	32)
    Resource_List.walltime = 01:30:00

Job Id: 1235.pbs-server
    Job_Name = tessera-worker
    job_state = R
    stime = Fri Dec  4 18:54:03 2026
    resources_used.walltime = 00:10:00
    Resource_List.walltime = 01:30:00

Job Id: 1236.pbs-server
    job_state = F
    Exit_status = 0

Job Id: 1237.pbs-server
    job_state = F
    Exit_status = 1
`;
  const rows = parseQstatFull(out);
  assert.deepEqual(rows.map((r) => [r.jobId, r.state]), [["1234", "PENDING"], ["1235", "RUNNING"], ["1236", "COMPLETED"], ["1237", "FAILED"]]);
  assert.equal(rows[0]!.reason, "Not Running: Insufficient amount of resource: ncpus (R: 8 A: 4 T: 32)");
  assert.equal(rows[1]!.timeLeftS, 80 * 60);
  assert.equal(rows[1]!.startTimeMs, Date.parse("Fri Dec  4 18:54:03 2026"));
  assert.equal(parseJobId(pbs, "1234.pbs-server\n"), "1234");
});

test("LSF: bjobs -o '|' rows → PEND with reason, RUN with time left, DONE / EXIT", () => {
  const out = [
    "101|PEND|Job requirements for reserving resources (mem) not satisfied: 1 host;|-|-",
    "102|RUN||Dec  4 18:54|1:20 L",
    "103|DONE||Dec  4 18:00|-",
    "104|EXIT||Dec  4 18:00|-",
  ].join("\n");
  const rows = parseBjobs(out);
  assert.deepEqual(rows.map((r) => [r.jobId, r.state, r.reason, r.timeLeftS]), [
    ["101", "PENDING", "Job requirements for reserving resources (mem) not satisfied: 1 host", undefined],
    ["102", "RUNNING", undefined, 4800],
    ["103", "COMPLETED", undefined, undefined],
    ["104", "FAILED", undefined, undefined],
  ]);
  assert.equal(parseJobId(lsf, "Job <101> is submitted to queue <normal>.\n"), "101");
});

test("HTCondor: condor_q -af:jt → idle with match reason, held with hold reason, running since", () => {
  const out = ["55.0\t1\t1733338443\tno match found\tundefined", "56.0\t5\t1733338443\tundefined\tdisk quota exceeded", "57.0\t2\t1733338500\tundefined\tundefined"].join("\n");
  const rows = parseCondorQ(out);
  assert.deepEqual(rows.map((r) => [r.jobId, r.state, r.reason]), [
    ["55", "PENDING", "no match found"],
    ["56", "PENDING", "held: disk quota exceeded"],
    ["57", "RUNNING", undefined],
  ]);
  assert.equal(rows[2]!.startTimeMs, 1733338500_000);
  assert.equal(parseJobId(htcondor, "Submitting job(s).\n1 job(s) submitted to cluster 55.\n"), "55");
});

test("OAR: oarstat -J → Waiting / Running / Error with message", () => {
  const out = JSON.stringify({
    "9001": { state: "Waiting", message: "R=8,W=1:30:0,J=B (Karma=0.000)", startTime: 0, walltime: 5400 },
    "9002": { state: "Running", message: "", startTime: Math.floor(Date.now() / 1000) - 600, walltime: 5400 },
    "9003": { state: "Error", message: "Cannot launch", startTime: 0, walltime: 5400 },
  });
  const rows = parseOarstat(out);
  assert.deepEqual(rows.map((r) => [r.jobId, r.state, r.reason]), [
    ["9001", "PENDING", "R=8,W=1:30:0,J=B (Karma=0.000)"],
    ["9002", "RUNNING", undefined],
    ["9003", "FAILED", "Cannot launch"],
  ]);
  assert.ok(Math.abs(rows[1]!.timeLeftS! - 4800) <= 2);
  assert.deepEqual(parseOarstat("not json"), []);
  assert.equal(parseJobId(oar, "[ADMISSION RULE] ...\nOAR_JOB_ID=9001\n"), "9001");
});
