#!/usr/bin/env python3
"""vqosd's CPU against its work: the data-path lcore sleeping (the default)
against polling (datapath.sleep_max 0), idle and at 1%, 10%, 50% and 100% of
the rig's maximum rate; at each, the lcore thread's CPU use (schedstat run
time), the hop's one-way latency (p50/p99) and, with the container's class
capped at that rate, the shaping accuracy.

    python3 results/sleep/run.py [--runs 3] [--seconds 4]

Rig: one container (vqos-gen, virtio_user) -> vqosd -> its uplink
(net_vhost) -> a sink (vqos-gen, virtio_user) that stamps one-way latency
from the sender's TSC (128-byte frames). vqosd's data lcore has CPU 1 to
itself; the container and the sink share CPU 0. The maximum rate is what
this rig delivers with vqosd polling and the container sending as fast as
it can (measured first, in the same session). Writes results/sleep/
{results.csv,README.md}.
"""
import argparse
import json
import os
import signal
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ovs_pmd"))
import vqosexp  # noqa: E402
from ovsbed import renice  # noqa: E402

SIZE = 128
LOADS = (0.0, 0.01, 0.10, 0.50, 1.00)
MODES = (("sleeping", None), ("polling", "0"))


def tree(ceil_pps):
    """The container's tx class: capped at @ceil_pps, or far above the rig."""
    cap = f"{int(ceil_pps)}pps" if ceil_pps else "100mpps"
    return ('tx = { qdisc = "htb"; classes = (\n'
            '  { name = "root"; pps = "100mpps"; },\n'
            f'  {{ name = "c1"; parent = "root"; port = "c1"; pps = "{cap}"; }}\n'
            '); };\n')


def one_run(sleep_max, rate, seconds, ceil_pps=None):
    """One container sending @rate ("max", "0" or pps) for @seconds through a
    fresh vqosd; returns the lcore's CPU share, what the sink got, latency."""
    from vqostest import Bed, lcore_tid, schedstat, wait_for
    bed = Bed("sleep")
    try:
        if sleep_max is not None:
            os.environ["VQOS_SLEEP_MAX"] = sleep_max
        else:
            os.environ.pop("VQOS_SLEEP_MAX", None)
        d = bed.vqosd([{"name": "c1", "socket": bed.path("c1.sock"),
                        "uplink": f"net_vhost_up,iface={bed.path('up.sock')}"}],
                      extra=tree(ceil_pps))
        tid = lcore_tid(d.pid)
        sink = bed.gen(f"net_virtio_user_s,path={bed.path('up.sock')}", "--rate", 0,
                       "--duration", 0, "--linger", 300, log="sink.log")
        cont = bed.gen(f"net_virtio_user0,path={bed.path('c1.sock')}", "--rate",
                       rate if isinstance(rate, str) else f"{int(rate)}pps",
                       "--size", SIZE, "--delay", 2, "--duration", seconds + 2,
                       "--linger", 1, log="c1.log")
        wait_for(lambda: bed.ports()["c1"]["connected"], 20, "the container")
        # nice -20, threads and autogroup: the shared machine's other work
        # (builds, tests) takes less from the rig
        for p in (d, sink, cont):
            renice(p.pid)
        time.sleep(2.5)  # the delay, then half a second of sending
        r0, t0, p0 = schedstat(d.pid, tid)[0], time.monotonic(), bed.ports()["c1"]["tx"]["packets"]
        time.sleep(seconds)
        r1, t1, p1 = schedstat(d.pid, tid)[0], time.monotonic(), bed.ports()["c1"]["tx"]["packets"]
        bed.gen_result(cont, timeout=60)
        time.sleep(0.5)
        sink.send_signal(signal.SIGINT)
        s = bed.gen_result(sink)
        bed.stop_vqosd(d)
        return {"cpu": (r1 - r0) / ((t1 - t0) * 1e9), "pps": (p1 - p0) / (t1 - t0),
                "p50": s["rx"]["latency_us"]["p50"], "p99": s["rx"]["latency_us"]["p99"]}
    finally:
        bed.close()


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs):
    return (max(xs) - min(xs)) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=4)
    a = ap.parse_args()
    vqosexp.setup()
    with vqosexp.measure_lock():
        peak = [one_run("0", "max", a.seconds)["pps"] for _ in range(a.runs)]
        top = med(peak)
        print(f"maximum rate (polling, container at max): {top:.0f} pps, runs {peak}")
        rows = []
        for load in LOADS:
            rate = "0" if load == 0 else ("max" if load == 1 else top * load)
            for mode, sm in MODES:
                free = [one_run(sm, rate, a.seconds) for _ in range(a.runs)]
                # shaped: offered 1.25 x a ceiling of the load's rate (not at
                # 100%: the rig cannot offer more than its maximum)
                shaped = ([one_run(sm, top * load * 1.25, a.seconds, ceil_pps=top * load)
                           for _ in range(a.runs)] if 0 < load < 1 else [])
                row = {"load_pct": round(100 * load), "mode": mode,
                       "cpu_pct": 100 * med([r["cpu"] for r in free]),
                       "cpu_spread": 100 * spread([r["cpu"] for r in free]),
                       "pps": med([r["pps"] for r in free]),
                       "p50_us": med([r["p50"] for r in free if load > 0]),
                       "p99_us": med([r["p99"] for r in free if load > 0]),
                       "shaped_pps": med([r["pps"] for r in shaped]),
                       "shaped_spread_pct": (100 * spread([r["pps"] for r in shaped]) /
                                             (top * load) if shaped else float("nan")),
                       "shaped_err_pct": (100 * (med([r["pps"] for r in shaped]) /
                                                 (top * load) - 1) if shaped else float("nan")),
                       "shaped_cpu_pct": 100 * med([r["cpu"] for r in shaped])}
                rows.append(row)
                print(json.dumps(row))
    header = list(rows[0].keys())
    vqosexp.write_csv(os.path.join(HERE, "results.csv"), header,
                      [[r[h] for h in header] for r in rows])
    print(f"wrote {os.path.join(HERE, 'results.csv')}; maximum {top:.0f} pps")


if __name__ == "__main__":
    main()
