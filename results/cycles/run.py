#!/usr/bin/env python3
"""OVS's cycles as the unit: two containers, 64-byte and 1500-byte frames,
each given the same share of the OVS PMD in cycles, packets or bits; which
unit makes the PMD cycles each one causes equal?

    python3 results/cycles/run.py [--runs 3] [--seconds 6] [--share 0.02]

1. Calibration: `vqosctl cost calibrate` against the real OVS (pmd-stats)
   while the small container sends alone, then the large one alone: the
   model a + b x bytes, applied with `vqosctl port cost`.
2. Three policies, each giving both containers the same budget: `cps` =
   SHARE of the PMD's cycles per second each; `pps` = the packet rate at
   which the average of both frames' modelled costs spends that budget;
   `rate` = the bit rate at which the same does. Both containers offer more
   than their budget (max rate, backing off on a full vring).
3. For each policy: both together through vqosd (the rates each gets), then
   each alone at exactly its rate from step 3's joint run, with OVS's PMD
   cycles measured (pmd-stats-show processing cycles per second): the PMD
   cycles each container causes.
Writes results/cycles/{results.csv,README.md}.
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ovs_pmd"))
import ovsbed  # noqa: E402
from ovsbed import vqosexp  # noqa: E402
from vqostest import VQOSCTL, wait_for  # noqa: E402

NAMES = ("small", "large")
SIZE = {"small": 64, "large": 1500}


def vqosd(rig, tree, cost=None):
    bed = rig.bed
    ports = [(n, bed.path(f"c-{n}.sock"),
              f"net_virtio_user_{n},path={rig.sock(n)},server=1,queues=1",
              f"cost = {{ packet = {round(cost[0])}; byte = {cost[1]:.4f}; }};" if cost else "")
             for n in NAMES]
    d = ovsbed.vqosd(bed, ports, tree, lcores="0@0,1@0")
    wait_for(lambda: all(p["uplink_up"] for p in bed.ports().values()), 60, "uplinks to OVS")
    return d


def sender(rig, n, rate, seconds, tag):
    return ovsbed.gen(rig.bed, f"net_virtio_user{NAMES.index(n)},path={rig.bed.path(f'c-{n}.sock')}",
                      "--rate", rate, "--size", SIZE[n], "--duration", seconds, "--linger", 0.5,
                      "--idle-us", 10, "--backoff-us", 20, "--id", 10 + NAMES.index(n),
                      log=f"{n}-{tag}.log")


def pmd_cycles(rig):
    """OVS's PMD processing cycles since the last clear (pmd-stats-show)."""
    m = re.search(r"processing cycles:\s*(\d+)", rig.pmd_stats()["text"])
    return int(m.group(1)) if m else 0


def tx_counts(bed):
    return {n: (p["tx"]["packets"], p["tx"]["bytes"]) for n, p in bed.ports().items()}


