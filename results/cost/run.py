#!/usr/bin/env python3
"""What the vqosd hop costs: added one-way latency (p50/p99) and cycles per
packet against containers attached to OVS directly, at a few offered loads,
and the cost of each qdisc kind at one load.

    python3 results/cost/run.py [--runs 3] [--seconds 4] [--loads 100kpps,500kpps,1mpps]

Rewrites results/cost/{results.csv,plot.png,README.md}; the set-up is
described in the README this script writes (write_readme()).
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ovs_pmd"))
import ovsbed  # noqa: E402
from ovsbed import vqosexp  # noqa: E402
from vqostest import wait_for  # noqa: E402

SIZE = 128           # bytes: frames >= 66 carry the sender's TSC
SRC_ID = 1
KIND_LOAD = 500e3    # pps at which every qdisc kind is measured
SCHED_REFUSED = (
    "`sched` is not measured: `vqosctl qdisc replace rx sched` on a running vqosd with one "
    "port and a root + one leaf tree (10gbit/2gbit, and 1gbit/800mbit) was refused "
    "(`librte_sched refused the mapping (-22)`; vqosd's log: `SCHED: pipe_profile_check: "
    "Incorrect value for tb rate`), and vqosd refuses `police` and `sched` in its "
    "configuration file (`qdisc police refuses the tree: rte_get_tsc_hz() is 0: no EAL`), "
    "so `police` is started as htb and replaced at run time.")

# The trees: large enough rates that nothing is shaped or policed; what is
# measured is the qdisc's own work per packet.
TREES = {
    "fifo": '{dir} = {{ qdisc = "fifo"; }};\n',
    "htb": ('{dir} = {{ qdisc = "htb"; classes = (\n  {{ name = "root"; rate = "10gbit"; }},\n'
            '  {{ name = "l"; parent = "root"; port = "{port}"; rate = "10gbit"; }}\n); }};\n'),
}


def configs(loads):
    """(hop, load): the direct baseline and htb on each side at every load;
    every other kind at KIND_LOAD (sched works on rx only)."""
    out = []
    for load in loads:
        out += [("direct", load), ("tx-htb", load), ("rx-htb", load)]
    # rx-sched is not measured: see SCHED_REFUSED.
    out += [(h, KIND_LOAD) for h in ("tx-fifo", "tx-police", "rx-fifo", "rx-police")]
    return out


def one_run(rig, hop, load, a, tag):
    bed = rig.bed
    d = None
    src = f"net_virtio_user0,path={rig.sock('src')},server=1"
    dst = f"net_virtio_user1,path={rig.sock('dst')},server=1,queue_size=1024"
    if hop != "direct":
        side, kind = hop.split("-")
        port = "src" if side == "tx" else "dst"
        d = ovsbed.vqosd(bed, [(port, bed.path(f"c-{port}.sock"),
                                f"net_virtio_user_{port},path={rig.sock(port)},server=1,queues=1")],
                         TREES[kind if kind in TREES else "htb"].format(dir=side, port=port),
                         lcores="0@0,1@0")
        if kind in ("police", "sched"):
            # vqosd refuses these kinds in its file: their check wants the TSC
            # frequency before EAL is up ("rte_get_tsc_hz() is 0: no EAL").
            # Started on the same tree with htb, then replaced at run time
            # (SCHED_REFUSED: sched is refused there too).
            bed.ctl("qdisc", "replace", side, kind)
            shown = bed.ctl("qdisc", "show").stdout
            if kind not in shown:
                raise RuntimeError(f"qdisc replace {side} {kind} did not take: {shown}")
        wait_for(lambda: all(p["uplink_up"] for p in bed.ports().values()), 60, "vqosd's uplink")
        if side == "tx":
            src = f"net_virtio_user0,path={bed.path('c-src.sock')}"
        else:
            dst = f"net_virtio_user1,path={bed.path('c-dst.sock')},queue_size=1024"
    rig.pmd_clear()
    l0 = ovsbed.lcore(bed) if d else None
    # The sender (port 0) and the receiver (port 1): one process, on CPU 1
    # beside OVS's PMD, so that vqosd's data path has CPU 0 to itself.
    g = ovsbed.gen(bed, [src, dst], "--duration", a.seconds, "--linger", 1, "--idle-us",
                   a.idle_us, "--port", 0, "--rate", f"{int(load)}pps", "--size", SIZE, "--id",
                   SRC_ID, "--port", 1, "--rate", 0, "--id", 2, log=f"gen-{tag}.log", cpu=1)
    gj = ovsbed.gen_json(g, timeout=a.seconds + 60)
    l1 = ovsbed.lcore(bed) if d else None
    pmd = rig.pmd_stats()
    if d is not None:
        d.terminate()
        d.wait(timeout=20)
    rig.wait_disconnected(["src", "dst"], 30)
    sj, rj = gj["ports"][0], gj["ports"][1]
    got = next((s["packets"] for s in rj["rx"]["streams"] if s["id"] == SRC_ID), 0)
    p50, p99, avg, mx = ovsbed.latency(rj["rx"])
    cpp = busy = stall = ""
    if d:
        dl = {k: l1[k] - l0[k] for k in ("busy_cycles", "idle_cycles", "stall_cycles", "packets")}
        cyc = dl["busy_cycles"] + dl["idle_cycles"] + dl["stall_cycles"]
        cpp = round(dl["busy_cycles"] / max(1, dl["packets"]), 1)
        busy = round(100 * dl["busy_cycles"] / max(1, cyc), 1)
        stall = round(100 * dl["stall_cycles"] / max(1, cyc), 1)
    row = {"hop": hop, "load_kpps": round(load / 1e3, 1), "run": tag,
           "sent_kpps": round(sj["tx"]["pps"] / 1e3, 1),
           "delivered_kpps": round(got / max(sj["tx"]["time_s"], 1e-9) / 1e3, 1),
           "lost": sj["tx"]["packets"] - got,
           "lat_p50_us": round(p50, 1), "lat_p99_us": round(p99, 1),
           "lat_avg_us": round(avg, 1), "lat_max_us": round(mx, 1),
           "vqosd_cycles_per_pkt": cpp, "vqosd_busy_pct": busy, "vqosd_stall_pct": stall,
           "ovs_cycles_per_pkt": pmd["cycles_per_pkt"], "ovs_busy_pct": pmd["busy_pct"],
           "loadavg_1min": round(os.getloadavg()[0], 2)}
    print("  " + ", ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return row


COLS = ["sent_kpps", "delivered_kpps", "lost", "lat_p50_us", "lat_p99_us", "lat_avg_us",
        "lat_max_us", "vqosd_cycles_per_pkt", "vqosd_busy_pct", "vqosd_stall_pct",
        "ovs_cycles_per_pkt", "ovs_busy_pct", "loadavg_1min"]


def medians(rows, cfgs):
    out = []
    for hop, load in cfgs:
        rs = [r for r in rows if r["hop"] == hop and r["load_kpps"] == round(load / 1e3, 1)]
        m = {"hop": hop, "load_kpps": round(load / 1e3, 1), "runs": len(rs)}
        for c in COLS:
            xs = [r[c] for r in rs if r[c] != "" and r[c] == r[c]]
            m[c] = round(vqosexp.median(xs), 1) if xs else ""
        out.append(m)
    return out


def plot(med, loads):
    dat = os.path.join(HERE, "plot.dat")
    kinds = [m for m in med if m["load_kpps"] == round(KIND_LOAD / 1e3, 1)]
    with open(dat, "w") as f:
        for hop in ("direct", "tx-htb", "rx-htb"):
            for m in med:
                if m["hop"] == hop and m in med[:3 * len(loads)]:
                    f.write(f"{m['load_kpps']} {m['lat_p50_us']} {m['lat_p99_us']}\n")
            f.write("\n\n")
    kdat = os.path.join(HERE, "kinds.dat")
    with open(kdat, "w") as f:
        order = ["tx-fifo", "tx-htb", "tx-police", "rx-fifo", "rx-htb", "rx-police", "rx-sched"]
        for i, m in enumerate(sorted((k for k in kinds if k["hop"] in order),
                                     key=lambda k: order.index(k["hop"]))):
            f.write(f"{i} {m['hop']} {m['vqosd_cycles_per_pkt'] or 'NaN'} "
                    f"{m['ovs_cycles_per_pkt']}\n")
    vqosexp.gnuplot(f"""
