#!/usr/bin/env python3
"""Packets through one forwarding hop, vqosd (fifo, htb) against testpmd io,
counted per second of CPU the hop's forwarding thread actually ran.

One command reruns it and rewrites results/datapath/{results.csv,README.md}:

    python3 results/datapath/bench.py [--runs 5] [--seconds 3] [--ports 1,16,64]
                                      [--sizes 64,1500] [--quick]

Set-up, on a 2-CPU machine: the hop under test has CPU 1 (its forwarding
thread pinned there); the containers are dpdk-testpmd processes in txonly
mode on CPU 0, up to 32 virtio_user ports each (Debian's DPDK allows 32
ethdevs per process, RTE_MAX_ETHPORTS), one forwarding lcore each, as fast
as they go. Every container's uplink is net_null (a sink that costs nothing).
The hop is
  - vqosd with qdisc fifo (no QoS) or htb (a root and one leaf per port,
    rates high enough never to shape: the cost of the scheduler itself),
    one data-path lcore; past 31 containers its ports share one net_null
    uplink, each port naming its container's MAC. Its control thread is on
    CPU 1 too: on CPU 0 beside 8 busy generators (256 containers) it got
    too little of it to answer vqosctl within 20 s;
  - the baseline: dpdk-testpmd --forward-mode=io between net_vhost ports and
    net_null ports (the kinds of ports vqosd uses), 16 containers per
    process (32 ethdevs), so 64 containers are 4 processes whose forwarding
    threads share CPU 1.

The measure (issue 15, item 1) is one that sharing the machine cannot bend:
  - Mpps per CPU-second: the packets the hop forwarded over the window
    (its own counters: vqosd's port show, testpmd's forward stats) over the
    time its forwarding thread(s) ran in that window (the first field of
    /proc/PID/task/TID/schedstat). Time the scheduler gives to another
    thread is in neither.
  - cycles per packet over busy passes: vqosd's busy_cycles / busy_packets
    of `lcore show`, testpmd's --record-core-cycles ("total cycles", which
    it counts only for bursts that received packets), both as differences
    over the window.
  - Mpps over wall time and the share of the window the forwarding thread(s)
    waited for a CPU are given beside them.
A run starts measuring only once every container's packets move through the
hop; a run in which any container moved nothing, or that never got there, is
an error that the output names (which containers, what the logs say) and is
tried again (--attempts); it is never a figure. Each cell gives the median
and min-max of --runs runs; a spread (max - min over the median) above 10% is
marked. The runs go in rounds, each hop once per round, and ratios are taken
within a round against testpmd io with as many containers: what a packet
costs on this VM changes from one minute to the next for every process
alike (notes.md), and hops measured side by side see the same. Nothing is
asserted: this prints figures.
"""
import argparse
import csv
import fcntl
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "results", "lib"))
import vqosexp  # noqa: E402  (sets VQOS_BUILD before vqostest reads it)
from vqostest import lcore_tid, schedstat  # noqa: E402

# Ethdevs one DPDK process of Debian's build may have (RTE_MAX_ETHPORTS).
MAX_ETHDEVS = 32
# Containers per baseline testpmd: one net_vhost and one net_null each.
PER_BASELINE = MAX_ETHDEVS // 2
SPREAD_MARK = 0.10
# Held (before the measure lock, as results/copies does) around each run:
# the bed runs at nice -20 and would starve the integration tests' senders.
INTEGRATION_LOCK = "/tmp/vqos-integration.lock"
READY_TIMEOUT = 90.0


class BenchError(Exception):
    """A run that measured nothing: its text says what went wrong."""


