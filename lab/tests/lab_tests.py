#!/usr/bin/python3
"""The lab's tests, run in order by lab/tests/run. Each test is a function; a failed
assertion fails that test and the run goes on. Ends with "N passed, N failed".

They use the real pieces only: the lab script, Net-SNMP's own snmpset/snmpget/snmpwalk
against the lab's snmpd agents, the streaming server, the user client, CRIU.
"""
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
import traceback

LAB = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(LAB, "tools"))
from session_verdict import kept  # noqa: E402  (the one definition of "session kept")
RUN = os.path.join(LAB, "run")
LABCMD = os.path.join(LAB, "lab")
TMPFS = "/run/session-migration-lab"
PVID = ".1.3.6.1.2.1.17.7.1.4.5.1.1"
STATIC = ".1.3.6.1.2.1.17.7.1.4.3.1"
ENV = dict(os.environ, MIBS="")
CRIU = os.environ.get("SM_CRIU", "/var/cache/session-migration/criu-4.2.1/criu/criu")


def sh(*args, check=True, timeout=60, **kw):
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=ENV, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(args)} -> {r.returncode}\n{r.stdout}{r.stderr}")
    return r


def lab(*args, **kw):
    return sh(LABCMD, *args, **kw)


def topo():
    with open(os.path.join(RUN, "topology.json")) as f:
        return json.load(f)


def in_netns(ns):
    """The command prefix that runs what follows in network namespace NS (nsenter: no fork of its own)."""
    return ["nsenter", f"--net=/run/netns/{ns}"]


