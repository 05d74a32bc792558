# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables are used by the scripts that source this
# Names, addresses and small helpers shared by the lab scripts. Sourced, not run.
# The one place that says how the lab is laid out; topology.json is written from it.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_RUN=$LAB_DIR/run
LAB_CACHE=$LAB_DIR/.cache
LAB_TMPFS=/run/session-migration-lab     # CRIU images and other scratch on tmpfs
LAB_CRIU=${SM_CRIU:-${SM_CACHE:-/var/cache/session-migration}/criu-4.2.1/criu/criu}
LAB_PREFIX=sm-

# Fixed plan (see README.md "Addresses").
LAB_VIP=10.20.0.100                  # the service's virtual IP v (a /32 on the server)
LAB_ROUTER=10.10.0.1                 # r: both sites' routers, wide-area side
LAB_ROUTER_MAC=02:53:4d:00:00:01     # ... and the same MAC (anycast gateway)
LAB_WAN_PREFIX=16                    # users and routers: 10.10.0.0/16
LAB_LAN_GW=10.20.0.1                 # both sites' routers, server side: 10.20.0.0/24
LAB_LAN_GW_MAC=02:53:4d:00:00:02     # ... and, once the LAN is a bridge for VMs (vm-net), the same MAC
LAB_VM_TAP=tap-vm                    # vm-net: the tap QEMU uses in each server namespace
LAB_MAIN_SRV=10.20.0.11
LAB_BAK_SRV=10.20.0.12
LAB_CTL_ROOT=10.99.0.1               # control network 10.99.0.0/16, root namespace
LAB_CTL_MAIN=10.99.0.11
LAB_CTL_BAK=10.99.0.12
LAB_CTL_GW=10.99.0.21
LAB_CTL_PROBE=10.99.0.31             # the user-side probe host's daemon (probe-verified commit)
LAB_PROBE_ADDR=10.10.3.250           # its user-side address: outside 10.10.1.x (users, up to .250) and 10.10.2.x (gateway users)
LAB_MIG_MAIN=10.98.0.1               # migration network 10.98.0.0/30
LAB_MIG_BAK=10.98.0.2
LAB_VLAN_MAIN=1
LAB_VLAN_BAK=2
LAB_CTL_BRIDGE=sm-ctl

NS_MAIN_RT=sm-main-rt
NS_MAIN_SRV=sm-main-srv
NS_BAK_RT=sm-bak-rt
NS_BAK_SRV=sm-bak-srv
NS_GW=sm-gw
NS_PROBE=sm-probe

SNMP_V3_SHA_USER=lab-sha-aes128
SNMP_V3_SHA256_USER=lab-sha256-aes256

sw_ns() { echo "sm-sw$1"; }
sw_addr() { echo "10.99.1.$1"; }
user_ns() { echo "sm-u$1"; }
user_addr() { echo "10.10.1.$1"; }
gwuser_ns() { echo "sm-gu$1"; }
gwuser_addr() { echo "10.10.2.$1"; }
# User k sits on switch ((k-1) mod S)+1, port ((k-1) div S)+1: users are spread
# over the switches, each switch's users on its lowest ports.
user_switch() { echo $(( ($1 - 1) % LAB_SWITCHES + 1 )); }
user_port() { echo $(( ($1 - 1) / LAB_SWITCHES + 1 )); }
# The probe host sits on switch 1's last port, like a user, when no user takes that port
# (prints nothing otherwise: then the lab has no probe host).
probe_port() {
  if (( (LAB_USERS - 1) / LAB_SWITCHES + 1 < LAB_PORTS )); then echo "$LAB_PORTS"; fi
}
# u1 is near the main site, u2 near the backup site, u3 elsewhere; then it repeats.
user_near() { local n=(main backup other); echo "${n[$(( ($1 - 1) % 3 ))]}"; }

say() { printf 'lab: %s\n' "$*"; }
die() { printf 'lab: ERROR: %s\n' "$*" >&2; exit 1; }

# A pid is alive when it exists and is not a zombie (PID 1 here reaps lazily).
pid_alive() {
  local pid=$1 state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# Stop one pid: TERM, wait up to 2 s, then KILL.
stop_pid() {
  local pid=$1 i
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
}

lab_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB_PREFIX" || true; }

require_tools() {
  local t missing=()
  for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  ((${#missing[@]} == 0)) || die "missing ${missing[*]}: run lab/setup (or apt-get install iproute2 snmpd snmp gcc)"
}

# Builds lab/.cache/bin/NAME from src/NAME.c (static: streamd also goes into the VM initramfs)
# when the source is newer; prints the binary's path. The lab's own servers: streamd (the
# one-way stream) and counterd (request/response).
build_lab_bin() {
  local src=$LAB_DIR/src/$1.c bin=$LAB_CACHE/bin/$1
  if [[ ! -x $bin || $src -nt $bin ]]; then
    mkdir -p "$LAB_CACHE/bin"
    # a temporary file per process: lab/daemons/daemons may build it too, outside the lab lock
    gcc -O2 -Wall -static -o "$bin.tmp$$" "$src" || die "cannot compile $src (apt-get install gcc libc6-dev)"
    mv "$bin.tmp$$" "$bin"
  fi
  echo "$bin"
}
build_streamd() { build_lab_bin streamd; }
build_counterd() { build_lab_bin counterd; }

# One lab command at a time, machine-wide (the namespaces have fixed names, so two checkouts
# share one lab): the lock is LAB_LOCK_FILE (fd 9). A caller that already holds it for a
# whole sequence (a test suite: flock "$LAB_LOCK_FILE" ...) sets LAB_LOCK_HELD=1.
LAB_LOCK_FILE=${LAB_LOCK_FILE:-/run/lock/session-migration-lab.lock}
lab_lock() {
  [[ -n ${LAB_LOCK_HELD:-} ]] && return 0
  mkdir -p "$(dirname "$LAB_LOCK_FILE")"
  exec 9>>"$LAB_LOCK_FILE"
  if ! flock -n 9; then
    say "waiting for another lab command or test run (lock $LAB_LOCK_FILE)"
    flock 9
  fi
}
