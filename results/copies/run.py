#!/usr/bin/env python3
"""Copies of the payload per packet: cycles per packet of the forwarding
thread against frame size (64 to 9000 bytes) on each path, a fit
cycles = a + b x bytes per path, and b over the cycles per byte of one
rte_memcpy on this machine (results/bench_memcpy.c) = copies per packet.

    python3 results/copies/run.py [--runs 3] [--seconds 2] [--rate 100kpps]
    python3 results/copies/run.py --quick      (64, 1500, 9000 bytes, 1 run, 2 s)

Paths (vqos-gen's sender S and sink K, one "container" each):
  vqosd-vhost   S -> vqosd (fifo) -> net_vhost uplink -> K     vqosd's lcore measured
  vqosd-virtio  S -> vqosd (fifo) -> net_virtio_user uplink -> K (net_vhost)
  ovs           S -> OVS br0 -> K                                OVS's PMD measured
  vqosd-ovs     S -> vqosd (fifo) -> OVS br0 -> K                both measured
Rewrites results/copies/{results.csv,memcpy.csv,run.log,plot.png,README.md}; the
README's reading (between its <!-- findings --> markers) is kept.
"""
import argparse
import fcntl
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ovs_pmd"))
import ovsbed  # noqa: E402
from ovsbed import vqosexp  # noqa: E402
from vqostest import Bed, lcore_tid, schedstat, wait_for  # noqa: E402

INTEGRATION_LOCK = "/tmp/vqos-integration.lock"
SIZES = [64, 512, 1500, 4000, 9000]
QUICK_SIZES = [64, 1500, 9000]
PATHS = ["vqosd-vhost", "vqosd-virtio", "ovs", "vqosd-ovs"]
TREE = 'tx = { qdisc = "fifo"; };\n'
COPY_SETS = ("hot", "l3", "cold")  # bench_memcpy's working sets
DELIVERED_MIN = 0.95  # a run where K got less of what S sent is done again
WAIT_MAX = 0.05  # a run whose measured thread waited for a CPU longer than this share is redone
GEN_MEM = 600    # MB of a vqos-gen process: 9000-byte frames need big pools


