"""The whole product on the lab, for the end-to-end tests and benchmarks: the lab, the migration
daemons, the Karaf assembly with the real drivers (lab/karaf-lab), the daemons' workloads (the
stream and the request/response ones, karaf_lab.WORKLOADS), users running lab/tools/user-client,
and the operator's shell over SSH.

Python 3 stdlib. Holds the machine-wide lab lock from enter to exit (unless LAB_LOCK_HELD=1 says
a parent holds it) and always leaves the lab down. Nothing here runs a shell with text from a
record or a plan: every command is an argument list.
"""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import karaf_lab
from karaf_lab import SITES, WORKLOADS, kill_copies, log, read_stat, take_lab_lock, vip_at as vip_present

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(ROOT, "lab")
VIP = "10.20.0.100"
PORT = WORKLOADS["stream"].port  # the daemons' copy of the stream (7000 is the lab's own)
VM_PORT = 7000                   # the stream inside the VM vm1 (lab/daemons/daemons, lab/vm)
PLANS = os.path.join(ROOT, "docs", "lab-plans")
RECENT = 4                       # migrations read back from the history at a time (Lab.recent)
TERMINAL_ESCAPES = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[=>])")


def add_jvm_options(daemons, karaf):
    """Options for the lab's JVMs started after this, on top of their own: the daemons' (lab/daemons/java-opts'
    SM_DAEMON_JAVA_OPTS, or the variable if it is set) and Karaf's (bin/setenv passes EXTRA_JAVA_OPTS on)."""
    own = subprocess.run(["bash", "-c", 'source "$1"; printf %s "$SM_DAEMON_JAVA_OPTS"', "-",
                          os.path.join(LAB, "daemons", "java-opts")], capture_output=True, text=True, check=True).stdout
    os.environ["SM_DAEMON_JAVA_OPTS"] = f"{own} {daemons}"
    os.environ["EXTRA_JAVA_OPTS"] = (os.environ.get("EXTRA_JAVA_OPTS", "") + " " + karaf).strip()


def run(args, timeout=120, check=True, env=None):
    p = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {p.returncode}: {(p.stderr or p.stdout).strip()[-800:]}")
    return p.stdout


def prerequisites():
    """What must be there before the lab is touched; each missing piece names its fix."""
    problems = []
    if os.geteuid() != 0:
        problems.append("run as root (namespaces, CRIU)")
    assembly = [f for f in os.listdir(os.path.join(ROOT, "karaf-assembly", "target"))
                if f.startswith("sm-karaf-assembly-") and f.endswith(".tar.gz")] \
        if os.path.isdir(os.path.join(ROOT, "karaf-assembly", "target")) else []
    if not assembly:
        problems.append("no Karaf assembly: build with 'mvn -B -ntp verify -DskipTests'")
    if not os.path.exists(os.path.join(ROOT, "daemon", "target", "sm-daemon-0.1.0-SNAPSHOT-exec.jar")):
        problems.append("no daemon jar: build with 'mvn -B -ntp verify -DskipTests'")
    for tool, package in (("snmptrap", "snmp"), ("ssh", "openssh-client"), ("curl", "curl"),
                          ("openssl", "openssl")):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            problems.append(f"{tool} missing: apt-get install {package} (or run lab/setup)")
    if not os.path.exists("/var/cache/session-migration/criu-4.2.1/criu/criu") and not os.environ.get("SM_CRIU"):
        problems.append("CRIU 4.2.1 missing: run lab/setup")
    return problems


