"""What the Karaf-level lab suites share (crash-test and fault-test; e2e_lab.py and workload-test
take the workloads and the /proc and lab helpers from here): the lab with the daemons and the
Karaf assembly (lab/karaf-lab), the one table of the daemons' workloads, plans for a workload,
putting the lab back between scenarios, the users' clients, waiting until their sessions flow,
and the check of the safe end on the real lab (where the workload runs, where v is, which VLAN
each user's port is on, what the history says).

Python 3 stdlib only. Every process it starts is ended by pid; the lab is left down.
"""
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import time
from typing import NamedTuple

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(ROOT, "lab")
sys.path.insert(0, os.path.join(LAB, "tools"))
import session_verdict  # noqa: E402  (the one definition of "session kept")
KARAF_LAB = os.path.join(LAB, "karaf-lab")
DAEMONS = os.path.join(LAB, "daemons", "daemons")
KARAF_HOME = os.environ.get("SM_KARAF_HOME", os.path.join(ROOT, "run", "karaf"))
KARAF_LOG = os.path.join(KARAF_HOME, "data", "log", "karaf.log")
DAEMON_RUN = os.path.join(LAB, "run", "daemons")
VIP = "10.20.0.100"
PLANS_DIR = os.path.join(ROOT, "docs", "lab-plans")


class Workload(NamedTuple):
    port: int        # where it listens on v
    comm: str        # its process name, which the daemon finds it by (exeName)
    protocol: str    # lab/tools/user-client --protocol


# The daemons' workloads (lab/daemons/daemons; lab/README.md "Request/response workloads of the
# daemons"), by the name plans give in workload.name. The one table of the lab's suites.
WORKLOADS = {"stream": Workload(7001, "smstream", "stream"), "counter": Workload(7002, "smcounter", "counter"),
             "redis": Workload(7003, "redis-server", "redis"), "http": Workload(7004, "nginx", "http")}
REQUEST_RESPONSE = ("counter", "redis", "http")
SITES = {"main": "sm-main-srv", "backup": "sm-bak-srv"}
VLAN_SITE = {1: "main", 2: "backup"}          # VLAN 1 reaches the main site, VLAN 2 the backup site
SWITCH_NS = "sm-sw1"
USERS = {"u1": "p1", "u2": "p2", "u3": "p3"}  # the plans' users on sw1
PROBE_PORT = "p8"                              # the probe host's port on sw1 (user probe1 of the plans)
TERMINAL = ("SUCCEEDED", "ROLLED_BACK", "FAILED")
ENV = dict(os.environ, MIBS="", LAB_LOCK_HELD="1")


class Failure(Exception):
    pass


def sh(*args, check=True, timeout=120, env=None, input_text=None):
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env or ENV, input=input_text)
    if check and r.returncode != 0:
        raise Failure(f"{' '.join(args)} -> {r.returncode}: {(r.stdout + r.stderr).strip()[-600:]}")
    return r


def log(msg):
    print(msg, flush=True)


# ---- prerequisites and the lab lock ----

def prerequisites():
    missing = []
    if os.geteuid() != 0:
        missing.append("run as root")
    import glob
    if not glob.glob(os.path.join(ROOT, "karaf-assembly", "target", "sm-karaf-assembly-*.tar.gz")):
        missing.append("the Karaf assembly (mvn -B -ntp verify -pl karaf-assembly -am -DskipTests)")
    if not os.path.exists(os.path.join(ROOT, "daemon", "target", "sm-daemon-0.1.0-SNAPSHOT-exec.jar")):
        missing.append("the daemon jar (mvn -B -ntp verify -pl daemon -am -DskipTests)")
    for tool in ("ip", "ssh", "ssh-keygen", "openssl", "curl", "snmpset", "java", "nsenter"):
        if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode != 0:
            missing.append(f"{tool} (lab/setup installs the lab's tools)")
    if not os.path.exists(os.environ.get("SM_CRIU", "/var/cache/session-migration/criu-4.2.1/criu/criu")):
        missing.append("CRIU 4.2.1 (run lab/setup)")
    return missing


