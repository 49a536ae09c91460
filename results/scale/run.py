#!/usr/bin/env python3
"""Scale: 1 .. 256 containers on one vqosd data-path lcore.

    python3 results/scale/run.py [--runs 3] [--seconds 5] [--counts 1,16,64,256]
                                 [--shared-uplink] [--total 200mbit] [--size 256]

Rewrites results/scale/{results.csv,runs.csv,plot.png,README.md} and the
vqosd configurations under configs/. For every container count N it runs two
kinds of run, each --runs times (figures are medians):

  shaped  every container has a leaf class with rate C/2 and ceil C, where
          C = --total / N (root rate 4 x --total: it never limits), and offers 2 C (--size-byte
          frames): each must get exactly its ceil. Accuracy is the delivered
          tx rate of each container against C.
  max     the default htb tree, which never shapes (every class 100gbit);
          every container sends --max-size-byte frames as fast as it can: the
          total through the hop.

vqosd's data-path lcore runs alone on CPU 1 (--lcores 0@0,1@1); its control
lcore and all containers (vqos-gen processes, up to --per-gen virtual
containers each, since a DPDK process has at most 32 ethdevs) run on CPU 0.
Uplinks are net_null (a sink that takes everything and costs nothing). With a
per-port uplink every port has its own net_null ethdev, which caps vqosd at 32
ports; a shared uplink (all ports give the same `uplink` devargs, each its own
`mac`) is one ethdev for all of them, and is what 64 and 256 containers need.
Rates are vqosd's own per-port counters over a --seconds window taken after a
warm-up (Bed.rates(): a window in which the data lcore lost its CPU is taken
again); the generators' own tx figures are kept as a cross-check. Memory is
vqosd's /proc/PID/status (VmRSS, RssAnon, RssShmem) before the containers
connect and while they send, and DPDK's malloc heap (telemetry
/eal/heap_info) in use. vqosd runs without hugepages, so all its memory is in
VmRSS.
"""
import argparse
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "results", "lib"))
import vqosexp  # noqa: E402  (sets VQOS_BUILD before vqostest reads it)
import vqostest  # noqa: E402
from vqostest import Bed, Failure, wait_for  # noqa: E402

ALL_CPUS = os.sched_getaffinity(0)
MAX_ETHPORTS = 32  # RTE_MAX_ETHPORTS of Debian's DPDK 22.11

FIELDS = ["kind", "containers", "uplink", "run", "total_mpps", "total_mbit", "offered_mbit",
          "gen_tx_mbit", "ceil_mbit", "ratio_mean", "ratio_min", "ratio_max", "err_max_pct",
          "err_mean_pct", "spread_pct", "lcore_busy_pct", "lcore_stall_pct", "cpu_lost_pct", "rss_idle_mb", "rss_mb",
          "rss_added_mb", "rss_anon_mb", "rss_shmem_mb", "heap_alloc_mb", "eal_m"]


def shared_uplinks_supported():
    """Whether vqosd's config has the per-port `mac` key that shared uplinks
    demultiplex by (conf/conf.c's table of port keys)."""
    with open(os.path.join(ROOT, "conf", "conf.c")) as f:
        return re.search(r'\{\s*"mac"\s*,', f.read()) is not None


def parse_bits(text):
    t = text.lower()
    for unit, mul in (("gbit", 1e9), ("mbit", 1e6), ("kbit", 1e3), ("bit", 1.0)):
        if t.endswith(unit):
            return float(t[: -len(unit)]) * mul
    raise ValueError(f"{text}: give a bit rate (bit, kbit, mbit, gbit)")


def eal_mb(n):
    # 2048 mbufs a port (daemon/main.c) of ~2.4 KB and the rest: the heap in
    # use grows ~8 MB a port.
    return 384 + 10 * n


def write_conf(bed, n, shared, with_mac, tree):
    conf = bed.path("vqosd.conf")
    bed.vqosd_prefix = bed.prefix("vqosd")
    bed.ctl_sock = bed.path("ctl.sock")
    eal = ["--no-huge", "-m", str(eal_mb(n)), "--file-prefix", bed.vqosd_prefix,
           "--lcores", "0@0,1@1", "--no-pci", "--log-level", "*:notice"]
    lines = ["eal = [ %s ];" % ", ".join(json.dumps(a) for a in eal),
             'control = { socket = "%s"; };' % bed.ctl_sock, "ports = ("]
    ports = []
    for i in range(n):
        uplink = "net_null0,no-rx=1" if shared else f"net_null{i},no-rx=1"
        mac = f' mac = "{vqosexp.container_mac(i + 1)}";' if with_mac else ""
        ports.append(f'  {{ name = "c{i}"; socket = "{bed.path(f"c{i}.sock")}"; '
                     f'uplink = "{uplink}";{mac} }}')
    lines += [",\n".join(ports), ");", tree]
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    return conf


