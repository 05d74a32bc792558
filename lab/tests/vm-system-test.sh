#!/usr/bin/env bash
# System tests of the daemons' QEMU backend (daemon/, VmBackend) and its driver
# (bundles/daemon-driver, qemu-daemon) on the real lab: a VM running the lab's streaming server
# (lab/vm) is live-migrated between the server namespaces through BOTH daemons with the driver's
# Java client (QemuDaemonMover), the user's access port moved between the end of the migration
# and `cont`; the user's record must show the TCP connection kept with no lost or duplicated line.
# Also runs the driver contract kit (driver-kit) against QemuDaemonMover on the real daemons (case 7).
#
# usage: lab/tests/vm-system-test.sh
# Prints "N passed, M failed"; exit status 0 only if nothing failed. Needs root, java 17, keytool,
# python3, the built modules (mvn -B -o package -pl daemon,bundles/daemon-driver -am) and QEMU
# with the lab's VM image (lab/vm/build-image installs and builds them, cached). ~1-2 minutes.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$(cd "$HERE/.." && pwd)
MAIN=$(cd "$LAB/.." && pwd)
[[ $(id -u) == 0 ]] || { echo "vm-system-test: run as root"; echo "0 passed, 1 failed"; exit 1; }
for t in java keytool python3 ip; do
  command -v $t >/dev/null || { echo "vm-system-test: missing $t (apt-get install openjdk-17-jdk-headless python3 iproute2)"; echo "0 passed, 1 failed"; exit 1; }
done
DRV=$MAIN/bundles/daemon-driver
[[ -f $MAIN/daemon/target/sm-daemon-0.1.0-SNAPSHOT-exec.jar && -f $DRV/target/test-classes/net/sessionmigration/daemondriver/VmScenario.class && -d $MAIN/driver-kit/target/classes ]] ||
  { echo "vm-system-test: build first: mvn -B -o package -pl daemon,bundles/daemon-driver -am -DskipTests"; echo "0 passed, 1 failed"; exit 1; }
"$LAB/vm/build-image" >/dev/null || { echo "vm-system-test: lab/vm/build-image failed (QEMU and the VM image are needed)"; echo "0 passed, 1 failed"; exit 1; }

# hold the machine-wide lab lock for the whole run, so nobody rebuilds the lab under us
LAB_LOCK_FILE=${LAB_LOCK_FILE:-/run/lock/session-migration-lab.lock}
mkdir -p "$(dirname "$LAB_LOCK_FILE")"; exec 8>>"$LAB_LOCK_FILE"
flock -n 8 || { echo "vm-system-test: waiting for the lab lock ($LAB_LOCK_FILE)"; flock 8; }
export LAB_LOCK_HELD=1
OUR_LAB=0
if ! "$LAB/lab" status >/dev/null 2>&1; then
  echo "vm-system-test: bringing the lab up"
  "$LAB/lab" up >/dev/null || { echo "vm-system-test: lab/lab up failed"; echo "0 passed, 1 failed"; exit 1; }
  OUR_LAB=1
fi
# shellcheck source=/dev/null
source "$LAB/run/lab.env"
export TEST_CTL_SRC=$LAB_CTL_MAIN_SERVER TEST_CTL_DST=$LAB_CTL_BACKUP_SERVER TEST_VIP=$LAB_VIP TEST_SW_NS=sm-sw1
export DAEMONS_RUN=${DAEMONS_RUN:-$LAB/run/daemons}
VM_PORT=${VM_SERVICE_PORT:-7000}
# the driver's classes and ours from this build, then the third-party jars (target/cp.txt, written by mvn verify)
[[ -f $DRV/target/cp.txt ]] || { echo "$(basename "$0"): no $DRV/target/cp.txt: build first (mvn -B verify, as ./run-tests does)"; echo "0 passed, 1 failed"; exit 1; }
CP=$DRV/target/classes:$DRV/target/test-classes:$MAIN/bundles/api/target/classes:$MAIN/bundles/daemon-protocol/target/classes:$MAIN/driver-kit/target/classes:$(cat "$DRV/target/cp.txt")
OUT=$DAEMONS_RUN/vm-results
mkdir -p "$OUT"

PASS=0 FAIL=0
result() { if (($2 == 0)); then PASS=$((PASS + 1)); echo "PASS $1"; else FAIL=$((FAIL + 1)); echo "FAIL $1"; fi; }

# QEMU processes in a server namespace (pids)
qemus_in() { local pid; for pid in $(ip netns pids "$1" 2>/dev/null); do [[ $(cat "/proc/$pid/comm" 2>/dev/null) == qemu-system-x86 ]] && echo "$pid"; done; }