class Proc:
    """A process whose output goes to a log, fed commands on stdin when
    interactive (testpmd -i)."""

    def __init__(self, argv, log, interactive=False):
        self.log = log
        self.f = open(log, "w")
        # every process of the bed at nice -20, in a session (autogroup) of
        # nice -20: builds and tests beside it then take little of its CPUs
        self.p = subprocess.Popen(["nice", "-n", "-20", *argv], stdout=self.f,
                                  stderr=subprocess.STDOUT,
                                  stdin=subprocess.PIPE if interactive else subprocess.DEVNULL,
                                  text=True, start_new_session=True)
        vqosexp.favour(self.p.pid)

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def text(self, start=0):
        with open(self.log, errors="replace") as f:
            f.seek(start)
            return f.read()

    def size(self):
        return os.path.getsize(self.log)

    def ask(self, lines, until, timeout=20.0):
        """Send @lines and return the output they produced, once it holds
        @until (a regex)."""
        start = self.size()
        for line in lines:
            self.send(line)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            out = self.text(start)
            if re.search(until, out):
                return out
            if self.p.poll() is not None:
                break
            time.sleep(0.005)
        raise BenchError(f"{os.path.basename(self.log)}: no answer to {lines} "
                         f"(exit {self.p.poll()}); its log ends: {self.tail()}")

    def tail(self, n=400):
        return self.text()[-n:].replace("\n", " | ")

    def stop(self):
        if self.p.poll() is None:
            try:
                if self.p.stdin:
                    self.send("quit")
                    self.p.stdin.close()
                else:
                    self.p.terminate()
                self.p.wait(timeout=20)
            except Exception:  # noqa: BLE001 -- whatever went wrong, make sure it dies
                self.p.kill()
                self.p.wait()
        self.f.close()


def generator(d, first, n, size, prefix):
    """One testpmd playing containers first..first+n-1 (n <= MAX_ETHDEVS)."""
    vdevs = []
    for i in range(first, first + n):
        vdevs += ["--vdev",
                  f"net_virtio_user{i},path={d}/c{i}.sock,queue_size=256,"
                  f"mac={vqosexp.container_mac(i)}"]
    argv = ["stdbuf", "-oL", "dpdk-testpmd", "--no-huge", "-m", str(512 + 24 * n),
            "--file-prefix", prefix, "--lcores", "0@0,1@0", "--no-pci",
            "--log-level", "*:error", *vdevs, "--", "-i", "--nb-cores=1",
            f"--total-num-mbufs={max(8192, 1024 * n)}", f"--txpkts={size}"]
    g = Proc(argv, f"{d}/gen-{first}.log", interactive=True)
    # read once its ports are up: testpmd takes commands after its start-up
    g.send("set fwd txonly")
    g.send("start")
    return g


def fwd_stats(out, ports):
    """RX-packets of each of @ports and testpmd's busy cycles and packets,
    from one `show fwd stats all` answer."""
    rx = {}
    for port, body in re.findall(r"Forward statistics for port (\d+)\s+-+\n(.*?)\n\s+-{20,}",
                                 out, re.S):
        m = re.search(r"RX-packets:\s+(\d+)", body)
        rx[int(port)] = int(m.group(1)) if m else 0
    # testpmd leaves the cycles line out while nothing was forwarded
    m = re.search(r"total cycles=(\d+) / total \w+ packets=(\d+)\) at (\d+) MHz", out)
    if any(p not in rx for p in ports):
        raise BenchError(f"unexpected `show fwd stats all` answer: {out[-300:]!r}")
    if m is None:
        return [rx[p] for p in ports], 0, 0, None
    return [rx[p] for p in ports], int(m.group(1)), int(m.group(2)), int(m.group(3)) * 1e6


