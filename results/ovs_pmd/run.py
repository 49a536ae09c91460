#!/usr/bin/env python3
"""Shared OVS PMD core: does a victim keep its rate and latency next to three
blasting containers, with OVS alone, OVS's own policing, or vqosd in front?

    python3 results/ovs_pmd/run.py [--runs 3] [--seconds 6] [--demand 100kpps]

Rewrites results/ovs_pmd/{results.csv,plot.png,README.md}. The set-up is
described in the README this script writes (see write_readme()).
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ovsbed  # noqa: E402
from ovsbed import vqosexp  # noqa: E402
from vqostest import wait_for  # noqa: E402

AGG = ["agg1", "agg2", "agg3"]
PORTS = ["vic", *AGG, "sink"]
VIC_ID = 1
VIC_SIZE = 128         # bytes: >= 66 so each frame carries a TSC timestamp
AGG_CEIL_KPPS = 300    # per aggressor: vqosd's cpps and OVS's ingress_policing_kpkts_rate
SETUPS = ("ovs", "ovs-police", "vqosd")

# What OVS does to every packet: a stateful firewall's pipeline (as OVN and
# security groups have): conntrack lookup, recirculation, commit, then out.
# The victim goes to the sink, the aggressors to a net_null port.
def pipeline(rig):
    return ovsbed.ct_pipeline(rig, {"vic": "sink", **{a: "null" for a in AGG}})


def tree(demand_pps):
    vic = [f'{{ name = "vic"; parent = "root"; port = "vic"; prio = 0; rate = "1gbit"; '
           f'ceil = "10gbit"; pps = "{int(demand_pps * 1.5)}pps"; cpps = "2mpps"; }}']
    agg = [f'{{ name = "{a}"; parent = "root"; port = "{a}"; prio = 1; rate = "10mbit"; '
           f'ceil = "10gbit"; pps = "10kpps"; cpps = "{AGG_CEIL_KPPS}kpps"; }}' for a in AGG]
    return ('tx = { qdisc = "htb"; classes = (\n  { name = "root"; rate = "10gbit"; '
            'pps = "2mpps"; },\n  ' + ",\n  ".join(vic + agg) + "\n); };\n")


def delta(c0, c1, port, key):
    """A counter's growth between two dump-ports, "" where OVS gave "?"."""
    a, b = c0.get(port, {}).get(key), c1.get(port, {}).get(key)
    return b - a if a is not None and b is not None else ""


