#!/usr/bin/env python3
"""Ports sharded over two data-path lcores.

vqosd gets two worker lcores; each port goes to the lcore that polls the
fewest ports when it opens, so a goes to lcore 1 and b to lcore 2. Each
lcore runs its part of the tx tree: the root (60 Mbit/s), which has leaves
on both, starts split by its leaves' rates, a's 20 and b's 40 Mbit/s, so
lcore 1's root is 20 and lcore 2's is 40 Mbit/s; a and b each offer 100
Mbit/s and get their 20 and 40. A class change reaches both lcores in one
publish (a's rate changes the root's split to 12 and 48). The parts of a
split class lend to each other (vhost_tx/dp_share.c): every few ms the
lcores move the root's shares to where the demand is, so with b idle a gets
its ceiling, the whole root's 60 Mbit/s (within 1%, measured from 50 ms
after b went idle), and the root is never exceeded: over every window
between two looks at its counters, what it sent is at most 60 Mbit/s x the
window plus both parts' bursts. tx stays lossless.

On this 2-CPU machine both lcores share CPU 1, so each loses its CPU for
much of the time and the rates are read without the harness's re-measuring
of stalled windows: this checks what sharding does, not what it gains.
"""
import json
import signal
import time

from vqostest import check, main, wait_for

# Bursts of 100 ms and more: the two lcores time-share one CPU, and a
# bucket must outlast the time its lcore waits for the CPU.
TREE = """
tx = {
  qdisc = "htb";
  classes = (
    { name = "root"; rate = "60mbit"; burst = "750k"; cburst = "750k"; },
    { name = "a"; parent = "root"; port = "a"; rate = "20mbit"; ceil = "60mbit";
      burst = "750k"; cburst = "750k"; },
    { name = "b"; parent = "root"; port = "b"; rate = "40mbit"; ceil = "60mbit";
      burst = "750k"; cburst = "750k"; }
  );
};
"""


def near(x, want, tol):
    return abs(x - want) <= tol * want


ROOT_BPS = 60e6
# what the root may send beyond its rate in any window: both lcores' parts'
# cburst (750 KB each), and a vring burst of overshoot each (32 x 1000 bytes)
ROOT_SLACK_BITS = 8 * (2 * 750000 + 2 * 32 * 1000)


def class_stats(bed, name):
    for c in json.loads(bed.ctl("-j", "-s", "class", "show", "tx").stdout):
        if c["name"] == name:
            return c["stats"]
    raise KeyError(name)


def class_packets(bed, name):
    return class_stats(bed, name)["packets"]


def root_look(bed, looks):
    """A look at the root's bytes, kept with the times around it."""
    t0 = time.monotonic()
    got = class_stats(bed, "root")["bytes"]
    looks.append((t0, time.monotonic(), got))


def check_root(looks):
    """Between every two looks, the root sent at most its rate x the time
    (the longest the window can have been) plus its parts' bursts. @looks
    is a list of runs of looks: a change rebuilds the qdiscs, whose counters
    start again."""
    worst, n = 0.0, 0
    for (s0, _, b0), (_, e1, b1) in [w for run in looks for w in zip(run, run[1:])]:
        n += 1
        bits = (b1 - b0) * 8
        allowed = ROOT_BPS * (e1 - s0) + ROOT_SLACK_BITS
        worst = max(worst, bits / (e1 - s0) / 1e6)
        check(bits <= allowed, f"the root sent {bits / 1e6:.3f} Mbit in {e1 - s0:.3f} s, at most "
              f"{allowed / 1e6:.3f} allowed")
    print(f"  root: {n} windows, the fastest {worst:.3f} Mbit/s")
    check(n >= 6, f"the root was looked at over {n} windows")


def idle_since(bed, name):
    """Wait until port @name sends no more; the time of the first look that
    saw its tx counter still (it went idle before that look)."""
    last, still_at, still = None, None, 0
    while still < 5:
        t = time.monotonic()
        got = bed.ports()[name]["tx"]["packets"]
        if got != last:
            last, still_at, still = got, None, 0
        else:
            still_at = still_at or t
            still += 1
        time.sleep(0.01)
    return still_at


