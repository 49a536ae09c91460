#!/usr/bin/env python3
"""Placement: on a 2-CPU host with OVS's PMD on one CPU and the containers on
the other, where should vqosd's data lcore run? Pinned to the PMD's CPU, to
the containers' CPU, or to neither (free over both), sleeping when idle; and
polling on each CPU as the reference for what sleeping buys.

    python3 results/placement/run.py [--runs 3] [--seconds 5] [--quick]

Rewrites results/placement/{results.csv,plot.png,README.md} and
bottleneck.jsonl (every `vqosctl -j bottleneck` answer, whole). The set-up
is described in the README this script writes (write_readme()).
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ovs_pmd"))
import ovsbed  # noqa: E402
from ovsbed import vqosexp  # noqa: E402
from vqostest import VQOSCTL, lcore_tid, schedstat, wait_for  # noqa: E402

CONTAINERS = ["lat", "bulk", "capped"]
PORTS = [*CONTAINERS, "sink"]
LAT_ID, BULK_ID = 1, 10
LAT_SIZE = 128          # bytes: >= 66 so each frame carries a TSC timestamp
LAT_KPPS = 20           # the latency probe's rate, the same at every load
CAPPED_CPPS_K = 50      # the capped container's packet ceiling (htb cpps), kpps
PMD_CPU, CONTAINER_CPU = 1, 0
# placement -> (EAL --lcores of vqosd, datapath.sleep_max)
PLACEMENTS = {
    "pmd-cpu": ("0@0,1@1", "4ms"),
    "containers-cpu": ("0@0,1@0", "4ms"),
    "neither": ("0@(0,1),1@(0,1)", "4ms"),
    "pmd-cpu-poll": ("0@0,1@1", "0"),
    "containers-cpu-poll": ("0@0,1@0", "0"),
}
# load -> (bulk's offered rate, capped's offered rate): vqos-gen --rate
LOADS = {"light": ("100kpps", "100kpps"), "heavy": ("max", "1mpps")}


def pipeline(rig):
    """OpenFlow, as results/ovs_pmd: conntrack, recirculation, commit; the
    probe to the sink, the bulk traffic to a net_null port."""
    return ovsbed.ct_pipeline(rig, {"lat": "sink", "bulk": "null", "capped": "null"})


def tree(sleep_max):
    return (f'datapath = {{ sleep_max = "{sleep_max}"; }};\n'
            'tx = { qdisc = "htb"; classes = (\n'
            '  { name = "root"; rate = "10gbit"; },\n'
            '  { name = "lat"; parent = "root"; port = "lat"; prio = 0; rate = "100mbit"; '
            'ceil = "10gbit"; },\n'
            '  { name = "bulk"; parent = "root"; port = "bulk"; prio = 1; rate = "100mbit"; '
            'ceil = "10gbit"; },\n'
            '  { name = "capped"; parent = "root"; port = "capped"; prio = 1; rate = "10mbit"; '
            f'ceil = "10gbit"; pps = "10kpps"; cpps = "{CAPPED_CPPS_K}kpps"; }}\n'
            '); };\n')


class CpuSampler(threading.Thread):
    """Which CPU a thread is on (field 39 of /proc/PID/task/TID/stat) every
    20 ms while it runs: the share of samples on each CPU."""

    def __init__(self, pid, tid):
        super().__init__(daemon=True)
        self.path = f"/proc/{pid}/task/{tid}/stat"
        self.on = [0, 0]
        self.halt = threading.Event()

    def run(self):
        while not self.halt.wait(0.02):
            try:
                with open(self.path) as f:
                    cpu = int(f.read().rsplit(")", 1)[1].split()[36])
                self.on[min(cpu, 1)] += 1
            except (OSError, ValueError, IndexError):
                return

    def share(self, cpu):
        self.halt.set()
        self.join()
        return 100.0 * self.on[cpu] / max(1, sum(self.on))


def psi_total():
    """/proc/pressure/cpu's "some" total, us: the time some runnable task
    waited for a CPU (the machine's load, from every process)."""
    try:
        with open("/proc/pressure/cpu") as f:
            return int(f.readline().split("total=")[1])
    except (OSError, IndexError, ValueError):
        return None


def bottleneck(bed, interval, out):
    r = subprocess.run([VQOSCTL, "-S", bed.ctl_sock, "-j", "bottleneck", "-i", f"{interval:g}"],
                       capture_output=True, text=True, timeout=interval + 10)
    out.append(r.stdout.strip() if r.returncode == 0 else
               json.dumps({"error": r.stderr.strip(), "rc": r.returncode}))


def counters(rig, attempts=3):
    """OVS's port counters; ovs-ofctl now and then fails to reach the bridge
    on this loaded machine (a broken pipe): ask again rather than lose the
    placement's windows."""
    for i in range(attempts):
        try:
            return rig.counters()
        except AssertionError:
            if i + 1 == attempts:
                raise
            time.sleep(0.2)


def measure(rig, d, placement, load, a, tag, jsonl):
    """One window at @load with vqosd @d (already up); returns the row."""
    bed = rig.bed
    bulk_rate, capped_rate = LOADS[load]
    gen = ovsbed.gen(bed, [f"net_virtio_user0,path={bed.path('c-bulk.sock')}",
                           f"net_virtio_user1,path={bed.path('c-capped.sock')}"],
                     "--size", 64, "--flows", 256, "--duration", 3600, "--linger", 0,
                     "--idle-us", 10, "--backoff-us", 20, "--id", BULK_ID,
                     "--port", 0, "--rate", bulk_rate, "--port", 1, "--rate", capped_rate,
                     log=f"bulk-{tag}.log", cpu=CONTAINER_CPU)
    wait_for(lambda: all(bed.ports()[n]["connected"] for n in ("bulk", "capped")), 30,
             "the bulk containers on vqosd")
    time.sleep(1.5)  # steady state
    tid = lcore_tid(d.pid)
    rig.pmd_clear()
    c0, p0, l0 = counters(rig), bed.ports(), bed.lcore()
    s0, psi0, t0 = schedstat(d.pid, tid), psi_total(), time.monotonic()
    where = CpuSampler(d.pid, tid)
    where.start()
    probe = ovsbed.gen(bed, [f"net_virtio_user0,path={bed.path('c-lat.sock')},queue_size=1024",
                             f"net_virtio_user1,path={rig.sock('sink')},server=1,queue_size=1024"],
                       "--duration", a.seconds, "--linger", 0.5, "--idle-us", 50,
                       "--port", 0, "--rate", f"{LAT_KPPS}kpps", "--size", LAT_SIZE,
                       "--id", LAT_ID, "--port", 1, "--rate", 0, "--id", 2,
                       log=f"lat-{tag}.log", cpu=CONTAINER_CPU)
    # the verdict over the middle of the window, while the probe runs
    verdicts = []
    time.sleep(min(1.5, a.seconds / 4))
    bottleneck(bed, min(a.interval, a.seconds / 2), verdicts)
    pj = ovsbed.gen_json(probe, timeout=a.seconds + 60)
    c1, p1, l1 = counters(rig), bed.ports(), bed.lcore()
    s1, psi1, t1 = schedstat(d.pid, tid), psi_total(), time.monotonic()
    on_pmd = where.share(PMD_CPU)
    pmd = rig.pmd_stats()
    ovsbed.stop(gen)
    gj = ovsbed.gen_json(gen, timeout=30)
    dt = t1 - t0

    lat_tx, sink_rx = pj["ports"][0]["tx"], pj["ports"][1]["rx"]
    got = next((s["packets"] for s in sink_rx["streams"] if s["id"] == LAT_ID), 0)
    p50, p99, avg, mx = ovsbed.latency(sink_rx)
    dl = {k: l1[k] - l0[k] for k in ("busy_cycles", "idle_cycles", "stall_cycles",
                                      "sleep_cycles", "waited_ns")}
    cyc = max(1, sum(dl[k] for k in ("busy_cycles", "idle_cycles", "stall_cycles",
                                      "sleep_cycles")))
    vq_pkts = sum(p1[n]["tx"]["packets"] - p0[n]["tx"]["packets"] for n in CONTAINERS)
    run_s = (s1[0] - s0[0]) / 1e9
    bn = json.loads(verdicts[0]) if verdicts else {}
    jsonl.write(json.dumps({"run": tag, "placement": placement, "load": load,
                            "bottleneck": bn}) + "\n")
    jsonl.flush()
    bports = {p["port"]: p for p in bn.get("ports", [])}

    def ovs_rx(n):
        return (c1[n]["rx_pkts"] - c0[n]["rx_pkts"]) / dt / 1e3

    row = {"placement": placement, "load": load, "run": tag,
           "vqosd_lcores": PLACEMENTS[placement][0], "sleep_max": PLACEMENTS[placement][1],
           "bulk_offered": bulk_rate, "capped_offered": capped_rate,
           "bulk_sent_kpps": round(gj["ports"][0]["tx"]["pps"] / 1e3, 1),
           "bulk_ovs_rx_kpps": round(ovs_rx("bulk"), 1),
           "capped_ovs_rx_kpps": round(ovs_rx("capped"), 1),
           "lat_ovs_rx_kpps": round(ovs_rx("lat"), 1),
           # what left the switch: to the null port, and the probe's frames
           # the sink got (its port is up only while the probe runs)
           "delivered_kpps": round((c1["null"]["tx_pkts"] - c0["null"]["tx_pkts"]) / dt / 1e3
                                   + got / lat_tx["time_s"] / 1e3, 1),
           "lat_sent_kpps": round(lat_tx["pps"] / 1e3, 2),
           "lat_delivered_kpps": round(got / lat_tx["time_s"] / 1e3, 2),
           "lat_p50_us": round(p50, 1), "lat_p99_us": round(p99, 1),
           "lat_avg_us": round(avg, 1), "lat_max_us": round(mx, 1),
           "pmd_busy_pct": pmd["busy_pct"], "pmd_cycles_per_pkt": pmd["cycles_per_pkt"],
           "vqosd_busy_pct": round(100 * dl["busy_cycles"] / cyc, 1),
           "vqosd_stall_pct": round(100 * dl["stall_cycles"] / cyc, 1),
           "vqosd_sleep_pct": round(100 * dl["sleep_cycles"] / cyc, 1),
           "vqosd_wait_pct": round(100 * dl["waited_ns"] / 1e9 / dt, 1),
           "vqosd_run_pct": round(100 * run_s / dt, 1),
           "vqosd_sched_wait_pct": round(100 * (s1[1] - s0[1]) / 1e9 / dt, 1),
           "vqosd_kpps": round(vq_pkts / dt / 1e3, 1),
           "vqosd_kpps_per_cpu_s": round(vq_pkts / max(run_s, 1e-9) / 1e3, 1),
           "vqosd_on_pmd_cpu_pct": round(on_pmd, 1)}
    for n in CONTAINERS:
        v = bports.get(n, {})
        row[f"bn_{n}_tx"] = v.get("tx", {}).get("verdict", "")
        row[f"bn_{n}_rx"] = v.get("rx", {}).get("verdict", "")
    row["bn_lcore_taken_pct"] = round(bn.get("lcore_taken_pct", float("nan")), 1)
    row["bn_lcore_wait_pct"] = round(bn.get("lcore_wait_pct", float("nan")), 1)
    row["psi_cpu_some_pct"] = (round((psi1 - psi0) / 1e6 / dt * 100, 1)
                               if psi0 is not None and psi1 is not None else "")
    row["loadavg_1min"] = round(os.getloadavg()[0], 2)
    print("  " + ", ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return row


def one_placement(rig, placement, loads, a, r, jsonl):
    """vqosd placed as @placement, then one window per load; the rows."""
    bed = rig.bed
    lcores, sleep_max = PLACEMENTS[placement]
    d = ovsbed.vqosd(bed, [(n, bed.path(f"c-{n}.sock"),
                            f"net_virtio_user_{n},path={rig.sock(n)},server=1,queues=1")
                           for n in CONTAINERS], tree(sleep_max), lcores=lcores)
    rows = []
    try:
        wait_for(lambda: all(p["uplink_up"] for p in bed.ports().values()), 60,
                 "vqosd's uplinks to OVS")
        rig.wait_connected(CONTAINERS, 60)
        rig.renice()
        for load in loads:
            tag = f"{placement}-{load}-{r}"
            print(f"{placement} {load}, run {r + 1}/{a.runs}", flush=True)
            rows.append(measure(rig, d, placement, load, a, tag, jsonl))
    finally:
        d.terminate()
        d.wait(timeout=20)
        rig.wait_disconnected(PORTS, 30)
    return rows


NUM = ["delivered_kpps", "bulk_sent_kpps", "bulk_ovs_rx_kpps", "capped_ovs_rx_kpps",
       "lat_delivered_kpps", "lat_p50_us", "lat_p99_us", "pmd_busy_pct", "vqosd_busy_pct",
       "vqosd_stall_pct", "vqosd_sleep_pct", "vqosd_sched_wait_pct", "vqosd_run_pct",
       "vqosd_kpps", "vqosd_kpps_per_cpu_s", "vqosd_on_pmd_cpu_pct", "psi_cpu_some_pct"]
VERDICTS = [f"bn_{n}_tx" for n in CONTAINERS]


def fmt(x):
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.1f}"


def cells(rows):
    """Per (load, placement): median and [min-max] of each NUM column, and
    the verdicts counted."""
    out = []
    for load in dict.fromkeys(r["load"] for r in rows):
        for pl in PLACEMENTS:
            rs = [r for r in rows if r["load"] == load and r["placement"] == pl]
            if not rs:
                continue
            m = {"load": load, "placement": pl, "runs": len(rs)}
            for c in NUM:
                xs = [r[c] for r in rs if r[c] != "" and r[c] == r[c]]
                m[c] = vqosexp.median(xs) if xs else float("nan")
                m[c + "_rng"] = (min(xs), max(xs)) if xs else (float("nan"),) * 2
            for c in VERDICTS:
                counts = {}
                for r in rs:
                    counts[r[c]] = counts.get(r[c], 0) + 1
                m[c] = " ".join(f"{v or '-'} ×{k}" if len(rs) > 1 else (v or "-")
                                for v, k in counts.items())
            out.append(m)
    return out


def mr(m, c):
    lo, hi = m[c + "_rng"]
    if m["runs"] == 1 or lo == hi:
        return fmt(m[c])
    return f"{fmt(m[c])} ({fmt(lo)}-{fmt(hi)})"


def plot(med):
    dat = os.path.join(HERE, "plot.dat")
    with open(dat, "w") as f:
        for i, m in enumerate(med):
            x = i + list(dict.fromkeys(k["load"] for k in med)).index(m["load"])
            f.write(f"{x} {m['load']}/{m['placement']} {m['delivered_kpps']:.1f} "
                    f"{m['delivered_kpps_rng'][0]:.1f} {m['delivered_kpps_rng'][1]:.1f} "
                    f"{m['lat_p99_us']:.1f} {m['lat_p99_us_rng'][0]:.1f} "
                    f"{m['lat_p99_us_rng'][1]:.1f} {m['lat_p50_us']:.1f} "
                    f"{m['pmd_busy_pct']:.1f} {m['vqosd_run_pct']:.1f}\n")
    n = len(med) + len(dict.fromkeys(k["load"] for k in med))
    vqosexp.gnuplot(f"""
set multiplot title 'where vqosd runs: OVS PMD on CPU 1, containers on CPU 0 (load/placement; median, bars min-max)'
set style fill solid 0.6
set boxwidth 0.6
set xrange [-0.6:{n - 1.4}]
set grid y
set lmargin 12
set rmargin 3
set format x ''
set key top left horizontal
set origin 0,0.66
set size 1,0.29
set logscale y
set ylabel 'delivered kpps (log)'
set yrange [50:4000]
plot '{dat}' using 1:3 with boxes notitle, '' using 1:3:4:5 with yerrorbars pt 0 lc black notitle
set origin 0,0.40
set size 1,0.27
set yrange [80:100000]
set ylabel 'probe latency us (log)'
plot '{dat}' using 1:6 with boxes title 'p99', '' using 1:6:7:8 with yerrorbars pt 0 lc black notitle, '' using 1:9 with points pt 7 title 'p50'
unset logscale y
set origin 0,0
set size 1,0.41
set bmargin 7
set yrange [0:130]
set ytics 0,20,100
set boxwidth 0.3
set ylabel 'CPU %'
set format x '%g'
set xtics rotate by -25 font ',8'
plot '{dat}' using ($1-0.15):10:xtic(2) with boxes fill solid 0.5 title 'OVS PMD busy', '' using ($1+0.15):11 with boxes fill solid 0.5 title 'vqosd data lcore ran (schedstat)'
unset multiplot
""", os.path.join(HERE, "plot.png"))
    os.unlink(dat)


def write_readme(a, med, nrows):
    cmd = "python3 results/placement/run.py" + (" --quick" if a.quick else "") + (
        f" --runs {a.runs}" if a.runs != 3 and not a.quick else "") + (
        f" --seconds {a.seconds:g}" if a.seconds != 5 and not a.quick else "")
    lines = ["# Placement: where vqosd's data lcore should run beside OVS's PMD", "",
             "Issue 16, experiment 3. On a 2-CPU host where OVS's PMD has one CPU and the "
             "containers the other: vqosd's data lcore pinned to the PMD's CPU, to the "
             "containers' CPU, or to neither, sleeping when idle; polling on each CPU as "
             "the reference. Throughput, latency, what each costs in CPU, and what "
             "`vqosctl bottleneck` says in each.", "",
             f"Command: `{cmd}` (each figure the median of {a.runs} runs, min-max in "
             f"brackets; {nrows} windows of {a.seconds:g} s). Machine: {vqosexp.machine()}; "
             f"OVS {ovsbed.ovs_version()}.", "",
             "## Set-up", "",
             "```",
             " lat    (vqos-gen A port 0, 128 B, 20 kpps) -\\                                  /- sink (A port 1)",
             " bulk   (vqos-gen B port 0, 64 B, load)      -- vqosd -- OVS br0, one PMD, CPU 1 -",
             " capped (vqos-gen B port 1, 64 B, load)     -/  (htb)    (conntrack pipeline)   \\- null (net_null)",
             "```", "",
             "- OVS-DPDK as in [ovs_pmd](../ovs_pmd/) (its `ovsbed.py`): private "
             "ovsdb-server and ovs-vswitchd-dpdk, `pmd-cpu-mask` = CPU 1, one PMD thread; "
             "ports `dpdkvhostuserclient`, served by vqosd's `net_virtio_user` uplinks "
             "(the probe's sink by vqos-gen directly). OpenFlow: conntrack, recirculation, "
             "commit, then out (a stateful firewall's pipeline, ~1000-1500 PMD cycles a "
             "packet); `lat` to the sink, `bulk` and `capped` to a `net_null` port.",
             "- Containers (vqos-gen, both processes pinned to CPU 0 with OVS's other "
             "threads): `lat`, a probe of 128-byte frames at 20 kpps whose one-way "
             "latency the sink measures (TSC stamp); `bulk` and `capped`, 64-byte frames, "
             "256 flows each, sleeping 20 us on a full vring (`--backoff-us`). Loads: "
             + "; ".join(f"**{k}**: bulk {v[0]}, capped {v[1]}" for k, v in LOADS.items())
             + " (`max`: as fast as the generator goes).",
             "- vqosd: `tx` htb, root 10 Gbit/s; `lat` prio 0, `bulk` prio 1 (neither "
             f"limited in packets); `capped` prio 1 with a packet ceiling `cpps` "
             f"{CAPPED_CPPS_K} kpps, which every load exceeds, so `bottleneck` must say "
             "`policy` for it. Control lcore on CPU 0 (on both CPUs in `neither`).",
             "- Placements (EAL `--lcores` of vqosd, `datapath.sleep_max`):",
             ]
    desc = {"pmd-cpu": "data lcore pinned to the PMD's CPU, sleeping when idle",
            "containers-cpu": "data lcore pinned to the containers' CPU, sleeping when idle",
            "neither": "data lcore free over both CPUs (the kernel places it), sleeping",
            "pmd-cpu-poll": "as pmd-cpu, polling (the reference)",
            "containers-cpu-poll": "as containers-cpu, polling (the reference)"}
    for k, (lc, sm) in PLACEMENTS.items():
        lines.append(f"  - `{k}`: `--lcores {lc}`, sleep_max {sm}: {desc[k]}.")
    lines += [
        "- Every process of the rig at nice -20 (threads and autogroup), as in ovs_pmd. "
        "Each window: the bulk generator runs 1.5 s, then the probe runs "
        f"{a.seconds:g} s; counters are taken around the probe's run; `vqosctl -j "
        f"bottleneck -i {min(a.interval, a.seconds / 2):g}` is asked once in its middle.",
        "- Measured: delivered kpps = OVS's tx to `null` and the probe's frames the sink "
        "got (what left the switch); bulk sent = what bulk's vring took, vqos-gen's tx "
        "rate over its whole run (ramp included); capped = OVS's rx on capped's port; the probe's p50/p99 at the sink; OVS `pmd-stats-show` busy share; "
        "vqosd's `lcore show` (busy, stalled, asleep shares of its cycles); its data "
        "lcore thread's run time and run delay from /proc/PID/task/TID/schedstat "
        "(`ran %`, `waited %` of the window); packets vqosd forwarded per second of "
        "CPU that thread actually ran (the measure sharing cannot bend); which CPU it "
        "was on (sampled every 20 ms); `bottleneck`'s tx verdict per port (whole answers "
        "in bottleneck.jsonl); the host's CPU pressure (/proc/pressure/cpu `some`, share "
        "of the window in which a runnable task waited: the rig's own and others').",
        "", "## Results", ""]
    hdr = ["load", "placement", "delivered kpps", "bulk sent kpps", "capped kpps",
           "probe p50 us", "probe p99 us", "PMD busy %", "vqosd ran %", "vqosd waited %",
           "lcore busy %", "lcore asleep %", "vqosd kpps per CPU-s", "on CPU 1 %",
           "bottleneck lat / bulk / capped", "CPU pressure %"]
    rows = []
    for m in med:
        rows.append([m["load"], m["placement"], mr(m, "delivered_kpps"), mr(m, "bulk_sent_kpps"),
                     mr(m, "capped_ovs_rx_kpps"), mr(m, "lat_p50_us"), mr(m, "lat_p99_us"),
                     mr(m, "pmd_busy_pct"), mr(m, "vqosd_run_pct"), mr(m, "vqosd_sched_wait_pct"),
                     mr(m, "vqosd_busy_pct"), mr(m, "vqosd_sleep_pct"),
                     mr(m, "vqosd_kpps_per_cpu_s"), mr(m, "vqosd_on_pmd_cpu_pct"),
                     " / ".join(m[c] for c in VERDICTS), mr(m, "psi_cpu_some_pct")])
    lines += ovsbed.table(hdr, rows)
    lines += ["", "Every window is in results.csv (with the verdicts of both directions, "
              "probe loss, OVS's per-port rates), every `bottleneck` answer in "
              "bottleneck.jsonl, the run's output in run.log (`--from-log "
              "results/placement/run.log` rebuilds this folder's tables and plot from it).", "", "![plot](plot.png)", "", "## Answer", "",
              "@FINDINGS@", ""]
    ovsbed.write_readme(os.path.join(HERE, "README.md"), lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5.0, help="probe's sending time per window")
    ap.add_argument("--interval", type=float, default=2.0, help="vqosctl bottleneck -i, s")
    ap.add_argument("--quick", action="store_true", help="1 run of 3 s windows")
    ap.add_argument("--placements", default=",".join(PLACEMENTS))
    ap.add_argument("--from-log", help="no runs: rebuild the CSV, plot and README from the "
                    "rows a run printed (its stdout saved in this file)")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.seconds = 1, 3.0
    places = a.placements.split(",")
    for p in places:
        if p not in PLACEMENTS:
            ap.error(f"--placements: unknown placement {p!r} (known: {', '.join(PLACEMENTS)})")
    if a.from_log:
        # a placement's attempt that failed printed some rows before the
        # retry printed them again: the last row of each window counts
        rows = list({r["run"]: r for r in ovsbed.rows_from_log(a.from_log, "placement=")}
                    .values())
        finish(a, rows)
        return
    vqosexp.setup()
    sys.stdout = vqosexp.Tee(sys.stdout, os.path.join(HERE, "run.log"))
    rows = []
    ovsbed.cleanup_on_signals()
    t_start = time.monotonic()
    with vqosexp.measure_lock(), open(os.path.join(HERE, "bottleneck.jsonl"), "w") as jsonl:
        rig = ovsbed.Rig("placement", PORTS, pmd_cpu=PMD_CPU)
        try:
            rig.ovs.set_flows("br0", pipeline(rig))
            rig.renice()
            for r in range(a.runs):
                for pl in places:
                    got = ovsbed.retry(rig, PORTS,
                                       lambda: one_placement(rig, pl, list(LOADS), a, r, jsonl))
                    rows += got or []
        finally:
            rig.close()
    print(f"measured part: {time.monotonic() - t_start:.0f} s", flush=True)
    finish(a, rows)


def finish(a, rows):
    vqosexp.write_csv(os.path.join(HERE, "results.csv"), list(rows[0]),
                      [list(r.values()) for r in rows])
    med = cells(rows)
    plot(med)
    write_readme(a, med, len(rows))
    print(f"wrote {HERE}/results.csv, plot.png, README.md")


if __name__ == "__main__":
    main()
