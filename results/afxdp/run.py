#!/usr/bin/env python3
"""AF_XDP against vhost-user: the same traffic through vqosd with its uplink
a vhost-user socket (net_vhost) or a veth bound by DPDK's AF_XDP PMD
(net_af_xdp), from DPDK containers and from kernel ones.

    python3 results/afxdp/run.py [--runs 3] [--seconds 3]
    python3 results/afxdp/run.py --quick       (1 run of each cell, 2 s)

Cells (vqos-gen processes: S sends, K counts; F sends from the uplink side):
  tx-vhost   S (virtio_user) -> vqosd -> net_vhost uplink -> K (virtio_user)
  tx-afxdp   S (virtio_user) -> vqosd -> net_af_xdp on veth -> netns: K (net_af_xdp)
  rx-vhost   F (virtio_user) -> net_vhost uplink -> vqosd -> K (virtio_user)
  rx-afxdp   netns: F (net_af_xdp on veth) -> vqosd's net_af_xdp uplink -> vqosd -> K
each at 100 kpps (latency) and at the sender's max, 128-byte frames;
  kern-vhost  netns A: iperf3 -u -> veth -> kbridge (af_packet <-> virtio_user)
              -> net_vhost uplink -> vqosd -> kbridge -> netns B: iperf3 -s
  kern-afxdp  netns A: iperf3 -u -> veth, bound by vqosd's net_af_xdp uplink
              -> vqosd -> kbridge -> netns B: iperf3 -s
with 64- and 1458-byte UDP payloads, unlimited rate;
  shape-*     tx-*/rx-* with an htb of 100 Mbit/s on the port's direction,
              offered 200 Mbit/s of 1000-byte frames.
vqosd's data lcore alone on CPU 1, everything else on CPU 0. Rewrites
results/afxdp/{results.csv,plot.png,README.md}; the README's reading (between
its <!-- findings --> markers) is kept.
"""
import argparse
import ctypes
import fcntl
import json
import os
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ovs_pmd"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
import ovsbed  # noqa: E402
from ovsbed import vqosexp  # noqa: E402
import kbridge  # noqa: E402
from vqostest import VQOSD, Bed, lcore_tid, schedstat, wait_for  # noqa: E402

INTEGRATION_LOCK = "/tmp/vqos-integration.lock"
DPDK_PATHS = ["tx-vhost", "tx-afxdp", "rx-vhost", "rx-afxdp"]
KERN_PATHS = ["kern-vhost", "kern-afxdp"]
LOADS = ["100kpps", "max"]
PAYLOADS = [64, 1458]
SIZE = 128          # frame bytes of the DPDK cells (>= 66: vqos-gen's timestamp fits)
SHAPE_MBIT = 100
SHAPE_OFFER = "200mbit"
SHAPE_SIZE = 1000
FIFO = 'tx = { qdisc = "fifo"; };\nrx = { qdisc = "fifo"; };\n'
NICE = ovsbed.NICE


def htb(direction):
    """An htb of SHAPE_MBIT on port c's @direction, fifo on the other."""
    other = "rx" if direction == "tx" else "tx"
    return (f'{direction} = {{ qdisc = "htb"; classes = ( {{ name = "root"; '
            f'rate = "{SHAPE_MBIT}mbit"; }}, {{ name = "c"; parent = "root"; port = "c"; '
            f'rate = "{SHAPE_MBIT}mbit"; }} ); }};\n{other} = {{ qdisc = "fifo"; }};\n')


# AF_XDP sockets' own counters ------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
SOL_XDP, XDP_STATISTICS, SYS_PIDFD_GETFD = 283, 7, 438
XSK_STATS = ("rx_dropped", "rx_invalid_descs", "tx_invalid_descs", "rx_ring_full",
             "rx_fill_ring_empty_descs", "tx_ring_empty_descs")


