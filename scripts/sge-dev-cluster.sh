#!/usr/bin/env bash
# A real one-node (Son of) Grid Engine on this machine, for development, tests and CI (no systemd; root).
#
#   bash scripts/sge-dev-cluster.sh up       install gridengine-{master,exec,client} if missing, configure
#                                           one exec host and one queue (all.q, 8 slots), start sge_qmaster
#                                           and sge_execd; wait until the queue takes jobs
#   bash scripts/sge-dev-cluster.sh down     qdel every job, stop both daemons
#   bash scripts/sge-dev-cluster.sh status   print what runs, qhost and qstat; exit 1 if not up
#
# Environment:
#   SGE_SLOTS         slots of all.q (default 8; more than the hardware so several multi-core jobs fit)
#   SGE_UP_TIMEOUT    seconds to wait for the exec host to report (default 30)
#
# Grid Engine insists that a host's name resolves the same way in both directions. On machines whose
# /etc/hosts maps 127.0.0.1 to `localhost` and to the host name, the daemons see "localhost" for their own
# connections; a host_aliases file makes the host name and localhost one host, named `localhost`.
# Idempotent, and safe to call from parallel test processes (flock).
set -euo pipefail

CMD="${1:-up}"
SLOTS="${SGE_SLOTS:-8}"
UP_TIMEOUT="${SGE_UP_TIMEOUT:-30}"
export SGE_ROOT=/var/lib/gridengine SGE_CELL=default
COMMON="$SGE_ROOT/$SGE_CELL/common"
LOCK=/run/tessera-sge-dev-cluster.lock
CONF_DIR=/run/tessera-sge-conf

log() { echo "sge-dev-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts system daemons); try: sudo bash $0 $CMD"
case "$SLOTS" in ''|*[!0-9]*) die "SGE_SLOTS='$SLOTS' is not a whole number; use e.g. 8";; esac

daemon_pid() { pgrep -x "$1" | head -1 || true; }

install_packages() {
  command -v qsub >/dev/null 2>&1 && [ -x /usr/sbin/sge_qmaster ] && [ -x /usr/sbin/sge_execd ] && return 0
  log "installing gridengine-master gridengine-exec gridengine-client (apt-get, --no-install-recommends)"
  export DEBIAN_FRONTEND=noninteractive
  local host; host="$(hostname)"
  # The package's debconf questions: configure a cell 'default' with this host as its master.
  debconf-set-selections <<EOF
gridengine-common shared/gridenginemaster string $host
gridengine-common shared/gridenginecell string default
gridengine-common shared/gridengineconfig boolean true
gridengine-master shared/gridenginemaster string $host
gridengine-client shared/gridenginemaster string $host
EOF
  if ! apt-get install -y --no-install-recommends gridengine-master gridengine-exec gridengine-client >/tmp/sge-dev-apt.log 2>&1; then
    apt-get update >>/tmp/sge-dev-apt.log 2>&1 || true
    apt-get install -y --no-install-recommends gridengine-master gridengine-exec gridengine-client >>/tmp/sge-dev-apt.log 2>&1 \
      || die "apt-get install gridengine-* failed; see /tmp/sge-dev-apt.log"
  fi
}

write_aliases() {
  local host short
  host="$(hostname)"; short="$(hostname -s)"
  # First name is the one Grid Engine uses; the rest are the same host.
  printf 'localhost %s\n' "$(echo "$host $short" | tr ' ' '\n' | sort -u | grep -vx localhost | tr '\n' ' ')" >"$COMMON/host_aliases"
  echo localhost >"$COMMON/act_qmaster"
  chown sgeadmin:sgeadmin "$COMMON/host_aliases" "$COMMON/act_qmaster" 2>/dev/null || true
}

start_qmaster() {
  [ -n "$(daemon_pid sge_qmaster)" ] && return 0
  /usr/sbin/sge_qmaster
  local i
  for i in $(seq 1 100); do qconf -sh >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "sge_qmaster did not answer within 10 s; see /var/spool/gridengine/qmaster/messages"
}