def calibrate(rig, seconds):
    """The cost model from the real PMD: calibrate's intervals run while the
    small container sends alone, then the large one."""
    bed = rig.bed
    tree = ('tx = { qdisc = "htb"; classes = ( { name = "root"; pps = "100mpps"; },\n'
            + ",\n".join(f'{{ name = "{n}"; parent = "root"; port = "{n}"; pps = "1mpps"; '
                         f'cpps = "100mpps"; }}' for n in NAMES) + "); };\n")
    d = vqosd(rig, tree)
    rig.flows({n: "null" for n in NAMES})
    s = sender(rig, "small", "300kpps", 60, "cal")
    time.sleep(2)
    cal = subprocess.Popen([VQOSCTL, "-S", bed.ctl_sock, "-j", "cost", "calibrate",
                            "--appctl", f"ovs-appctl -t {rig.ovs.path('ovs-vswitchd.ctl')}",
                            "--interval", "2", "--samples", "6"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(6.5)  # three intervals of the small one
    ovsbed.stop(s)
    l = sender(rig, "large", "150kpps", 60, "cal")
    out, err = cal.communicate(timeout=60)
    ovsbed.stop(l)
    print(err, flush=True)
    if cal.returncode != 0:
        raise RuntimeError(f"cost calibrate exited {cal.returncode}: {err} {out}")
    fit = json.loads(out)
    d.terminate()
    d.wait(timeout=20)
    rig.wait_disconnected(NAMES, 30)
    return fit


def policy_tree(kind, budget, cost):
    """Both leaves with the same budget of @kind, no borrowing."""
    if kind == "cps":
        key, val = "cps", f"{int(budget)}cps"
    elif kind == "pps":
        mean = statistics.mean(cost[0] + cost[1] * SIZE[n] for n in NAMES)
        key, val = "pps", f"{int(budget / mean)}pps"
    else:  # bits: the mean cost per bit of the two sizes
        mean = statistics.mean((cost[0] + cost[1] * SIZE[n]) / (SIZE[n] * 8) for n in NAMES)
        key, val = "rate", f"{int(budget / mean)}bit"
    root = {"cps": 'cps = "100gcps"', "pps": 'pps = "100mpps"', "bps": 'rate = "100gbit"'}[kind]
    return ('tx = { qdisc = "htb"; classes = ( { name = "root"; ' + root + '; },\n'
            + ",\n".join(f'{{ name = "{n}"; parent = "root"; port = "{n}"; {key} = "{val}"; }}'
                         for n in NAMES) + "); };\n"), val


def one_policy(rig, kind, budget, fit, seconds, tag):
    bed = rig.bed
    cost = (fit["packet"], fit["byte"])
    tree, val = policy_tree(kind, budget, cost)
    d = vqosd(rig, tree, cost)
    row = {"policy": kind, "budget_each": val, "run": tag}
    # both together: the rates each gets
    ss = [sender(rig, n, "max", seconds + 2, f"{kind}-{tag}") for n in NAMES]
    time.sleep(1.5)
    rig.pmd_clear()
    c0, t0 = tx_counts(bed), time.monotonic()
    time.sleep(seconds)
    c1, t1 = tx_counts(bed), time.monotonic()
    both = pmd_cycles(rig) / (t1 - t0)
    for s in ss:
        ovsbed.stop(s)
        ovsbed.gen_json(s, timeout=30)
    rates = {n: (c1[n][0] - c0[n][0]) / (t1 - t0) for n in NAMES}
    row["pmd_mcps_both"] = round(both / 1e6, 1)
    # each alone at the rate it got: the PMD cycles it causes
    for n in NAMES:
        row[f"{n}_kpps"] = round(rates[n] / 1e3, 2)
        row[f"{n}_mbit"] = round(rates[n] * SIZE[n] * 8 / 1e6, 2)
        s = sender(rig, n, f"{int(rates[n])}pps", seconds + 2, f"{kind}-{n}-{tag}")
        time.sleep(1.5)
        rig.pmd_clear()
        a0, t0 = tx_counts(bed)[n], time.monotonic()
        time.sleep(seconds)
        a1, t1 = tx_counts(bed)[n], time.monotonic()
        row[f"{n}_pmd_mcps"] = round(pmd_cycles(rig) / (t1 - t0) / 1e6, 2)
        row[f"{n}_alone_kpps"] = round((a1[0] - a0[0]) / (t1 - t0) / 1e3, 2)
        ovsbed.stop(s)
        ovsbed.gen_json(s, timeout=30)
    row["pmd_ratio_small_large"] = round(row["small_pmd_mcps"] / max(1e-9, row["large_pmd_mcps"]), 3)
    row["pkt_ratio_small_large"] = round(rates["small"] / max(1e-9, rates["large"]), 3)
    d.terminate()
    d.wait(timeout=20)
    rig.wait_disconnected(NAMES, 30)
    print("  " + ", ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--share", type=float, default=0.02,
                    help="each container's budget, a share of the PMD's cycles per second")
    a = ap.parse_args()
    vqosexp.setup()
    ovsbed.cleanup_on_signals()
    rows = []
    with vqosexp.measure_lock():
        rig = ovsbed.Rig("cycles", list(NAMES), pmd_cpu=1)
        try:
            rig.renice()
            fit = calibrate(rig, a.seconds)
            print(f"calibration: {fit['packet']:.1f} cycles/packet + {fit['byte']:.4f} "
                  f"cycles/byte (residual {100 * fit['residual']:.2f}%, condition "
                  f"{fit['condition']:.3g})", flush=True)
            hz = int(open("/proc/cpuinfo").read().split("cpu MHz")[1].split(":")[1].split()[0]
                     .split(".")[0]) * 1e6
            budget = a.share * hz
            rig.flows({n: "null" for n in NAMES})
            for r in range(a.runs):
                for kind in ("cps", "pps", "bps"):
                    row = ovsbed.retry(rig, list(NAMES),
                                       lambda: one_policy(rig, kind, budget, fit, a.seconds, r))
                    if row:
                        rows.append(row)
        finally:
            rig.close()
    vqosexp.write_csv(os.path.join(HERE, "results.csv"), list(rows[0]),
                      [list(r.values()) for r in rows])
    with open(os.path.join(HERE, "calibration.json"), "w") as f:
        json.dump(fit, f, indent=2)
    for kind in ("cps", "pps", "bps"):
        rs = [r for r in rows if r["policy"] == kind]
        print(kind, "PMD cycles small/large:", [r["pmd_ratio_small_large"] for r in rs],
              "packets small/large:", [r["pkt_ratio_small_large"] for r in rs])


if __name__ == "__main__":
    main()