def sh(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def build_memcpy():
    """bench_memcpy in the Release build (vqosexp.setup() builds the rest)."""
    with open("/tmp/vqos-build-results.lock", "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        subprocess.run(["cmake", "--build", vqosexp.BUILD, "-j", "1", "--target",
                        "bench_memcpy"], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(vqosexp.BUILD, "results", "bench_memcpy")


def run_memcpy(binary):
    """bench_memcpy on CPU 1 (where the forwarding threads run): its rows."""
    out = os.path.join(HERE, "memcpy.csv")
    subprocess.run(["taskset", "-c", "1", binary, out], check=True, stdout=subprocess.DEVNULL)
    return read_memcpy(out)


def read_memcpy(out):
    rows = []
    with open(out) as f:
        next(f)
        for line in f:
            s, fn, b, c, hz = line.strip().split(",")
            rows.append({"set": s, "func": fn, "bytes": int(b), "cycles": float(c),
                         "hz": int(hz)})
    return rows


Tee = vqosexp.Tee  # what the run prints, also into run.log


def fit(xs, ys):
    """Least squares y = a + b x: (a, b, r2)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if n < 2 or sxx == 0:
        return float("nan"), float("nan"), float("nan")
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    a = my - b * mx
    ss = sum((y - my) ** 2 for y in ys)
    res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    return a, b, (1 - res / ss) if ss else float("nan")


# Threads and their counters --------------------------------------------------

def pmd_tid(pid):
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            if f.read().startswith("pmd"):
                return int(tid)
    raise RuntimeError("ovs-vswitchd has no pmd thread")


Thread = vqosexp.Thread  # run and wait time of one thread over a window


def vqosd_start(bed, uplink, lcores):
    return ovsbed.vqosd(bed, [("c", bed.path("c.sock"), uplink)], TREE, lcores=lcores)


def port0(j):
    """The first ethdev's object of a vqos-gen report (one ethdev: the report itself)."""
    return j["ports"][0] if "ports" in j else j


def gen_src(bed, vdev, size, a, tag):
    return ovsbed.gen(bed, [vdev], "--duration", a.seconds, "--linger", 0.5, "--idle-us", 10,
                      "--rate", a.rate, "--size", size, "--id", 1, log=f"src-{tag}.log", cpu=0)


def one_run(path, size, a, tag, bed, rig=None):
    """One run: start what @path needs, send @a.seconds of @size-byte frames,
    read the forwarding threads' counters. Returns a row (dict)."""
    n0 = len(bed.procs)
    d = sink = None
    sink_vdev = None
    if path == "vqosd-vhost":
        d = vqosd_start(bed, f"net_vhost_up,iface={bed.path('up.sock')}", "0@0,1@1")
        sink_vdev = f"net_virtio_user1,path={bed.path('up.sock')}"
    elif path == "vqosd-virtio":
        if os.path.exists(bed.path("up.sock")):
            os.unlink(bed.path("up.sock"))
        sink = ovsbed.gen(bed, [f"net_vhost1,iface={bed.path('up.sock')}"], "--duration", 600,
                          "--wait-link", 60, "--rate", 0, log=f"sink-{tag}.log", cpu=0)
        wait_for(lambda: os.path.exists(bed.path("up.sock")), 30, "the sink's socket")
        d = vqosd_start(bed, f"net_virtio_user_up,path={bed.path('up.sock')}", "0@0,1@1")
    elif path == "ovs":
        sink_vdev = f"net_virtio_user1,path={rig.sock('dst')},server=1,queue_size=1024"
    elif path == "vqosd-ovs":
        d = vqosd_start(bed, f"net_virtio_user_up,path={rig.sock('src')},server=1,queues=1",
                        "0@0,1@0")
        sink_vdev = f"net_virtio_user1,path={rig.sock('dst')},server=1,queue_size=1024"
    src_vdev = (f"net_virtio_user0,path={bed.path('c.sock')}" if d is not None
                else f"net_virtio_user0,path={rig.sock('src')},server=1")
    if sink_vdev is not None:
        sink = ovsbed.gen(bed, [sink_vdev], "--duration", 600, "--wait-link", 60, "--rate", 0,
                          log=f"sink-{tag}.log", cpu=0)
    if d is not None:
        wait_for(lambda: all(p["uplink_up"] for p in bed.ports().values()), 60,
                 "vqosd's uplink")
    if rig is not None:
        rig.wait_connected(["dst"], 60)
    threads = {}
    if d is not None:
        threads["vqosd"] = Thread(d.pid, lcore_tid(d.pid))
        l0 = ovsbed.lcore(bed)
    if rig is not None:
        vs = rig.ovs.vswitchd.pid
        threads["ovs"] = Thread(vs, pmd_tid(vs))
        rig.pmd_clear()
    for t in threads.values():
        t.start()
    src = gen_src(bed, src_vdev, size, a, tag)
    sj = ovsbed.gen_json(src, timeout=a.seconds + 90)
    sched = {k: t.stop() for k, t in threads.items()}
    row = {"path": path, "bytes": size, "run": tag,
           "sent_kpps": round(port0(sj)["tx"]["pps"] / 1e3, 1)}
    if d is not None:
        # vqosd started for this run: its counters since start are the run's.
        l1 = ovsbed.lcore(bed)
        pk = l1["packets"] - l0["packets"]
        run_s, wait = sched["vqosd"]
        row.update(vqosd_pkts=pk, vqosd_cpp=round(l1["cycles_per_packet"], 1),
                   vqosd_run_cpp=round(run_s * a.hz / max(1, pk), 1),
                   vqosd_wait_pct=round(100 * wait, 2))
    else:
        row.update(vqosd_pkts="", vqosd_cpp="", vqosd_run_cpp="", vqosd_wait_pct="")
    if rig is not None:
        st = rig.pmd_stats()
        row.update(ovs_pkts=int(st["rx_packets"]), ovs_cpp=st["cycles_per_pkt"],
                   ovs_busy_pct=st["busy_pct"], ovs_wait_pct=round(100 * sched["ovs"][1], 2))
    else:
        row.update(ovs_pkts="", ovs_cpp="", ovs_busy_pct="", ovs_wait_pct="")
    ovsbed.stop(sink)
    kj = ovsbed.gen_json(sink, timeout=30)
    row["delivered"] = sum(s["packets"] for s in port0(kj)["rx"]["streams"] if s["id"] == 1)
    row["sent"] = port0(sj)["tx"]["packets"]
    if d is not None:
        d.terminate()
        d.wait(timeout=20)
    ovsbed.kill_since(bed, n0)
    if rig is not None:
        rig.wait_disconnected(["src", "dst"], 30)
    row["loadavg"] = round(os.getloadavg()[0], 2)
    # Only the threads that have a CPU to themselves must not wait for one:
    # on vqosd-ovs vqosd's lcore shares CPU 0 with S and K (OVS's PMD has CPU 1).
    waits = [row[k] for k in ("vqosd_wait_pct", "ovs_wait_pct") if row[k] != ""
             and not (path == "vqosd-ovs" and k == "vqosd_wait_pct")]
    text = ", ".join(f"{k}={v}" for k, v in row.items())
    if row["delivered"] < DELIVERED_MIN * row["sent"]:
        raise RuntimeError(f"only {row['delivered']} of {row['sent']} frames delivered ({text})")
    if waits and max(waits) > 100 * WAIT_MAX:
        raise RuntimeError(f"the measured thread waited {max(waits)}% of the window for a "
                           f"CPU ({text})")
    print("  " + text, flush=True)  # --from-log reads these lines
    return row


def attempt(path, size, a, tag, bed, rig=None, attempts=3):
    for i in range(attempts):
        n = len(bed.procs)
        try:
            return one_run(path, size, a, f"{tag}-{i}", bed, rig)
        except (RuntimeError, AssertionError, OSError, ValueError, KeyError,
                subprocess.SubprocessError) as e:
            print(f"  attempt {i + 1} failed: {e}", flush=True)
            ovsbed.kill_since(bed, n)
            if rig is not None:
                rig.wait_disconnected(["src", "dst"], 60)
    return None


# Analysis --------------------------------------------------------------------

def series(rows):
    """(path, thread) -> {bytes: [cycles per packet of each run]}."""
    out = {}
    for r in rows:
        for th in ("vqosd", "ovs"):
            if r[f"{th}_cpp"] != "" and r[f"{th}_cpp"] == r[f"{th}_cpp"]:
                out.setdefault((r["path"], th), {}).setdefault(int(r["bytes"]), []).append(
                    float(r[f"{th}_cpp"]))
    return out


def copy_cost(mrows):
    """Cycles per byte of one rte_memcpy, hot and cold (fit over the sizes)."""
    out = {}
    for s in COPY_SETS:
        pts = [(r["bytes"], r["cycles"]) for r in mrows if r["set"] == s
               and r["func"] == "rte_memcpy"]
        out[s] = fit([p[0] for p in pts], [p[1] for p in pts])
    return out


def summary(rows, mrows):
    cc = copy_cost(mrows)
    table = []
    for (path, th), pts in sorted(series(rows).items(), key=lambda kv: (PATHS.index(kv[0][0]),
                                                                        kv[0][1])):
        sizes = sorted(pts)
        med = [statistics.median(pts[s]) for s in sizes]
        a, b, r2 = fit(sizes, med)
        table.append({"path": path, "thread": th, "sizes": sizes, "med": med,
                      "spread": [(min(pts[s]), max(pts[s])) for s in sizes],
                      "a": a, "b": b, "r2": r2,
                      "copies": {k: b / cc[k][1] for k in COPY_SETS}})
    return table, cc


def plot(table):
    dat = os.path.join(HERE, "plot.dat")
    names = []
    with open(dat, "w") as f:
        for t in table:
            names.append(f"{t['path']}:{t['thread']}")
            for s, m, (lo, hi) in zip(t["sizes"], t["med"], t["spread"]):
                f.write(f"{s} {m} {lo} {hi} {t['a'] + t['b'] * s}\n")
            f.write("\n\n")
    words = " ".join(names)
    vqosexp.gnuplot(f"""
set title 'Cycles per packet of the forwarding thread against frame size (median, min-max)'
set grid
set xlabel 'frame bytes'
set ylabel 'cycles per packet'
set key top left
plot for [i=0:{len(table) - 1}] '{dat}' index i using 1:2:3:4 with yerrorbars pt 7 lc i+1 title word('{words}', i+1), \\
     for [i=0:{len(table) - 1}] '{dat}' index i using 1:5 with lines dt 2 lc i+1 notitle
""", os.path.join(HERE, "plot.png"))
    os.unlink(dat)


def write_readme(a, table, cc, mrows, nrows):
    cmd = "python3 results/copies/run.py" + (" --quick" if a.quick else "")
    hz = mrows[0]["hz"]
    lines = ["# Copies of the payload per packet", "",
             f"Command: `{cmd}` ({a.runs} run(s) a point, {a.seconds:g} s of sending at "
             f"{a.rate}, {nrows} runs" + (f"; took {a.took / 60:.0f} min)." if a.took == a.took
                                          else ")."),
             f"Machine: {vqosexp.machine()}; OVS {ovsbed.ovs_version()}; TSC {hz / 1e9:.3f} GHz.",
             "", "## Set-up", "",
             "```",
             " vqosd-vhost : S --> vqosd (fifo) --net_vhost uplink------------------> K",
             " vqosd-virtio: S --> vqosd (fifo) --net_virtio_user uplink--> (net_vhost) K",
             " ovs         : S --------------------> OVS br0 -----------------------> K",
             " vqosd-ovs   : S --> vqosd (fifo) --virtio_user--> OVS br0 -----------> K",
             "```", "",
             "- S, K: vqos-gen processes (virtio_user, or net_vhost where named) on CPU 0; S "
             f"sends one frame size at {a.rate} for {a.seconds:g} s, K counts what arrives "
             f"(a run where K got < {100 * DELIVERED_MIN:g}% of what S sent, or the measured "
             f"thread waited for a CPU more than {100 * WAIT_MAX:g}% of the window (schedstat; "
             "not applied to vqosd's lcore on vqosd-ovs, which shares CPU 0), is done again; "
             "up to 3 attempts).",
             "- Memory: vqosd and the vqos-gen processes run with `--no-huge` (4 KiB pages), "
             "as every test here does; vqosd's mbufs hold 2 KiB (RTE_MBUF_DEFAULT_BUF_SIZE), so "
             "librte_vhost's dequeue chains 1-5 of them per frame above 2 KiB (desc_to_mbuf "
             "takes one more from the pool each time one is full). OVS-DPDK runs on 2 MiB "
             "hugepages, and with `mtu_request=9000` its mbufs hold a whole 9000-byte frame "
             "(it registers its vhost ports with RTE_VHOST_USER_LINEARBUF_SUPPORT).",
             "- vqosd: one port, tx qdisc fifo; its data lcore alone on CPU 1 "
             "(`vqosd-vhost`, `vqosd-virtio`), or on CPU 0 beside S and K (`vqosd-ovs`, where "
             "OVS's PMD has CPU 1). Its figure: `vqosctl -j lcore show`, busy cycles / packets "
             "of busy passes over the run (`cycles_per_packet`); `vqosd_run_cpp` in "
             "results.csv is its thread's run time (schedstat) x TSC / packets, which also "
             "counts its idle polls.",
             "- OVS-DPDK 1 PMD on CPU 1, `dpdkvhostuserclient` ports with `mtu_request=9000`, "
             "one rule `in_port=src actions=output:dst`. Its figure: `ovs-appctl "
             "dpif-netdev/pmd-stats-show`, avg processing cycles per packet since a "
             "`pmd-stats-clear` at the start of the run.",
             "- Every process at nice -20; /tmp/vqos-integration.lock and "
             "/tmp/vqos-measure.lock held for the whole measuring part.",
             "- One copy: `bench_memcpy` (results/bench_memcpy.c, built with the project) "
             "times rte_memcpy of 64-9000 bytes on CPU 1 between buffers 16 KiB apart: `hot` "
             "(8 pairs, in L1/L2), `l3` (256 pairs, 8 MiB: beyond L2, within L3) and `cold` "
             "(8192 pairs, 256 MiB: from memory); memcpy.csv. Fit a + b x bytes, cycles: "
             + "; ".join(f"{k} {cc[k][0]:.1f} + {cc[k][1]:.4f} x bytes" for k in COPY_SETS)
             + ".",
             "", "## Results", "",
             "Cycles per packet, median of the runs (min-max):", ""]
    sizes = sorted({s for t in table for s in t["sizes"]})
    hdr = ["path", "thread"] + [f"{s} B" for s in sizes] + [
        "a (cycles)", "b (cycles/byte)", "r2"] + [f"b / {k} copy" for k in COPY_SETS]
    body = []
    for t in table:
        cells = []
        for s in sizes:
            if s in t["sizes"]:
                i = t["sizes"].index(s)
                lo, hi = t["spread"][i]
                cells.append(f"{t['med'][i]:.0f} ({lo:.0f}-{hi:.0f})")
            else:
                cells.append("")
        body.append([t["path"], t["thread"], *cells, f"{t['a']:.0f}", f"{t['b']:.4f}",
                     f"{t['r2']:.3f}", *[f"{t['copies'][k]:.2f}" for k in COPY_SETS]])
    lines += ovsbed.table(hdr, body)
    lines += ["", "Every run is in results.csv, the copy benchmark in memcpy.csv, the command's "
              "output in run.log (failed attempts included; `--from-log run.log` rebuilds "
              "the rest from it).", "",
              "![plot](plot.png)", "", "## Answer", "", "@FINDINGS@", ""]
    ovsbed.write_readme(os.path.join(HERE, "README.md"), lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rate", default="100kpps", help="offered rate of every run (100kpps)")
    ap.add_argument("--sizes", help="frame sizes, comma-separated (64,512,1500,4000,9000)")
    ap.add_argument("--paths", help="paths, comma-separated: " + ",".join(PATHS))
    ap.add_argument("--quick", action="store_true", help="64, 1500, 9000 bytes, 1 run of 2 s")
    ap.add_argument("--no-integration-lock", action="store_true",
                    help="do not wait for /tmp/vqos-integration.lock (only when its holder is "
                    "known to be stuck; /tmp/vqos-measure.lock is still held)")
    ap.add_argument("--from-log", help="no runs: rebuild the CSV, plot and README from the "
                    "rows a run printed (its stdout saved in this file) and memcpy.csv")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")] if a.sizes else SIZES
    paths = a.paths.split(",") if a.paths else PATHS
    if a.quick:
        a.runs, a.seconds, sizes = 1, 2.0, QUICK_SIZES
    for p in paths:
        if p not in PATHS:
            ap.error(f"--paths: unknown path '{p}' (one of {', '.join(PATHS)})")
    for s in sizes:
        if not 64 <= s <= 9000:
            ap.error(f"--sizes: {s} is not within 64..9000")
    t_start = time.monotonic()
    if a.from_log:
        rows = ovsbed.rows_from_log(a.from_log, "path=")
        mrows = read_memcpy(os.path.join(HERE, "memcpy.csv"))
        a.took = float("nan")
        finish(a, rows, mrows)
        return
    sys.stdout = Tee(sys.stdout, os.path.join(HERE, "run.log"))
    vqosexp.setup()
    memcpy_bin = build_memcpy()
    ovsbed.cleanup_on_signals()
    rows = []
    with open(INTEGRATION_LOCK, "w") as ilk:
        if a.no_integration_lock:
            print(f"not waiting for {INTEGRATION_LOCK} (--no-integration-lock)", flush=True)
        else:
            fcntl.flock(ilk, fcntl.LOCK_EX)
        with vqosexp.measure_lock():
            mrows = run_memcpy(memcpy_bin)
            a.hz = mrows[0]["hz"]
            local = [p for p in paths if not p.endswith("ovs")]
            if local:
                bed = Bed("copies")
                try:
                    for r in range(a.runs):
                        for p in local:
                            for s in sizes:
                                print(f"{p} {s} B, run {r + 1}/{a.runs}", flush=True)
                                row = attempt(p, s, a, f"{p}-{s}-{r}", bed)
                                if row is not None:
                                    rows.append(row)
                finally:
                    bed.close()
            viaovs = [p for p in paths if p.endswith("ovs")]
            if viaovs:
                rig = ovsbed.Rig("copies-ovs", ["src", "dst"], pmd_cpu=1, null_port=False)
                try:
                    for n in ("src", "dst"):
                        rig.set_iface(n, "mtu_request=9000")
                    rig.flows({"src": "dst"})
                    rig.renice()
                    for r in range(a.runs):
                        for p in viaovs:
                            for s in sizes:
                                print(f"{p} {s} B, run {r + 1}/{a.runs}", flush=True)
                                row = attempt(p, s, a, f"{p}-{s}-{r}", rig.bed, rig)
                                if row is not None:
                                    rows.append(row)
                finally:
                    rig.close()
    a.took = time.monotonic() - t_start
    finish(a, rows, mrows)


def finish(a, rows, mrows):
    if not rows:
        sys.exit("no run succeeded")
    keys = list(dict.fromkeys(k for r in rows for k in r))
    vqosexp.write_csv(os.path.join(HERE, "results.csv"), keys,
                      [[r.get(k, "") for k in keys] for r in rows])
    table, cc = summary(rows, mrows)
    plot(table)
    write_readme(a, table, cc, mrows, len(rows))
    for t in table:
        print(f"{t['path']}/{t['thread']}: a={t['a']:.0f} b={t['b']:.4f} cycles/byte "
              f"(r2 {t['r2']:.3f}) = " + " / ".join(f"{t['copies'][k]:.2f} {k}" for k in COPY_SETS)
              + " copies")
    took = f" ({a.took / 60:.1f} min)" if a.took == a.took else ""
    print(f"wrote {HERE}/results.csv, memcpy.csv, plot.png, README.md{took}")


if __name__ == "__main__":
    main()