set multiplot layout 1,2 title 'vqosd hop vs containers on OVS directly ({SIZE}-byte frames)'
set grid
set logscale y
set xlabel 'offered load, kpps'
set ylabel 'one-way latency, us (log)'
set key top left
plot for [i=0:2] '{dat}' index i using 1:2 with linespoints pt 7 title word('direct tx-htb rx-htb', i+1).' p50', \\
     for [i=0:2] '{dat}' index i using 1:3 with linespoints dt 2 pt 5 title word('direct tx-htb rx-htb', i+1).' p99'
unset logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.6
set yrange [0:*]
set xlabel 'qdisc (at {KIND_LOAD / 1e3:g} kpps)'
set ylabel 'cycles per packet'
set xtics rotate by -30
plot '{kdat}' using 3:xtic(2) title 'vqosd lcore', '' using 4 title 'OVS PMD'
unset multiplot
""", os.path.join(HERE, "plot.png"))
    os.unlink(dat)
    os.unlink(kdat)


def write_readme(a, med):
    lines = ["# Cost of the vqosd hop", "",
             "Command: `python3 results/cost/run.py"
             + (f" --runs {a.runs}" if a.runs != 3 else "")
             + (f" --seconds {a.seconds:g}" if a.seconds != 4 else "")
             + (f" --loads {a.loads}" if a.loads != "100kpps,500kpps,1mpps" else "") + "` "
             f"(each figure the median of {a.runs} runs).",
             f"Machine: {vqosexp.machine()}; OVS {ovsbed.ovs_version()}.", "",
             "## Set-up", "",
             "```",
             " direct:  sender --------------> OVS br0 (1 PMD, CPU 1) --------------> receiver",
             " tx-KIND: sender --> vqosd tx --> OVS br0 ------------------------------> receiver",
             " rx-KIND: sender --------------> OVS br0 --------------> vqosd rx ------> receiver",
             "```", "",
             f"- Sender and receiver: ports 0 and 1 of one vqos-gen process, {SIZE}-byte "
             "frames (each carries the sender's TSC, so the receiver measures one-way latency) "
             f"at a fixed rate for {a.seconds:g} s; the receiver's vring has 1024 entries. "
             f"The process sleeps {a.idle_us} us when an iteration finds nothing to do.",
             "- OVS-DPDK, one PMD thread on CPU 1, `dpdkvhostuserclient` ports, one rule "
             "`in_port=src actions=output:dst` (OVS's cheapest path: 'simple match').",
             "- vqosd: one port, on the sending side (`tx-KIND`: the sender is its container, "
             "its uplink is OVS's `src` port) or the receiving side (`rx-KIND`), qdisc KIND in "
             "that direction with rates (10 Gbit/s) that never shape or police: the figures "
             "are the cost of the qdisc's work, not of a limit. `sched` (librte_sched) works on "
             "rx only.",
             "- Placement (2 CPUs): vqosd's lcores on CPU 0 (`--lcores 0@0,1@0`), which is "
             "otherwise idle: its data path has a core of its own, as it would in a deployment. "
             "OVS's PMD thread and the generator share CPU 1, in every set-up alike (direct "
             "included): OVS busy-polls, the generator sleeps when idle, so the generator's "
             "wake-ups wait for the scheduler to preempt the PMD, and the PMD is off its CPU "
             "while the generator runs. Both inflate the latency of every set-up by the same "
             "kind of delay, and OVS's cycles per packet (pmd-stats counts a preempted "
             "iteration's cycles as processing). `vqosd stalled %` is the share of vqosd's "
             "cycles in loop iterations longer than 100 us (it lost its CPU).",
             "- Every process of the measurement runs at nice -20 (threads and autogroup), "
             "as the machine was shared with other work (load average column).",
             "- `vqosd cycles/pkt`: `vqosctl lcore show`, busy cycles (loop iterations that "
             "moved packets and were not preempted) / packets, over the sending time: the "
             "whole hop (vhost dequeue/enqueue, qdisc, uplink) at that load, both directions' "
             "work on the one data-path lcore (the packets of an iteration that lost the CPU count, its "
             "cycles do not: with a high `stalled %` the figure is too low). `OVS cycles/pkt`: `ovs-appctl "
             "dpif-netdev/pmd-stats-show`, avg processing cycles per packet, since a "
             "`pmd-stats-clear` at the start.",
             "- " + SCHED_REFUSED,
             "", "## Results (medians)", ""]
    hdr = ["hop", "load kpps", "sent kpps", "delivered kpps", "lost", "lat p50 us",
           "lat p99 us", "lat avg us", "lat max us", "vqosd cycles/pkt", "vqosd busy %",
           "vqosd stalled %", "OVS cycles/pkt", "OVS PMD busy %", "load avg"]
    lines += ovsbed.table(hdr, [[m[k] for k in ["hop", "load_kpps", *COLS]] for m in med])
    lines += ["", "Every run is in results.csv.", "", "![plot](plot.png)", "",
              "## What the figures show", "", "@FINDINGS@", ""]
    ovsbed.write_readme(os.path.join(HERE, "README.md"), lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--loads", default="100kpps,500kpps,1mpps")
    ap.add_argument("--idle-us", type=int, default=10)
    ap.add_argument("--from-log", help="no runs: rebuild the CSV, plot and README from the "
                    "rows a run printed (its stdout saved in this file)")
    a = ap.parse_args()
    loads = [ovsbed.parse_pps(x) for x in a.loads.split(",")]
    cfgs = configs(loads)
    if a.from_log:
        rows = ovsbed.rows_from_log(a.from_log, "hop=")
        a.runs = max(sum(1 for r in rows if r["hop"] == h and r["load_kpps"] == l / 1e3)
                     for h, l in cfgs)
        finish(a, rows, cfgs, loads)
        return
    vqosexp.setup()
    rows = []
    ovsbed.cleanup_on_signals()
    with vqosexp.measure_lock():
        rig = ovsbed.Rig("cost", ["src", "dst"], pmd_cpu=1, null_port=False)
        try:
            rig.flows({"src": "dst"})
            rig.renice()
            for r in range(a.runs):
                for hop, load in cfgs:
                    print(f"{hop} {load / 1e3:g} kpps, run {r + 1}/{a.runs}", flush=True)
                    tag = f"{hop}-{load / 1e3:g}k-{r}"
                    row = ovsbed.retry(rig, ["src", "dst"],
                                             lambda: one_run(rig, hop, load, a, tag))
                    if row is not None:
                        rows.append(row)
        finally:
            rig.close()
    finish(a, rows, cfgs, loads)


def finish(a, rows, cfgs, loads):
    vqosexp.write_csv(os.path.join(HERE, "results.csv"), list(rows[0]),
                      [list(r.values()) for r in rows])
    med = medians(rows, cfgs)
    plot(med, loads)
    write_readme(a, med)
    print(f"wrote {HERE}/results.csv, plot.png, README.md")


if __name__ == "__main__":
    main()