class TestpmdHop:
    """The baseline: testpmd io, net_vhost -> net_null, PER_BASELINE
    containers per process, forwarding threads on CPU 1."""

    name = "testpmd-io"

    def __init__(self, d, n, tag):
        self.procs = []
        for first in range(0, n, PER_BASELINE):
            k = min(PER_BASELINE, n - first)
            vdevs = []
            for i in range(first, first + k):
                vdevs += ["--vdev", f"net_vhost{i},iface={d}/c{i}.sock"]
            for i in range(first, first + k):
                vdevs += ["--vdev", f"net_null{i},no-rx=1"]
            # ports 0..k-1 are the vhost ones, k..2k-1 the nulls: pair i with k+i
            order = ",".join(f"{i},{k + i}" for i in range(k))
            argv = ["stdbuf", "-oL", "dpdk-testpmd", "--no-huge", "-m", str(512 + 16 * k),
                    "--file-prefix", f"vqb-m{first}-{tag}", "--lcores", "0@0,1@1", "--no-pci",
                    "--log-level", "*:error", *vdevs, "--", "-i", f"--portlist={order}",
                    "--forward-mode=io", "--nb-cores=1", "--port-topology=paired",
                    "--record-core-cycles", f"--total-num-mbufs={max(8192, 2048 * k)}"]
            p = Proc(argv, f"{d}/hop-{first}.log", interactive=True)
            p.k = k
            self.procs.append(p)
        for p in self.procs:
            p.send("start")
        end = time.monotonic() + READY_TIMEOUT
        for p in self.procs:
            # the start command's answer: its forwarding thread runs
            while "io packet forwarding" not in p.text():
                if p.p.poll() is not None or time.monotonic() > end:
                    raise BenchError(f"testpmd hop did not start: {p.tail()}")
                time.sleep(0.05)
            p.tid = lcore_tid(p.p.pid)

    def sample(self):
        """(per-container packets, busy cycles, busy packets, run ns, wait ns,
        TSC Hz or None)."""
        per, cyc, bpk, run, wait, hz = [], 0, 0, 0, 0, None
        for p in self.procs:
            r0, w0 = schedstat(p.p.pid, p.tid)
            # the answer ends with the accumulated block's closing line
            out = p.ask(["show fwd stats all"], r"Accumulated forward statistics.*\n.*\n.*\n\s*\+{20,}")
            r1, w1 = schedstat(p.p.pid, p.tid)
            rx, c, b, hz = fwd_stats(out, list(range(p.k)))
            per += rx
            cyc += c
            bpk += b
            run += (r0 + r1) // 2
            wait += (w0 + w1) // 2
        return per, cyc, bpk, run, wait, hz

    def stop(self):
        for p in self.procs:
            p.stop()


