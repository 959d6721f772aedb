#!/usr/bin/env bash
# A real one-node SLURM on this machine, for development, tests and CI (no systemd; run as root).
#
#   bash scripts/slurm-dev-cluster.sh up       install slurm-wlm + munge if missing, write the config,
#                                             start munged, slurmctld, slurmd; wait until the node is idle
#   bash scripts/slurm-dev-cluster.sh down     scancel every job, then stop the three daemons by pid
#   bash scripts/slurm-dev-cluster.sh status   print what runs, sinfo and squeue; exit 1 if not up
#
# Environment:
#   SLURM_FAKE_CPUS   CPUs the node advertises (default 8; more than the hardware so several
#                     multi-core jobs fit; slurmd accepts it thanks to SlurmdParameters=config_overrides)
#   SLURM_UP_TIMEOUT  seconds to wait for the node to become idle (default 30)
#
# Idempotent (re-running `up` while everything runs takes ~0.1 s) and safe to call from parallel test
# processes (flock). Partitions: `short` (default, 2 h limit) and `debug` (30 min limit).
set -euo pipefail

CMD="${1:-up}"
FAKE_CPUS="${SLURM_FAKE_CPUS:-8}"
UP_TIMEOUT="${SLURM_UP_TIMEOUT:-30}"
CONF=/etc/slurm/slurm.conf
LOCK=/run/tessera-slurm-dev-cluster.lock
NODE="$(hostname -s)"
CTLD_PID=/run/slurmctld.pid
SLURMD_PID=/run/slurmd.pid
MUNGE_PID=/run/munge/munged.pid

log() { echo "slurm-dev-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts system daemons); try: sudo bash $0 $CMD"
case "$FAKE_CPUS" in ''|*[!0-9]*) die "SLURM_FAKE_CPUS='$FAKE_CPUS' is not a whole number of CPUs; use e.g. 8";; esac

# pid from a pid file if that process is alive AND has the expected name (pid files can be stale).
alive_pid() {
  local file="$1" comm="$2" pid
  [ -r "$file" ] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [ -n "$pid" ] || return 1
  [ -r "/proc/$pid/comm" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
  # A zombie (exited, not yet reaped) counts as dead.
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ] || return 1
  echo "$pid"
}

install_packages() {
  command -v slurmctld >/dev/null 2>&1 && command -v munged >/dev/null 2>&1 && return 0
  log "installing slurm-wlm and munge (apt-get, --no-install-recommends)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends slurm-wlm munge >/tmp/slurm-dev-apt.log 2>&1; then
    apt-get update >>/tmp/slurm-dev-apt.log 2>&1 || true
    apt-get install -y --no-install-recommends slurm-wlm munge >>/tmp/slurm-dev-apt.log 2>&1 \
      || die "apt-get install slurm-wlm munge failed; see /tmp/slurm-dev-apt.log"
  fi
}