cleanup() {
  [[ ${#CLIENTS[@]} -gt 0 ]] && kill -TERM "${CLIENTS[@]}" 2>/dev/null
  "$LAB/daemons/daemons" stop >/dev/null
  # the daemons stop their QEMUs; anything left is a failure of ours: stop it by pid, say so
  local ns pid
  for ns in "$LAB_NS_MAIN_SERVER" "$LAB_NS_BACKUP_SERVER"; do
    for pid in $(qemus_in "$ns"); do echo "vm-system-test: stray QEMU pid $pid in $ns after the daemons stopped" >&2; kill -KILL "$pid"; done
  done
  ip -n sm-sw1 link set p1 master br-v1 2>/dev/null
  "$LAB/lab" vm-net del >/dev/null
  if ((OUR_LAB)); then "$LAB/lab" down >/dev/null; fi
}
CLIENTS=()
trap cleanup EXIT

"$LAB/lab" vm-net add >/dev/null || { echo "vm-system-test: lab/lab vm-net add failed"; echo "0 passed, 1 failed"; exit 1; }
"$LAB/daemons/daemons" start >/dev/null || { echo "vm-system-test: the daemons did not start"; echo "0 passed, 1 failed"; exit 1; }
grep -q 'VMs \[vm1\]' "$DAEMONS_RUN/main-srv.log" "$DAEMONS_RUN/bak-srv.log" ||
  { echo "vm-system-test: the daemons have no VM configured (see lab/daemons/daemons)"; echo "0 passed, 1 failed"; exit 1; }

scenario() { java -XX:TieredStopAtLevel=1 -cp "$CP" net.sessionmigration.daemondriver.VmScenario "$@"; }
# the driver contract kit's runner: one PASS/FAIL/SKIP line per test, then "N passed, M failed, K skipped"
contracts() { java -XX:TieredStopAtLevel=1 -cp "$CP" net.sessionmigration.driverkit.ContractRunner "$@"; }

client() { # NS LABEL [USER-CLIENT ARGS]: runs until stop_clients (SIGTERM); default the guest's stream
  rm -f "$OUT/$2.json"
  local ns=$1 label=$2; shift 2
  ip netns exec "$ns" "$LAB/tools/user-client" --host "$LAB_VIP" --port "$VM_PORT" --label "$label" --out "$OUT/$label.json" "$@" >/dev/null 2>&1 &
  CLIENTS+=($!)
}
# the guest's counterd (lab/vm/build-image: the stream's port + 2), requests in flight during the migration
rr_client() { client "$1" "$2" --port $((VM_PORT + 2)) --protocol counter --mode pipelined; }
stop_clients() { # the users keep listening 1.5 s after the scenario, so the record shows the stream after resume
  sleep 1.5
  kill -TERM "${CLIENTS[@]}" 2>/dev/null
  wait "${CLIENTS[@]}" 2>/dev/null
  CLIENTS=()
}
# The record covers the whole operation (lines after the end) and the one verdict
# (lab/tools/session_verdict.py) says kept.
check_record() { # LABEL SCENARIO-OUTPUT
  python3 - "$OUT/$1.json" "$2" "$LAB/tools" <<'P'
import json, sys
sys.path.insert(0, sys.argv[3])
from session_verdict import summary, kept
r = json.load(open(sys.argv[1]))
sc = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
covers = r.get("connected") and r["connected_unix"] < sc["t_freeze_unix"] and r["ended_unix"] > sc["t_end_unix"] + 1.0
print("   " + summary(r) + ("" if covers else " (does not cover the migration)"))
sys.exit(0 if covers and r.get("answers", r["lines"]) > 50 and kept(r) else 1)
P
}
show() { python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); print("   " + ", ".join("%s=%s" % (k, d[k]) for k in sys.argv[2:] if k in d))' "$@"; }

if [[ ${VM_TEST_LIBRARY_ONLY:-0} == 1 ]]; then return 0 2>/dev/null; fi

# ---- 1. the VM boots at the main site, and preflight reports the accelerator at both daemons
run_preflight() {
  scenario start >"$OUT/start.txt" 2>&1 || { cat "$OUT/start.txt"; return 1; }
  scenario preflight >"$OUT/preflight.txt" 2>&1 || { cat "$OUT/preflight.txt"; return 1; }
  show "$OUT/preflight.txt" notes
}
run_preflight; result "the VM boots at main; preflight reports the accelerator (KVM or TCG, and why)" $?

# ---- 2. REPLICATE is refused for a VM
scenario replicate-refused >"$OUT/replicate.txt" 2>&1; rc=$?
show "$OUT/replicate.txt" problems; result "REPLICATE of a VM is refused by the driver" $rc

# ---- 3. MOVE main -> backup: u1's port moves after the migration, before cont
run_move() { # FROM TO BRIDGE LABEL
  client sm-u1 "$4"
  rr_client sm-u1 "$4-rr"
  sleep 1.5
  FROM=$1 TO=$2 PORT_BRIDGE=$3 MOVE_PORTS=p1 scenario move >"$OUT/$4.txt" 2>"$OUT/$4.err" ||
    { tail -5 "$OUT/$4.err"; cat "$OUT/$4.txt"; stop_clients; return 1; }
  stop_clients
  show "$OUT/$4.txt" qemu_total_ms qemu_downtime_ms S708_port_move_ms completed_to_resumed_ms progress_reports state
  check_record "$4" "$OUT/$4.txt" || return 1
  check_record "$4-rr" "$OUT/$4.txt" || return 1
  local left
  left=$(qemus_in "$([[ $1 == main-srv ]] && echo "$LAB_NS_MAIN_SERVER" || echo "$LAB_NS_BACKUP_SERVER")")
  [[ -z $left ]] || { echo "   a QEMU is left at the source: $left"; return 1; }
}
run_move main-srv bak-srv br-v2 move-to-backup
result "VM moves main -> backup through both daemons; the user's stream and pipelined requests are kept, nothing lost either way" $?

# ---- 4. and back (the same guest, the same session machinery in the other direction)
run_move bak-srv main-srv br-v1 move-back
result "VM moves back backup -> main; the user's session is kept again" $?

# ---- 5. a migration cancelled midway: the source keeps serving, no QEMU left at the target
run_cancel() {
  client sm-u1 cancel
  sleep 1.5
  scenario cancel >"$OUT/cancel.txt" 2>"$OUT/cancel.err" || { tail -5 "$OUT/cancel.err"; cat "$OUT/cancel.txt"; stop_clients; return 1; }
  stop_clients
  show "$OUT/cancel.txt" cancelled_at migrate state
  check_record cancel "$OUT/cancel.txt" || return 1
  local left
  left=$(qemus_in "$LAB_NS_BACKUP_SERVER")
  [[ -z $left ]] || { echo "   a destination QEMU is left at the backup: $left"; return 1; }
}
run_cancel; result "a migration cancelled midway leaves the source serving the user and no QEMU at the target" $?

# ---- 6. the destination QEMU dies midway: the migration fails, the source keeps serving
run_dest_dies() {
  client sm-u1 dest-dies
  sleep 1.5
  scenario destination-dies >"$OUT/dest-dies.txt" 2>"$OUT/dest-dies.err" || { tail -5 "$OUT/dest-dies.err"; cat "$OUT/dest-dies.txt"; stop_clients; return 1; }
  stop_clients
  show "$OUT/dest-dies.txt" killed_destination_pid migrate_failed state
  check_record dest-dies "$OUT/dest-dies.txt" || return 1
  local left
  left=$(qemus_in "$LAB_NS_BACKUP_SERVER")
  [[ -z $left ]] || { echo "   a QEMU is left at the backup: $left"; return 1; }
}
run_dest_dies; result "the destination QEMU dies midway: the migration fails, the source keeps serving, nothing left at the target" $?

# ---- 7. the driver contract kit (driver-kit), as an integrator's driver must pass it, against the
# real daemons: QemuDaemonMover migrating vm1 (QemuDaemonMoverContractLab: each test moves it from
# wherever it runs, no QEMU of it left at the other daemon; its failed migrate is the target's
# incoming migration port taken, so the destination QEMU cannot listen). No skip is allowed. The
# VM may end at either daemon: the next case only stops the daemons.
run_contracts() {
  local rc
  # the server namespaces for the fault, to the runner only: exported, TEST_SRC_NS would make
  # lab/daemons/daemons take a TEST_* layout instead of lab.env's
  TEST_SRC_NS=$LAB_NS_MAIN_SERVER TEST_DST_NS=$LAB_NS_BACKUP_SERVER \
    contracts net.sessionmigration.daemondriver.QemuDaemonMoverContractLab >"$OUT/contracts.txt" 2>"$OUT/contracts.err"; rc=$?
  sed 's/^/   /' "$OUT/contracts.txt"
  ((rc == 0)) || tail -5 "$OUT/contracts.err" | sed 's/^/   /'
  return $rc
}
run_contracts; rc=$?
# the number of tests, from the runner's summary (N passed, M failed, K skipped)
tests=$(tail -1 "$OUT/contracts.txt" 2>/dev/null | awk '/passed, .* failed, .* skipped$/ {print $1 + $3 + $5}')
result "the driver contract kit: QemuDaemonMover against the real daemons moving a QEMU VM (${tests:-0} tests)" $rc

# ---- 8. the daemons stop their QEMUs: none is left in either namespace
run_stop() {
  "$LAB/daemons/daemons" stop >/dev/null
  local left
  left="$(qemus_in "$LAB_NS_MAIN_SERVER")$(qemus_in "$LAB_NS_BACKUP_SERVER")"
  [[ -z $left ]] || { echo "   QEMU left: $left"; return 1; }
}
run_stop; result "stopping the daemons leaves no QEMU process" $?

echo "$PASS passed, $FAIL failed"
((FAIL == 0))