def xsk_stats(pid):
    """The kernel's XDP_STATISTICS of process @pid's AF_XDP sockets, summed
    (a duplicate of each socket taken with pidfd_getfd; root)."""
    tot = dict.fromkeys(XSK_STATS, 0)
    pfd = os.pidfd_open(pid)
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if not os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    continue
            except OSError:
                continue
            nfd = _libc.syscall(SYS_PIDFD_GETFD, pfd, int(fd), 0)
            if nfd < 0:
                continue
            buf, ln = ctypes.create_string_buffer(48), ctypes.c_uint32(48)
            if _libc.getsockopt(nfd, SOL_XDP, XDP_STATISTICS, buf, ctypes.byref(ln)) == 0:
                for k, v in zip(XSK_STATS, struct.unpack("6Q", buf.raw)):
                    tot[k] += v
            os.close(nfd)
    finally:
        os.close(pfd)
    return tot


def cpu_pressure():
    """/proc/pressure/cpu's `some` total (us): time some task waited for a CPU."""
    with open("/proc/pressure/cpu") as f:
        return int(f.readline().split("total=")[1])


# Processes -----------------------------------------------------------------

def vqosd(bed, uplink, tree):
    """vqosd with one port c (container socket c.sock), its data lcore on CPU 1."""
    return ovsbed.vqosd(bed, [("c", bed.path("c.sock"), uplink)], tree, lcores="0@0,1@1")


def stop_vqosd(d):
    """SIGTERM, so that the AF_XDP PMD takes its XDP program off the veth."""
    if d.poll() is None:
        d.terminate()
        try:
            d.wait(timeout=20)
        except subprocess.TimeoutExpired:
            d.kill()
            d.wait()


def gen_in(kp, bed, vdev, *opts, log):
    """vqos-gen in KernelPort @kp's namespace (an AF_XDP port on its eth0), CPU 0."""
    argv = bed.gen_argv(vdev, *opts, cpu=0)
    p = kp.spawn(["nice", "-n", str(NICE), *argv], log)
    return p


def gen(bed, vdev, *opts, log):
    return ovsbed.gen(bed, [vdev], *opts, log=log, cpu=0)


def stream(j, gid):
    rx = j["rx"]
    for s in rx["streams"]:
        if s["id"] == gid:
            return s
    return {"packets": 0, "bytes": 0}


CYCLES = ("busy_cycles", "idle_cycles", "stall_cycles", "sleep_cycles")


def lcore_figures(l0, l1, run_s, wall):
    """vqosd's data lcore between two `lcore show` samples @wall s apart:
    packets per CPU-second of its thread (schedstat @run_s), cycles per
    packet over busy passes (vqosctl's figure), over busy and stalled passes
    (a pass over 100 us counts as a stall: at max load through AF_XDP most
    are), and over its run time (TSC rate from the counters' sum / @wall)."""
    pk = l1["packets"] - l0["packets"]
    d = {k: l1[k] - l0[k] for k in CYCLES}
    hz = sum(d.values()) / max(wall, 1e-9)
    # busy passes' packets: `lcore show` gives their cycles per packet since start
    bp = sum(sgn * x["busy_cycles"] / x["cycles_per_packet"] for sgn, x in ((1, l1), (-1, l0))
             if x["cycles_per_packet"] > 0)
    return {"vqosd_pkts": pk, "mpps_per_cpu_s": round(pk / max(run_s, 1e-9) / 1e6, 3),
            "run_s": round(run_s, 4),
            "cpp_busy": round(d["busy_cycles"] / bp, 1) if bp >= 1 else "",
            "cpp_pass": round((d["busy_cycles"] + d["stall_cycles"]) / max(1, pk), 1),
            "cpp_run": round(run_s * hz / max(1, pk), 1),
            "busy_pct": round(100 * (d["busy_cycles"] + d["stall_cycles"]) /
                              max(1, sum(d.values())), 1)}


def xdp_off(kp):
    """No XDP program left on either end of @kp's veth (one a killed
    process left would make the next bind fail)."""
    subprocess.run(["ip", "link", "set", "dev", kp.outer, "xdp", "off"], capture_output=True)
    kp.run(["ip", "link", "set", "dev", "eth0", "xdp", "off"], check=False)