def take_lab_lock(name):
    """The machine-wide lab lock, held until this process exits (children see LAB_LOCK_HELD=1)."""
    path = os.environ.get("LAB_LOCK_FILE", "/run/lock/session-migration-lab.lock")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    f = open(path, "a")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log(f"{name}: waiting for the lab lock ({path})")
        fcntl.flock(f, fcntl.LOCK_EX)
    os.environ["LAB_LOCK_HELD"] = "1"
    return f


# ---- lab, daemons, Karaf ----

def lab_up(*plans, lab_args=(), karaf=True):
    """The lab, the daemons and (karaf=False: not) the one Karaf of SM_KARAF_HOME with PLANS."""
    sh(os.path.join(LAB, "lab"), "up", *lab_args, timeout=300)
    sh(DAEMONS, "certs", timeout=300)
    sh(DAEMONS, "start", timeout=120)
    if karaf:
        sh(KARAF_LAB, "start", *plans, timeout=300)


def lab_down():
    """Stops Karaf, the workloads' copies, the daemons and the lab; never fails."""
    for cmd in ([KARAF_LAB, "stop"], None, [DAEMONS, "stop"], [os.path.join(LAB, "lab"), "down"]):
        try:
            if cmd is None:
                kill_copies()
            else:
                sh(*cmd, check=False, timeout=120)
        except Exception as e:  # keep tidying
            log(f"   (tidying: {e})")


def karaf(command, check=True, timeout=60, env=None):
    """One shell command over SSH; env: another Karaf's lab/karaf-lab environment (SM_KARAF_HOME, ...)."""
    return sh(KARAF_LAB, "cmd", command, check=check, timeout=timeout, env=env).stdout


def karaf_json(command, env=None):
    out = karaf(command, env=env)
    start = min([i for i in (out.find("["), out.find("{")) if i >= 0], default=-1)
    if start < 0:
        raise Failure(f"no JSON from `{command}`: {out.strip()[:300]}")
    return json.loads(out[start:])


def karaf_kill():
    sh(KARAF_LAB, "kill")


def karaf_restart():
    sh(KARAF_LAB, "restart", timeout=300)


def log_size():
    try:
        return os.path.getsize(KARAF_LOG)
    except OSError:
        return 0


def wait_log(pattern, since, path=KARAF_LOG, timeout=60, every=0.2):
    """Waits for a line matching pattern written after byte offset since; returns it. Each line is
    read once, as the file grows (a check every EVERY seconds)."""
    rx = re.compile(pattern)
    end = time.time() + timeout
    pos, partial = since, b""
    while True:
        try:
            with open(path, "rb") as f:
                if os.fstat(f.fileno()).st_size < pos:
                    pos, partial = 0, b""   # written anew (a restarted daemon's log)
                f.seek(pos)
                chunk = f.read()
                pos = f.tell()
        except OSError:
            chunk = b""
        lines = (partial + chunk).split(b"\n")
        partial = lines.pop()      # a line still being written
        for line in lines:
            text = line.decode(errors="replace")
            if rx.search(text):
                return text.strip()
        if time.time() >= end:
            raise Failure(f"no line /{pattern}/ in {path} within {timeout} s")
        time.sleep(every)


def start_migration(plan, mode=None, env=None):
    cmd = "migration:start --no-wait --json " + (f"--mode {mode} " if mode else "") + plan
    return karaf_json(cmd, env=env)["id"]


def wait_terminal(mig_id, timeout=240, env=None):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            last = karaf_json(f"migration:history --json {mig_id}", env=env)
            if last["state"] in TERMINAL:
                return last
        except (Failure, ValueError, KeyError):
            pass
        time.sleep(1)
    raise Failure(f"migration {mig_id} not finished within {timeout} s (last state "
                  f"{last and last.get('state')})")


# ---- the lab's state ----

def copies(workload=None):
    """{site: [pid, ...]} of the roots of the daemons' copies of WORKLOAD (None: of every workload)
    in each server namespace: a process with the workload's name whose parent has another name."""
    comms = {w.comm for name, w in WORKLOADS.items() if workload in (None, name)}
    out = {}
    for site, ns in SITES.items():
        pids = sh("ip", "netns", "pids", ns, check=False).stdout.split()
        found = []
        for pid in pids:
            stat = read_stat(pid)
            if stat and stat[0] in comms and (read_stat(stat[2]) or ("",))[0] != stat[0]:
                found.append(int(pid))
        out[site] = found
    return out


