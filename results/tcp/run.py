#!/usr/bin/env python3
"""TCP through shaping against policing (issue 16, experiment 4).

One command reruns it and rewrites results/tcp/{results.csv,plot.png,README.md}:

    python3 results/tcp/run.py [--runs 3] [--seconds 10] [--rates 10,100,1000] [--quick]

Kernel TCP (iperf3) from network namespace A to B, each joined to vhost-user
by a testpmd forwarder (tests/integration/kbridge.py), through:

  htb     vqosd, tx qdisc htb, A's leaf rate = ceil = R (default bursts);
  police  vqosd, tx qdisc police, A's leaf trTCM with rate = ceil = R and
          burst = cburst = B (one bucket of B bytes at R: a frame that does
          not fit is red and dropped);
  ovs     no vqosd: A and B on OVS-DPDK (dpdkvhostuserclient ports, one PMD on
          CPU 1), OVS's ingress policer on A's port at R and B
          (ingress_policing_rate, _burst), the same bucket as `police`.

B = 10% of R per second (100 ms of R), as OVS's documentation suggests for
ingress_policing_burst. Per run: goodput (iperf3 receiver bytes over the
measured time, after --omit seconds of slow start), retransmits (sender),
the sender's smoothed RTT (TCP_INFO: mean and max), a ping from A to B
through the same path during the flow (p50, p99), the forwarders' own
counters and drops, and CPU time actually run by each thread on the path
(/proc/PID/task/TID/schedstat) over the measured time.

Then two flows: containers A1 and A2 (two vqosd ports sharing one uplink to
B) in htb leaves rate 30/70 Mbit/s, ceil 100, under a parent of 100 Mbit/s;
and the same with police (30 and 70 Mbit/s policers, no sharing).

Placement: vqosd's data lcore or OVS's PMD on CPU 1; forwarders, iperf3,
ping, vqosd's control thread on CPU 0. Every process at nice -20.
"""
import argparse
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ovs_pmd"))
import vqosexp  # noqa: E402  (tests/integration on sys.path)
import kbridge  # noqa: E402
import ovsbed  # noqa: E402
import vqostest as vt  # noqa: E402

KINDS = ["htb", "police", "ovs"]
IP_A, IP_B, IP_A2 = "10.77.0.1/24", "10.77.0.2/24", "10.77.0.3/24"
MAC_A, MAC_B, MAC_A2 = "02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03"
# a full-size TCP segment on the wire as the shapers count it (Ethernet
# header, no FCS) against the payload iperf3 counts: 1514 against 1448
# (20 IP + 32 TCP with timestamps)
FRAME, MSS = 1514, 1448
PORT1, PORT2 = 5201, 5202


def burst_bytes(mbit):
    """The policers' bucket: 10% of the rate per second (100 ms of R)."""
    return int(mbit * 1e6 / 10 / 8)


# ---------------------------------------------------------------- measuring

def threads(pid):
    """{tid: comm} of process @pid."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                out[int(tid)] = f.read().strip()
        except OSError:
            pass
    return out


def run_ns(pid):
    """(ns run, ns waited) of every thread of @pid, summed; (0, 0) if gone."""
    r = w = 0
    try:
        for tid in threads(pid):
            a, b = vt.schedstat(pid, tid)
            r, w = r + a, w + b
    except (OSError, ValueError):
        pass
    return r, w


def thread_ns(pid, pred):
    """(ns run, ns waited) of the threads of @pid whose name satisfies @pred."""
    r = w = 0
    for tid, comm in threads(pid).items():
        if pred(comm):
            try:
                a, b = vt.schedstat(pid, tid)
            except OSError:
                continue
            r, w = r + a, w + b
    return r, w


def fwd_lcore(comm):
    # testpmd's forwarding lcore (lcore 1): EAL names it after the lcore
    return comm.endswith("-1") or "worker" in comm


def percentile(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, int(round(q / 100 * (len(xs) - 1)))))
    return xs[k]


def ping_rtts_of(text):
    return [float(m.group(1)) for m in re.finditer(r"time=([\d.]+) ms", text)]


def ping_rtts(path):
    with open(path, errors="replace") as f:
        return ping_rtts_of(f.read())


NETSTAT = ("TCPTimeouts", "TCPLossProbes", "TCPSpuriousRTOs", "TCPDSACKRecv", "TCPSackRecovery",
           "TCPRcvQDrop", "TCPBacklogDrop", "TCPOFODrop", "TCPZeroWindowDrop")


def netstat(kport):
    """TcpExt counters of @kport's namespace (/proc/net/netstat)."""
    lines = kport.run(["cat", "/proc/net/netstat"]).stdout.split("\n")
    out = {}
    for h, v in zip(lines[0::2], lines[1::2]):
        if h.startswith("TcpExt:"):
            out = dict(zip(h.split()[1:], (int(x) for x in v.split()[1:])))
    return {k: out.get(k, 0) for k in NETSTAT}


