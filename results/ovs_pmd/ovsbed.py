"""A private OVS-DPDK with containers on it, for results/ovs_pmd and results/cost.

    Rig(ports, pmd_cpu=1)   (taken inside vqosexp.measure_lock(), so that OVS's
                            busy PMD never runs during others' measurements)
                            flock /tmp/vqos-ovs.lock, hugepages, ovsdb-server and
                            ovs-vswitchd-dpdk (PMD on @pmd_cpu), bridge br0 with one
                            dpdkvhostuserclient port per name in @ports (ofport
                            1, 2, ... in that order) and a net_null port "null"
                            (a NIC that takes everything) as the last ofport.

Every OVS port is dpdkvhostuserclient: OVS connects to Rig.sock(name) and
reconnects every second while nobody listens there, so a container can
attach directly (virtio_user server=1 on that path) or vqosd's uplink can
take the path, with the container behind vqosd: OVS's configuration is the
same for every set-up of one experiment. Processes are started through
tests/integration's Bed, which kills them and removes their files however
the run ends; OVS and the hugepages are put back by close().
"""
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import vqosexp  # noqa: E402  (sets VQOS_BUILD before vqostest is imported)

from ovs import OVS, Hugepages, teardown  # noqa: E402
from vqostest import VQOS_GEN, VQOSCTL, VQOSD, Bed, wait_for  # noqa: E402

OVS_LOCK = "/tmp/vqos-ovs.lock"
HUGEPAGES = 512
# Every process of a measurement runs at this nice level, OVS included: the
# machine is shared, and what others build or test meanwhile should take CPU
# from the measurement as little as it can.
NICE = -20


class Rig:
    def __init__(self, name, ports, pmd_cpu=1, null_port=True):
        self.lockf = open(OVS_LOCK, "w")
        fcntl.flock(self.lockf, fcntl.LOCK_EX)
        self.hp = Hugepages(HUGEPAGES)
        self.bed = None
        self.ovs = None
        try:
            self.hp.setup()
            self.bed = Bed(name)
            self.ovs = OVS(self.bed, pmd_cpu_mask=1 << pmd_cpu, socket_mem=512)
            self.ovs.start()
            renice(self.ovs.server.pid)
            renice(self.ovs.vswitchd.pid)
            self.ovs.add_bridge("br0")
            self.ofport = {}
            for i, n in enumerate(ports, 1):
                self.ovs.add_vhostuserclient_port("br0", n, i, self.sock(n))
                self.ofport[n] = i
            if null_port:
                i = len(ports) + 1
                self.ovs.vsctl("add-port", "br0", "null", "--", "set", "Interface", "null",
                               "type=dpdk", "options:dpdk-devargs=net_null0,no-rx=1",
                               f"ofport_request={i}")
                self.ofport["null"] = i
        except BaseException:
            self.close()
            raise

    def sock(self, port):
        """The path OVS's port @port connects to."""
        return self.bed.path(f"ovs-{port}.sock")

    def flows(self, pairs):
        """Only these rules: {in port name: out port name}; the rest dropped."""
        self.ovs.set_flows("br0", [f"priority=10,in_port={self.ofport[a]},actions=output:"
                                   f"{self.ofport[b]}" for a, b in pairs.items()]
                           + ["priority=0,actions=drop"])

    def set_iface(self, name, *kv):
        self.ovs.vsctl("set", "Interface", name, *kv)

    def renice(self):
        """OVS's threads made since start (the PMD thread) to NICE too."""
        renice(self.ovs.vswitchd.pid)

    def pmd_clear(self):
        self.ovs.appctl("dpif-netdev/pmd-stats-clear")

    def pmd_stats(self):
        """OVS's PMD thread figures since the last clear: packets received,
        processing cycles per packet, busy share (pmd-stats-show)."""
        text = self.ovs.appctl("dpif-netdev/pmd-stats-show")
        pmd = text.split("main thread")[0]

        def num(pat):
            m = re.search(pat, pmd)
            return float(m.group(1)) if m else float("nan")
        return {"rx_packets": num(r"packets received:\s*(\d+)"),
                "cycles_per_pkt": num(r"avg processing cycles per packet:\s*([\d.]+)"),
                "busy_pct": num(r"processing cycles:\s*\d+\s*\(([\d.]+)%\)"),
                "text": pmd}

    def counters(self):
        return self.ovs.port_counters("br0")

    def wait_connected(self, names, timeout=30):
        wait_for(lambda: all(self.ovs.vsctl("get", "Interface", n, "link_state").strip() == "up"
                             for n in names), timeout, f"OVS ports {names} up")

    def wait_disconnected(self, names, timeout=30):
        """After a set-up's processes ended: OVS saw every peer go."""
        wait_for(lambda: all(self.ovs.vsctl("get", "Interface", n, "link_state").strip() != "up"
                             for n in names), timeout, f"OVS ports {names} down")

    def close(self):
        teardown(self.ovs, self.bed)
        self.hp.restore()
        fcntl.flock(self.lockf, fcntl.LOCK_UN)
        self.lockf.close()