def read_stat(pid):
    """(comm, state, ppid) of a process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    comm = s[s.index("(") + 1:s.rindex(")")]
    rest = s[s.rindex(")") + 2:].split()
    return comm, rest[0], rest[1]


def vip_at(site):
    out = sh("ip", "-n", SITES[site], "-o", "addr", "show", "dev", "eth0").stdout
    return f" {VIP}/32 " in out


def vlan_of(port, ns=SWITCH_NS):
    out = sh("ip", "-n", ns, "-o", "link", "show", port).stdout
    m = re.search(r" master br-v(\d+) ", out)
    return int(m.group(1)) if m else None


def kill_copies():
    """Every workload's copies at both sites (each root is its PID namespace's init: its tree goes with it)."""
    for pids in copies().values():
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    end = time.time() + 5
    while time.time() < end and any(copies().values()):
        time.sleep(0.1)


def listening(port, site="main"):
    r = sh("ip", "netns", "exec", SITES[site], "ss", "-Hltn", f"sport = :{port}", check=False)
    return bool(r.stdout.strip())


def reset_lab(workload="stream", env=None):
    """Before each scenario: no copy of any workload anywhere, v only at main, every user on VLAN 1,
    WORKLOAD started at main through its daemon and listening; the probe host on VLAN 1 too.
    env: lab/karaf-lab's environment for workload-start (SM_DAEMON_EPOCH: a cluster leader's epoch)."""
    kill_copies()
    sh("ip", "-n", SITES["backup"], "addr", "del", f"{VIP}/32", "dev", "eth0", check=False)
    sh("ip", "-n", SITES["main"], "addr", "replace", f"{VIP}/32", "dev", "eth0")
    for port in [*USERS.values(), PROBE_PORT]:
        sh("ip", "-n", SWITCH_NS, "link", "set", port, "master", "br-v1")
    sh(KARAF_LAB, "workload-start", workload, "main", env=env)
    end = time.time() + 10
    while time.time() < end:
        if listening(WORKLOADS[workload].port):
            return
        time.sleep(0.1)
    raise Failure(f"{workload} did not listen on v:{WORKLOADS[workload].port} at main after workload-start")


# ---- plans for a workload ----

def plan_workload(base):
    with open(os.path.join(PLANS_DIR, base + ".json")) as f:
        return json.load(f)["workload"]["name"]


def plan_name(base, workload):
    """The plan of BASE's use for WORKLOAD: BASE itself for its own workload, else BASE-WORKLOAD."""
    return base if plan_workload(base) == workload else f"{base}-{workload}"


def plan_file(base, workload, out_dir):
    """The file of plan_name(BASE, WORKLOAD): docs/lab-plans/ has it (maintenance-main-counter, ...),
    or it is derived at run time from BASE into OUT_DIR: name and workload.name changed, and the
    probe-verified commit's port (it connects to the workload on v)."""
    name = plan_name(base, workload)
    path = os.path.join(PLANS_DIR, name + ".json")
    if os.path.exists(path):
        return path
    with open(os.path.join(PLANS_DIR, base + ".json")) as f:
        plan = json.load(f)
    plan["name"] = name
    plan["description"] = f"{base} with the workload {workload} (derived at run time from {base}.json by the lab's tests)"
    plan["workload"]["name"] = workload
    if "probe" in plan:
        plan["probe"]["port"] = WORKLOADS[workload].port
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name + ".json")
    with open(path, "w") as f:
        json.dump(plan, f, indent=1)
    return path


# ---- users ----

def mixed_modes(names):
    """Request/response users in both client modes: the 1st, 3rd, ... pipelined (requests in flight
    through the freeze), the 2nd, 4th, ... alternating (at most one request in flight)."""
    return {u: "pipelined" if i % 2 == 0 else "alternating" for i, u in enumerate(names)}