def cpu_pressure():
    with open("/proc/pressure/cpu") as f:
        return float(re.search(r"some avg10=([\d.]+)", f.read()).group(1))


class Path:
    """What one set-up runs: the KernelPorts, the middle (vqosd or OVS) and
    how to read its threads' CPU time."""

    def __init__(self, bed, kind, senders, b, middle_ns, middle_drops):
        self.bed, self.kind, self.senders, self.b = bed, kind, senders, b
        self.middle_ns = middle_ns        # () -> (run ns, waited ns) of the middle's data thread
        self.middle_drops = middle_drops  # () -> frames the middle dropped so far


def flows(path, a, seconds, omit, ping=True):
    """Run one iperf3 flow per sender in path.senders (to B's PORT1, PORT2,
    ...) for @seconds (+ @omit), a ping from the first sender meanwhile; a
    dict of what was measured."""
    bed, b = path.bed, path.b
    servers, clients = [], []
    for i, s in enumerate(path.senders):
        servers.append(b.spawn(["iperf3", "-s", "-1", "-J", "-p", str(PORT1 + i)],
                               f"srv{i}-{time.monotonic_ns()}.json"))
    for p in servers:
        ovsbed.renice(p.pid)
    time.sleep(0.7)
    idle = ping_rtts_of(path.senders[0].run(["ping", "-i", "0.05", "-c", "20", "-w", "5", b.ip],
                                            check=False).stdout) if ping else []
    f0 = {k.tag: k.fwd.stats() for k in path.senders + [b]}
    k0 = {k.tag: k.link_stats() for k in path.senders + [b]}
    n0 = {k.tag: netstat(k) for k in path.senders + [b]}
    d0 = path.middle_drops()
    cpu = {}
    for i, s in enumerate(path.senders):
        c = s.spawn(["iperf3", "-c", b.ip, "-p", str(PORT1 + i), "-t", str(seconds),
                     "-O", str(omit), "-J", *(["-C", a.cc] if a.cc else [])], f"cli{i}-{time.monotonic_ns()}.json")
        ovsbed.renice(c.pid)
        clients.append(c)
    time.sleep(omit)
    pg = None
    if ping:
        pg = path.senders[0].spawn(["ping", "-i", "0.1", "-c", str(int(seconds * 10) - 5), "-w", str(seconds + 5),
                                    b.ip], f"ping-{time.monotonic_ns()}.log")
        ovsbed.renice(pg.pid)
    # CPU time over the measured part
    procs = {"fwd": (b.fwd.p.pid, fwd_lcore)}
    procs.update({f"iperf_c{i}": (c.pid, None) for i, c in enumerate(clients)})
    procs.update({f"iperf_s{i}": (p.pid, None) for i, p in enumerate(servers)})

    def sample():
        out = {k: (thread_ns(pid, pred) if pred else run_ns(pid)) for k, (pid, pred) in
               procs.items()}
        out["middle"] = path.middle_ns()
        return out
    s0, t0 = sample(), time.monotonic()
    psi0 = cpu_pressure()
    time.sleep(seconds - 0.3)
    s1, t1 = sample(), time.monotonic()
    for c in clients:
        c.wait(timeout=seconds + 30)
    for p in servers:
        p.wait(timeout=30)
    if pg:
        pg.wait(timeout=30)
    for k in s0:
        cpu[k] = ((s1[k][0] - s0[k][0]) / (t1 - t0) / 1e9 * 100,
                  (s1[k][1] - s0[k][1]) / (t1 - t0) / 1e9 * 100)
    f1 = {k.tag: k.fwd.stats() for k in path.senders + [b]}
    k1 = {k.tag: k.link_stats() for k in path.senders + [b]}
    n1 = {k.tag: netstat(k) for k in path.senders + [b]}
    d1 = path.middle_drops()
    res = {"flows": [], "cpu": cpu, "psi": max(psi0, cpu_pressure()),
           "middle_drops": d1 - d0}
    for c in clients:
        with open(c.log) as f:
            j = json.load(f)
        if "error" in j:
            raise RuntimeError(f"iperf3: {j['error']}")
        e = j["end"]
        snd = e["streams"][0]["sender"]
        res["flows"].append({
            "goodput_mbit": e["sum_received"]["bits_per_second"] / 1e6,
            "retransmits": e["sum_sent"].get("retransmits", 0),
            "rtt_mean_ms": snd.get("mean_rtt", float("nan")) / 1e3,
            "rtt_max_ms": snd.get("max_rtt", float("nan")) / 1e3})
    rtts = ping_rtts(pg.log) if pg else []
    res["ping_n"] = len(rtts)
    res["ping_idle_p50_ms"] = percentile(idle, 50)
    res["ping_p50_ms"] = percentile(rtts, 50)
    res["ping_p99_ms"] = percentile(rtts, 99)
    # forwarders' own drops: frames a tx port did not take (testpmd freed
    # them) and rx missed, over the run, all ports of all forwarders
    fd = 0
    for tag in f1:
        for port in (0, 1):
            for k in ("tx_dropped", "rx_missed", "tx_errors"):
                fd += f1[tag][port][k] - f0[tag][port][k]
    res["fwd_drops"] = fd
    # frames of the data direction: into the middle from the senders'
    # forwarders, out of it to B's forwarder
    res["into_middle"] = sum(f1[s.tag][1]["tx"] - f0[s.tag][1]["tx"] for s in path.senders)
    # the senders' TCP: timeouts, tail-loss probes, spurious RTOs and DSACKs
    # (retransmits of frames that were not lost); B's TCP drops
    res["tcp_a"] = {k: sum(n1[s.tag][k] - n0[s.tag][k] for s in path.senders)
                    for k in NETSTAT[:5]}
    res["tcp_b_drops"] = sum(n1[b.tag][k] - n0[b.tag][k] for k in NETSTAT[5:])
    res["out_of_middle"] = f1[b.tag][1]["rx"] - f0[b.tag][1]["rx"]
    # the kernel's drops at the edges: frames A's veth carried to the root
    # end that A's forwarder never received (its af_packet ring full), and
    # frames B's forwarder sent that B's eth0 did not receive
    res["kernel_a_drops"] = sum(
        (k1[s.tag]["outer"]["rx_packets"] - k0[s.tag]["outer"]["rx_packets"])
        - (f1[s.tag][0]["rx"] - f0[s.tag][0]["rx"]) for s in path.senders)
    res["kernel_b_drops"] = ((f1[b.tag][0]["tx"] - f0[b.tag][0]["tx"])
                             - (k1[b.tag]["inner"]["rx_packets"] - k0[b.tag]["inner"]["rx_packets"]))
    return res