def ct_pipeline(rig, out):
    """OpenFlow rules of a stateful firewall's pipeline (what OVN and security
    groups give a container network): per in_port of @out ({in port name: out
    port name}), conntrack lookup, recirculation, commit, then out; the rest
    dropped. Makes OVS's PMD pay ~1000-1500 cycles a packet."""
    flows = []
    for a, b in out.items():
        flows.append(f"table=0,priority=10,ip,in_port={rig.ofport[a]},actions=ct(table=1)")
        flows.append(f"table=1,priority=10,ip,ct_state=+trk,in_port={rig.ofport[a]},"
                     f"actions=ct(commit),output:{rig.ofport[b]}")
    return flows + ["table=0,priority=0,actions=drop", "table=1,priority=0,actions=drop"]


def cleanup_on_signals():
    """SIGINT and SIGTERM raise KeyboardInterrupt, so that `finally` closes
    the Rig (OVS stopped, hugepages restored) also when the run is stopped
    (a background job would otherwise ignore SIGINT, and SIGTERM kill at once)."""
    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)


# Processes of one run -------------------------------------------------------

def gen(bed, vdevs, *opts, log, cpu=0, nice=NICE):
    """A vqos-gen process on CPU @cpu, at @nice (threads and autogroup), with
    one ethdev per devargs string in @vdevs (a string: one)."""
    if isinstance(vdevs, str):
        vdevs = [vdevs]
    args = []
    for v in vdevs:
        args += ["--vdev", v]
    argv = [VQOS_GEN, "--no-huge", "-m", str(256 + 20 * len(vdevs)), "--file-prefix",
            bed.prefix("gen"), "--lcores", f"0@{cpu}", "--no-pci", "--log-level", "*:warning",
            *args, "--", "--quiet", *[str(o) for o in opts]]
    argv = ["nice", "-n", str(nice), *argv]
    p = bed.spawn(argv, log)
    renice(p.pid, nice)
    return p


def gen_json(p, timeout=60):
    rc = p.wait(timeout=timeout)
    with open(p.log, errors="replace") as f:
        text = f.read()
    if rc != 0:
        raise RuntimeError(f"vqos-gen exited {rc}: {text[-2000:]}")
    start = text.rfind("\n{")
    return json.loads(text[start + 1 if start >= 0 else text.find("{"):])


def stop(p, sig=signal.SIGINT):
    if p.poll() is None:
        p.send_signal(sig)


def renice(pid, n=NICE):
    """Every thread of process @pid to nice @n (threads it makes later inherit
    it), and its autogroup too: with sched_autogroup_enabled (as here) every
    session is a group of its own that shares the CPU with the others by the
    group's nice, whatever its threads' nice; the Bed starts each process in
    a session of its own."""
    try:
        with open(f"/proc/{pid}/autogroup", "w") as f:
            f.write(str(n))
    except OSError:
        pass
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.setpriority(os.PRIO_PROCESS, int(tid), n)
        except (ProcessLookupError, PermissionError):
            pass