configure() {
  mkdir -p "$CONF_DIR"
  # root may submit (min_uid/min_gid 0).
  qconf -sconf global >"$CONF_DIR/global"
  sed -i 's/^min_uid .*/min_uid                      0/; s/^min_gid .*/min_gid                      0/' "$CONF_DIR/global"
  (cd "$CONF_DIR" && qconf -Mconf global >/dev/null 2>&1)
  qconf -ssconf >"$CONF_DIR/sched"
  # Schedule every second, and also right after each submit and each job end (flush_*_sec).
  sed -i -e 's/^schedule_interval .*/schedule_interval                 0:0:1/' -e 's/^schedd_job_info .*/schedd_job_info                   true/' \
    -e 's/^flush_submit_sec .*/flush_submit_sec                  1/' -e 's/^flush_finish_sec .*/flush_finish_sec                  1/' "$CONF_DIR/sched"
  qconf -Msconf "$CONF_DIR/sched" >/dev/null 2>&1
  qconf -sh 2>/dev/null | grep -qx localhost || qconf -ah localhost >/dev/null
  qconf -ss 2>/dev/null | grep -qx localhost || qconf -as localhost >/dev/null
  if ! qconf -sel 2>/dev/null | grep -qx localhost; then
    printf 'hostname localhost\nload_scaling NONE\ncomplex_values NONE\nuser_lists NONE\nxuser_lists NONE\nprojects NONE\nxprojects NONE\nusage_scaling NONE\nreport_variables NONE\n' >"$CONF_DIR/exechost"
    qconf -Ae "$CONF_DIR/exechost" >/dev/null
  fi
  if ! qconf -shgrpl 2>/dev/null | grep -qx '@allhosts'; then
    printf 'group_name @allhosts\nhostlist localhost\n' >"$CONF_DIR/allhosts"
    qconf -Ahgrp "$CONF_DIR/allhosts" >/dev/null
  fi
  # The queue from the installed template (its attribute set differs between versions), with our settings.
  local q="$CONF_DIR/all.q"
  if qconf -sql 2>/dev/null | grep -qx all.q; then qconf -sq all.q >"$q"; else qconf -sq >"$q"; fi
  sed -i -e 's/^qname .*/qname                 all.q/' -e 's/^hostlist .*/hostlist              @allhosts/' \
    -e 's/^load_thresholds .*/load_thresholds       NONE/' -e "s/^slots .*/slots                 $SLOTS/" \
    -e 's/^pe_list .*/pe_list               smp/' -e 's/^shell .*/shell                 \/bin\/bash/' \
    -e 's/^shell_start_mode .*/shell_start_mode      unix_behavior/' "$q"
  # A parallel environment 'smp' so jobs can ask for several slots on the one host (-pe smp N).
  if ! qconf -spl 2>/dev/null | grep -qx smp; then
    printf 'pe_name smp\nslots %s\nuser_lists NONE\nxuser_lists NONE\nstart_proc_args NONE\nstop_proc_args NONE\nallocation_rule $pe_slots\ncontrol_slaves FALSE\njob_is_first_task TRUE\nurgency_slots min\naccounting_summary FALSE\nqsort_args NONE\n' "$SLOTS" >"$CONF_DIR/smp"
    qconf -Ap "$CONF_DIR/smp" >/dev/null
  fi
  if qconf -sql 2>/dev/null | grep -qx all.q; then qconf -Mq "$q" >/dev/null 2>&1; else qconf -Aq "$q" >/dev/null 2>&1; fi
  qconf -sq all.q >/dev/null 2>&1 || die "could not create the queue all.q"
}

start_execd() {
  [ -n "$(daemon_pid sge_execd)" ] || /usr/sbin/sge_execd
  local deadline=$(( $(date +%s) + UP_TIMEOUT ))
  # The exec host reports its load once it runs; until then the queue shows state 'au' (alarm, unknown).
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if qstat -f -q all.q 2>/dev/null | awk '/^all.q@/ {print $NF}' | grep -qv 'u'; then return 0; fi
    qmod -c 'all.q' >/dev/null 2>&1 || true
    sleep 0.5
  done
  qstat -f >&2 || true
  die "the exec host did not report within ${UP_TIMEOUT}s"
}

up() {
  install_packages
  exec 9>"$LOCK"; flock 9
  if [ -n "$(daemon_pid sge_qmaster)" ] && [ -n "$(daemon_pid sge_execd)" ] && qstat -f -q all.q >/dev/null 2>&1; then
    return 0
  fi
  write_aliases
  start_qmaster
  configure
  start_execd
  log "up: queue all.q with $SLOTS slots on localhost (SGE_ROOT=$SGE_ROOT)"
}

down() {
  exec 9>"$LOCK"; flock 9
  qdel -u '*' >/dev/null 2>&1 || true
  local p
  local name i
  for name in sge_execd sge_qmaster; do
    p="$(daemon_pid "$name")"; [ -n "$p" ] || continue
    kill "$p" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  log "down"
}

status() {
  local ok=0
  echo "sge_qmaster: $(daemon_pid sge_qmaster)"; echo "sge_execd: $(daemon_pid sge_execd)"
  qhost 2>&1 || ok=1
  qstat -f 2>&1 || ok=1
  [ -n "$(daemon_pid sge_qmaster)" ] && [ -n "$(daemon_pid sge_execd)" ] || ok=1
  return $ok
}

case "$CMD" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) die "unknown command '$CMD'; use up, down or status" ;;
esac