def test_lcores(bed):
    ports = [{"name": n, "socket": bed.path(f"{n}.sock"),
              "uplink": f"net_vhost_{n},iface={bed.path(f'u{n}.sock')}"} for n in ("a", "b")]
    d = bed.vqosd(ports, extra=TREE, lcores="0@0,1@1,2@1")
    shown = bed.ports()
    check(shown["a"]["lcore"] == 1 and shown["b"]["lcore"] == 2,
          "a is polled by lcore 1, b by lcore 2")
    lc = bed.lcores()
    check([(x["lcore"], x["ports"]) for x in lc] == [(1, 1), (2, 1)],
          "lcore show lists both data-path lcores, one port each")
    sinks = [bed.gen(f"net_virtio_user{i + 1},path={bed.path(f'u{n}.sock')}", "--rate", 0,
                     "--duration", 0, "--linger", 300, log=f"sink-{n}.log")
             for i, n in enumerate(("a", "b"))]
    wait_for(lambda: all(p["uplink_up"] for p in bed.ports().values()), 30, "the sinks")
    # both send until told to stop (SIGUSR1: it lingers while vqosd empties
    # its vring), however long a loaded machine makes the windows: b after
    # the change's window, a at the end
    ga = bed.gen(f"net_virtio_user0,path={bed.path('a.sock')}", "--rate", "100mbit",
                 "--size", 1000, "--duration", 300, "--linger", 1, log="a.log")
    gb = bed.gen(f"net_virtio_user0,path={bed.path('b.sock')}", "--rate", "100mbit",
                 "--size", 1000, "--duration", 300, "--linger", 1, log="b.log")
    wait_for(lambda: all(p["tx"]["packets"] > 0 for p in bed.ports().values()), 30,
             "both to send")
    looks = [[], []]  # before the change, after it
    time.sleep(1.0)
    root_look(bed, looks[0])
    # each look at the root between two at the ports: the ctl calls take
    # tens of ms on a loaded machine, so the root's count is compared with
    # what the ports sent between the looks around it
    pa = bed.ports()
    root0 = class_packets(bed, "root")
    p0 = bed.ports()
    r = bed._rates(4.0)
    p1 = bed.ports()
    root1 = class_packets(bed, "root")
    pd = bed.ports()
    root_look(bed, looks[0])
    a, b = r["a"]["tx"]["bps"], r["b"]["tx"]["bps"]
    print(f"  both busy: a {a / 1e6:.3f} Mbit/s (lcore 1), b {b / 1e6:.3f} Mbit/s (lcore 2)")
    print(bed.ctl("lcore", "show").stdout)
    check(near(a, 20e6, 0.03), "a gets lcore 1's part of the root, 20 Mbit/s, within 3%")
    check(near(b, 40e6, 0.03), "b gets lcore 2's part of the root, 40 Mbit/s, within 3%")
    def sent(x, y):
        return sum(y[n]["tx"]["packets"] - x[n]["tx"]["packets"] for n in ("a", "b"))
    # a port may hold a granted burst back from its uplink: 2 x 64 packets
    low, high = sent(p0, p1) - 128, sent(pa, pd) + 128
    check(low <= root1 - root0 <= high,
          f"the root's packets, summed over both lcores' parts ({root1 - root0}), are a's "
          f"and b's ({low + 128} to {high - 128} between the looks around it)")

    # one change, both lcores: a's rate 10 Mbit/s makes the root's parts
    # 60 * 10/50 = 12 and 60 * 40/50 = 48 Mbit/s; each leaf borrows its part
    out = json.loads(bed.ctl("-j", "class", "change", "tx", "name", "a", "rate",
                             "10mbit").stdout)
    print(f"  class change: {out}")
    time.sleep(0.5)
    root_look(bed, looks[1])
    r = bed._rates(4.0)
    root_look(bed, looks[1])
    a, b = r["a"]["tx"]["bps"], r["b"]["tx"]["bps"]
    print(f"  a at 10 Mbit/s: a {a / 1e6:.3f}, b {b / 1e6:.3f} Mbit/s")
    print(bed.ctl("lcore", "show").stdout)
    check(near(a, 12e6, 0.03) and near(b, 48e6, 0.03),
          "after the change a and b get 12 and 48 Mbit/s (within 3%)")

    # b ends: lcore 2's part lends its share to lcore 1's, a gets its ceiling
    gb.send_signal(signal.SIGUSR1)
    t_idle = idle_since(bed, "b")
    rest = t_idle + 0.05 - time.monotonic()
    print(f"  b idle: measured from {1000 * (max(time.monotonic(), t_idle + 0.05) - t_idle):.0f}"
          " ms after b went idle at the latest")
    if rest > 0:
        time.sleep(rest)
    # one 3 s window (the ctl calls' time is a smaller part of it than of
    # 1 s windows), the root looked at every second inside it
    s0 = time.monotonic()
    p0 = bed.ports()
    t0 = (s0 + time.monotonic()) / 2
    for _ in range(3):
        root_look(bed, looks[1])
        time.sleep(1.0)
    root_look(bed, looks[1])
    s1 = time.monotonic()
    p1 = bed.ports()
    t1 = (s1 + time.monotonic()) / 2
    a = (p1["a"]["tx"]["bytes"] - p0["a"]["tx"]["bytes"]) * 8 / (t1 - t0)
    print(f"  b idle: a {a / 1e6:.3f} Mbit/s over {t1 - t0:.3f} s")
    print(bed.ctl("-s", "class", "show", "tx").stdout)
    print(bed.ctl("lcore", "show").stdout)
    check(p1["b"]["tx"]["packets"] == p0["b"]["tx"]["packets"], "b is idle")
    check(near(a, 60e6, 0.01),
          "a gets its ceiling, 60 Mbit/s within 1%: lcore 2's part lends to lcore 1's")
    rb = bed.gen_result(gb, timeout=30)
    ga.send_signal(signal.SIGUSR1)
    ra = bed.gen_result(ga, timeout=30)
    check_root(looks)
    time.sleep(1.0)
    shown = bed.ports()
    for n, res in (("a", ra), ("b", rb)):
        check(shown[n]["tx"]["packets"] == res["tx"]["packets"] and shown[n]["tx"]["drops"] == 0,
              f"{n}: vqosd forwarded all {res['tx']['packets']} frames the container sent, "
              "dropping none")
        check(res["tx"]["backpressure"] > 0, f"{n} saw backpressure")
    print(bed.ctl("lcore", "show").stdout)
    bed.stop_vqosd(d)
    for s in sinks:
        s.send_signal(signal.SIGINT)
    for n, s in zip(("a", "b"), sinks):
        got = bed.gen_result(s)["rx"]["packets"]
        check(got == shown[n]["tx"]["packets"], f"sink of {n} got all {got} frames")


if __name__ == "__main__":
    main(test_lcores)