def vqosd(bed, ports, tree, lcores="0@0,1@1", timeout=90):
    """vqosd with @ports [(name, container socket, uplink devargs[, more
    libconfig text of the port group])] and
    libconfig text @tree, at nice NICE; returns the process (bed.ctl works
    after). Like Bed.vqosd, but waits up to @timeout s for the control
    socket: with virtio_user uplinks in server mode vqosd's EAL init waits
    for OVS to connect each of them, which took over 20 s on a loaded machine."""
    conf = bed.path("vqosd.conf")
    eal = ["--no-huge", "-m", "512", "--file-prefix", bed.prefix("vqosd"), "--lcores", lcores,
           "--no-pci", "--log-level", "*:notice"]
    with open(conf, "w") as f:
        f.write("eal = [ %s ];\n" % ", ".join(json.dumps(a) for a in eal))
        f.write('control = { socket = "%s"; };\n' % bed.path("ctl.sock"))
        f.write("ports = (\n" + ",\n".join(
            "  { name = %s; socket = %s; uplink = %s;%s }" % (
                json.dumps(p[0]), json.dumps(p[1]), json.dumps(p[2]),
                " " + p[3] if len(p) > 3 else "")
            for p in ports) + "\n);\n" + tree)
    if os.path.exists(bed.path("ctl.sock")):
        os.unlink(bed.path("ctl.sock"))
    d = bed.spawn([VQOSD, "-c", conf], "vqosd.log")
    bed.ctl_sock = bed.path("ctl.sock")
    wait_for(lambda: os.path.exists(bed.ctl_sock) or d.poll() is not None, timeout,
             "vqosd's control socket")
    if d.poll() is not None:
        raise RuntimeError(f"vqosd exited {d.returncode}: {open(d.log).read()[-2000:]}")
    renice(d.pid)
    return d


def kill_since(bed, n):
    """Kill the process groups of bed.procs[n:] (what one run started)."""
    for p in bed.procs[n:]:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        p.wait()


def lcore(bed):
    r = subprocess.run([VQOSCTL, "-S", bed.ctl_sock, "-j", "lcore", "show"], capture_output=True,
                       text=True, timeout=10)
    return json.loads(r.stdout)[0]


def latency(rx):
    """(p50, p99, avg, max) of a vqos-gen rx section; percentiles are NaN
    when this vqos-gen does not report them."""
    lat = rx.get("latency_us", {})
    nan = float("nan")
    return (lat.get("p50", nan), lat.get("p99", nan), lat.get("avg", nan), lat.get("max", nan))


def ovs_version():
    r = subprocess.run(["ovs-vsctl", "--version"], capture_output=True, text=True)
    return r.stdout.split("\n")[0].split()[-1] if r.returncode == 0 else "unknown"


def parse_pps(text):
    """'100kpps' -> 100000.0 (packet rates only)."""
    t = text.lower()
    for unit, mul in (("mpps", 1e6), ("kpps", 1e3), ("pps", 1.0)):
        if t.endswith(unit):
            return float(t[: -len(unit)]) * mul
    raise ValueError(f"{text}: give a packet rate (pps, kpps, mpps)")


def table(hdr, rows):
    """A Markdown table: @hdr, then @rows (lists of values)."""
    out = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    return out + ["| " + " | ".join(str(v) for v in r) + " |" for r in rows]


def write_readme(path, lines):
    """Write @lines to @path; the text between the two `<!-- findings -->`
    markers of the file already there (what was written by hand about the
    figures) replaces the line "@FINDINGS@"."""
    text = "\n".join(lines)
    old = open(path).read() if os.path.exists(path) else ""
    if old.count("<!-- findings -->") >= 2:
        keep = old.split("<!-- findings -->")[1]
    else:
        keep = "\n(not written yet)\n"
    with open(path, "w") as f:
        f.write(text.replace("@FINDINGS@", "<!-- findings -->" + keep + "<!-- findings -->"))


def retry(rig, ports, run, attempts=2):
    """run()'s row; None if it failed @attempts times. Run once more if it failed (a process that did not come up on this
    loaded machine): what the failed attempt started is killed first, and
    OVS must see its ports go down."""
    for attempt in range(attempts):
        n = len(rig.bed.procs)
        try:
            return run()
        except (RuntimeError, AssertionError, OSError, ValueError,
                subprocess.SubprocessError) as e:
            print(f"  attempt {attempt + 1} failed: {e}; again" if attempt + 1 < attempts
                  else f"  attempt {attempt + 1} failed: {e}", flush=True)
            kill_since(rig.bed, n)
            rig.wait_disconnected(ports, 60)
    return None  # the caller records the run as missing


def rows_from_log(path, first):
    """The rows a run printed ("  KEY=VALUE, ..." lines whose first key is
    @first), as dicts of numbers ('' where empty)."""
    rows = []
    with open(path) as f:
        for line in f:
            if not line.startswith("  " + first):
                continue
            row = {}
            for kv in line.strip().split(", "):
                k, v = kv.split("=", 1)
                try:
                    row[k] = float(v) if v else ""
                except ValueError:
                    row[k] = v
            rows.append(row)
    return rows