def client_command(ns, workload, mode, label, out, duration=600, port=None):
    """lab/tools/user-client in the user namespace NS, on WORKLOAD's port of v (or PORT: the VM's)."""
    w = WORKLOADS[workload]
    cmd = ["ip", "netns", "exec", ns, os.path.join(LAB, "tools", "user-client"), "--host", VIP,
           "--port", str(port or w.port), "--duration", str(duration), "--label", label, "--out", out]
    if w.protocol != "stream":
        cmd += ["--protocol", w.protocol, "--mode", mode or "pipelined"]
    return cmd


def tcp_sample(ns, port):
    """(bytes received, RTO backoff) of the user's connection to v:PORT, read in its namespace, or None."""
    r = sh("ip", "netns", "exec", ns, "ss", "-Htin", "state", "established", "dst", VIP, f"dport = :{port}",
           check=False)
    got = re.search(r"bytes_received:(\d+)", r.stdout)
    if not got:
        return None
    backoff = re.search(r"backoff:(\d+)", r.stdout)
    return int(got.group(1)), int(backoff.group(1)) if backoff else 0


def wait_flowing(namespaces, port, timeout=60):
    """Waits until every user's connection (NAMESPACES: user -> namespace) receives again and its
    kernel no longer backs off a retransmission: after a long freeze a user's unacknowledged
    requests wait for its backed-off RTO (seconds), and stopping the client before they go would
    leave them unanswered. Returns the users still not flowing at the timeout (the verdict on
    their records says what happened), [] when all flow."""
    deadline = time.time() + timeout
    last = {}
    while True:
        now = {u: tcp_sample(ns, port) for u, ns in namespaces.items()}
        stuck = [u for u, s in now.items() if not (s and last.get(u) and s[0] > last[u][0] and s[1] == 0)]
        if not stuck or time.time() > deadline:
            return stuck
        last = now
        time.sleep(0.2)