# ---------------------------------------------------------------- set-ups

def vqosd_tree(kind, classes, parent_mbit=None):
    """tx tree: @classes [(port, rate, ceil)] in Mbit/s."""
    if kind == "htb":
        root = f'{{ name = "root"; rate = "{parent_mbit}mbit"; }}'
        leaves = [f'{{ name = "{p}"; parent = "root"; port = "{p}"; rate = "{r}mbit"; '
                  f'ceil = "{c}mbit"; }}' for p, r, c in classes]
    else:
        root = '{ name = "root"; }'
        leaves = [f'{{ name = "{p}"; parent = "root"; port = "{p}"; rate = "{r}mbit"; '
                  f'ceil = "{r}mbit"; burst = {burst_bytes(r)}; cburst = {burst_bytes(r)}; '
                  f'meter = "trtcm"; }}' for p, r, c in classes]
    return (f'tx = {{ qdisc = "{kind}"; classes = (\n  ' + ",\n  ".join([root] + leaves)
            + "\n); };\n")


def vqosd_path(bed, kind, classes, parent_mbit):
    """vqosd with one port per sender (A, A2), all on one net_vhost uplink
    that B's forwarder connects to; senders' forwarders connect to their
    ports. @classes as in vqosd_tree, ports named a, a2."""
    up = bed.path("uplink.sock")
    senders = []
    ports = []
    for (name, _, _), ip, mac in zip(classes, (IP_A, IP_A2), (MAC_A, MAC_A2)):
        ports.append((name, bed.path(f"{name}.sock"), f"net_vhost_up,iface={up}",
                      f'mac = "{mac}";'))
    d = ovsbed.vqosd(bed, ports, vqosd_tree(kind, classes, parent_mbit))
    b = kbridge.KernelPort(bed, "b", IP_B, MAC_B)
    for (name, _, _), ip, mac in zip(classes, (IP_A, IP_A2), (MAC_A, MAC_A2)):
        senders.append(kbridge.KernelPort(bed, name, ip, mac))
    # one forwarder process (one polling lcore on CPU 0) for every namespace
    fwd = kbridge.attach_all(bed, [(s, kbridge.virtio_user(bed.path(f"{s.tag}.sock")))
                                   for s in senders] + [(b, kbridge.virtio_user(up))], cpu=0)
    ovsbed.renice(fwd.p.pid)
    for s in senders:
        s.neigh(b)
        b.neigh(s)
    vt.wait_for(lambda: all(p["state"] == "up" if "state" in p else True
                            for p in bed.ports().values()), 30, "vqosd's ports up")
    tid = vt.lcore_tid(d.pid)

    def drops():
        ps = bed.ports()
        return sum(p["tx"]["drops"] for p in ps.values())
    path = Path(bed, kind, senders, b, lambda: vt.schedstat(d.pid, tid), drops)
    path.vqosd = d
    return path