class VqosdHop:
    """vqosd, one data-path lcore on CPU 1."""

    def __init__(self, build, kind, d, n, tag):
        self.name, self.build, self.d, self.n = kind, build, d, n
        conf = f"{d}/vqosd.conf"
        with open(conf, "w") as f:
            f.write('eal = [ "--no-huge", "-m", "%d", "--file-prefix", "vqb-%s", "--lcores", '
                    '"0@1,1@1", "--no-pci", "--log-level", "*:error" ];\n' % (512 + 16 * n, tag))
            f.write(f'control = {{ socket = "{d}/ctl.sock"; }};\n')
            # one uplink each, or, past the ethdev limit, one shared by all
            # (each port then names its container's mac)
            shared = n >= MAX_ETHDEVS
            f.write("ports = (\n" + ",\n".join(
                f'  {{ name = "c{i}"; socket = "{d}/c{i}.sock"; '
                + (f'uplink = "net_null0,no-rx=1"; mac = "{vqosexp.container_mac(i)}"; }}'
                   if shared else f'uplink = "net_null{i},no-rx=1"; }}')
                for i in range(n)) + "\n);\n")
            classes = ['{ name = "root"; rate = "100gbit"; }'] + [
                f'{{ name = "l{i}"; parent = "root"; port = "c{i}"; '
                f'rate = "{100000 // n}mbit"; ceil = "100gbit"; }}' for i in range(n)]
            for direction in ("tx", "rx"):
                if kind == "fifo":
                    f.write(f'{direction} = {{ qdisc = "fifo"; }};\n')
                else:
                    f.write(f'{direction} = {{ qdisc = "htb"; classes = (\n  '
                            + ",\n  ".join(classes) + "\n); };\n")
        self.procs = [Proc([f"{build}/daemon/vqosd", "-c", conf], f"{d}/vqosd.log")]
        end = time.monotonic() + READY_TIMEOUT
        while not os.path.exists(f"{d}/ctl.sock"):
            if self.procs[0].p.poll() is not None or time.monotonic() > end:
                raise BenchError(f"vqosd did not start: {self.procs[0].tail()}")
            time.sleep(0.05)
        self.pid = self.procs[0].p.pid
        self.tid = lcore_tid(self.pid)

    def ctl(self, *args):
        r = subprocess.run([f"{self.build}/ctl/vqosctl", "-s", f"{self.d}/ctl.sock", "-j",
                            *args], capture_output=True, text=True, timeout=20)
        if r.returncode != 0:
            raise BenchError(f"vqosctl {' '.join(args)}: {r.stderr.strip()}")
        return json.loads(r.stdout)

    def sample(self):
        r0, w0 = schedstat(self.pid, self.tid)
        ports = {p["name"]: p for p in self.ctl("port", "show")}
        lc = self.ctl("lcore", "show")[0]
        r1, w1 = schedstat(self.pid, self.tid)
        per = [ports[f"c{i}"]["tx"]["packets"] for i in range(self.n)]
        # every cycle of the lcore is in one state: their sum runs at the
        # TSC's rate, which one_run() takes over its window
        cycles = sum(lc[k] for k in ("busy_cycles", "idle_cycles", "stall_cycles", "sleep_cycles"))
        return (per, lc["busy_cycles"], lc["busy_packets"], (r0 + r1) // 2, (w0 + w1) // 2,
                {"cycles": cycles, "t": time.monotonic()})

    def stop(self):
        for p in self.procs:
            p.stop()