def shaped_tree(n, total_bps):
    c = total_bps / n
    # the root never limits (4x the ceils, twice what is offered): each
    # container's own ceil is the only limit
    cls = [f'{{ name = "root"; rate = "{int(4 * total_bps)}bit"; }}'] + [
        f'{{ name = "c{i}"; parent = "root"; port = "c{i}"; rate = "{int(c / 2)}bit"; '
        f'ceil = "{int(c)}bit"; }}' for i in range(n)]
    return 'tx = { qdisc = "htb"; classes = (\n  ' + ",\n  ".join(cls) + "\n); };"


def save_config(bed, kind, n, uplink):
    os.makedirs(os.path.join(HERE, "configs"), exist_ok=True)
    with open(bed.path("vqosd.conf")) as f:
        text = f.read().replace(bed.dir, "$DIR").replace(bed.vqosd_prefix, "PREFIX")
    with open(os.path.join(HERE, "configs", f"{kind}-{n}-{uplink}.conf"), "w") as f:
        f.write(f"# vqosd's configuration of results/scale/run.py: {kind}, {n} containers, "
                f"{uplink} uplink\n# ($DIR is the run's temporary directory)\n" + text)


def status_kb(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssShmem", "RssFile"):
                out[k] = int(v.split()[0])
    return out


def heap_alloc_bytes(prefix):
    """Bytes in use in DPDK's malloc heap 0 of the process with @prefix, from
    its telemetry socket; None when it cannot be read."""
    path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(5)
        s.connect(path)
        s.recv(16384)
        s.send(b"/eal/heap_info,0")
        r = json.loads(s.recv(1 << 16).decode())
        s.close()
        return int(r["/eal/heap_info"]["Alloc_size"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def start_gens(bed, n, per_gen, opts):
    """vqos-gen processes for containers 0..n-1, at most @per_gen each, all on CPU 0."""
    gens = []
    for g in range(math.ceil(n / per_gen)):
        ids = range(g * per_gen, min(n, (g + 1) * per_gen))
        vdevs = []
        for i in ids:
            vdevs += ["--vdev", f"net_virtio_user{i},path={bed.path(f'c{i}.sock')},"
                      f"queue_size=256,mac={vqosexp.container_mac(i + 1)}"]
        # taskset: EAL's own threads too (they would go to CPU 1 otherwise)
        argv = ["taskset", "-c", "0", vqostest.VQOS_GEN, "--no-huge", "-m", str(256 + 24 * len(ids)),
                "--file-prefix", bed.prefix(f"gen{g}"), "--lcores", "0@0", "--no-pci",
                "--log-level", "*:warning", *vdevs, "--", "--quiet", "--wait-link", "90",
                "--duration", "600", "--linger", "0.2", *[str(o) for o in opts]]
        gens.append(bed.spawn(argv, f"gen{g}.log"))
    return gens


def stop_gens(bed, gens):
    for p in gens:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    out = []
    for p in gens:
        try:
            out.append(bed.gen_result(p, timeout=60))
        except Exception as e:  # noqa: BLE001 -- a cross-check, not the figure
            print(f"  (no report from {os.path.basename(p.log)}: {e})")
            out.append(None)
    return out


def gen_tx_bps(reports):
    tot = 0.0
    for r in reports:
        if r is None:
            return None
        tot += r["total"]["tx"]["bps"] if "total" in r else r["tx"]["bps"]
    return tot


def slow_wait(cond, timeout, what):
    end = time.time() + timeout
    while not cond():
        if time.time() > end:
            raise Failure(f"timed out after {timeout}s waiting for {what}")
        time.sleep(1.0)


def one_run(kind, n, shared, a, run, with_mac):
    uplink = "shared" if shared else "per-port"
    bed = Bed(f"scale-{kind}-{n}")
    try:
        total = parse_bits(a.total)
        tree = shaped_tree(n, total) if kind == "shaped" else 'tx = { qdisc = "htb"; };'
        conf = write_conf(bed, n, shared, with_mac, tree)
        if run == 1:
            save_config(bed, kind, n, uplink)
        # vqosd places its own lcores (CPU 0 and 1); this script stays on CPU 0
        os.sched_setaffinity(0, ALL_CPUS)
        try:
            d = bed.spawn([vqostest.VQOSD, "-c", conf], "vqosd.log")
        finally:
            os.sched_setaffinity(0, {0})
        wait_for(lambda: os.path.exists(bed.ctl_sock) or d.poll() is not None, 120,
                 "vqosd control socket")
        if d.poll() is not None:
            raise Failure(f"vqosd exited {d.returncode}")
        time.sleep(0.5)
        idle = status_kb(d.pid)
        if kind == "shaped":
            opts = ["--size", a.size, "--rate", f"{int(2 * total / n)}bit"]
        else:
            opts = ["--size", a.max_size, "--rate", "max"]
        gens = start_gens(bed, n, a.per_gen, opts)
        # slow polls: `port show` of hundreds of ports costs vqosd's control
        # lcore, which shares CPU 0 with the containers
        slow_wait(lambda: all(p["connected"] for p in bed.ports().values())
                  or any(g.poll() is not None for g in gens), 180, "every container connected")
        if any(g.poll() is not None for g in gens):
            raise Failure("a vqos-gen exited before its containers connected")
        slow_wait(lambda: all(p["tx"]["packets"] > 0 for p in bed.ports().values())
                  or any(g.poll() is not None for g in gens), 60, "traffic from every container")
        if any(g.poll() is not None for g in gens):
            raise Failure("a vqos-gen exited before every container sent")
        time.sleep(a.warmup)
        worker = vqostest.lcore_tid(d.pid)
        for attempt in range(3):
            # Bed.rates()'s rule, but the CPU the lcore lost is the kernel's
            # figure (its time waiting on a run queue): vqosd's stall_cycles
            # also count passes over 100 us, which hundreds of ports make
            # without losing the CPU.
            l0, w0, t0 = bed.lcore(), vqostest.schedstat(d.pid, worker)[1], time.monotonic()
            r = bed._rates(a.seconds)
            l1, w1, t1 = bed.lcore(), vqostest.schedstat(d.pid, worker)[1], time.monotonic()
            lost = (w1 - w0) / 1e9 / (t1 - t0)
            if lost <= 0.01:
                break
            print(f"  (window {attempt + 1}: vqosd's data lcore waited for its CPU "
                  f"{100 * lost:.1f}% of the time; measuring again)")
        mem = status_kb(d.pid)
        heap = heap_alloc_bytes(bed.vqosd_prefix)
        reports = stop_gens(bed, gens)
        try:
            bed.stop_vqosd(d)
        except Failure as e:
            print(f"  !! vqosd did not stop cleanly: {e}")
        dc = {k: l1[k] - l0[k] for k in ("busy_cycles", "idle_cycles", "stall_cycles")}
        busy = 100.0 * dc["busy_cycles"] / max(1, sum(dc.values()))
        stall = 100.0 * dc["stall_cycles"] / max(1, sum(dc.values()))
        busy += stall  # long passes are work too (this is what vqosctl bottleneck does)
        pps = sum(v["tx"]["pps"] for v in r.values())
        bps = sum(v["tx"]["bps"] for v in r.values())
        gbps = gen_tx_bps(reports)
        row = {"kind": kind, "containers": n, "uplink": uplink, "run": run,
               "total_mpps": round(pps / 1e6, 4), "total_mbit": round(bps / 1e6, 2),
               "gen_tx_mbit": round(gbps / 1e6, 2) if gbps is not None else "",
               "lcore_busy_pct": round(busy, 1), "lcore_stall_pct": round(stall, 1),
               "cpu_lost_pct": round(100 * lost, 2),
               "rss_idle_mb": round(idle["VmRSS"] / 1024, 1),
               "rss_mb": round(mem["VmRSS"] / 1024, 1),
               "rss_anon_mb": round(mem["RssAnon"] / 1024, 1),
               "rss_shmem_mb": round(mem["RssShmem"] / 1024, 1),
               "heap_alloc_mb": round(heap / 2**20, 1) if heap is not None else "",
               "rss_added_mb": round((mem["VmRSS"] - idle["VmRSS"]) / 1024, 1),
               "eal_m": eal_mb(n)}
        if kind == "shaped":
            c = total / n
            ratios = [v["tx"]["bps"] / c for v in r.values()]
            order = sorted(r, key=lambda k: r[k]["tx"]["bps"])
            print("  delivered/ceil, lowest: " + ", ".join(
                f"{k} {r[k]['tx']['bps'] / c:.4f}" for k in order[:3]) + "; highest: " + ", ".join(
                f"{k} {r[k]['tx']['bps'] / c:.4f}" for k in order[-3:]))
            row.update({"offered_mbit": round(2 * total / 1e6, 1),
                        "ceil_mbit": round(c / 1e6, 4),
                        "ratio_mean": round(sum(ratios) / n, 4),
                        "ratio_min": round(min(ratios), 4), "ratio_max": round(max(ratios), 4),
                        "err_max_pct": round(100 * max(abs(x - 1) for x in ratios), 2),
                        "err_mean_pct": round(100 * (sum(ratios) / n - 1), 2),
                        "spread_pct": round(100 * (max(ratios) - min(ratios)), 2)})
        else:
            shares = [v["tx"]["pps"] for v in r.values()]
            mean = sum(shares) / n
            row.update({"offered_mbit": "max", "ceil_mbit": "", "ratio_mean": "",
                        "ratio_min": round(min(shares) / mean, 4) if mean else "",
                        "ratio_max": round(max(shares) / mean, 4) if mean else "",
                        "err_max_pct": "", "err_mean_pct": "",
                        "spread_pct": round(100 * (max(shares) - min(shares)) / mean, 2)
                        if mean else ""})
        print(f"  {kind} n={n} {uplink} run {run}: {row['total_mpps']} Mpps "
              f"{row['total_mbit']} Mbit/s, err max {row['err_max_pct']}%, spread "
              f"{row['spread_pct']}%, lcore busy {row['lcore_busy_pct']}% (passes > 100 us {row['lcore_stall_pct']}%), CPU lost {row['cpu_lost_pct']}%, RSS "
              f"{row['rss_idle_mb']} -> {row['rss_mb']} MB, "
              f"heap {row['heap_alloc_mb']} MB", flush=True)
        return row
    except Exception:
        bed.dump_logs()
        raise
    finally:
        bed.close()


def measured_run(kind, n, shared, a, run, with_mac, attempts=8):
    """one_run() (the caller holds the measure lock), when CPU 1 is free of other busy
    pollers (a process that ignores the lock, e.g. an OVS PMD thread left
    running, would take vqosd's lcore's CPU); a run whose window still lost
    over 2% of the lcore's CPU is run again (up to @attempts times; then the
    attempt that lost the least is kept)."""
    row, best = None, None
    for attempt in range(attempts):
        busy = vqosexp.cpu_busy(1, 1.0)
        if busy < 0.3:
            row = one_run(kind, n, shared, a, run, with_mac)
            if best is None or row["cpu_lost_pct"] < best["cpu_lost_pct"]:
                best = row
            if row["cpu_lost_pct"] <= 2.0:
                return row
        print(f"  CPU 1 is not free (busy {100 * busy:.0f}% before the run"
              + (f", vqosd's lcore lost {row['cpu_lost_pct']}% of its CPU" if row else "")
              + "); trying again in 15 s", flush=True)
        time.sleep(15)
    if best is not None:
        return best  # of all attempts, the one whose lcore lost the least CPU
    if row is None:
        raise RuntimeError("CPU 1 never became free: another process busy-polls it "
                           f"(pgrep -a 'ovs|dpdk|vqos'); {kind} n={n} not measured")
    return row


def median_row(rows):
    out = dict(rows[0])
    out["run"] = f"median of {len(rows)}"
    for k in FIELDS:
        vals = [r[k] for r in rows if isinstance(r.get(k), (int, float)) and k != "containers"]
        if vals and len(vals) == len(rows) and k not in ("run", "eal_m"):
            m = vqosexp.median(vals)
            out[k] = round(m, 4)
    return out


def plot(med):
    d = tempfile.mkdtemp(prefix="vqos-scale-plot-")
    try:
        have = {}
        for kind in ("shaped", "max"):
            rs = [r for r in med if r["kind"] == kind]
            have[kind] = bool(rs)
            with open(f"{d}/{kind}.dat", "w") as f:
                for r in rs:
                    f.write(f"{r['containers']} {r['total_mpps']} {r['total_mbit']} "
                            f"{r['err_max_pct'] or 0} {r['err_mean_pct'] or 0} "
                            f"{r['spread_pct'] or 0} {r['lcore_busy_pct']}\n")
        left = []
        if have["max"]:
            left.append(f"'{d}/max.dat' u 1:2 w lp lw 2 pt 7 t 'max run (never shapes): Mpps'")
        if have["shaped"]:
            left.append(f"'{d}/shaped.dat' u 1:3 axes x1y2 w lp lw 2 pt 5 "
                        "t 'shaped run: Mbit/s (right axis)'")
        right = [f"'{d}/shaped.dat' u 1:4 w lp lw 2 pt 7 t 'largest |error| of a container'",
                 f"'{d}/shaped.dat' u 1:5 w lp lw 2 pt 5 t 'mean error'",
                 f"'{d}/shaped.dat' u 1:6 w lp lw 2 pt 9 t 'spread (max - min)'"]
        script = f"""
set multiplot layout 1,2 title 'vqosd, one data-path lcore on CPU 1, containers on CPU 0 (medians)'
set logscale x 2
set xlabel 'containers'
set xrange [0.7:370]
set key top left
set grid
set title 'throughput through the hop'
set ylabel 'Mpps'
set y2label 'Mbit/s'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set key bottom right
plot {", ".join(left)}
unset y2tics
unset y2label
set title 'accuracy: delivered / ceil - 1 (each container offers 2x ceil)'
set ylabel '%'
set yrange [*:*]
set key top left
"""
        script += (f"plot {', '.join(right)}\n" if have["shaped"] else
                   "set label 1 'no shaped run' at graph 0.4,0.5\nplot 0 notitle\n")
        script += "unset multiplot\n"
        vqosexp.gnuplot(script, os.path.join(HERE, "plot.png"))
    finally:
        subprocess.run(["rm", "-rf", d])


def num(x):
    return isinstance(x, (int, float))


def reading(a, med, all_rows):
    """What the figures say, worked out from them (so a rerun keeps it true)."""
    out = []
    sh = [r for r in med if r["kind"] == "shaped"]
    mx = [r for r in med if r["kind"] == "max"]
    if sh:
        out.append("- `gen tx` is above the delivered rate in shaped runs by what the "
                   "containers' vrings (256 frames each) took before vqosd shaped them, "
                   "spread over the generators' whole sending time; it grows with the number "
                   "of vrings. vqosd's window counters are the figure.")
        worst = max(sh, key=lambda r: r["err_max_pct"])
        out.append(
            f"- Accuracy: with every container offering twice its ceil, the container "
            f"furthest from its ceil was {worst['err_max_pct']}% off at {worst['containers']} "
            "containers (the worst median); by count: " + "; ".join(
                f"{r['containers']}: largest |error| {r['err_max_pct']}%, mean {r['err_mean_pct']}%,"
                f" spread {r['spread_pct']}%" for r in sh) + ". The total delivered stays at "
            + ", ".join(f"{r['total_mbit']}" for r in sh) + f" Mbit/s against the {a.total} "
            "that the ceils add up to.")
        busy = ", ".join(f"{r['lcore_busy_pct']}%" for r in sh)
        out.append(f"- At these rates the data lcore is nearly idle (busy {busy} of its "
                   "cycles): the shaped runs measure the scheduler's accuracy, not its "
                   "capacity.")
    if mx:
        gen_bound = [r for r in mx if r["lcore_busy_pct"] < 80]
        vq_bound = [r for r in mx if r["lcore_busy_pct"] >= 90]
        mid = [r for r in mx if 80 <= r["lcore_busy_pct"] < 90]
        if mid:
            out.append("- At " + ", ".join(str(r["containers"]) for r in mid) + " containers "
                       "the data lcore is busy " + ", ".join(f"{r['lcore_busy_pct']}%" for r in mid)
                       + ": close to its limit, but the generators may still be what stops "
                       "the total.")
        for r in mx:
            runs = [x["total_mpps"] for x in all_rows if x["kind"] == "max"
                    and x["containers"] == r["containers"]]
            if runs and min(runs) > 0 and max(runs) / min(runs) > 1.5:
                out.append(f"- The max runs of {r['containers']} containers are bimodal: "
                           + ", ".join(f"{x}" for x in runs) + " Mpps, the same two bands (about 7 and 15-20 Mpps) that "
                           "results/datapath sees between runs of one configuration on this "
                           "machine; the median hides it, so do not read a trend across "
                           "counts into differences smaller than that.")
        if vq_bound:
            out.append("- Where the data lcore is busy (>= 90% of its cycles moving packets "
                       "or in long passes: " + ", ".join(str(r["containers"]) for r in vq_bound)
                       + " containers) the total is about what one vqosd lcore carries at "
                       "that count, with the generators sharing CPU 0.")
        out.append("- Max runs: " + "; ".join(
            f"{r['containers']} containers {r['total_mpps']} Mpps ({r['total_mbit']} Mbit/s), "
            f"lcore busy {r['lcore_busy_pct']}%, pps spread {r['spread_pct']}%" for r in mx) + ".")
        if gen_bound:
            out.append(
                "- Where the data lcore is busy well under 100% ("
                + ", ".join(str(r["containers"]) for r in gen_bound)
                + " containers), the total is what the generators on CPU 0 could offer, "
                "not what vqosd can carry: all containers share one CPU (with vqosd's "
                "control lcore), and the more processes there are the more of it goes to "
                "switching between them. These figures are a lower bound on vqosd's "
                "capacity at that count; results/datapath measures one lcore against "
                "testpmd with one generator process.")
    long_pass = [r for r in med if num(r["lcore_stall_pct"]) and r["lcore_stall_pct"] > 5
                 and num(r["cpu_lost_pct"]) and r["cpu_lost_pct"] < 2]
    if long_pass:
        out.append(
            "- vqosd counts a data-path pass that took over 100 us as `stall_cycles` (lost "
            "CPU). With many ports such passes are work: " + "; ".join(
                f"{r['kind']} {r['containers']}: {r['lcore_stall_pct']}% of cycles in passes "
                f"over 100 us, while the kernel's run-queue wait says the lcore lost "
                f"{r['cpu_lost_pct']}% of its CPU" for r in long_pass)
            + ". This script counts them as busy and judges lost CPU by "
            "/proc/.../schedstat instead; Bed.rates() and `vqosctl bottleneck` (which "
            "re-measure or blame the CPU on stall_cycles) would misread such a lcore.")
    ms = [r for r in med if r["kind"] == (sh and "shaped" or "max")]
    if len(ms) >= 2 and ms[-1]["containers"] > ms[0]["containers"]:
        lo, hi = ms[0], ms[-1]
        dn = hi["containers"] - lo["containers"]
        per_idle = (hi["rss_idle_mb"] - lo["rss_idle_mb"]) / dn * 1024
        per = (hi["rss_mb"] - lo["rss_mb"]) / dn * 1024
        heap = ((hi["heap_alloc_mb"] - lo["heap_alloc_mb"]) / dn * 1024
                if num(hi["heap_alloc_mb"]) and num(lo["heap_alloc_mb"]) else None)
        out.append(
            f"- Memory: from {lo['containers']} to {hi['containers']} containers vqosd's RSS "
            f"grows by {per_idle:.0f} KB a container before any container connects and "
            f"{per:.0f} KB a container while they send"
            + (f"; DPDK's heap by {heap:.0f} KB a container" if heap is not None else "")
            + ". It is all taken when a port opens: its uplink's mbuf pool, sized for "
            "the most its ports can hold (vhost_tx/port.c PORT_MBUFS, ~5,300 mbufs a "
            "port of ~2.4 KB each with headroom and data room), and the rest of DPDK's "
            "heap; what the "
            "connected containers add (`RSS added`) is vhost-user's per-device state "
            "and the pages of the containers' shared memory that vqosd touched (their "
            "vrings and the mbufs it copied from).")
    return "\n".join(out)


def write_readme(a, med, rows, skipped, cmd, tree_desc):
    total_mbit = parse_bits(a.total) / 1e6
    L = []
    L.append("# Scale: 1 to 256 containers on one vqosd data-path lcore\n")
    L.append(f"Machine: {vqosexp.machine()}. Built from {tree_desc} by "
             "vqosexp.setup() (Release, build-results/).\n")
    L.append(f"Command: `{cmd}`; every figure is the median of {a.runs} runs "
             "(every run is in runs.csv, the medians in results.csv). Written by "
             "results/scale/run.py; its docstring has the same set-up.\n")
    L.append("## Set-up\n")
    L.append(
        "- vqosd: one data-path lcore alone on CPU 1 (`--lcores 0@0,1@1`), its control "
        "lcore on CPU 0, no hugepages (`--no-huge -m` 384 + 10 MB a container). One port "
        "per container, tx direction only (containers send, nothing comes back). The "
        "configurations as run are in configs/.\n"
        f"- Containers: vqos-gen processes with up to {a.per_gen} virtual containers each "
        "(one virtio_user ethdev each; a DPDK process has at most 32 ethdevs), all on "
        "CPU 0 (`taskset -c 0`, EAL threads included); container i has MAC 02:00:00:00:XX:YY = i + 1.\n"
        "- Uplinks: net_null (takes everything, costs nothing). *per-port*: every port its "
        "own net_null ethdev (so at most 32 ports); *shared*: every port the same `uplink` "
        "devargs, one ethdev for all, each port with its container's `mac`.\n"
        f"- **shaped**: htb, root rate 4 x {a.total} (never the limit); container i's leaf has rate C/2 and ceil "
        f"C = {a.total} / N and every container offers 2 C ({2 * total_mbit:g} Mbit/s "
        f"offered in all) of {a.size}-byte frames, so each must get its ceil (by borrowing "
        "from the root). Accuracy is container i's delivered tx bit rate (vqosd's counter "
        "of what the uplink took) / C: `err max` is the largest |ratio - 1| over the "
        "containers, `mean err` the mean ratio - 1, `spread` max ratio - min ratio.\n"
        "- **max**: the default htb tree (every class 100gbit: never shapes, one queue a "
        f"port); every container sends {a.max_size}-byte frames as fast as it can "
        "(`--rate max`). `spread` is (max - min) / mean of the containers' pps.\n"
        f"- Window: {a.warmup:g} s after every container delivered its first frame, then "
        f"{a.seconds:g} s of vqosd's own per-port counters (a window in which vqosd's data "
        "lcore waited for its CPU > 1% of the time is measured again, up to 3 times; a run is "
        "started only when CPU 1 is idle, and run again when its window still lost > 2%). "
        "`busy` is the data lcore's share of cycles in passes that moved packets or took "
        "over 100 us (`vqosctl lcore show`: busy_cycles + stall_cycles); whether the lcore "
        "lost its CPU is judged by the kernel's run-queue wait of its thread "
        "(/proc/PID/task/TID/schedstat), not by stall_cycles, which also counts long passes. "
        "`gen tx` is what the generators' vrings accepted over their whole sending "
        "time, a cross-check.\n"
        "- Memory: vqosd's VmRSS (/proc/PID/status) once it is up, before any container "
        "connects (`RSS idle`), and during the window (`RSS`); `added` = RSS - RSS idle; "
        "`heap` = DPDK malloc heap in use (telemetry /eal/heap_info). Without hugepages "
        "all of vqosd's memory is in VmRSS (RssAnon and RssShmem are in the CSVs; DPDK's "
        "--no-huge memory is shared memory, so it shows as RssShmem).\n")
    L.append("## Results (medians)\n")
    L.append("| kind | containers | uplink | Mpps | Mbit/s | gen tx Mbit/s | ceil C Mbit/s "
             "| delivered/C mean | min | max | err max % | spread % | busy % "
             "| RSS idle MB | RSS MB | added MB | heap MB |")
    L.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:"
             "|---:|---:|")
    for r in med:
        L.append(f"| {r['kind']} | {r['containers']} | {r['uplink']} | {r['total_mpps']} | "
                 f"{r['total_mbit']} | {r['gen_tx_mbit']} | {r['ceil_mbit']} | "
                 f"{r['ratio_mean']} | {r['ratio_min']} | {r['ratio_max']} | "
                 f"{r['err_max_pct']} | {r['spread_pct']} | {r['lcore_busy_pct']} | "
                 f"{r['rss_idle_mb']} | {r['rss_mb']} | {r['rss_added_mb']} | "
                 f"{r['heap_alloc_mb']} |")
    L.append("")
    L.append("(For max rows, min and max are the lowest and highest container's pps / "
             "the mean.)\n")
    L.append("![throughput and accuracy against the number of containers](plot.png)\n")
    L.append("## Reading\n")
    L.append(reading(a, med, rows) + "\n")
    if skipped:
        L.append("## Not measured\n")
        L += [f"- {x}" for x in skipped]
        L.append("")
    L.append("## Every run\n")
    L.append("(Attempts that were run again because vqosd's lcore lost over 2% of its CPU "
             "are not listed; the script prints them as it goes.)\n")
    L.append("```")
    for r in rows:
        L.append(f"{r['kind']:6s} n={r['containers']:3d} {r['uplink']:8s} run {r['run']}: "
                 f"{r['total_mpps']} Mpps {r['total_mbit']} Mbit/s, err max {r['err_max_pct']}%"
                 f", spread {r['spread_pct']}%, busy {r['lcore_busy_pct']}% (passes > 100 us "
                 f"{r['lcore_stall_pct']}%), CPU lost {r.get('cpu_lost_pct', '')}%, "
                 f"RSS {r['rss_idle_mb']} -> {r['rss_mb']} MB")
    L.append("```\n")
    with open(os.path.join(HERE, "README.md"), "w") as f:
        f.write("\n".join(L))


def describe_tree():
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return f"commit {head}" + (" plus uncommitted edits in the working tree" if dirty else "")


def from_runs(a):
    """Medians, plot and README again from the runs of runs.csv; the command
    and the tree they were made from are taken from the README they wrote."""
    def val(v):
        for t in (int, float):
            try:
                return t(v)
            except ValueError:
                pass
        return v
    import csv
    with open(os.path.join(HERE, "runs.csv")) as f:
        rows = [{k: val(v) for k, v in r.items()} for r in csv.DictReader(f)]
    with open(os.path.join(HERE, "README.md")) as f:
        text = f.read()
    cmd = re.search(r"Command: `([^`]*)`", text).group(1)
    tree = re.search(r"Built from (.*?) by\s", text, re.S).group(1).replace("\n", " ")
    groups = {}
    for r in rows:
        groups.setdefault((r["kind"], r["containers"], r["uplink"]), []).append(r)
    kinds = a.kinds.split(",")
    med = sorted((median_row(g) for g in groups.values()),
                 key=lambda r: (kinds.index(r["kind"]), r["containers"]))
    vqosexp.write_csv(os.path.join(HERE, "results.csv"), FIELDS,
                      [[r.get(k, "") for k in FIELDS] for r in med])
    plot(med)
    write_readme(a, med, rows, [], cmd, tree)
    print(f"rewrote {HERE}/results.csv, plot.png, README.md from runs.csv")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--counts", default=None,
                    help="container counts; default 1,16,64,256 (1,16,32 without shared uplinks)")
    ap.add_argument("--shared-uplink", action="store_true",
                    help="a shared uplink for every count (default: only above 32 containers)")
    ap.add_argument("--kinds", default="shaped,max")
    ap.add_argument("--total", default="200mbit", help="sum of the ceils (shaped)")
    ap.add_argument("--size", default="256", help="frame bytes (shaped)")
    ap.add_argument("--max-size", default="64", help="frame bytes (max)")
    ap.add_argument("--per-gen", type=int, default=32, help="containers per vqos-gen process")
    ap.add_argument("--no-build", action="store_true", help="use build-results/ as it is")
    ap.add_argument("--from-runs", action="store_true",
                    help="measure nothing: rewrite results.csv, plot.png and README.md from "
                         "runs.csv (give the options the runs were made with)")
    a = ap.parse_args()
    if a.from_runs:
        return from_runs(a)
    # CPU 1 is vqosd's data lcore's alone: this script, its vqosctl calls and
    # the JSON it parses run on CPU 0 with the containers.
    os.sched_setaffinity(0, {0})
    if not a.no_build:
        vqosexp.setup()
    supported = shared_uplinks_supported()
    counts = [int(x) for x in (a.counts or ("1,16,64,256" if supported else "1,16,32"))
              .split(",")]
    skipped = []
    if not supported:
        skipped.append("64 and 256 containers: vqosd has no shared uplink yet (no `mac` key in "
                       "conf/conf.c), so every port needs an uplink ethdev of its own and a "
                       f"DPDK process has at most {MAX_ETHPORTS} ethdevs (RTE_MAX_ETHPORTS).")
    rows, med = [], []
    for n in counts:
        shared = a.shared_uplink or n > MAX_ETHPORTS
        if shared and not supported:
            if n <= MAX_ETHPORTS:
                skipped.append(f"{n} containers, shared uplink: not supported yet")
            continue
        # one hold of the lock for every run of a count: the machine is shared
        # by several experiments, and waiting for the lock between runs
        # would make a session last hours
        with vqosexp.measure_lock():
            for kind in a.kinds.split(","):
                runs = []
                for run in range(1, a.runs + 1):
                    runs.append(measured_run(kind, n, shared, a, run, supported))
                rows += runs
                med.append(median_row(runs))
                vqosexp.write_csv(os.path.join(HERE, "runs.csv"), FIELDS,
                                  [[r.get(k, "") for k in FIELDS] for r in rows])
    kinds = a.kinds.split(",")
    med.sort(key=lambda r: (kinds.index(r["kind"]), r["containers"]))
    vqosexp.write_csv(os.path.join(HERE, "runs.csv"), FIELDS,
                      [[r.get(k, "") for k in FIELDS] for r in rows])
    vqosexp.write_csv(os.path.join(HERE, "results.csv"), FIELDS,
                      [[r.get(k, "") for k in FIELDS] for r in med])
    plot(med)
    cmd = "python3 results/scale/run.py " + " ".join(sys.argv[1:])
    write_readme(a, med, rows, skipped, cmd.strip(), describe_tree())
    print(f"wrote {HERE}/results.csv, runs.csv, plot.png, README.md")


if __name__ == "__main__":
    main()