def one_run(rig, setup, a, demand_pps, tag):
    bed = rig.bed
    pol = AGG_CEIL_KPPS if setup == "ovs-police" else 0
    # OVS 3.1's userspace datapath polices bytes only (kpkts is kernel-only
    # there): the rate that makes AGG_CEIL_KPPS of 64-byte frames, counted as
    # OVS's DPDK policer counts them (without the 14-byte Ethernet header).
    kbps = pol * 1000 * (64 - 14) * 8 // 1000
    for n in AGG:
        rig.set_iface(n, f"ingress_policing_rate={kbps}",
                      f"ingress_policing_burst={kbps // 100 if pol else 0}")
    d = None
    if setup == "vqosd":
        d = ovsbed.vqosd(bed, [(n, bed.path(f"c-{n}.sock"),
                                f"net_virtio_user_{n},path={rig.sock(n)},server=1,queues=1")
                               for n in ("vic", *AGG)], tree(demand_pps), lcores="0@0,1@0")
        wait_for(lambda: all(p["uplink_up"] for p in bed.ports().values()), 60,
                 "vqosd's uplinks to OVS")

        def vdev(i, n):
            return f"net_virtio_user{i},path={bed.path(f'c-{n}.sock')}"
    else:
        def vdev(i, n):
            return f"net_virtio_user{i},path={rig.sock(n)},server=1"
    # The aggressors: one process, three ports, 64-byte frames as fast as taken.
    agg = ovsbed.gen(bed, [vdev(i, n) for i, n in enumerate(AGG)], "--rate", a.agg_rate,
                     "--size", 64, "--flows", a.flows, "--duration", 3600, "--linger", 0,
                     "--idle-us", 10, "--backoff-us", a.agg_backoff_us, "--id", 10,
                     log=f"agg-{tag}.log", nice=a.container_nice)
    rig.wait_connected(AGG + (["vic"] if d else []), 60)
    time.sleep(1.5)  # the aggressors reach their steady rate
    rig.pmd_clear()
    c0, t0 = rig.counters(), time.monotonic()
    l0 = ovsbed.lcore(bed) if d else None
    v0 = bed.ports()["vic"]["tx"] if d else None
    # The victim (port 0) and the sink (port 1, OVS's "sink" port): one process.
    vs = ovsbed.gen(bed, [vdev(0, "vic") + ",queue_size=1024", f"net_virtio_user1,path={rig.sock('sink')},server=1,"
                          "queue_size=1024"],
                    "--duration", a.seconds, "--linger", 1, "--idle-us", a.idle_us,
                    "--port", 0, "--rate", f"{int(demand_pps)}pps", "--size", VIC_SIZE,
                    "--id", VIC_ID, "--port", 1, "--rate", 0, "--id", 2,
                    log=f"vs-{tag}.log", nice=a.container_nice)
    vsj = ovsbed.gen_json(vs, timeout=a.seconds + 60)
    c1, t1 = rig.counters(), time.monotonic()
    l1 = ovsbed.lcore(bed) if d else None
    v1 = bed.ports()["vic"]["tx"] if d else None
    pmd = rig.pmd_stats()
    ovsbed.stop(agg)
    aj = ovsbed.gen_json(agg, timeout=30)
    if d is not None:
        d.terminate()
        d.wait(timeout=20)
    rig.wait_disconnected(PORTS, 30)
    vj, sj = vsj["ports"][0], vsj["ports"][1]

    got = next((s["packets"] for s in sj["rx"]["streams"] if s["id"] == VIC_ID), 0)
    p50, p99, avg, mx = ovsbed.latency(sj["rx"])
    dt = t1 - t0
    agg_kpps = sum(c1[n]["rx_pkts"] - c0[n]["rx_pkts"] for n in AGG) / dt / 1e3
    fwd_kpps = (c1["null"]["tx_pkts"] - c0["null"]["tx_pkts"]) / dt / 1e3
    busy = stall = sleep = vq_out = vq_drop = ""
    if d:
        dl = {k: l1[k] - l0[k]
              for k in ("busy_cycles", "idle_cycles", "stall_cycles", "sleep_cycles")}
        busy = round(100 * dl["busy_cycles"] / max(1, sum(dl.values())), 1)
        stall = round(100 * dl["stall_cycles"] / max(1, sum(dl.values())), 1)
        sleep = round(100 * dl["sleep_cycles"] / max(1, sum(dl.values())), 1)
        # where a victim frame could be lost: vqosd's tx (drops, link_down)
        vq_out = v1["packets"] - v0["packets"]
        vq_drop = (v1["drops"] - v0["drops"]) + (v1["link_down"] - v0["link_down"])
    row = {"setup": setup, "run": tag, "demand_kpps": round(demand_pps / 1e3, 1),
           "vic_sent_kpps": round(vj["tx"]["pps"] / 1e3, 1),
           "vic_delivered_kpps": round(got / vj["tx"]["time_s"] / 1e3, 1),
           "vic_lost": vj["tx"]["packets"] - got,
           "vic_lat_p50_us": round(p50, 1), "vic_lat_p99_us": round(p99, 1),
           "vic_lat_avg_us": round(avg, 1), "vic_lat_max_us": round(mx, 1),
           "agg_sent_kpps": round(aj["total"]["tx"]["pps"] / 1e3, 1),
           "agg_rx_kpps": round(agg_kpps, 1), "agg_fwd_kpps": round(fwd_kpps, 1),
           "pmd_busy_pct": pmd["busy_pct"], "pmd_cycles_per_pkt": pmd["cycles_per_pkt"],
           "vqosd_busy_pct": busy, "vqosd_stall_pct": stall, "vqosd_sleep_pct": sleep,
           # the victim's frames along the path: vqosd out, OVS in, OVS out to
           # the sink, OVS's drops towards it (its vring full), the sink
           "vic_vqosd_out": vq_out, "vic_vqosd_drop": vq_drop,
           "vic_ovs_rx": delta(c0, c1, "vic", "rx_pkts"),
           "sink_ovs_tx": delta(c0, c1, "sink", "tx_pkts"),
           "sink_ovs_drop": delta(c0, c1, "sink", "tx_drop"),
           "vic_sink_got": got,
           "loadavg_1min": round(os.getloadavg()[0], 2)}
    print("  " + ", ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return row


COLS = ["vic_sent_kpps", "vic_delivered_kpps", "vic_lost", "vic_lat_p50_us", "vic_lat_p99_us",
        "vic_lat_avg_us", "vic_lat_max_us", "agg_sent_kpps", "agg_rx_kpps", "agg_fwd_kpps", "pmd_busy_pct",
        "pmd_cycles_per_pkt", "vqosd_busy_pct", "vqosd_stall_pct", "vqosd_sleep_pct",
        "sink_ovs_drop", "loadavg_1min"]


def medians(rows):
    out = []
    for dem, s in [(d, s) for d in dict.fromkeys(r["demand_kpps"] for r in rows) for s in SETUPS]:
        rs = [r for r in rows if r["setup"] == s and r["demand_kpps"] == dem]
        m = {"setup": s, "runs": len(rs), "demand_kpps": dem}
        for c in COLS:
            xs = [r[c] for r in rs if r[c] != "" and r[c] == r[c]]
            m[c] = round(vqosexp.median(xs), 1) if xs else ""
        out.append(m)
    return out


def plot(med):
    dat = os.path.join(HERE, "plot.dat")
    with open(dat, "w") as f:
        for i, m in enumerate(med):
            f.write(f"{i + i // len(SETUPS)} {m['demand_kpps']:g}k/{m['setup']} "
                    f"{100 * m['vic_delivered_kpps'] / m['demand_kpps']:.1f} 100 "
                    f"{m['vic_lat_p99_us'] if m['vic_lat_p99_us'] != '' else 'NaN'} "
                    f"{m['vic_lat_avg_us']} {m['agg_fwd_kpps']}\n")
    p99 = all(m["vic_lat_p99_us"] not in ("", None) for m in med)
    vqosexp.gnuplot(f"""
set multiplot layout 1,2 title 'victim (demand/set-up) next to 3 blasting containers, one OVS PMD core'
set style fill solid 0.6
set boxwidth 0.6
set xrange [-0.6:{len(med) + len(med) // len(SETUPS) - 1.4}]
set yrange [0:110]
set grid y
set xtics rotate by -30
set ylabel 'victim delivered, % of its demand'
plot '{dat}' using 1:3:xtic(2) with boxes notitle
set logscale y
set yrange [*:*]
set ylabel 'victim one-way latency, us (log)'
plot '{dat}' using 1:{5 if p99 else 6}:xtic(2) with boxes title '{"p99" if p99 else "average"}', '' using 1:6 with points pt 7 title 'average'
unset multiplot
""", os.path.join(HERE, "plot.png"))
    os.unlink(dat)


def write_readme(a, med, rows, gen_has_pct):
    lines = ["# Shared OVS PMD core: a victim next to three blasting containers", ""]
    lines += [
        "Command: `python3 results/ovs_pmd/run.py"
        + (f" --runs {a.runs}" if a.runs != 3 else "")
        + (f" --seconds {a.seconds:g}" if a.seconds != 6 else "")
        + (f" --demand {a.demand}" if a.demand != "100kpps,500kpps" else "") + "` "
        f"(each figure the median of {a.runs} runs).",
        f"Machine: {vqosexp.machine()}; OVS {ovsbed.ovs_version()}.", "",
        "## Set-up", "",
        "```",
        " vic  (port 0 of vqos-gen A, %d B, fixed rate) -\                              /- sink (port 1 of A)"
        % VIC_SIZE,
        " agg1 \\                                          [vqosd] - OVS br0, one PMD core -",
        " agg2  | ports 0-2 of vqos-gen B, 64 B, %s each -/     (conntrack pipeline)    \\- null (net_null)"
        % a.agg_rate,
        " agg3 /",
        "```", "",
        "- OVS-DPDK %s (private ovsdb-server and ovs-vswitchd-dpdk, hugepages), "
        "`pmd-cpu-mask` = CPU 1 only: one PMD thread polls every port. Ports are "
        "`dpdkvhostuserclient`; the containers (or vqosd's uplinks) serve the sockets. "
        "OVS's configuration is the same in every set-up." % ovsbed.ovs_version(),
        "- OpenFlow, per in_port: `table=0 ip actions=ct(table=1)`, `table=1 ip,ct_state=+trk "
        "actions=ct(commit),output:` — a stateful firewall's pipeline (what OVN and security "
        "groups give a container network): conntrack, recirculation, commit. The victim goes "
        "to the sink, the aggressors to a `net_null` port (a NIC that takes everything, so "
        "that no receiving process competes for CPU). The pipeline makes the PMD the "
        "bottleneck: with a plain `output`, OVS took ~330-600 cycles/packet and the "
        "aggressors, which share one CPU with everything else, filled the PMD only 40-60% "
        "in trial runs; with it, ~1200 cycles/packet.",
        f"- Victim: port 0 of a vqos-gen process, {VIC_SIZE}-byte frames (they carry a TSC "
        f"timestamp) at a fixed rate ({a.demand}), {a.seconds:g} s, a 1024-entry vring (2 ms "
        "at 500 kpps, to ride out its CPU's scheduling); the sink is port 1 of the "
        "same process (`--rate 0`), so one process rather than two wakes up on CPU 0. "
        f"Aggressors: three ports of a second vqos-gen process (`--port`), 64-byte frames, "
        f"{a.flows} UDP flows each, offered at {a.agg_rate} each (more than the PMD can "
        "take: they are always backlogged), the same in every set-up.",
        "- Set-ups:",
        "  1. `ovs`: the containers on OVS's ports directly, no QoS.",
        f"  2. `ovs-police`: as 1, with OVS's own ingress policer on each aggressor's port: "
        f"`ingress_policing_rate` = {AGG_CEIL_KPPS} kpps of 64-byte frames as OVS's DPDK "
        f"policer counts them (50 bytes: without the Ethernet header) = "
        f"{AGG_CEIL_KPPS * 50 * 8} kbit/s, burst 10 ms. (OVS 3.1's userspace datapath has "
        "no packet-rate policer: `ingress_policing_kpkts_rate` is kernel-only there. Its "
        "egress-policer QoS polices what a port sends to its container, not what the "
        "container sends, so it does not apply to the aggressors' traffic; on the `null` "
        "port it would police after the PMD has paid for every packet.)",
        f"  3. `vqosd`: vqosd between the four containers and OVS (its uplinks are "
        f"`virtio_user` on the same OVS ports), `tx` htb: root 2 Mpps; victim prio 0, `pps` "
        f"1.5 x its demand; each aggressor prio 1, `pps` 10 kpps, `cpps` {AGG_CEIL_KPPS} kpps: "
        f"together they may offer OVS {3 * AGG_CEIL_KPPS} kpps + the victim.",
        "- Placement (2 CPUs): CPU 1 = OVS's PMD thread alone. CPU 0 = everything else: "
        "OVS's other threads, the aggressors' process (which sleeps "
        f"{a.agg_backoff_us} us when its vrings are full, `--backoff-us`, instead of "
        "spinning), the victim/sink process (sleeps "
        f"{a.idle_us} us when an iteration finds nothing, `--idle-us`), and in set-up 3 "
        "vqosd's control and data-path lcores (`--lcores 0@0,1@0`). vqosd's data path "
        "sleeps when it has nothing to do now (`datapath.sleep_max` 2 ms, the default when this ran): "
        "until a shaped class's tokens arrive or a container kicks its vring, so it takes "
        "CPU 0 only for work (`vqosd lcore asleep %`; `stalled %` is the share of its "
        "cycles in loop iterations longer than 100 us, when it lost the CPU mid-pass). "
        "Every process of the measurement, OVS included, runs at nice -20, "
        "threads and autogroup (the kernel groups each session; others' builds and tests "
        "may run on this shared machine meanwhile: the load average column shows how busy "
        "it was).",
        "- Where the victim's frames go: vqosd's tx counters for its port (out, dropped), "
        "OVS's OpenFlow counters for the victim's port (rx) and the sink's port (tx, and "
        "tx drops: OVS drops a frame when the sink's vring is full), and the sink's "
        "per-sender count; they are in results.csv.",
        "- Measured: over the victim's sending time, the victim's frames the sink got "
        "(per-sender count) per second of sending (`vic_delivered_kpps`), what its vring "
        "accepted (`vic_sent_kpps`: below the demand when OVS or vqosd pushed back), frames "
        "sent and never received (`vic_lost`), one-way latency at the sink "
        "(`rx.latency_us`), the aggressors' packets OVS received and forwarded per second "
        "(OpenFlow port counters), and OVS's `pmd-stats-show` (busy share, processing "
        "cycles per packet) since a `pmd-stats-clear` at the victim's start.",
        "", "## Results (medians)", ""]
    if not gen_has_pct:
        lines += ["This vqos-gen reports latency min/avg/max only, no percentiles: the p50 and "
                  "p99 columns are empty and the plot shows the average.", ""]
    hdr = ["victim demand kpps", "set-up", "victim sent kpps", "victim delivered kpps", "victim lost",
           "lat p50 us", "lat p99 us", "lat avg us", "lat max us", "aggr. sent kpps", "aggr. OVS rx kpps",
           "aggr. fwd kpps", "PMD busy %", "PMD cycles/pkt", "vqosd lcore busy %", "vqosd lcore stalled %",
           "vqosd lcore asleep %", "OVS drops to sink", "load avg"]
    lines += ovsbed.table(hdr, [[m[k] for k in ["demand_kpps", "setup", *COLS]] for m in med])
    lines += ["", "Every run is in results.csv.",
              "", "![plot](plot.png)", "", "## What the figures show", "", "@FINDINGS@", ""]
    ovsbed.write_readme(os.path.join(HERE, "README.md"), lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--demand", default="100kpps,500kpps",
                    help="victim packet rates, comma-separated")
    ap.add_argument("--idle-us", type=int, default=50)
    ap.add_argument("--flows", type=int, default=1024)
    ap.add_argument("--agg-rate", default="1mpps")
    ap.add_argument("--container-nice", type=int, default=ovsbed.NICE,
                    help="nice of the containers (vqos-gen processes); OVS and vqosd "
                         "run at %d" % ovsbed.NICE)
    ap.add_argument("--agg-backoff-us", type=int, default=20,
                    help="the aggressors sleep this long when their vring is full")
    ap.add_argument("--from-log", help="no runs: rebuild the CSV, plot and README from the "
                    "rows a run printed (its stdout saved in this file)")
    a = ap.parse_args()
    demands = [ovsbed.parse_pps(x) for x in a.demand.split(",")]
    if a.from_log:
        rows = ovsbed.rows_from_log(a.from_log, "setup=")
        a.runs = max(sum(1 for r in rows if r["setup"] == s) for s in SETUPS) // len(demands)
        finish(a, rows)
        return
    vqosexp.setup()
    rows = []
    ovsbed.cleanup_on_signals()
    with vqosexp.measure_lock():
        rig = ovsbed.Rig("ovs_pmd", PORTS, pmd_cpu=1)
        try:
            rig.ovs.set_flows("br0", pipeline(rig))
            rig.renice()
            for r in range(a.runs):
                for dem in demands:
                    for s in SETUPS:
                        print(f"{s} {dem / 1e3:g} kpps, run {r + 1}/{a.runs}", flush=True)
                        tag = f"{s}-{dem / 1e3:g}k-{r}"
                        row = ovsbed.retry(rig, PORTS,
                                                 lambda: one_run(rig, s, a, dem, tag))
                        if row is not None:
                            rows.append(row)
        finally:
            rig.close()
    finish(a, rows)


def finish(a, rows):
    vqosexp.write_csv(os.path.join(HERE, "results.csv"), list(rows[0]),
                      [list(r.values()) for r in rows])
    med = medians(rows)
    has_pct = any(r["vic_lat_p99_us"] == r["vic_lat_p99_us"] for r in rows)
    plot(med)
    write_readme(a, med, rows, has_pct)
    print(f"wrote {HERE}/results.csv, plot.png, README.md")


if __name__ == "__main__":
    main()