def one_run(a, hop_name, n, size, tag):
    """Start the hop and the containers, wait until every container's
    packets move, measure one window. Returns a dict of figures; raises
    BenchError for a run that measured nothing."""
    d = tempfile.mkdtemp(prefix=f"vqos-bench-{tag}-")
    hop, gens = None, []
    try:
        kind, _, base = hop_name.partition("@")
        hop = (TestpmdHop(d, n, tag) if hop_name == "testpmd-io"
               else VqosdHop(a.base_build if base else a.build, kind, d, n, tag))
        # a container's virtio_user connects once, at its start: the hop's
        # sockets must all be there (vqosd with 64 ports took 6.7 s to start
        # here; the old bench gave it 10 s and then went on regardless)
        end = time.monotonic() + READY_TIMEOUT
        while not all(os.path.exists(f"{d}/c{i}.sock") for i in range(n)):
            if time.monotonic() > end or any(p.p.poll() is not None for p in hop.procs):
                raise BenchError(f"{hop_name} did not open the containers' sockets: "
                                 f"{hop.procs[0].tail()}")
            time.sleep(0.05)
        gens = [generator(d, first, min(MAX_ETHDEVS, n - first), size, f"vqb-g{first}-{tag}")
                for first in range(0, n, MAX_ETHDEVS)]
        # every container's packets move through the hop, or the run is an error
        end = time.monotonic() + READY_TIMEOUT
        while True:
            idle = [i for i, x in enumerate(hop.sample()[0]) if x == 0]
            if not idle:
                break
            dead = [g for g in gens if g.p.poll() is not None or "failed to initialize" in g.text()]
            if dead or time.monotonic() > end:
                raise BenchError(
                    f"{len(idle)} of {n} containers moved nothing through {hop_name} "
                    f"in {READY_TIMEOUT:.0f} s (c{idle[0]}...c{idle[-1]}); "
                    + "; ".join(f"{os.path.basename(g.log)}: {g.tail(300)}"
                                for g in (dead or gens[:1])))
            time.sleep(0.5)
        # the containers' forwarding threads: what they ran tells a slow
        # generator from a slow hop
        gtid = [(g.p.pid, lcore_tid(g.p.pid)) for g in gens]
        time.sleep(a.warmup)
        g0, tg0 = sum(schedstat(*x)[0] for x in gtid), time.monotonic()
        t0, s0 = time.monotonic(), hop.sample()
        time.sleep(a.seconds)
        t1, s1 = time.monotonic(), hop.sample()
        g1, tg1 = sum(schedstat(*x)[0] for x in gtid), time.monotonic()
        moved = [y - x for x, y in zip(s0[0], s1[0])]
        if min(moved) <= 0:
            stuck = [f"c{i}" for i, m in enumerate(moved) if m <= 0]
            raise BenchError(f"{len(stuck)} containers moved nothing in the window: "
                             f"{', '.join(stuck[:8])}")
        pkts = sum(moved)
        run_s = (s1[3] - s0[3]) / 1e9
        wall = t1 - t0
        bpk = s1[2] - s0[2]
        hz = s1[5]
        if isinstance(hz, dict):
            hz = (hz["cycles"] - s0[5]["cycles"]) / (hz["t"] - s0[5]["t"])
        if not hz:
            raise BenchError(f"{hop_name} gave no TSC rate")
        return {"busy_pct": 100 * (s1[1] - s0[1]) / (run_s * hz),"mpps": pkts / wall / 1e6,
                "mpps_per_cpu_s": pkts / run_s / 1e6 if run_s > 0 else float("nan"),
                "busy_cycles_per_packet": (s1[1] - s0[1]) / bpk if bpk else float("nan"),
                "cpu_pct": 100 * run_s / wall / len(getattr(hop, "procs", [0])),
                "wait_pct": 100 * (s1[4] - s0[4]) / 1e9 / wall,
                # the containers' window brackets the hop's (its samples
                # take a moment): their rate is per their own window
                "gen_cpu_pct": 100 * (g1 - g0) / 1e9 / (tg1 - tg0) / len(gens),
                "gen_mpps_per_cpu_s": pkts / wall * (tg1 - tg0) / ((g1 - g0) / 1e9) / 1e6
                if g1 > g0 else float("nan"),
                "min_container_share": min(moved) * n / pkts}
    finally:
        for g in gens:
            g.stop()
        if hop is not None:
            hop.stop()
        if not a.keep:
            subprocess.run(["rm", "-rf", d])


FIGS = ["mpps_per_cpu_s", "busy_cycles_per_packet", "busy_pct", "mpps", "cpu_pct", "wait_pct",
        "gen_cpu_pct", "gen_mpps_per_cpu_s"]
# Below this share of its run time in busy passes the hop was not the
# bottleneck (the containers could not fill it): its figures are marked.
SATURATED_PCT = 90.0


def attempt_run(a, hop_name, n, size, r, log):
    """Run @r of one cell, up to --attempts tries. Returns (figures or None,
    errors)."""
    errors = []
    for attempt in range(a.attempts):
        tag = f"{hop_name}-{n}-{size}-{r}-{attempt}-{os.getpid()}"
        try:
            with open(INTEGRATION_LOCK, "w") as ilk:
                fcntl.flock(ilk, fcntl.LOCK_EX)
                with vqosexp.measure_lock():
                    res = one_run(a, hop_name, n, size, tag)
            log(f"{hop_name:10s} containers={n:3d} size={size:5d} run {r}: "
                + ", ".join(f"{k} {res[k]:.3f}" for k in FIGS)
                + ("" if saturated(res) else " (not saturated)"))
            return res, errors
        except BenchError as e:
            errors.append(str(e))
            log(f"{hop_name:10s} containers={n:3d} size={size:5d} run {r} attempt "
                f"{attempt}: ERROR {e}")
    return None, errors


def saturated(r):
    return r["busy_pct"] >= SATURATED_PCT and r["cpu_pct"] + r["wait_pct"] >= SATURATED_PCT