def start_vqosd(bed, kind, kp, tree):
    """vqosd whose uplink is a net_vhost socket (up.sock) or, @kind afxdp,
    net_af_xdp on KernelPort @kp's outer veth end."""
    xdp_off(kp)
    uplink = (f"net_vhost_up,iface={bed.path('up.sock')}" if kind == "vhost"
              else f"net_af_xdp_up,iface={kp.outer}")
    return vqosd(bed, uplink, tree)


def dpdk_run(path, load, a, tag, bed, kp, tree=FIFO, size=SIZE):
    """One run of a DPDK cell: returns a row (dict)."""
    direction, kind = path.split("-")[-2:]
    n0, up_sock = len(bed.procs), bed.path("up.sock")
    d = start_vqosd(bed, kind, kp, tree)
    far = (f"net_virtio_user1,path={up_sock}" if kind == "vhost" else "net_af_xdp1,iface=eth0")
    sink_opts = ("--duration", 600, "--wait-link", 60, "--rate", 0, "--idle-us", 10)
    if direction == "tx":
        k = (gen(bed, far, *sink_opts, log=f"k-{tag}.log") if kind == "vhost"
             else gen_in(kp, bed, far, *sink_opts, log=f"k-{tag}.log"))
        src_vdev, src_in_ns = f"net_virtio_user0,path={bed.path('c.sock')}", False
    else:
        k = gen(bed, f"net_virtio_user0,path={bed.path('c.sock')}", *sink_opts,
                log=f"k-{tag}.log")
        src_vdev, src_in_ns = far, kind == "afxdp"
    if not (direction == "rx" and kind == "vhost"):  # there F is the uplink's peer
        wait_for(lambda: all(p["uplink_up"] for p in bed.ports().values()), 60,
                 "vqosd's uplink")
    time.sleep(1.0)  # K's link
    s_opts = ("--duration", a.seconds, "--linger", 0.5, "--wait-link", 60, "--rate", load,
              "--size", size, "--id", 1)
    s = gen_in(kp, bed, src_vdev, *s_opts, log=f"s-{tag}.log") if src_in_ns else \
        gen(bed, src_vdev, *s_opts, log=f"s-{tag}.log")
    # The window starts with the traffic (an AF_XDP sender's link takes up
    # to seconds to come up, in which vqosd only idles).
    wait_for(lambda: bed.ports()["c"][direction]["offered"] > 0 or s.poll() is not None, 90,
             "the sender's first frames at vqosd")
    th = vqosexp.Thread(d.pid, lcore_tid(d.pid))
    l0, t_l0 = ovsbed.lcore(bed), time.monotonic()
    x0 = xsk_stats(d.pid) if kind == "afxdp" else None
    p0, w0 = cpu_pressure(), time.monotonic()
    th.start()
    shaped = ""
    if path.startswith("shape"):
        time.sleep(0.5)
        shaped = bed._rates(max(0.5, a.seconds - 1.0))["c"][direction]["bps"] / 1e6
    sj = ovsbed.gen_json(s, timeout=a.seconds + 120)
    time.sleep(0.3)
    run_s, wait = th.stop()
    pressure = (cpu_pressure() - p0) / 1e6 / (time.monotonic() - w0)
    l1 = ovsbed.lcore(bed)
    wall = time.monotonic() - t_l0
    x1 = xsk_stats(d.pid) if kind == "afxdp" else None
    ports = bed.ports()["c"]
    kx = xsk_stats(k.pid) if kind == "afxdp" and direction == "tx" else None
    ovsbed.stop(k)
    kj = ovsbed.gen_json(k, timeout=30)
    stop_vqosd(d)
    ovsbed.kill_since(bed, n0)
    got = stream(kj, 1)
    lat = kj["rx"].get("latency_us", {})
    row = {"path": path, "load": load, "bytes": size, "run": tag,
           "sent": sj["tx"]["packets"], "sent_kpps": round(sj["tx"]["pps"] / 1e3, 1),
           "delivered": got["packets"], "vqosd_pkts_total": ports[direction]["packets"],
           "delivered_mbit": round(got["bytes"] * 8 / a.seconds / 1e6, 2),
           "vqosd_mbit": round(ports[direction]["bytes"] * 8 / a.seconds / 1e6, 2),
           "shaped_mbit": round(shaped, 2) if shaped != "" else "",
           **lcore_figures(l0, l1, run_s, wall),
           "wait_pct": round(100 * wait, 2),
           "lat_p50_us": round(lat.get("p50", float("nan")), 1),
           "lat_p99_us": round(lat.get("p99", float("nan")), 1),
           "xsk_tx_invalid": (x1["tx_invalid_descs"] - x0["tx_invalid_descs"]) if x0 else "",
           "xsk_rx_dropped": (x1["rx_dropped"] - x0["rx_dropped"]) if x0 else "",
           "xsk_rx_ring_full": (x1["rx_ring_full"] - x0["rx_ring_full"]) if x0 else "",
           "xsk_fill_empty": (x1["rx_fill_ring_empty_descs"] - x0["rx_fill_ring_empty_descs"])
           if x0 else "",
           "k_xsk_rx_dropped": kx["rx_dropped"] if kx else "",
           "k_xsk_rx_ring_full": kx["rx_ring_full"] if kx else "",
           "cpu_pressure_pct": round(100 * pressure, 1),
           "loadavg": round(os.getloadavg()[0], 2)}
    print("  " + ", ".join(f"{k2}={v}" for k2, v in row.items()), flush=True)
    return row