def creds():
    out = {}
    with open(os.path.join(RUN, "credentials.env")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.strip().split("=", 1)
                out[k] = v
    return out


def snmp_auth(kind):
    c = creds()
    if kind == "v2c":
        return ["-v2c", "-c", c["SNMP_COMMUNITY"]]
    if kind == "v3-sha-aes128":
        return ["-v3", "-l", "authPriv", "-u", c["SNMP_V3_SHA_USER"], "-a", "SHA", "-A",
                c["SNMP_V3_SHA_AUTH"], "-x", "AES", "-X", c["SNMP_V3_SHA_PRIV"]]
    if kind == "v3-sha256-aes256":
        return ["-v3", "-l", "authPriv", "-u", c["SNMP_V3_SHA256_USER"], "-a", "SHA-256", "-A",
                c["SNMP_V3_SHA256_AUTH"], "-x", "AES-256", "-X", c["SNMP_V3_SHA256_PRIV"]]
    raise ValueError(kind)


def snmp(tool, kind, agent, *args, check=True):
    return sh(tool, *snmp_auth(kind), "-r1", "-t2", "-On", agent, *args, check=check)


def user(name):
    return next(u for u in topo()["users"] if u["name"] == name)


def port_bridge(ns, ifname):
    out = sh("ip", "-n", ns, "-o", "link", "show", ifname).stdout
    return out.split(" master ")[1].split()[0] if " master " in out else None


def client(ns, duration, label="", port=None, connect_timeout=3):
    """Starts the user client in ns; returns (process, record path)."""
    t = topo()
    path = os.path.join(RUN, f"rec-{label or ns}-{time.monotonic_ns()}.json")
    p = subprocess.Popen(["ip", "netns", "exec", ns, os.path.join(LAB, "tools", "user-client"),
                          "--host", t["vip"], "--port", str(port or t["service_port"]),
                          "--duration", str(duration), "--label", label, "--out", path,
                          "--connect-timeout", str(connect_timeout)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return p, path


def record(p, path, timeout=30):
    p.wait(timeout=timeout)
    with open(path) as f:
        return json.load(f)


def see(ns, seconds=0.4):
    """What a user in ns sees of v for a moment: the record. The connect timeout allows one SYN
    retransmission (1 s): on a loaded machine the first SYN after a topology change can be lost."""
    return record(*client(ns, seconds, connect_timeout=3))


def lab_leftovers():
    """Everything a lab leaves behind on this machine; empty when clean."""
    left = []
    netns = sh("ip", "netns", "list").stdout.split("\n")
    left += [f"netns {n.split()[0]}" for n in netns if n.startswith("sm-")]
    links = sh("ip", "-o", "link", "show").stdout.splitlines()
    for line in links:
        name = line.split(": ")[1].split("@")[0]
        if name.startswith("smc-") or name == "sm-ctl":
            left.append(f"link {name}")
    for path in (RUN, TMPFS):
        if os.path.exists(path):
            left.append(f"file {path}")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and (f"{RUN}/" in cmd or "qbridge-agent" in cmd and LAB in cmd):
            left.append(f"process {pid} {cmd[:80]}")
    return left


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


# ------------------------------------------------------------------ tests

@test
def prerequisites_installed():
    """Everything the lab needs is here (lab/setup installs it)."""
    missing = [t for t in ("ip", "nsenter", "snmpd", "snmpget", "snmpset", "snmpwalk", "gcc", "iptables")
               if shutil.which(t) is None]
    assert not missing, f"missing {missing}: run lab/setup (apt-get install iproute2 snmpd snmp gcc iptables)"
    assert os.access(CRIU, os.X_OK), f"no CRIU 4.2.1 at {CRIU}: run lab/setup"
    assert os.geteuid() == 0, "run the tests as root"


@test
def up_down_up_is_clean():
    """up, down, up: down leaves no namespace, link, process or state file; a second up is quick."""
    lab("down")
    assert lab_leftovers() == [], f"before up: {lab_leftovers()}"
    lab("up")
    pids = [open(os.path.join(RUN, d, "snmpd.pid")).read().strip() for d in os.listdir(RUN)
            if os.path.exists(os.path.join(RUN, d, "snmpd.pid"))]
    assert len(pids) == 3, pids
    lab("workload", "start", "main")
    lab("down")
    left = lab_leftovers()
    assert left == [], f"left behind after down: {left}"
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1][:3], pid
    lab("up")
    t0 = time.monotonic()
    out = lab("up").stdout
    assert "already up" in out, out
    assert time.monotonic() - t0 < 2.0, "second up should be quick"
    assert lab("status").returncode == 0


@test
def down_cleans_a_half_built_lab():
    """A crash in the middle of up: down still removes everything."""
    lab("down")
    sh("ip", "netns", "add", "sm-sw1")
    sh("ip", "link", "add", "sm-ctl", "type", "bridge")
    sh("ip", "link", "add", "smc-sw1", "type", "veth", "peer", "name", "ctl0", "netns", "sm-sw1")
    os.makedirs(os.path.join(RUN, "sm-sw1"), exist_ok=True)
    sleeper = subprocess.Popen(["ip", "netns", "exec", "sm-sw1", "sleep", "300"])
    with open(os.path.join(RUN, "sm-sw1", "sleep.pid"), "w") as f:
        f.write(f"{sleeper.pid}\n")
    lab("down")
    sleeper.wait(timeout=5)
    assert lab_leftovers() == [], lab_leftovers()
    lab("up")


@test
def topology_description_is_complete():
    t = topo()
    assert t["params"] == {"users": 3, "switches": 1, "ports_per_switch": 8, "gateway_users": 1,
                           "vip_at": "main"}, t["params"]
    assert [u["near"] for u in t["users"]] == ["main", "backup", "other"]
    assert [(u["switch"], u["port"]) for u in t["users"]] == [("sw1", 1), ("sw1", 2), ("sw1", 3)]
    assert t["switches"][0]["agent_address"] == "10.99.1.1"
    assert t["gateway"]["users"][0]["ns"] == "sm-gu1"
    env = sh("bash", "-c", f"set -eu; source {RUN}/lab.env; echo $LAB_VIP $LAB_SERVICE_PORT $LAB_USER_u2").stdout
    assert env.split()[:2] == [t["vip"], str(t["service_port"])], env
    assert "near=backup" in env, env
    mode = os.stat(os.path.join(RUN, "credentials.env")).st_mode & 0o777
    assert mode == 0o600, oct(mode)


@test
def user_reaches_v_at_the_main_site():
    lab("workload", "start", "main")
    r = see("sm-u1")
    assert r["connected"] and r["lines"] > 10, r
    assert r["servers"] == ["main"], r
    assert kept(r), r["verdict"]


@test
def probe_host_is_a_user_on_switch_port_8():
    t = topo()
    p = t["probe"]
    assert (p["ns"], p["switch"], p["port"], p["address"], p["control_address"]) == \
        ("sm-probe", "sw1", 8, "10.10.3.250", "10.99.0.31"), p
    assert port_bridge("sm-sw1", "p8") == "br-v1"
    assert "h8" not in sh("ip", "-n", "sm-sw1", "-o", "link").stdout, "port 8's peer is the probe host, not parked"
    assert see("sm-probe")["servers"] == ["main"]
    assert "10.99.0.31/16" in sh("ip", "-n", "sm-probe", "-o", "addr", "show", "dev", "ctl0").stdout
    sh("ip", "-n", "sm-sw1", "link", "set", "p8", "master", "br-v2")
    try:
        assert see("sm-probe", 0.2)["connected"] is False  # v only at main; the probe host now in VLAN 2
    finally:
        sh("ip", "-n", "sm-sw1", "link", "set", "p8", "master", "br-v1")


def move_and_back(kind):
    t = topo()
    u1 = user("u1")
    agent = u1["agent_address"]
    oid = f"{PVID}.{u1['port']}"
    lab("vip", "add", "backup")
    lab("workload", "start", "backup")
    try:
        snmp("snmpset", kind, agent, oid, "u", str(t["vlans"]["backup"]))
        assert port_bridge("sm-sw1", "p1") == "br-v2"
        got = snmp("snmpget", kind, agent, oid).stdout
        assert got.strip().endswith("Gauge32: 2"), got
        r = see("sm-u1")
        assert r["connected"] and r["servers"] == ["backup"], r
        # The other users stayed at the main site.
        assert see("sm-u2", 0.2)["servers"] == ["main"]
    finally:
        snmp("snmpset", kind, agent, oid, "u", str(t["vlans"]["main"]))
    assert port_bridge("sm-sw1", "p1") == "br-v1"
    assert see("sm-u1")["servers"] == ["main"]


@test
def snmpset_v2c_moves_the_port_to_the_backup_site():
    move_and_back("v2c")


@test
def snmpset_v3_sha_aes128_moves_the_port_to_the_backup_site():
    move_and_back("v3-sha-aes128")


@test
def snmpset_v3_sha256_aes256_moves_the_port_to_the_backup_site():
    move_and_back("v3-sha256-aes256")


@test
def wrong_v3_auth_password_is_refused():
    args = snmp_auth("v3-sha-aes128")
    args[args.index("-A") + 1] = "not-the-password"
    r = sh("snmpset", *args, "-r0", "-t2", "10.99.1.1", f"{PVID}.1", "u", "2", check=False)
    assert r.returncode != 0 and "Authentication failure" in r.stderr, r.stderr
    assert port_bridge("sm-sw1", "p1") == "br-v1"


@test
def unknown_vlan_is_wrong_value():
    r = snmp("snmpset", "v2c", "10.99.1.1", f"{PVID}.1", "u", "99", check=False)
    assert r.returncode != 0 and "wrongValue" in r.stderr, r.stderr
    assert port_bridge("sm-sw1", "p1") == "br-v1"


@test
def snmpwalk_of_pvid_and_static_table():
    walk = snmp("snmpwalk", "v2c", "10.99.1.1", PVID).stdout.splitlines()
    assert len(walk) == 8 and all(line.endswith("Gauge32: 1") for line in walk), walk
    static = snmp("snmpwalk", "v3-sha-aes128", "10.99.1.1", "-Ox", STATIC).stdout
    assert f"{STATIC}.2.1 = Hex-STRING: FF" in static, static
    assert f"{STATIC}.2.2 = Hex-STRING: 00" in static, static
    assert f"{STATIC}.5.2 = INTEGER: 1" in static, static
    sysname = snmp("snmpget", "v3-sha256-aes256", "10.99.1.1", ".1.3.6.1.2.1.1.5.0", ".1.3.6.1.2.1.1.2.0").stdout
    assert '"sm-sw1"' in sysname and ".1.3.6.1.4.1.8072.3.2.10" in sysname, sysname
    ifindex = snmp("snmpget", "v2c", "10.99.1.1", ".1.3.6.1.2.1.17.1.4.1.2.3").stdout.split()[-1]
    ifname = snmp("snmpget", "v2c", "10.99.1.1", f".1.3.6.1.2.1.2.2.1.2.{ifindex}").stdout
    assert '"p3"' in ifname, ifname


@test
def static_table_write_moves_ports():
    """EgressPorts/UntaggedPorts of VLAN 2 written as PortLists move u2 (port 2), then back."""
    snmp("snmpset", "v2c", "10.99.1.1", f"{STATIC}.2.2", "x", "40", f"{STATIC}.4.2", "x", "40")
    assert port_bridge("sm-sw1", "p2") == "br-v2"
    assert snmp("snmpget", "v2c", "10.99.1.1", f"{PVID}.2").stdout.strip().endswith("Gauge32: 2")
    assert see("sm-u2", 0.2)["servers"] == ["backup"]
    # The manager's "pvid+static" style: PVID and both lists of both VLANs in one PDU.
    snmp("snmpset", "v2c", "10.99.1.1", f"{PVID}.2", "u", "1",
         f"{STATIC}.2.2", "x", "00", f"{STATIC}.4.2", "x", "00",
         f"{STATIC}.2.1", "x", "FF", f"{STATIC}.4.1", "x", "FF")
    assert port_bridge("sm-sw1", "p2") == "br-v1"
    r = snmp("snmpset", "v2c", "10.99.1.1", f"{STATIC}.5.2", "i", "6", check=False)
    assert "inconsistentValue" in r.stderr, "a VLAN with an uplink must not be destroyed"


@test
def server_agent_serves_tcp_mib_read_only():
    p, path = client("sm-u1", 1.5, "tcpmib")
    time.sleep(0.5)
    t = topo()
    walk = snmp("snmpwalk", "v3-sha-aes128", t["sites"]["main"]["snmp"]["address"], ".1.3.6.1.2.1.6.19.1.7").stdout
    vip = ".".join(t["vip"].split("."))
    rows = [line for line in walk.splitlines() if f".1.4.{vip}.{t['service_port']}." in line
            and line.endswith("INTEGER: 5")]
    assert len(rows) >= 1, f"no established connection to v in tcpConnectionTable:\n{walk}"
    old = snmp("snmpwalk", "v2c", t["sites"]["main"]["snmp"]["address"], ".1.3.6.1.2.1.6.13.1.1").stdout
    assert f".{vip}.{t['service_port']}." in old, old
    r = snmp("snmpset", "v2c", t["sites"]["main"]["snmp"]["address"], ".1.3.6.1.2.1.1.5.0", "s", "x", check=False)
    assert r.returncode != 0, "server agents are read-only"
    assert record(p, path)["connected"]


@test
def client_record_is_right_on_a_stream_paused_500ms():
    """SIGSTOP the server for 500 ms: the record shows one ~500 ms gap and no lost line.
    The machine is shared (Maven/Karaf builds run beside us), so a run disturbed by a
    scheduling hiccup is retried, at most 3 attempts; every attempt is printed."""
    for attempt in range(1, 4):
        try:
            paused_stream_once()
            return
        except AssertionError as e:
            print(f"    attempt {attempt}: {e}", flush=True)
            if attempt == 3:
                raise


def paused_stream_once():
    pid = int(open(os.path.join(RUN, "sm-main-srv", "streamd.pid")).read())
    p, path = client("sm-u3", 2.5, "paused")
    time.sleep(1.0)
    os.kill(pid, signal.SIGSTOP)
    t_stop = time.monotonic()
    time.sleep(0.5)
    os.kill(pid, signal.SIGCONT)
    paused_ms = (time.monotonic() - t_stop) * 1000
    r = record(p, path)
    assert r["end"] == "duration" and kept(r), r
    assert abs(r["largest_gap_ms"] - paused_ms) < 60, \
        f"paused {paused_ms:.0f} ms, client saw {r['largest_gap_ms']:.0f} ms (server's own gap {r['largest_send_gap_ms']:.0f} ms)"
    assert 0.9 < r["largest_gap_at_s"] < 1.7, r["largest_gap_at_s"]
    assert abs(r["largest_send_gap_ms"] - paused_ms) < 60, r
    # 2.5 s at 10 ms a line, minus the pause: about 200 lines.
    assert 170 <= r["lines"] <= 215, r["lines"]
    assert len([g for g in r["gaps"] if g["ms"] > 400]) == 1, r["gaps"]


@test
def client_record_shows_a_reset():
    p, path = client("sm-u3", 5, "reset")
    time.sleep(0.5)
    lab("workload", "stop", "main")
    r = record(p, path)
    assert r["end"] in ("closed", "reset") and (r["closed"] or r["reset"]) and not kept(r), r
    assert see("sm-u3", 0.2)["connected"] is False
    lab("workload", "start", "main")


@test
def criu_move_keeps_the_session():
    out = os.path.join(RUN, "criu-test.json")
    r = sh(os.path.join(LAB, "criu-move-demo"), "--user", "u1", "--out", out, check=False, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    rec = json.load(open(out))
    assert kept(rec), rec
    assert rec["largest_gap_ms"] < 1000, rec["largest_gap_ms"]
    print(f"    criu move: user's largest gap {rec['largest_gap_ms']:.0f} ms", flush=True)
    assert port_bridge("sm-sw1", "p1") == "br-v1"


# The workload of criu_lazy_pages_round_trip: holds MB MiB in one anonymous mapping, every 8-byte
# word a function of its index, and checks all of it every 50 ms. It writes "pass N bad B" into a
# status file of a fixed 64 bytes (pwrite at 0: the size never changes, so CRIU restores the open
# file), and exits 1 after a pass that found a page with wrong content.
LAZYCHECK_C = r"""/* lab/tests/lab_tests.py criu_lazy_pages_round_trip; usage: lazycheck MB STATUS-FILE */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint64_t word(uint64_t i)
{
	i = (i + 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL;
	return i ^ (i >> 31);
}

int main(int argc, char **argv)
{
	struct timespec tick = {0, 50 * 1000 * 1000};
	unsigned long pass = 0, bad = 0;
	size_t n, i, j;
	uint64_t *m;
	char line[64];
	int fd, len;

	if (argc != 3 || atol(argv[1]) <= 0)
		return 64;
	n = (size_t)atol(argv[1]) << 17; /* 8-byte words */
	setsid();                        /* own session: CRIU needs no --shell-job */
	fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
	m = mmap(NULL, n * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || m == MAP_FAILED)
		return 65;
	for (i = 0; i < n; i++)
		m[i] = word(i);
	for (;;) {
		for (i = 0; i < n; i += 512) /* a page at a time */
			for (j = i; j < i + 512; j++)
				if (m[j] != word(j)) {
					bad++;
					break;
				}
		len = snprintf(line, sizeof(line), "pass %lu bad %lu", ++pass, bad);
		memset(line + len, ' ', sizeof(line) - 1 - len);
		line[sizeof(line) - 1] = '\n';
		if (pwrite(fd, line, sizeof(line), 0) != sizeof(line))
			return 66;
		if (bad)
			return 1;
		nanosleep(&tick, NULL);
	}
}
"""


def build_lazycheck():
    """lab/.cache/bin/lazycheck from LAZYCHECK_C, built as lab/lib/common.sh builds streamd and
    counterd (gcc -O2 -Wall -static, a temporary file per process, then renamed); built again when
    the source differs from the copy kept beside the binary."""
    d = os.path.join(LAB, ".cache", "bin")
    src, binary = os.path.join(d, "lazycheck.c"), os.path.join(d, "lazycheck")
    try:
        with open(src) as f:
            same = f.read() == LAZYCHECK_C
    except OSError:
        same = False
    if not same or not os.access(binary, os.X_OK):
        os.makedirs(d, exist_ok=True)
        tmp = f".tmp{os.getpid()}"
        with open(src + tmp, "w") as f:
            f.write(LAZYCHECK_C)
        sh("gcc", "-O2", "-Wall", "-static", "-x", "c", "-o", binary + tmp, src + tmp)
        os.replace(binary + tmp, binary)
        os.replace(src + tmp, src)
    return binary


def lazycheck_status(path):
    """(pass, bad) from lazycheck's status file; (0, 0) before its first pass."""
    try:
        with open(path) as f:
            words = f.read().split()
    except OSError:
        return 0, 0
    return (int(words[1]), int(words[3])) if len(words) == 4 else (0, 0)


@test
def criu_lazy_pages_round_trip():
    """Post-copy: a process holding 32 MiB, in its own PID namespace at the main server, is dumped
    with --lazy-pages (CRIU keeps it frozen and serves its pages from the main server's migration
    address), restored with --lazy-pages at the backup server, whose `criu lazy-pages` fetches
    the pages over the migration network. The process checks every page every 50 ms: all must
    arrive intact, the dump and the lazy-pages daemon end 0. Stock CRIU 4.2.1 fails here as soon as
    the first page is asked for (scripts/criu-patches/0001-page-pipe-tee-pipe-within-pipe-max-size.patch)."""
    mb = 32
    lab("up")
    t = topo()
    main, bak = t["sites"]["main"], t["sites"]["backup"]
    addr, port = main["migration_address"], str(t["service_port"] + 200)
    binary = build_lazycheck()
    d = os.path.join(TMPFS, "criu-lazy")
    shutil.rmtree(d, ignore_errors=True)
    src, dst = os.path.join(d, "src"), os.path.join(d, "dst")
    os.makedirs(src)
    os.makedirs(dst)
    status = os.path.join(d, "status")
    started = []          # Popen objects of what this test started
    source = restored = None

    def at(site):
        return in_netns(site["server_ns"])

    def logs():
        out = ""
        for name, where in (("dump.log", src), ("lazy.log", dst), ("restore.log", dst)):
            try:
                with open(os.path.join(where, name)) as f:
                    lines = [x for x in f.read().splitlines() if x.startswith("Error")]
            except OSError:
                continue
            out += f"\n{name}:\n  " + "\n  ".join(lines[-6:])
        return out

    def criu_bg(site, what, *args):
        """criu ... --status-fd: returns once it says it is ready."""
        r, w = os.pipe()
        p = subprocess.Popen(at(site) + [CRIU, *args, "--status-fd", str(w)], pass_fds=(w,),
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(p)
        os.close(w)
        try:
            ok = select.select([r], [], [], 30)[0] and os.read(r, 1)
        finally:
            os.close(r)
        assert ok, f"{what} never ready (exit {p.poll()}){logs()}"
        return p

    def criu_end(p, what, timeout=60):
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{what} still running after {timeout} s{logs()}") from None
        assert rc == 0, f"{what} ended {rc}{logs()}"

    try:
        # unshare --pid --fork: the source stays frozen until the last page has left, so the
        # restored copy needs a PID namespace of its own (as the daemons' workloads have)
        holder = subprocess.Popen(at(main) + ["unshare", "--pid", "--fork", binary, str(mb), status],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(holder)
        deadline = time.monotonic() + 10
        while lazycheck_status(status)[0] < 1:
            assert holder.poll() is None and time.monotonic() < deadline, f"lazycheck did not start ({holder.poll()})"
            time.sleep(0.05)
        with open(f"/proc/{holder.pid}/task/{holder.pid}/children") as f:
            source = int(f.read().split()[0])
        t0 = time.monotonic()
        dump = criu_bg(main, "criu dump --lazy-pages", "dump", "-t", str(source), "--lazy-pages",
                       "--address", addr, "--port", port, "-D", src, "-o", "dump.log")
        t_dump = time.monotonic()
        for name in os.listdir(src):  # the images without the pages: the migration's first part
            if name.endswith(".img"):
                shutil.copy2(os.path.join(src, name), dst)
        lazy = criu_bg(bak, "criu lazy-pages", "lazy-pages", "--page-server", "--address", addr,
                       "--port", port, "-D", dst, "-o", "lazy.log")
        pidfile = os.path.join(dst, "restored.pid")
        r = sh(*at(bak), CRIU, "restore", "--lazy-pages", "-D", dst, "-d", "-o", "restore.log",
               "--pidfile", pidfile, check=False)
        t_restore = time.monotonic()
        assert r.returncode == 0, f"criu restore --lazy-pages ended {r.returncode}{logs()}"
        with open(pidfile) as f:
            restored = int(f.read())
        criu_end(lazy, "criu lazy-pages")
        t_pages = time.monotonic()
        criu_end(dump, "criu dump --lazy-pages")
        holder.wait(timeout=10)  # the dump killed the source at its end: unshare is gone too
        source = None
        # every page of the copy checked twice more after the last page arrived
        first, bad = lazycheck_status(status)
        deadline = time.monotonic() + 10
        while True:
            n, bad = lazycheck_status(status)
            with open(f"/proc/{restored}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            assert bad == 0, f"{bad} pages of the restored process have wrong content (pass {n}){logs()}"
            assert state not in ("Z", "X"), f"the restored process ended (pass {n}){logs()}"
            if n >= first + 2:
                break
            assert time.monotonic() < deadline, f"the restored process stopped its passes at {n}"
            time.sleep(0.05)
        assert os.stat(f"/proc/{restored}/ns/net").st_ino == \
            os.stat(f"/run/netns/{bak['server_ns']}").st_ino, "the restored process is not at the backup server"
        with open(f"/proc/{restored}/status") as f:
            rss = next(int(x.split()[1]) for x in f if x.startswith("VmRSS:"))
        assert rss >= mb * 1024, f"restored process resident {rss} KiB, expected all {mb} MiB"
        print(f"    lazy pages, {mb} MiB: dump ready {1000 * (t_dump - t0):.0f} ms, restored "
              f"{1000 * (t_restore - t0):.0f} ms, all pages {1000 * (t_pages - t0):.0f} ms after the dump started",
              flush=True)
    finally:
        if restored:
            try:
                if os.readlink(f"/proc/{restored}/exe") == binary:
                    os.kill(restored, signal.SIGKILL)
            except OSError:
                pass
        if source and started[0].poll() is None:  # a failed dump leaves the source running
            try:
                os.kill(source, signal.SIGKILL)
                started[0].wait(timeout=5)  # unshare reaps it and ends
            except (OSError, subprocess.TimeoutExpired):
                pass
        for p in started:
            if p.poll() is None:
                p.kill()
            p.wait(timeout=10)
        shutil.rmtree(d, ignore_errors=True)


@test
def criu_restore_unlocks_only_a_lock_table_it_finds():
    """--network-lock nftables for a tree without a network namespace of its own: the dump locks the
    connections in a table CRIU-<dump's run id> of the dump's namespace and leaves it there, and the
    restore deletes a table of that name in its own namespace. A restore where the dump ran deletes
    it; a restore in another namespace finds none and says so, where stock CRIU 4.2.1 sent the
    deletion anyway and the kernel's abort of it waited 10-15 ms for an RCU grace period inside the
    restore (scripts/criu-patches/0004-net-nftables-unlock-only-an-existing-table.patch)."""
    lab("up")
    t = topo()
    main, bak = t["sites"]["main"]["server_ns"], t["sites"]["backup"]["server_ns"]
    d = os.path.join(TMPFS, "criu-unlock")
    shutil.rmtree(d, ignore_errors=True)
    restored = []

    def lock_tables(ns):
        out = sh("ip", "netns", "exec", ns, "nft", "list", "tables").stdout
        return {line.split()[-1] for line in out.splitlines() if line.split()[-1].startswith("CRIU-")}

    def dump(name):
        """A process in the main server's namespace, in a session of its own, dumped (and so ended)."""
        images = os.path.join(d, name)
        os.makedirs(images)
        p = subprocess.Popen([*in_netns(main), "sleep", "600"], start_new_session=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            sh(*in_netns(main), CRIU, "dump", "-t", str(p.pid), "-D", images,
               "-o", "dump.log", "--network-lock", "nftables")
        finally:
            if p.poll() is None and not os.path.exists(os.path.join(images, "inventory.img")):
                p.kill()
            p.wait(timeout=10)  # reaped: a zombie holding the pid makes the restore fail
        return images

    def restore(images, ns):
        pidfile = os.path.join(images, "restored.pid")
        sh(*in_netns(ns), CRIU, "restore", "-D", images, "-d", "-v3", "-o", "restore.log",
           "--pidfile", pidfile)
        with open(pidfile) as f:
            restored.append(int(f.read()))
        with open(os.path.join(images, "restore.log")) as f:
            return f.read()

    before = lock_tables(main)
    try:
        here = dump("here")
        left = lock_tables(main) - before
        assert len(left) == 1, f"the dump left {sorted(left)} in {main}, expected one CRIU- table"
        log = restore(here, main)
        assert lock_tables(main) == before, f"the restore where the dump ran left {sorted(lock_tables(main) - before)}"
        assert "nothing to unlock" not in log, "the restore where the dump ran found no lock table"

        there = dump("there")
        left = lock_tables(main) - before
        assert len(left) == 1, f"the second dump left {sorted(left)} in {main}, expected one CRIU- table"
        log = restore(there, bak)
        assert f"No network lock table inet {next(iter(left))} here: nothing to unlock" in log, \
            "the restore in another namespace did not say it found no lock table:\n" + "\n".join(
                x for x in log.splitlines() if "nftables" in x.lower() or "unlock" in x.lower())
        assert lock_tables(main) - before == left, "a restore elsewhere touched the dump's namespace"
        assert not lock_tables(bak), f"the restore left {sorted(lock_tables(bak))} in {bak}"
    finally:
        for pid in restored:
            try:
                if os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "sleep":
                    os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for table in lock_tables(main) - before:
            sh("ip", "netns", "exec", main, "nft", "delete", "table", "inet", table)
        shutil.rmtree(d, ignore_errors=True)


@test
def gateway_user_moves_with_ip_link():
    t = topo()
    lab("workload", "start", "main")
    lab("vip", "add", "backup")
    lab("workload", "start", "backup")
    r = see("sm-gu1")
    assert r["servers"] == ["main"], r
    sh("ip", "-n", t["gateway"]["ns"], "link", "set", "p1", "master", "br-v2")
    try:
        r = see("sm-gu1")
        assert r["servers"] == ["backup"], r
    finally:
        sh("ip", "-n", t["gateway"]["ns"], "link", "set", "p1", "master", "br-v1")


@test
def several_switches_spread_the_users():
    lab("workload", "stop", "main")
    lab("workload", "stop", "backup")
    lab("up", "--switches", "3", "--ports", "4", "--users", "5", "--gateway-users", "0")
    t = topo()
    assert [(u["switch"], u["port"]) for u in t["users"]] == [
        ("sw1", 1), ("sw2", 1), ("sw3", 1), ("sw1", 2), ("sw2", 2)]
    assert t["gateway"] is None
    walk = snmp("snmpwalk", "v2c", "10.99.1.3", PVID).stdout.splitlines()
    assert len(walk) == 4, walk
    snmp("snmpset", "v3-sha256-aes256", "10.99.1.2", f"{PVID}.2", "u", "2")
    assert port_bridge("sm-sw2", "p2") == "br-v2"
    lab("workload", "start", "main")
    assert see("sm-u5", 0.2)["connected"] is False  # v only at main, u5 now in VLAN 2
    assert see("sm-u4", 0.2)["servers"] == ["main"]


@test
def final_down_leaves_nothing():
    lab("down")
    assert lab_leftovers() == [], lab_leftovers()


def main(names):
    """names: run only these tests, in the file's order (they may need the lab up: the first
    tests bring it up); none: all of them."""
    unknown = set(names) - {fn.__name__ for fn in TESTS}
    if unknown:
        print(f"no such test: {' '.join(sorted(unknown))}; the tests: {' '.join(fn.__name__ for fn in TESTS)}")
        return 2
    selected = [fn for fn in TESTS if not names or fn.__name__ in names]
    # Hold the lab lock for the whole run so no other lab command (another session on
    # this shared machine) can take the lab down or rebuild it under our feet.
    lock_file = os.environ.get("LAB_LOCK_FILE", "/run/lock/session-migration-lab.lock")
    os.makedirs(os.path.dirname(lock_file), exist_ok=True)
    lock = os.open(lock_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("waiting for another lab command or test run (lock " + lock_file + ")", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    ENV["LAB_LOCK_HELD"] = "1"
    t0 = time.monotonic()
    passed = failed = 0
    for fn in selected:
        t = time.monotonic()
        try:
            fn()
            passed += 1
            print(f"PASS {fn.__name__} ({time.monotonic() - t:.1f} s)", flush=True)
        except Exception as e:  # noqa: BLE001 - any failure fails the test, the run goes on
            failed += 1
            print(f"FAIL {fn.__name__} ({time.monotonic() - t:.1f} s)", flush=True)
            detail = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
            print("    " + detail.replace("\n", "\n    ")[:3000], flush=True)
    print(f"total {time.monotonic() - t0:.1f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