def stat(runs, key):
    xs = [r[key] for r in runs]
    if not xs:
        return None
    med = statistics.median(xs)
    return {"median": med, "min": min(xs), "max": max(xs),
            "spread": (max(xs) - min(xs)) / med if med else float("nan")}


def fmt(s, digits=2):
    if s is None:
        return "error"
    mark = " (spread >10%)" if s["spread"] > SPREAD_MARK else ""
    return f"{s['median']:.{digits}f} [{s['min']:.{digits}f}-{s['max']:.{digits}f}]{mark}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--attempts", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--ports", default="1,16,64")
    ap.add_argument("--sizes", default="64,1500")
    ap.add_argument("--hops", default="testpmd-io,fifo,htb")
    ap.add_argument("--base-build", metavar="DIR",
                    help="another build of vqosd (e.g. of an earlier commit) whose hops are "
                         "named fifo@base and htb@base in --hops: A/B in the same rounds")
    ap.add_argument("--quick", action="store_true", help="2 runs of 2 s, 1 and 16 containers, 64 B")
    ap.add_argument("--keep", action="store_true", help="keep every run's folder (logs)")
    ap.add_argument("--out", default=HERE, help="where results.csv and README.md go")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.seconds, a.ports, a.sizes = 2, 2.0, "1,16", "64"
    # a kill runs the finally blocks that stop the bed's processes
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    a.build = vqosexp.setup()
    lines, rows, cells, errors = [], [], {}, []
    started = time.time()

    def log(s):
        print(s, flush=True)
        lines.append(s)

    pressure = []
    hops = a.hops.split(",")
    if any("@" in h for h in hops) and not a.base_build:
        ap.error(f"--hops {a.hops}: a hop @base needs --base-build")
    rounds = {}  # (n, size) -> per round, {hop: figures}
    for n in [int(x) for x in a.ports.split(",")]:
        for size in [int(x) for x in a.sizes.split(",")]:
            with open("/proc/pressure/cpu") as f:
                pressure.append(float(f.readline().split()[2].split("=")[1]))
            # Rounds, each hop once in turn: the cost of a packet here moves
            # with where the host puts the two vCPUs (results/datapath/notes.md),
            # and hops run side by side in time see the same placement.
            for r in range(a.runs):
                got = {}
                for hop_name in hops:
                    res, errs = attempt_run(a, hop_name, n, size, r, log)
                    errors += [f"{hop_name}, {n} containers, {size} B: {e}" for e in errs]
                    if res is None:
                        continue
                    got[hop_name] = res
                    cells.setdefault((hop_name, n, size), []).append(res)
                    rows.append({"hop": hop_name, "containers": n, "size": size, "run": r,
                                 **{k: round(res[k], 4) for k in FIGS},
                                 "saturated": int(saturated(res)),
                                 "min_container_share": round(res["min_container_share"], 3)})
                rounds.setdefault((n, size), []).append(got)
    took = time.time() - started
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["hop", "containers", "size", "run", *FIGS,
                                          "saturated", "min_container_share"])
        w.writeheader()
        w.writerows(rows)
    cmd = (f"python3 results/datapath/bench.py --runs {a.runs} --seconds {a.seconds:g} "
           f"--ports {a.ports} --sizes {a.sizes}")
    with open(os.path.join(a.out, "README.md"), "w") as f:
        f.write("# Data path cost: one vqosd lcore against testpmd io, per CPU-second\n\n")
        f.write(f"Command: `{cmd}` (took {took / 60:.0f} min).  \nMachine: {vqosexp.machine()}; "
                f"host CPU pressure (/proc/pressure/cpu some avg10) at the cells' starts "
                f"{min(pressure):.1f}-{max(pressure):.1f}%.  \nSet-up and measure: the "
                "script's docstring. In short: containers are testpmd txonly processes on CPU 0, "
                "the hop's forwarding thread has CPU 1, uplinks net_null; figures are over a "
                f"{a.seconds:g} s window once every container moves, median [min-max] of "
                f"{a.runs} runs, \"(spread >10%)\" where max - min is over 10% of the median.\n\n")
        f.write("| containers | size | hop | busy cycles/pkt | capacity vs io | Mpps per "
                "CPU-second | vs io | busy % of run | saturated runs | Mpps (wall) | CPU % | "
                "waited % | containers' CPU % |\n"
                "|---:|---:|---|---|---:|---|---:|---|---:|---|---|---|---|\n")
        for (hop_name, n, size), runs in sorted(cells.items(),
                                                 key=lambda kv: (kv[0][1], kv[0][2],
                                                                 hops.index(kv[0][0]))):
            mine = stat(runs, "mpps_per_cpu_s")
            cpp = stat(runs, "busy_cycles_per_packet")
            # ratios within each round (the hops ran minutes apart at most)
            pair = [g for g in rounds.get((n, size), []) if hop_name in g and "testpmd-io" in g]
            cap = [g["testpmd-io"]["busy_cycles_per_packet"] / g[hop_name]["busy_cycles_per_packet"]
                   for g in pair]
            ratio = [g[hop_name]["mpps_per_cpu_s"] / g["testpmd-io"]["mpps_per_cpu_s"]
                     for g in pair]
            cap = fmt(stat([{"x": x} for x in cap], "x")) if cap else ""
            ratio = fmt(stat([{"x": x} for x in ratio], "x")) if ratio else ""
            f.write(f"| {n} | {size} | {hop_name} | {fmt(cpp, 0)} | {cap} | {fmt(mine)} | "
                    f"{ratio} | {fmt(stat(runs, 'busy_pct'), 0)} | "
                    f"{sum(saturated(r) for r in runs)}/{len(runs)} | {fmt(stat(runs, 'mpps'))} | "
                    f"{fmt(stat(runs, 'cpu_pct'), 0)} | {fmt(stat(runs, 'wait_pct'), 1)} | "
                    f"{fmt(stat(runs, 'gen_cpu_pct'), 0)} |\n")
        f.write("\nBusy cycles/pkt: TSC cycles of the passes (bursts) that moved packets over "
                "the packets they moved; capacity vs io: testpmd io's busy cycles/pkt over the "
                "hop's, for the same containers, in each round (the hops of a round run one "
                "after the other), median [min-max] over the rounds (above 1: the hop does a "
                "packet in fewer cycles); vs io: the same for Mpps per CPU-second. Busy % of run: busy-pass cycles over the cycles the forwarding thread "
                "ran. CPU %: the thread(s)' run time over the window (per thread, for testpmd's "
                "several processes); waited %: the time they were ready but had no CPU; "
                "containers' CPU %: the same for the containers' forwarding threads (testpmd "
                "txonly, CPU 0). A run is saturated when the hop was the bottleneck: busy >= "
                f"{SATURATED_PCT:g}% of its run time and running or waiting >= {SATURATED_PCT:g}% "
                "of the window (vqosd's data path sleeps when it runs dry). Where the hop is "
                "not saturated the containers set the rate: a polling hop (testpmd io) spends "
                "the rest of its CPU on empty polls, so its Mpps per CPU-second is the "
                "containers' rate, and busy cycles/pkt is the comparison that holds.\n")
        f.write(f"\n## Runs that measured nothing ({len(errors)})\n\n")
        f.write("\n".join(f"- {e}" for e in errors) + "\n" if errors else "None.\n")
        f.write("\n## Every run\n\n```\n" + "\n".join(lines) + "\n```\n")
        notes = os.path.join(HERE, "notes.md")
        if os.path.exists(notes):  # what the figures say, written by people
            with open(notes) as n_f:
                f.write("\n" + n_f.read())
    print(f"wrote {a.out}/results.csv and README.md")
    return 1 if errors and not rows else 0


if __name__ == "__main__":
    sys.exit(main())