def kern_run(path, payload, a, tag, bed, kpa, kpb):
    """One run of a kernel cell: iperf3 UDP from netns A to netns B."""
    kind = path.split("-")[1]
    n0, up_sock = len(bed.procs), bed.path("up.sock")
    d = start_vqosd(bed, kind, kpa, FIFO)
    fwds = [kpb.attach(kbridge.virtio_user(bed.path("c.sock")), cpu=0, nice=NICE)]
    if kind == "vhost":
        fwds.append(kpa.attach(kbridge.virtio_user(up_sock), cpu=0, nice=NICE))
    wait_for(lambda: all(p["uplink_up"] for p in bed.ports().values()), 60, "vqosd's uplink")
    time.sleep(1.0)
    srv = kpb.spawn(["iperf3", "-s", "-1", "-J", "--affinity", "0"], f"srv-{tag}.json")
    time.sleep(0.5)
    th = vqosexp.Thread(d.pid, lcore_tid(d.pid))
    l0, t_l0 = ovsbed.lcore(bed), time.monotonic()
    x0 = xsk_stats(d.pid) if kind == "afxdp" else None
    p0, w0 = cpu_pressure(), time.monotonic()
    th.start()
    cli = kpa.spawn(["iperf3", "-c", kpb.ip, "-u", "-b", "0", "-l", str(payload), "-t",
                     str(a.seconds), "-J", "--affinity", "0", "--get-server-output"],
                    f"cli-{tag}.json")
    cli.wait(timeout=a.seconds + 60)
    run_s, wait = th.stop()
    pressure = (cpu_pressure() - p0) / 1e6 / (time.monotonic() - w0)
    l1 = ovsbed.lcore(bed)
    wall = time.monotonic() - t_l0
    x1 = xsk_stats(d.pid) if kind == "afxdp" else None
    srv.wait(timeout=30)
    with open(cli.log) as f:
        text = f.read()  # iperf3 may print a warning before its JSON
    cj = json.loads(text[text.find("{"):])
    if "error" in cj:
        raise RuntimeError(f"iperf3: {cj['error']} (vqosd's xsk: {x1}, port: {bed.ports()['c']})")
    end = cj["end"]
    sent = end["sum"]["packets"] if "packets" in end["sum"] else 0
    sv = cj.get("server_output_json", {}).get("end", {}).get("sum", {})
    for kp in (kpa, kpb):
        if kp.fwd:
            kp.fwd.close()
            kp.fwd = None
    stop_vqosd(d)
    ovsbed.kill_since(bed, n0)
    recv_pk = sv.get("packets", 0) - sv.get("lost_packets", 0)
    row = {"path": path, "load": "iperf3", "bytes": payload + 42, "run": tag,
           "sent": sent, "sent_kpps": round(sent / a.seconds / 1e3, 1),
           "delivered": recv_pk, "vqosd_pkts_total": "",
           "delivered_mbit": round(recv_pk * (payload + 42) * 8 / a.seconds / 1e6, 2),
           "vqosd_mbit": "", "shaped_mbit": "",
           **lcore_figures(l0, l1, run_s, wall), "wait_pct": round(100 * wait, 2),
           "lat_p50_us": "", "lat_p99_us": "",
           "xsk_tx_invalid": (x1["tx_invalid_descs"] - x0["tx_invalid_descs"]) if x0 else "",
           "xsk_rx_dropped": (x1["rx_dropped"] - x0["rx_dropped"]) if x0 else "",
           "xsk_rx_ring_full": (x1["rx_ring_full"] - x0["rx_ring_full"]) if x0 else "",
           "xsk_fill_empty": (x1["rx_fill_ring_empty_descs"] - x0["rx_fill_ring_empty_descs"])
           if x0 else "",
           "cpu_pressure_pct": round(100 * pressure, 1),
           "loadavg": round(os.getloadavg()[0], 2)}
    print("  " + ", ".join(f"{k2}={v}" for k2, v in row.items()), flush=True)
    return row