class Clients:
    """The users' TCP clients (lab/tools/user-client) to WORKLOAD on v, one per user namespace;
    request/response users in MODES (user -> pipelined|alternating; default mixed_modes)."""

    def __init__(self, workdir, label, workload="stream", modes=None):
        self.workload = workload
        self.modes = modes or mixed_modes(list(USERS))
        self.procs = {}
        self.files = {}
        os.makedirs(workdir, exist_ok=True)
        for u in USERS:
            path = os.path.join(workdir, f"{label}-{u}.json")
            if os.path.exists(path):
                os.remove(path)
            self.files[u] = path
            self.procs[u] = subprocess.Popen(client_command(f"sm-{u}", workload, self.modes.get(u), u, path),
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # connected and served before the migration
        self.wait_flowing(timeout=15)

    def wait_flowing(self, timeout=60):
        """See wait_flowing(); a client that ended already (reset, closed) is not waited for."""
        alive = {u: f"sm-{u}" for u, p in self.procs.items() if p.poll() is None}
        stuck = wait_flowing(alive, WORKLOADS[self.workload].port, timeout)
        if stuck:
            log(f"   (not flowing after {timeout} s: {', '.join(stuck)})")
        return stuck

    def stop(self):
        """Ends the clients (SIGTERM: each writes its record); returns {user: record or None}."""
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        records = {}
        for u, p in self.procs.items():
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            try:
                with open(self.files[u]) as f:
                    records[u] = json.load(f)
            except (OSError, ValueError):
                records[u] = None
        return records


def session_kept(r):
    """The one verdict (lab/tools/session_verdict.py) on a user's record."""
    return session_verdict.kept(r)


def sessions_summary(records):
    return ", ".join(f"{u} kept" if session_kept(r) else f"{u} lost ({'; '.join(session_verdict.verdict(r)['reasons'])})"
                     for u, r in sorted(records.items()))


def sessions_lost(records):
    """What is wrong with the users' sessions by the one verdict (empty: every session kept)."""
    return [f"{u}'s session lost: {'; '.join(session_verdict.verdict(r)['reasons'])}"
            for u, r in sorted(records.items()) if not session_kept(r)]


def modes_of(records):
    """The workload and the users' client modes for a scenario's line: 'counter u1 pipelined, u2 alternating, ...'."""
    kinds = [r for r in records.values() if r]
    if not kinds or kinds[0].get("kind") != "request-response":
        return "stream"
    return f"{kinds[0].get('protocol')} " + ", ".join(f"{u} {(r or {}).get('mode')}" for u, r in sorted(records.items()))


def check_safe_end(record, expect_state, switched, replicate=False, workload="stream"):
    """The issue's safe end on the real lab; returns a list of what is wrong (empty = safe).

    switched: the users the plan moves (to VLAN 2) in this mode; workload: the plan's."""
    wrong = []
    state = record["state"]
    if state != expect_state:
        wrong.append(f"state {state}, expected {expect_state} (failure: {record.get('failure')})")
    where = copies(workload)
    running = {}
    for site, pids in where.items():
        for pid in pids:
            st = read_stat(pid)
            if st and st[1] == "T":
                wrong.append(f"the copy pid {pid} at {site} is stopped (frozen)")
        running[site] = len(pids)
    if expect_state == "SUCCEEDED":
        want = {"main": 1, "backup": 1} if replicate else {"main": 0, "backup": 1}
    else:
        want = {"main": 1, "backup": 0}
    if running != want:
        wrong.append(f"copies running {running}, expected {want}")
    for site in SITES:
        if vip_at(site) != (running.get(site, 0) > 0):
            wrong.append(f"v is {'present' if vip_at(site) else 'absent'} at {site}, where "
                         f"{running.get(site, 0)} copy runs")
    for u, port in USERS.items():
        vlan = vlan_of(port)
        site = VLAN_SITE.get(vlan)
        if site is None or running.get(site, 0) == 0:
            wrong.append(f"{u}'s port {port} is on VLAN {vlan}, which reaches no running copy")
        expected_vlan = 2 if expect_state == "SUCCEEDED" and u in switched else 1
        if vlan != expected_vlan:
            wrong.append(f"{u}'s port {port} is on VLAN {vlan}, expected {expected_vlan}")
    return wrong


UPS_ON_BATTERY = "1.3.6.1.2.1.33.2.1"   # upsTrapOnBattery: lab/karaf-lab's disaster rule ups-on-battery


def trap_on_battery_command(port=10162):
    """The main site's UPS runs on battery: Net-SNMP's snmptrap, v3 authPriv (the lab's trap user ups-main,
    lab/karaf-lab), from the main server to the trap receiver on 10.99.0.1:PORT."""
    return ["ip", "netns", "exec", "sm-main-srv", "env", "MIBS=", "snmptrap", "-v", "3", "-l", "authPriv",
            "-u", "ups-main", "-a", "SHA-256", "-A", "LAB-ONLY-change-me-auth", "-x", "AES-256",
            "-X", "LAB-ONLY-change-me-priv", f"10.99.0.1:{port}", "", UPS_ON_BATTERY]


def notes_of(record):
    return " | ".join(record.get("notes", []))


FORWARD = ("S710", "S711")   # the journal shows S709 or later begun: recovery finishes forward
RESTARTED = "recovery after a coordinator restart"


def recovered_end(step):
    """The state a migration interrupted after STEP's journal record must end in once recovered."""
    return "SUCCEEDED" if step in FORWARD else "ROLLED_BACK"


def recovery_problems(record, by=RESTARTED):
    """What is wrong with a recovered migration's notes: they must say who recovered it (BY) and which way."""
    notes = notes_of(record)
    wrong = []
    if by not in notes:
        wrong.append(f"the history does not say {by!r}: notes {notes!r}")
    why = "finishing forward" if record["state"] == "SUCCEEDED" else "rolling back"
    if why not in notes:
        wrong.append(f"the history does not say why ({why}): notes {notes!r}")
    return wrong


def largest_gap_ms(records):
    """The longest any user waited for the service in this scenario, in ms (the clients' records)."""
    return max((r.get("largest_gap_ms", 0) for r in records.values() if r), default=0)


def failure_text(record):
    f = record.get("failure")
    if not f:
        return ""
    if isinstance(f, dict):
        return f"{f.get('device')}: {f.get('cause')}"
    return str(f)


def finish(name, results):
    passed = sum(1 for ok in results if ok)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)
