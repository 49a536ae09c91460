#!/usr/bin/env python3
"""Ports sharded over two data-path lcores.

vqosd gets two worker lcores; each port goes to the lcore that polls the
fewest ports when it opens, so a goes to lcore 1 and b to lcore 2. Each
lcore runs its part of the tx tree: the root (60 Mbit/s), which has leaves
on both, is split by its leaves' rates, a's 20 and b's 40 Mbit/s, so lcore
1's root is 20 and lcore 2's is 40 Mbit/s; a and b each offer 100 Mbit/s
and get their 20 and 40. A part of a split class does not lend to the other
part: with b idle, a stays at 20 Mbit/s though its ceiling is 60 (the
README says so). A class change reaches both lcores in one publish (a's
rate changes the root's split), and tx stays lossless.

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


def class_packets(bed, name):
    for c in json.loads(bed.ctl("-j", "-s", "class", "show", "tx").stdout):
        if c["name"] == name:
            return c["stats"]["packets"]
    raise KeyError(name)


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
    ga = bed.gen(f"net_virtio_user0,path={bed.path('a.sock')}", "--rate", "100mbit",
                 "--size", 1000, "--duration", 40, "--linger", 1, log="a.log")
    # b sends 60000 frames: about 11 s at the rates below, past both windows
    gb = bed.gen(f"net_virtio_user0,path={bed.path('b.sock')}", "--rate", "100mbit",
                 "--size", 1000, "--count", 60000, "--duration", 40, "--linger", 1,
                 log="b.log")
    wait_for(lambda: all(p["tx"]["packets"] > 0 for p in bed.ports().values()), 30,
             "both to send")
    time.sleep(1.0)
    root0 = class_packets(bed, "root")
    p0 = bed.ports()
    r = bed._rates(4.0)
    root1 = class_packets(bed, "root")
    p1 = bed.ports()
    a, b = r["a"]["tx"]["bps"], r["b"]["tx"]["bps"]
    print(f"  both busy: a {a / 1e6:.3f} Mbit/s (lcore 1), b {b / 1e6:.3f} Mbit/s (lcore 2)")
    check(near(a, 20e6, 0.03), "a gets lcore 1's part of the root, 20 Mbit/s, within 3%")
    check(near(b, 40e6, 0.03), "b gets lcore 2's part of the root, 40 Mbit/s, within 3%")
    sent = sum(p1[n]["tx"]["packets"] - p0[n]["tx"]["packets"] for n in ("a", "b"))
    check(abs((root1 - root0) - sent) <= 0.01 * sent,
          f"the root's packets, summed over both lcores' parts ({root1 - root0}), are a's "
          f"and b's ({sent})")

    # one change, both lcores: a's rate 10 Mbit/s makes the root's parts
    # 60 * 10/50 = 12 and 60 * 40/50 = 48 Mbit/s; each leaf borrows its part
    out = json.loads(bed.ctl("-j", "class", "change", "tx", "name", "a", "rate",
                             "10mbit").stdout)
    print(f"  class change: {out}")
    time.sleep(0.5)
    r = bed._rates(4.0)
    a, b = r["a"]["tx"]["bps"], r["b"]["tx"]["bps"]
    print(f"  a at 10 Mbit/s: a {a / 1e6:.3f}, b {b / 1e6:.3f} Mbit/s")
    check(near(a, 12e6, 0.03) and near(b, 48e6, 0.03),
          "after the change a and b get 12 and 48 Mbit/s (within 3%)")

    # b ends: a does not borrow what lcore 2's part leaves unused
    rb = bed.gen_result(gb, timeout=120)
    time.sleep(1.0)
    r = bed._rates(3.0)
    a = r["a"]["tx"]["bps"]
    print(f"  b idle: a {a / 1e6:.3f} Mbit/s")
    check(r["b"]["tx"]["pps"] == 0, "b is idle")
    check(near(a, 12e6, 0.03), "a stays at its lcore's part, 12 Mbit/s: no borrowing "
          "between lcores")
    ra = bed.gen_result(ga, timeout=120)
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