def attempt(fn, bed, kps, attempts=2):
    for i in range(attempts):
        n = len(bed.procs)
        try:
            return fn(i)
        except (RuntimeError, AssertionError, OSError, ValueError, KeyError,
                subprocess.SubprocessError, json.JSONDecodeError) as e:
            print(f"  attempt {i + 1} failed: {e}", flush=True)
            ovsbed.kill_since(bed, n)
            for kp in kps:
                if kp.fwd:
                    kp.fwd.close()
                    kp.fwd = None
                xdp_off(kp)
    return None


# Output ----------------------------------------------------------------------

def med(rows, key):
    xs = [float(r[key]) for r in rows if r.get(key, "") != "" and r[key] == r[key]]
    return (vqosexp.median(xs), min(xs), max(xs)) if xs else (float("nan"),) * 3


def cell(rows, key, fmt="{:.0f}"):
    m, lo, hi = med(rows, key)
    if m != m:
        return ""
    if len(rows) == 1 or lo == hi:
        return fmt.format(m)
    return f"{fmt.format(m)} ({fmt.format(lo)}-{fmt.format(hi)})"


def groups(rows):
    out = {}
    for r in rows:
        out.setdefault((r["path"], str(r["load"]), int(r["bytes"])), []).append(r)
    return out


def plot(rows):
    g = groups(rows)
    dat = os.path.join(HERE, "plot.dat")
    labels = []
    with open(dat, "w") as f:
        i = 0
        for (path, load, size), rs in g.items():
            if path.startswith("shape"):
                continue
            m, lo, hi = med(rs, "mpps_per_cpu_s")
            c, clo, chi = med(rs, "cpp_pass")
            f.write(f"{i} {m} {lo} {hi} {c} {clo} {chi}\n")
            labels.append(f"{path} {load}" + (f" {size}B" if load == "iperf3" else ""))
            i += 1
    xt = ", ".join(f'"{lab}" {i}' for i, lab in enumerate(labels))
    vqosexp.gnuplot(f"""
set multiplot layout 2,1 title 'vqosd data lcore: AF_XDP against vhost-user uplinks (median, min-max)'
set grid ytics
set xtics ({xt}) rotate by 25 right font ',8'
set xrange [-0.7:{len(labels) - 0.3}]
set style fill solid 0.5
set boxwidth 0.6
set ylabel 'Mpps per CPU-second'
set yrange [0:*]
plot '{dat}' using 1:2 with boxes lc 1 notitle, '' using 1:2:3:4 with yerrorbars lc -1 pt 0 notitle
set ylabel 'cycles/packet (busy+stalled passes)'
set logscale y
set yrange [*:*]
plot '{dat}' using 1:5 with boxes lc 2 notitle, '' using 1:5:6:7 with yerrorbars lc -1 pt 0 notitle
unset multiplot
""", os.path.join(HERE, "plot.png"))
    os.unlink(dat)