def ovs_path(rig):
    bed = rig.bed
    b = kbridge.KernelPort(bed, "b", IP_B, MAC_B)
    a = kbridge.KernelPort(bed, "a", IP_A, MAC_A)
    fwd = kbridge.attach_all(bed, [(a, kbridge.virtio_user(rig.sock("a"), server=True)),
                                   (b, kbridge.virtio_user(rig.sock("b"), server=True))], cpu=0)
    ovsbed.renice(fwd.p.pid)
    a.neigh(b)
    b.neigh(a)
    rig.flows({"a": "b", "b": "a"})
    rig.wait_connected(["a", "b"], 60)
    rig.renice()
    pid = rig.ovs.vswitchd.pid

    def drops():
        return ovs_drops(rig)
    return Path(bed, "ovs", [a], b, lambda: thread_ns(pid, lambda n: n.startswith("pmd")), drops)


def ovs_drops(rig):
    """Frames OVS dropped so far on the data direction: what its ingress
    policer on port a dropped (rx_dropped: ovs_rx_qos_drops and the rest)
    and what it could not put into B's forwarder's vring (b's tx_dropped)."""
    n = 0
    for port, key in (("a", "rx_dropped"), ("b", "tx_dropped")):
        out = rig.ovs.vsctl("get", "Interface", port, "statistics")
        m = re.search(key + r"=(\d+)", out)
        n += int(m.group(1)) if m else 0
    return n


def close_ports(path):
    for k in path.senders + [path.b]:
        k.close()


# ---------------------------------------------------------------- cells

def one_flow_cell(a, kind, mbit, rows):
    """@a.runs runs of one flow at @mbit through @kind, on one set-up."""
    if kind == "ovs":
        rig = ovsbed.Rig("tcp-ovs", ["a", "b"], pmd_cpu=1, null_port=False)
        try:
            path = ovs_path(rig)
            rig.set_iface("a", f"ingress_policing_rate={int(mbit * 1000)}",
                          f"ingress_policing_burst={int(burst_bytes(mbit) * 8 / 1000)}")
            for run in range(a.runs):
                rows.append(measure(a, path, kind, mbit, run))
            close_ports(path)
        finally:
            rig.close()
    else:
        bed = vt.Bed(f"tcp-{kind}")
        try:
            path = vqosd_path(bed, kind, [("a", mbit, mbit)], mbit)
            for run in range(a.runs):
                rows.append(measure(a, path, kind, mbit, run))
            close_ports(path)
        finally:
            bed.close()