write_config() {
  local mem_mib real_mem def_mem conf tmp
  mem_mib=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
  # Leave 2 GiB for the OS, like a real node's reserved memory.
  real_mem=$(( mem_mib > 4096 ? mem_mib - 2048 : mem_mib / 2 ))
  def_mem=$(( real_mem / FAKE_CPUS ))
  mkdir -p /etc/slurm
  tmp="$(mktemp)"
  cat >"$tmp" <<EOF
# Written by tessera scripts/slurm-dev-cluster.sh: a one-node development cluster.
ClusterName=localcluster
SlurmctldHost=${NODE}(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
MailProg=/bin/true
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,bf_interval=1
EnforcePartLimits=ALL
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=${def_mem}
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
SlurmctldPidFile=${CTLD_PID}
SlurmdPidFile=${SLURMD_PID}
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
NodeName=${NODE} NodeAddr=127.0.0.1 CPUs=${FAKE_CPUS} RealMemory=${real_mem} State=UNKNOWN
PartitionName=short Nodes=${NODE} Default=YES MaxTime=02:00:00 State=UP
PartitionName=debug Nodes=${NODE} MaxTime=00:30:00 State=UP
EOF
  CONFIG_CHANGED=0
  if ! cmp -s "$tmp" "$CONF"; then
    install -m 0644 "$tmp" "$CONF"
    CONFIG_CHANGED=1
  fi
  rm -f "$tmp"
  [ -f /etc/slurm/cgroup.conf ] || echo "CgroupPlugin=autodetect" >/etc/slurm/cgroup.conf
}

prepare_dirs() {
  mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/log/munge /var/lib/munge
  chown slurm:slurm /var/spool/slurmctld /var/log/slurm
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  touch /var/log/slurm/jobcomp.log && chown slurm:slurm /var/log/slurm/jobcomp.log
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
}

start_daemons() {
  if ! alive_pid "$MUNGE_PID" munged >/dev/null; then
    rm -f "$MUNGE_PID" /run/munge/munge.socket.2
    su -s /bin/sh munge -c "/usr/sbin/munged --pid-file=$MUNGE_PID" 9>&- || die "munged did not start; see /var/log/munge/munged.log"
  fi
  local restarted=0
  if [ "$CONFIG_CHANGED" = 1 ]; then
    # A new config needs fresh daemons (scontrol reconfigure cannot change node CPUs).
    local p
    for spec in "$SLURMD_PID:slurmd" "$CTLD_PID:slurmctld"; do
      if p="$(alive_pid "${spec%%:*}" "${spec##*:}")"; then kill "$p"; wait_gone "$p"; restarted=1; fi
    done
  fi
  if ! alive_pid "$CTLD_PID" slurmctld >/dev/null; then
    /usr/sbin/slurmctld 9>&- || die "slurmctld did not start; see /var/log/slurm/slurmctld.log"
  fi
  if ! alive_pid "$SLURMD_PID" slurmd >/dev/null; then
    /usr/sbin/slurmd -N "$NODE" 9>&- || die "slurmd did not start; see /var/log/slurm/slurmd.log"
  fi
  [ "$restarted" = 0 ] || log "config changed: restarted slurmctld and slurmd"
}

wait_gone() {
  local pid="$1" i
  for i in $(seq 1 100); do
    [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ] || return 0
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || true
}

node_state() { sinfo -h -N -n "$NODE" -o '%T' 2>/dev/null | head -n1; }

wait_idle() {
  local deadline=$(( $(date +%s) + UP_TIMEOUT )) state resumed=0
  while :; do
    if scontrol ping 2>/dev/null | grep -q 'is UP'; then
      state="$(node_state)"
      case "$state" in
        idle|mixed|allocated|completing) return 0 ;;
        drain*|drained*|down*)
          if [ "$resumed" = 0 ]; then
            log "node $NODE is $state (saved from an earlier run): resuming it"
            scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true
            resumed=1
          fi ;;
      esac
    fi
    [ "$(date +%s)" -lt "$deadline" ] || die "the node did not become idle within ${UP_TIMEOUT}s (state '${state:-unknown}'); see /var/log/slurm/slurmctld.log and slurmd.log"
    sleep 0.1
  done
}

up() {
  install_packages
  write_config
  prepare_dirs
  start_daemons
  wait_idle
}

down() {
  if alive_pid "$CTLD_PID" slurmctld >/dev/null; then
    # Running jobs survive a stopped slurmd (their slurmstepd keeps going): cancel them first.
    scancel --full --user=root >/dev/null 2>&1 || true
    scancel --full $(squeue -h -o '%i' 2>/dev/null) >/dev/null 2>&1 || true
    local i
    for i in $(seq 1 50); do [ -z "$(squeue -h -o '%i' 2>/dev/null)" ] && break; sleep 0.1; done
  fi
  local p
  for spec in "$SLURMD_PID:slurmd" "$CTLD_PID:slurmctld" "$MUNGE_PID:munged"; do
    if p="$(alive_pid "${spec%%:*}" "${spec##*:}")"; then kill "$p"; wait_gone "$p"; fi
  done
  log "stopped"
}

status() {
  local rc=0 p
  for spec in "$MUNGE_PID:munged" "$CTLD_PID:slurmctld" "$SLURMD_PID:slurmd"; do
    if p="$(alive_pid "${spec%%:*}" "${spec##*:}")"; then echo "${spec##*:}: running (pid $p)"; else echo "${spec##*:}: not running"; rc=1; fi
  done
  if [ "$rc" = 0 ]; then sinfo; squeue; fi
  return "$rc"
}

exec 9>"$LOCK"
flock -w 120 9 || die "another slurm-dev-cluster.sh holds $LOCK for more than 120 s"
case "$CMD" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) die "unknown command '$CMD'; use up, down or status" ;;
esac