def write_readme(a, rows):
    cmd = "python3 results/afxdp/run.py" + (" --quick" if a.quick else "")
    g = groups(rows)
    took = f"; took {a.took / 60:.0f} min" if a.took == a.took else ""
    pres = med(rows, "cpu_pressure_pct")
    lines = ["# AF_XDP against vhost-user", "",
             f"Command: `{cmd}` ({a.runs} run(s) a cell, {a.seconds:g} s of sending, "
             f"{len(rows)} runs{took}).",
             f"Machine: {vqosexp.machine()}. Load while measuring: /proc/pressure/cpu "
             f"`some` {pres[0]:.0f}% of the time (median of the runs, {pres[1]:.0f}-{pres[2]:.0f}%).",
             "", "## Set-up", "",
             "```",
             " tx-vhost  : S --vhost-user--> vqosd --net_vhost uplink--> K",
             " tx-afxdp  : S --vhost-user--> vqosd --net_af_xdp on veth--> [netns] K (net_af_xdp)",
             " rx-vhost  : F --net_vhost uplink--> vqosd --vhost-user--> K",
             " rx-afxdp  : [netns] F (net_af_xdp) --veth, vqosd's net_af_xdp uplink--> vqosd --vhost-user--> K",
             " kern-vhost: [netns A] iperf3 -u --veth--> kbridge (af_packet<->virtio_user) --net_vhost uplink-->",
             "             vqosd --vhost-user--> kbridge --veth--> [netns B] iperf3 -s",
             " kern-afxdp: [netns A] iperf3 -u --veth, vqosd's net_af_xdp uplink--> vqosd --vhost-user-->",
             "             kbridge --veth--> [netns B] iperf3 -s",
             "```", "",
             f"- S, F, K: vqos-gen, {SIZE}-byte frames (vqos-gen's timestamp needs 66), at 100 kpps "
             "and at `--rate max`; K counts S's frames and their latency (TSC stamped by "
             "the sender, read by K: the whole path, the sender's and K's queues included). "
             "In the netns the vqos-gen port is `net_af_xdp1,iface=eth0` on the veth's "
             "inner end; vqosd's uplink `net_af_xdp_up,iface=<outer end>` (a config-file "
             "uplink: vqosd probes any ethdev devargs there; only run-time `port add` is "
             "restricted to net_virtio_user and net_vhost).",
             "- kbridge: tests/integration/kbridge.py (testpmd io, af_packet <-> virtio_user, tx "
             "retry), busy-polling on CPU 0. iperf3 3.x UDP, `-b 0` (as fast as the socket "
             "goes), payload 64 or 1458 bytes (frames 106 / 1500), offloads off on the "
             "veths.",
             "- vqosd: one port, fifo both ways (shape-*: htb "
             f"{SHAPE_MBIT} Mbit/s on the direction named, offered {SHAPE_OFFER} of "
             f"{SHAPE_SIZE}-byte frames); data lcore alone on CPU 1, every other process "
             "on CPU 0, all at nice -20; `--no-huge` everywhere.",
             "- Figures of vqosd's data lcore over the sending window: `Mpps per CPU-s` = "
             "packets it moved / its thread's run time (schedstat: what CPU sharing cannot "
             "bend, counting its idle polls and sleeps' wake-ups); `cycles/pkt` = busy "
             "cycles / packets of busy passes (`vqosctl -j lcore show`), which includes "
             "the AF_XDP PMD's sendto() kick and the kernel work done inside it.",
             "- AF_XDP sockets' own counters over the run: the kernel's XDP_STATISTICS of "
             "vqosd's socket and of K's (read through pidfd_getfd): `rx ring full` = frames "
             "the kernel dropped because the socket's rx ring was full (the reader had not "
             "taken them), `xsk tx invalid` = descriptors the kernel refused.",
             "", "## Results", "",
             "DPDK containers (medians, min-max):", ""]
    hdr = ["cell", "load", "sent kpps", "delivered / sent", "Mpps per CPU-s",
           "cycles/pkt busy passes", "busy+stalled passes", "run time", "lcore busy %",
           "latency p50 µs", "p99 µs", "AF_XDP rx ring full: K's / vqosd's"]
    body = []
    for (path, load, size), rs in g.items():
        if path.startswith("kern") or path.startswith("shape"):
            continue
        ratio = [r["delivered"] / max(1, r["sent"]) for r in rs]
        for r, x in zip(rs, ratio):
            r["_ratio"] = x
        body.append([path, load, cell(rs, "sent_kpps"), cell(rs, "_ratio", "{:.3f}"),
                     cell(rs, "mpps_per_cpu_s", "{:.3f}"), cell(rs, "cpp_busy"),
                     cell(rs, "cpp_pass"), cell(rs, "cpp_run"),
                     cell(rs, "busy_pct", "{:.1f}"), cell(rs, "lat_p50_us"),
                     cell(rs, "lat_p99_us"),
                     " / ".join(cell(rs, k) for k in ("k_xsk_rx_ring_full", "xsk_rx_ring_full")
                                if cell(rs, k))])
    lines += ovsbed.table(hdr, body)
    lines += ["", "Kernel containers (iperf3 UDP, unlimited; medians, min-max):", ""]
    hdr = ["cell", "frame B", "sent kpps", "received kpps", "received Mbit/s",
           "vqosd Mpps per CPU-s", "cycles/pkt busy+stalled passes", "run time",
           "vqosd's AF_XDP rx ring full"]
    body = []
    for (path, load, size), rs in g.items():
        if not path.startswith("kern"):
            continue
        for r in rs:
            r["_rkpps"] = r["delivered"] / a.seconds / 1e3
        body.append([path, size, cell(rs, "sent_kpps"), cell(rs, "_rkpps"),
                     cell(rs, "delivered_mbit", "{:.1f}"), cell(rs, "mpps_per_cpu_s", "{:.3f}"),
                     cell(rs, "cpp_pass"), cell(rs, "cpp_run"), cell(rs, "xsk_rx_ring_full")])
    lines += ovsbed.table(hdr, body)
    lines += ["", f"Shaping: htb {SHAPE_MBIT} Mbit/s on the port, offered {SHAPE_OFFER} "
              f"({SHAPE_SIZE}-byte frames); Mbit/s of frames (medians, min-max):", ""]
    hdr = ["cell", "vqosd's rate in the window, Mbit/s", "of configured", "K got / vqosd sent",
           "xsk tx invalid"]
    body = []
    for (path, load, size), rs in g.items():
        if not path.startswith("shape"):
            continue
        for r in rs:
            r["_ratio"] = r["shaped_mbit"] / SHAPE_MBIT
            r["_got"] = r["delivered"] / max(1, r["vqosd_pkts_total"])
        body.append([path, cell(rs, "shaped_mbit", "{:.2f}"), cell(rs, "_ratio", "{:.4f}"),
                     cell(rs, "_got", "{:.4f}"),
                     cell(rs, "xsk_tx_invalid")])
    lines += ovsbed.table(hdr, body)
    lines += ["", "Every run is in results.csv; the command's output in run.log.", "",
              "![plot](plot.png)", "", "## Answer", "", "@FINDINGS@", ""]
    ovsbed.write_readme(os.path.join(HERE, "README.md"), lines)