class User:
    """One lab user of WORKLOAD on v (request/response users in MODE) until stopped; the record is
    the evidence. PORT: another port of v with WORKLOAD's protocol (the VM's stream)."""

    def __init__(self, name, out_dir, ns=None, duration=600, port=None, workload="stream", mode=None):
        self.name = name
        self.ns = ns or f"sm-{name}"
        self.port = port or WORKLOADS[workload].port
        self.out = os.path.join(out_dir, f"{name}.json")
        if os.path.exists(self.out):
            os.remove(self.out)
        self.proc = subprocess.Popen(
            karaf_lab.client_command(self.ns, workload, mode, name, self.out, duration, self.port),
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with open(self.out) as f:
            return json.load(f)


class Lab:
    """with Lab(out_dir, plans) as lab: the lab up, daemons, Karaf with those plans (names in
    docs/lab-plans/, or paths of .json files); all down at exit."""

    def __init__(self, out_dir, plans, karaf_home=None):
        self.out_dir = out_dir
        self.plan_files = [p if p.endswith(".json") else os.path.join(PLANS, p + ".json") for p in plans]
        self.karaf_home = karaf_home or os.path.join(ROOT, "run", "e2e", "karaf")
        self.env = dict(os.environ, SM_KARAF_HOME=self.karaf_home, LAB_LOCK_HELD="1")
        self.users = []
        self.lock = None

    def __enter__(self):
        os.makedirs(self.out_dir, exist_ok=True)
        if os.environ.get("LAB_LOCK_HELD") != "1":
            self.lock = take_lab_lock("e2e")   # not inherited by children (PEP 446)
        try:
            self.sh(["lab/lab", "up"])
            self.sh(["lab/daemons/daemons", "certs"])
            self.sh(["lab/daemons/daemons", "start"])
            self.sh(["lab/karaf-lab", "start", *self.plan_files], timeout=240)
            self.sh(["lab/karaf-lab", "workload-start", "stream", "main"])
            self.wait_drivers(["criu-daemon", "snmp-qbridge", "netlink-gateway"])
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        for u in self.users:
            if u.proc.poll() is None:
                u.proc.kill()
        self.sh(["lab/karaf-lab", "stop"], check=False)
        self.stop_daemons()
        self.sh(["lab/lab", "down"], check=False)
        if self.lock:
            self.lock.close()
        return False

    def stop_daemons(self):
        """The daemons stop (and stop their QEMUs); the CRIU-restored copies they leave are killed."""
        kill_copies()
        self.sh(["lab/daemons/daemons", "stop"], check=False)

    def vm_room(self):
        """From the CRIU stream to the VM: the daemons restart with room for vm1 (lab/lab vm-net:
        v then lives in the guest, not on the servers' eth0), vm1 boots at the main site and the
        switch's user ports go back to the main site's VLAN (a REPLICATE before leaves u2 at backup)."""
        self.stop_daemons()
        for port in ("p1", "p2", "p3"):
            self.sh(["ip", "-n", "sm-sw1", "link", "set", port, "master", "br-v1"])
        self.sh(["lab/vm/build-image"], timeout=900)
        self.sh(["lab/lab", "vm-net", "add"])
        self.sh(["lab/daemons/daemons", "start"])
        with open(os.path.join(LAB, "run", "daemons", "main-srv.log")) as f:
            if "VMs [vm1]" not in f.read():
                raise RuntimeError("the daemons run no VM after lab/lab vm-net add (see lab/run/daemons/main-srv.log)")
        self.sh(["lab/karaf-lab", "workload-start", "vm1", "main"], timeout=180)
        self.wait_drivers(["qemu-daemon", "snmp-qbridge"])

    def pids_at(self, site, comm):
        """Processes named COMM (as in /proc/PID/stat) in that site's server namespace."""
        for attempt in range(3):
            # ip netns pids walks /proc; a process that exits meanwhile can make it fail
            r = subprocess.run(["ip", "netns", "pids", SITES[site]], capture_output=True, text=True)
            if r.returncode == 0:
                return [int(pid) for pid in r.stdout.split() if (read_stat(pid) or ("",))[0] == comm]
            time.sleep(0.2)
        raise RuntimeError(f"ip netns pids {SITES[site]} failed: {r.stderr.strip()}")

    def qemu_at(self):
        at = [site for site in SITES if self.pids_at(site, "qemu-system-x86")]
        if not at:
            # seen twice (sessions 5 and 6): no QEMU in either site right after a SUCCEEDED move;
            # look again, and leave the evidence: every qemu process with its network namespace
            log(f"   no QEMU found in {list(SITES.values())}; looking again in 0.5 s")
            time.sleep(0.5)
            at = [site for site in SITES if self.pids_at(site, "qemu-system-x86")]
            if not at:
                sites = {ns: os.stat(f"/run/netns/{ns}").st_ino for ns in SITES.values() if os.path.exists(f"/run/netns/{ns}")}
                found = []
                for pid in filter(str.isdigit, os.listdir("/proc")):
                    st = read_stat(pid)
                    if st and st[0].startswith("qemu"):
                        try:
                            found.append((pid, st[0], st[1], os.stat(f"/proc/{pid}/ns/net").st_ino))
                        except OSError:
                            pass
                log(f"   sites' netns inodes {sites}; qemu processes (pid, comm, state, netns inode): {found}")
        return at

    def sh(self, args, timeout=120, check=True):
        return run(args, timeout=timeout, check=check, env=self.env)

    def karaf(self, command, timeout=120):
        """One shell command over SSH to the assembly, as an operator types it."""
        return self.sh(["lab/karaf-lab", "cmd", command], timeout=timeout)

    def karaf_json(self, command, argument=""):
        """Karaf takes options before arguments: COMMAND --json ARGUMENT."""
        return json.loads(self.karaf(f"{command} --json {argument}".strip()))

    def wait_drivers(self, types, seconds=60):
        deadline = time.monotonic() + seconds
        while True:
            drivers = {d["driverType"]: d for d in self.karaf_json("migration:drivers")}
            missing = [t for t in types if not drivers.get(t, {}).get("installed")]
            if not missing:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"drivers not installed in Karaf after {seconds} s: {missing}")
            time.sleep(1)

    def user(self, name, ns=None, port=None, workload="stream", mode=None):
        u = User(name, self.out_dir, ns, port=port, workload=workload, mode=mode)
        self.users.append(u)
        return u

    def users_of(self, workload, names, namespaces=None):
        """One user per name of WORKLOAD, request/response users in mixed modes (karaf_lab.mixed_modes)."""
        modes = karaf_lab.mixed_modes(names)
        return [self.user(n, ns, workload=workload, mode=modes[n])
                for n, ns in zip(names, namespaces or [None] * len(names))]

    def wait_flowing(self, users, timeout=30):
        """Until every user's connection receives again and no retransmission backs off
        (karaf_lab.wait_flowing): before a migration, served; after it, the sessions going on."""
        stuck = karaf_lab.wait_flowing({u.name: u.ns for u in users if u.proc.poll() is None},
                                       users[0].port, timeout)
        if stuck:
            log(f"   (not flowing after {timeout} s: {', '.join(stuck)})")

    def use(self, workload):
        """WORKLOAD alone at main (started through its daemon), v at main only, the switch's users on
        VLAN 1: the state every CRIU test starts from; a no-op when the lab is there already."""
        every, mine = karaf_lab.copies(), karaf_lab.copies(workload)
        there = (every == mine and len(mine["main"]) == 1 and not mine["backup"] and self.vip_at() == ["main"]
                 and all(self.port_bridge("sm-sw1", p) == "br-v1" for p in karaf_lab.USERS.values()))
        if not there:
            karaf_lab.reset_lab(workload)

    def start_live(self, plan, seconds=180):
        """Types migration:start PLAN into the interactive shell over SSH (a pty, as a person logged
        in), then logout. Returns [(arrival epoch s, line)] (terminal escapes removed) and the
        migration id. In the interactive shell each step's line arrives as the step ends (over the
        exec channel, 'ssh host COMMAND', Karaf 4.4 delivers them all when the command ends)."""
        p = subprocess.Popen(["lab/karaf-lab", "shell"], cwd=ROOT, env=self.env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        timer = threading.Timer(seconds, p.kill)
        timer.start()
        lines, mid, err = [], None, ""
        try:
            p.stdin.write(f"migration:start {plan}\n")
            p.stdin.flush()
            for raw in p.stdout:
                line = TERMINAL_ESCAPES.sub("", raw).replace("\r", "").rstrip("\n")
                lines.append((time.time(), line))
                started = re.search(r"migration (\S+) of plan '[^']*' started by", line)
                mid = mid or (started.group(1) if started else None)
                if mid and re.match(r"[A-Z_]+: migration " + re.escape(mid) + " ", line.strip()):
                    p.stdin.write("logout\n")
                    p.stdin.flush()
                    break
            err = p.communicate(timeout=30)[1]
        finally:
            timer.cancel()
            if p.poll() is None:
                p.kill()
        if not mid:
            raise RuntimeError(f"migration:start {plan} printed no migration id within {seconds} s: "
                               f"{[l for _, l in lines][-15:]} {err.strip()[-300:]}")
        return lines, mid

    def migration(self, mid):
        return self.karaf_json("migration:history", mid)

    def recent(self):
        """The latest migrations, newest first. A few only: the list holds whole records (~7 KB
        each), and an answer of more than 64 KiB comes back mangled over the SSH exec channel."""
        return self.karaf_json(f"migration:history --limit {RECENT}")

    def recent_ids(self):
        return {m["id"] for m in self.recent()}

    def wait_finished(self, plan, known=(), seconds=120):
        """The first migration of PLAN not in KNOWN (recent_ids() before it started) that has finished."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for m in self.recent():
                if m["plan"] == plan and m["id"] not in known and m["state"] != "RUNNING":
                    return self.migration(m["id"])
            time.sleep(0.5)
        raise RuntimeError(f"no migration of {plan} finished within {seconds} s")

    def load_rule(self, name, plan, threshold, service_port):
        """A load rule polling the main server's snmpd over SNMPv3 authPriv (the lab's SHA-256 user),
        as a factory configuration file in Karaf's etc/, its passphrases by reference to the files
        lab/karaf-lab wrote."""
        creds = {}
        with open(os.path.join(LAB, "run", "credentials.env")) as f:
            for line in f:
                if "=" in line and not line.startswith("#"):
                    k, v = line.strip().split("=", 1)
                    creds[k] = v.strip("'\"")
        path = os.path.join(self.karaf_home, "etc", f"net.sessionmigration.trigger.load-{name}.cfg")
        secrets = os.path.join(self.karaf_home, "etc", "secrets")   # lab/karaf-lab wrote the lab's SNMPv3 secrets there
        fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f"name = {name}\nplan = {plan}\nthreshold = {threshold}\nsource = poll\n"
                    f"agent.address = 10.99.0.11\nagent.port = 161\npoll.seconds = 2\n"
                    f"service.port = {service_port}\ntable = tcpConnTable\nsnmp.version = v3\n"
                    f"user = {creds['SNMP_V3_SHA256_USER']}\nauth.protocol = SHA-256\n"
                    f"auth.passphraseRef = file:{secrets}/lab-v3.auth\npriv.protocol = AES-256\n"
                    f"priv.passphraseRef = file:{secrets}/lab-v3.priv\n")
        os.replace(path + ".tmp", path)

    def rules(self):
        """The trigger rules as migration:traps shows them: {name: {plan, state, fired, ...}}."""
        return {r["name"]: r for r in self.karaf_json("migration:traps")["rules"]}

    def wait_rule(self, name, predicate, what, seconds=30):
        """The trigger rule NAME once predicate(its status) holds (an event: a poll's count, a new plan)."""
        deadline = time.monotonic() + seconds
        while True:
            rule = self.rules().get(name)
            if rule and predicate(rule):
                return rule
            if time.monotonic() > deadline:
                raise RuntimeError(f"trigger rule {name}: not {what} within {seconds} s (now {rule})")
            time.sleep(0.5)

    def point_disaster_rule(self, plan):
        """The UPS rule (lab/karaf-lab: ups-on-battery) starts PLAN from now on, as an operator
        edits its configuration in etc/; returns once the rule has it (a fresh rule, armed)."""
        path = os.path.join(self.karaf_home, "etc", "net.sessionmigration.trigger.disaster-ups.cfg")
        with open(path) as f:
            text = f.read()
        with open(path + ".tmp", "w") as f:
            f.write(re.sub(r"(?m)^plan = .*$", f"plan = {plan}", text))
        os.replace(path + ".tmp", path)
        self.wait_rule("ups-on-battery", lambda r: r["plan"] == plan and not r["errors"], f"pointed at {plan}")

    def remove_load_rule(self, name):
        """The rule's configuration file goes: fileinstall deletes the rule, which stops polling."""
        path = os.path.join(self.karaf_home, "etc", f"net.sessionmigration.trigger.load-{name}.cfg")
        secrets = os.path.join(self.karaf_home, "etc", "secrets")   # lab/karaf-lab wrote the lab's SNMPv3 secrets there
        if os.path.exists(path):
            os.remove(path)

    def trap_on_battery(self):
        """The main site's UPS runs on battery: Net-SNMP snmptrap, v3 authPriv, from the main server."""
        self.sh(karaf_lab.trap_on_battery_command())

    def timeline(self, mid, html, users):
        args = f"migration:history --html {html}"
        for name, path in users.items():
            args += f" --user-record {name}={path}"
        return self.karaf(f"{args} {mid}")

    def port_bridge(self, ns, port):
        out = self.sh(["ip", "-n", ns, "-o", "link", "show", port])
        return out.split(" master ")[1].split()[0] if " master " in out else None

    def address(self, user):
        """A user's address, from the lab's description."""
        with open(os.path.join(LAB, "run", "topology.json")) as f:
            topo = json.load(f)
        for u in topo["users"] + topo.get("gateway", {}).get("users", []):
            if u["name"] == user:
                return u["address"]
        raise RuntimeError(f"no user {user} in lab/run/topology.json")

    def served_at(self, site, workload="stream"):
        """The peers of the established connections to WORKLOAD's port of v in that site's server namespace."""
        port = WORKLOADS[workload].port
        out = self.sh(["ip", "netns", "exec", SITES[site], "ss", "-Htn", "state", "established", f"sport = :{port}"])
        return {line.split()[-1].rsplit(":", 1)[0] for line in out.splitlines() if line.strip()}

    def vip_at(self):
        return [site for site in SITES if vip_present(site)]


if __name__ == "__main__":
    sys.exit("a library for lab/tests/e2e-test and lab/bench/back-and-forth")