def measure(a, path, kind, mbit, run):
    r = flows(path, a, a.seconds, a.omit)
    f = r["flows"][0]
    row = {"case": "one", "kind": kind, "rate_mbit": mbit, "run": run,
           "goodput_mbit": round(f["goodput_mbit"], 2),
           "goodput_pct_of_max": round(100 * f["goodput_mbit"] / (mbit * MSS / FRAME), 1),
           "retransmits": f["retransmits"],
           "rtt_mean_ms": round(f["rtt_mean_ms"], 2), "rtt_max_ms": round(f["rtt_max_ms"], 2),
           "ping_p50_ms": round(r["ping_p50_ms"], 2), "ping_p99_ms": round(r["ping_p99_ms"], 2),
           "ping_n": r["ping_n"], "ping_idle_p50_ms": round(r["ping_idle_p50_ms"], 2),
           "middle_drops": r["middle_drops"], "fwd_drops": r["fwd_drops"],
           "kernel_a_drops": r["kernel_a_drops"], "kernel_b_drops": r["kernel_b_drops"],
           "tcp_b_drops": r["tcp_b_drops"], **{"a_" + k: v for k, v in r["tcp_a"].items()},
           "into_middle": r["into_middle"], "out_of_middle": r["out_of_middle"],
           "psi_cpu_some10": r["psi"]}
    for k, (run_pct, wait_pct) in sorted(r["cpu"].items()):
        row[f"cpu_{k}_pct"] = round(run_pct, 1)
        row[f"wait_{k}_pct"] = round(wait_pct, 1)
    print("  " + ", ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return row


def two_flow_cell(a, kind, rows):
    classes = [("a", 30, 100), ("a2", 70, 100)]
    for run in range(a.runs):
        bed = vt.Bed(f"tcp2-{kind}")
        try:
            path = vqosd_path(bed, kind, classes, 100)
            r = flows(path, a, a.seconds, a.omit, ping=False)
            close_ports(path)
        finally:
            bed.close()
        for (name, rate, ceil), f in zip(classes, r["flows"]):
            row = {"case": "two", "kind": kind, "rate_mbit": rate, "run": run, "class": name,
                   "ceil_mbit": ceil if kind == "htb" else rate,
                   "goodput_mbit": round(f["goodput_mbit"], 2),
                   "goodput_pct_of_max": round(100 * f["goodput_mbit"] / (rate * MSS / FRAME), 1),
                   "retransmits": f["retransmits"], "rtt_mean_ms": round(f["rtt_mean_ms"], 2),
                   "rtt_max_ms": round(f["rtt_max_ms"], 2),
                   "middle_drops": r["middle_drops"], "fwd_drops": r["fwd_drops"],
                   "kernel_a_drops": r["kernel_a_drops"],
                   "kernel_b_drops": r["kernel_b_drops"], "psi_cpu_some10": r["psi"]}
            print("  " + ", ".join(f"{k}={v}" for k, v in row.items()), flush=True)
            rows.append(row)


# ---------------------------------------------------------------- output

def read_csv(path):
    import csv
    rows = []
    with open(path) as f:
        for r in csv.DictReader(f):
            row = {}
            for k, v in r.items():
                try:
                    row[k] = int(v)
                except ValueError:
                    try:
                        row[k] = float(v)
                    except ValueError:
                        row[k] = v
            rows.append(row)
    return rows


def stat(rs, key, nd=1):
    """'median (min-max)' of @key over rows @rs."""
    xs = [r[key] for r in rs if r.get(key, "") != "" and r[key] == r[key]]
    if not xs:
        return ""
    m, lo, hi = vqosexp.median(xs), min(xs), max(xs)
    f = f"{{:.{nd}f}}"
    return f.format(m) if lo == hi else f"{f.format(m)} ({f.format(lo)}-{f.format(hi)})"


def med(rs, key):
    xs = [r[key] for r in rs if r.get(key, "") != "" and r[key] == r[key]]
    return vqosexp.median(xs) if xs else float("nan")


def groups(rows, case):
    out = {}
    for r in rows:
        if r["case"] == case:
            out.setdefault((r["rate_mbit"] if case == "one" else r["class"], r["kind"]),
                           []).append(r)
    return out


def write(a, rows, took):
    header = []
    for r in rows:
        header += [k for k in r if k not in header]
    if took is not None:
        vqosexp.write_csv(os.path.join(a.out, "results.csv"), header,
                          [[r.get(k, "") for k in header] for r in rows])
    one, two = groups(rows, "one"), groups(rows, "two")
    plot(a, one, two)
    L = ["# TCP through shaping against policing", ""]
    runs = max((len(v) for v in list(one.values()) + list(two.values())), default=0)
    L += ["Command: `python3 results/tcp/run.py` (one command: builds, starts everything, "
          f"rewrites this folder; `--quick`: 1 run of 4 s per cell). Figures: median "
          f"(min-max) of {runs} runs of {a.seconds} s each after {a.omit} s left out "
          "(iperf3 `-O`).",
          f"Machine: {vqosexp.machine()}; OVS {ovsbed.ovs_version()}; iperf3 "
          f"{subprocess_out(['iperf3', '--version']).split()[1]}, kernel TCP "
          f"{a.cc or open('/proc/sys/net/ipv4/tcp_congestion_control').read().strip()} "
          "(the senders' congestion control). CPU pressure "
          "during runs (/proc/pressure/cpu some avg10, %): " + stat(rows, "psi_cpu_some10")
          + ".", "",
          "## Set-up", "",
          "```",
          " netns A (iperf3 -c, ping)             [vqosd tx: htb | police]                netns B (iperf3 -s)",
          "  eth0 -veth- testpmd io --vhost-user-->  or [OVS-DPDK, ingress policer]  --vhost-user--> testpmd io -veth- eth0",
          "       (af_packet + virtio_user)                                                 (virtio_user + af_packet)",
          "```", "",
          "- Both ends are the kernel's TCP (iperf3 in two network namespaces), joined to "
          "vhost-user by `tests/integration/kbridge.py`: a veth per namespace (checksum and "
          "segmentation offloads off: every frame is at most 1514 bytes) and one "
          "`dpdk-testpmd` io forwarder for all of them (`kbridge.attach_all`: per namespace "
          "a pair of `net_af_packet` on the veth's root end and `net_virtio_user` on the "
          "vhost-user side, one polling lcore). It **retries** a short tx "
          "(`set fwd io retry`, 10 us x up to 100000) instead of dropping: a plain io "
          "forwarder dropped 10% of a flow's frames into a full vring in trials "
          "(15,751 of 155,594 at 320 Mbit/s) and TCP retransmitted as many, which would be "
          "the forwarder's loss and not the shaper's. One forwarder rather than one per "
          "namespace: two busy-polling forwarders taking turns on CPU 0 put ~12 ms into an "
          "idle ping (4 ms with one, 0.1 ms through OVS). Every drop on the path is counted "
          "(columns below): the forwarder's own (testpmd's tx dropped, rx missed), the "
          "kernel's at the forwarder's af_packet sockets and B's veth, B's TCP receive "
          "drops, and the middle's (vqosd's tx drops, OVS's rx_dropped on A's port and "
          "tx_dropped on B's).",
          "- `htb`: vqosd, one port for A (server socket A's forwarder connects to), its "
          "uplink `net_vhost` that B's forwarder connects to; tx tree root R, leaf rate = "
          "ceil = R, default bursts (1 ms + 10 ms of R, within 1600-51200 bytes). vqosd "
          "pulls A's vring at R: a full vring holds A's forwarder back, frames wait in "
          "its af_packet ring (1024 frames) behind it, where the kernel would drop.",
          "- `police`: vqosd, same ports, tx qdisc `police`: leaf `meter = \"trtcm\"`, "
          "rate = ceil = R, burst = cburst = B: one token bucket of B bytes filled at R; "
          "a frame that does not fit is red and dropped when vqosd takes it from the "
          "vring. vqosd's rx (ACKs, B to A) is fifo in both.",
          "- `ovs`: no vqosd; A's and B's forwarders serve the sockets of two OVS "
          "`dpdkvhostuserclient` ports (OVS-DPDK, one PMD thread on CPU 1, flows a<->b), "
          "`ingress_policing_rate` = R in kbit/s and `ingress_policing_burst` = B in kbit "
          "on A's port: OVS's DPDK policer, an srTCM with CBS = B and no EBS that drops "
          "what is not green, i.e. the same bucket as `police`.",
          "- B (the policers' bucket) = 10% of R per second, 100 ms of R, what OVS's "
          "documentation suggests for `ingress_policing_burst`: 125 kB at 10 Mbit/s, "
          "1.25 MB at 100, 12.5 MB at 1000.",
          "- The rates count Ethernet frames without FCS (1514 bytes for a 1448-byte "
          "segment with timestamps); iperf3 counts payload, so the most goodput a class "
          "of R carries is R x 1448/1514 = 0.956 R (`% of max` below). A policer's "
          "bucket adds up to B over the run: a few % above that max.",
          "- Placement: vqosd's data lcore, or OVS's PMD, on CPU 1; the forwarder "
          "(busy-polling), iperf3, ping and the rest on CPU 0, all at nice -20: the kernel's "
          "work for both TCP ends (iperf3, softirqs) and the forwarder share one CPU, which "
          "is what limits the rig at high rates (`forwarder run / wait %`). `idle ping`: "
          "the RTT with no flow, before each run.",
          "- Measured per run: goodput (iperf3 receiver), retransmits (sender), the "
          "sender's smoothed RTT (iperf3's `mean_rtt`/`max_rtt`, TCP_INFO), a ping A->B "
          "every 100 ms through the same path during the flow (p50, p99), A's TCP "
          "recovery counters (SACK recoveries, RTOs), drops, and the share of the wall "
          "time each thread on the path actually ran (`/proc/PID/task/TID/schedstat`: "
          "run %, and % it waited for a CPU).",
          "- Two flows: containers A1 and A2 (two vqosd ports, each with its own netns "
          "and forwarder, one shared `net_vhost` uplink to B, frames to them demuxed by "
          "MAC), one iperf3 flow each. htb: parent rate 100 Mbit/s; leaves rate 30 and 70, "
          "ceil 100. police: policers of 30 and 70 Mbit/s (trTCM rate = ceil, B = 100 ms "
          "of the rate); vqosd's tx classifies by port (a container's vring is one leaf), "
          "so two classes are two containers.", "",
          "## One flow: goodput, retransmits, RTT under load", ""]
    hdr = ["R Mbit/s", "kind", "goodput Mbit/s", "% of max", "retransmits", "SACK recov.",
           "RTOs", "RTT mean ms", "RTT max ms", "ping p50 ms", "ping p99 ms", "idle ping ms",
           "middle drops", "fwd + kernel drops", "middle thread run %",
           "forwarder run / wait %", "iperf3 snd+rcv run %"]
    tab = []
    for (rate, kind), rs in sorted(one.items(), key=lambda kv: (kv[0][0], KINDS.index(kv[0][1]))):
        for r in rs:
            r["edge_drops"] = sum(r.get(k, 0) or 0 for k in ("fwd_drops", "kernel_a_drops",
                                                              "kernel_b_drops", "tcp_b_drops"))
            r["iperf_run"] = (r.get("cpu_iperf_c0_pct", 0) or 0) + (r.get("cpu_iperf_s0_pct", 0)
                                                                    or 0)
        tab.append([rate, kind, stat(rs, "goodput_mbit"), stat(rs, "goodput_pct_of_max"),
                    stat(rs, "retransmits", 0), stat(rs, "a_TCPSackRecovery", 0),
                    stat(rs, "a_TCPTimeouts", 0), stat(rs, "rtt_mean_ms"),
                    stat(rs, "rtt_max_ms"), stat(rs, "ping_p50_ms"), stat(rs, "ping_p99_ms"),
                    stat(rs, "ping_idle_p50_ms"), stat(rs, "middle_drops", 0),
                    stat(rs, "edge_drops", 0), stat(rs, "cpu_middle_pct"),
                    f"{med(rs, 'cpu_fwd_pct'):.0f} / {med(rs, 'wait_fwd_pct'):.0f}",
                    stat(rs, "iperf_run")])
    L += ovsbed.table(hdr, tab)
    L += ["", "`middle drops`: vqosd's tx drops (police: red frames), or OVS's drops on the "
          "data direction (policer, and a full vring towards B). `fwd + kernel drops`: "
          "the forwarders' own and the kernel's at the edges (see Set-up). `middle "
          "thread`: vqosd's data lcore (it sleeps when it has nothing to do) or OVS's "
          "PMD (polls, ~100% whatever the load).", "",
          "## Two flows in two classes, 30/70 of 100 Mbit/s", ""]
    tab = []
    for (cls, kind), rs in sorted(two.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        g = rs[0]["rate_mbit"]
        tab.append([kind, cls, g, rs[0]["ceil_mbit"], stat(rs, "goodput_mbit"),
                    f"{g * MSS / FRAME:.1f}", stat(rs, "goodput_pct_of_max"),
                    stat(rs, "retransmits", 0), stat(rs, "rtt_mean_ms")])
    L += ovsbed.table(["kind", "class", "guarantee Mbit/s", "ceil Mbit/s", "goodput Mbit/s",
                       "guarantee as goodput", "% of guarantee", "retransmits",
                       "RTT mean ms"], tab)
    L += ["", "Every run is in results.csv.", "", "![plot](plot.png)", "",
          "## Answer", "", "@FINDINGS@", ""]
    ovsbed.write_readme(os.path.join(a.out, "README.md"), L)


def subprocess_out(argv):
    import subprocess
    return subprocess.run(argv, capture_output=True, text=True).stdout


def plot(a, one, two):
    dat = os.path.join(a.out, "plot.dat")
    rates = sorted({k[0] for k in one})
    with open(dat, "w") as f:
        for i, rate in enumerate(rates):
            for j, kind in enumerate(KINDS):
                rs = one.get((rate, kind))
                if not rs:
                    continue
                x = i * 4 + j
                f.write(f"{x} {rate}/{kind} {med(rs, 'goodput_pct_of_max')} "
                        f"{min(r['goodput_pct_of_max'] for r in rs)} "
                        f"{max(r['goodput_pct_of_max'] for r in rs)} "
                        f"{max(med(rs, 'retransmits'), 0.5)} {med(rs, 'rtt_mean_ms')} "
                        f"{med(rs, 'ping_p99_ms')}\n")
    dat2 = os.path.join(a.out, "plot2.dat")
    with open(dat2, "w") as f:
        for i, ((cls, kind), rs) in enumerate(sorted(two.items(), key=lambda kv: (kv[0][1], kv[0][0]))):
            f.write(f"{i} {kind}/{cls} {med(rs, 'goodput_mbit')} {rs[0]['rate_mbit'] * MSS / FRAME}\n")
    two_panel = (f"set key top left\nset yrange [0:80]\n"
                 f"set ylabel 'two flows: goodput, Mbit/s'\nplot '{dat2}' using 1:3:xtic(2) "
                 "with boxes title 'goodput', '' using 1:4 with points pt 7 ps 1.5 "
                 "title 'guarantee (as goodput)'")
    vqosexp.gnuplot(f"""
set multiplot layout 2,2 title 'kernel TCP through vqosd htb, vqosd police, OVS ingress policer (R Mbit/s / kind)'
set style fill solid 0.6
set boxwidth 0.7
set grid y
set xtics rotate by -35 font ',8'
set ylabel 'goodput, % of the most R carries'
set yrange [0:115]
plot '{dat}' using 1:3:xtic(2) with boxes notitle, '' using 1:3:4:5 with yerrorbars pt 0 lc rgb 'black' notitle
set logscale y
set yrange [0.4:*]
set ylabel 'retransmits per run (log; 0 drawn as 0.5)'
plot '{dat}' using 1:6:xtic(2) with boxes notitle
unset logscale y
set yrange [0:*]
set ylabel 'RTT under load, ms'
plot '{dat}' using ($1-0.17):7:(0.34):xtic(2) with boxes title 'TCP mean RTT', '' using ($1+0.17):8:(0.34) with boxes title 'ping p99'
{two_panel if two else ""}
unset multiplot
""", os.path.join(a.out, "plot.png"))
    os.unlink(dat)
    os.unlink(dat2)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=8, help="measured seconds per flow")
    ap.add_argument("--omit", type=int, default=2, help="seconds of slow start left out")
    ap.add_argument("--rates", default="10,100,1000", help="class rates, Mbit/s")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--no-two", action="store_true", help="leave out the two-flow case")
    ap.add_argument("--cc", default="", help="the senders' TCP congestion control "
                    "(iperf3 -C; default: the kernel's, net.ipv4.tcp_congestion_control)")
    ap.add_argument("--quick", action="store_true", help="1 run of 4 s per cell")
    ap.add_argument("--out", default=HERE, help="where results.csv etc. go")
    ap.add_argument("--report", action="store_true",
                    help="only rewrite plot.png and README.md from results.csv")
    a = ap.parse_args()
    if a.report:
        write(a, read_csv(os.path.join(a.out, "results.csv")), None)
        return
    if a.quick:
        a.runs, a.seconds, a.omit = 1, 4, 1
    for r in a.rates.split(","):
        if not r.isdigit() or int(r) == 0:
            ap.error(f"--rates: '{r}' is not a rate in Mbit/s")
    for k in a.kinds.split(","):
        if k not in KINDS:
            ap.error(f"--kinds: '{k}' is not one of {', '.join(KINDS)}")
    vqosexp.setup()
    ovsbed.cleanup_on_signals()
    kbridge.sweep()
    rows = []
    # one lock for the whole measured part (OVS's Rig is taken inside it)
    with vqosexp.measure_lock():
        t0 = time.monotonic()
        for mbit in [int(x) for x in a.rates.split(",")]:
            for kind in a.kinds.split(","):
                print(f"one flow, {kind}, {mbit} Mbit/s", flush=True)
                one_flow_cell(a, kind, mbit, rows)
        if not a.no_two:
            for kind in ("htb", "police"):
                print(f"two flows, {kind} 30/70", flush=True)
                two_flow_cell(a, kind, rows)
        took = time.monotonic() - t0
    print(f"measured in {took:.0f} s")
    write(a, rows, took)


if __name__ == "__main__":
    main()