def measure(a):
    rows = []
    bed = Bed("afxdp")
    kpx = kpa = kpb = None
    try:
        kpx = kbridge.KernelPort(bed, "x", "10.78.0.9/24")
        for r in range(a.runs):
            for path in a.paths:
                if path in DPDK_PATHS:
                    for load in LOADS:
                        print(f"{path} {load}, run {r + 1}/{a.runs}", flush=True)
                        row = attempt(lambda i, p=path, ld=load: dpdk_run(
                            p, ld, a, f"{p}-{ld}-{r}-{i}", bed, kpx), bed, [kpx])
                        if row:
                            rows.append(row)
                    sp = "shape-" + path
                    print(f"{sp}, run {r + 1}/{a.runs}", flush=True)
                    row = attempt(lambda i, p=path: dpdk_run(
                        "shape-" + p, SHAPE_OFFER, a, f"shape-{p}-{r}-{i}", bed, kpx,
                        tree=htb(p.split("-")[0]), size=SHAPE_SIZE), bed, [kpx])
                    if row:
                        rows.append(row)
        kpx.close()
        kern = [p for p in a.paths if p in KERN_PATHS]
        if kern:
            kpa = kbridge.KernelPort(bed, "a", "10.78.1.1/24")
            kpb = kbridge.KernelPort(bed, "b", "10.78.1.2/24")
            kpa.neigh(kpb)
            kpb.neigh(kpa)
            for r in range(a.runs):
                for path in kern:
                    for pl in PAYLOADS:
                        print(f"{path} {pl} B payload, run {r + 1}/{a.runs}", flush=True)
                        row = attempt(lambda i, p=path, pl=pl: kern_run(
                            p, pl, a, f"{p}-{pl}-{r}-{i}", bed, kpa, kpb), bed, [kpa, kpb])
                        if row:
                            rows.append(row)
    finally:
        for kp in (kpx, kpa, kpb):
            if kp:
                kp.close()
        bed.close()
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--paths", help="cells, comma-separated: " + ",".join(DPDK_PATHS + KERN_PATHS))
    ap.add_argument("--quick", action="store_true", help="1 run of each cell, 2 s")
    ap.add_argument("--from-csv", action="store_true",
                    help="no runs: rebuild plot.png and README.md from results.csv")
    a = ap.parse_args()
    a.paths = a.paths.split(",") if a.paths else DPDK_PATHS + KERN_PATHS
    for p in a.paths:
        if p not in DPDK_PATHS + KERN_PATHS:
            ap.error(f"--paths: unknown cell '{p}'")
    if a.quick:
        a.runs, a.seconds = 1, 2.0
    if os.geteuid() != 0:
        sys.exit("run.py needs root (network namespaces, veths, AF_XDP sockets)")
    if a.from_csv:
        import csv
        with open(os.path.join(HERE, "results.csv")) as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            for k, v in r.items():
                try:
                    r[k] = int(v)
                except ValueError:
                    try:
                        r[k] = float(v)
                    except ValueError:
                        pass
        a.took = float("nan")
        finish(a, rows)
        return
    t0 = time.monotonic()
    sys.stdout = vqosexp.Tee(sys.stdout, os.path.join(HERE, "run.log"))
    vqosexp.setup()
    ovsbed.cleanup_on_signals()
    with open(INTEGRATION_LOCK, "w") as ilk:
        fcntl.flock(ilk, fcntl.LOCK_EX)
        with vqosexp.measure_lock():
            rows = measure(a)
    a.took = time.monotonic() - t0
    finish(a, rows)


def finish(a, rows):
    if not rows:
        sys.exit("no run succeeded")
    keys = [k for k in dict.fromkeys(k for r in rows for k in r) if not k.startswith("_")]
    vqosexp.write_csv(os.path.join(HERE, "results.csv"), keys,
                      [[r.get(k, "") for k in keys] for r in rows])
    plot(rows)
    write_readme(a, rows)
    print(f"wrote {HERE}/results.csv, plot.png, README.md")


if __name__ == "__main__":
    main()
