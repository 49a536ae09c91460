#!/usr/bin/env python3
"""Guarantees under contention, then borrowing.

Root 60 Mbit/s; A rate 30% (18 Mbit/s), B rate 70% (42 Mbit/s), both ceil
60 Mbit/s, both offering 100 Mbit/s: HTB gives each its rate (nothing is
left to lend), so A:B = 30:70 within 3 points. Then A goes idle and B
borrows up to its ceiling, 60 Mbit/s (within 2%).
"""
import signal
import time

from vqostest import check, main, wait_for

TREE = """
tx = {
  qdisc = "htb";
  classes = (
    { name = "root"; rate = "60mbit"; },
    { name = "a"; parent = "root"; port = "a"; rate = "18mbit"; ceil = "60mbit"; },
    { name = "b"; parent = "root"; port = "b"; rate = "42mbit"; ceil = "60mbit"; }
  );
};
"""


def test_guarantee(bed):
    ports, sinks = [], []
    for n in ("a", "b"):
        ports.append({"name": n, "socket": bed.path(f"{n}.sock"),
                      "uplink": f"net_vhost_{n},iface={bed.path(f'u{n}.sock')}"})
    d = bed.vqosd(ports, extra=TREE)
    for i, n in enumerate(("a", "b")):
        sinks.append(bed.gen(f"net_virtio_user{i + 1},path={bed.path(f'u{n}.sock')}",
                             "--rate", 0, "--duration", 0, "--linger", 300, log=f"sink-{n}.log"))
    wait_for(lambda: all(p["uplink_up"] for p in bed.ports().values()), 30, "the sinks")
    # Both offer 100 Mbit/s in 1000-byte frames until told to stop (however
    # often a window is measured again): A after the first measurement, with
    # SIGUSR1 (it lingers while vqosd empties its vring), B at the end.
    ga = bed.gen(f"net_virtio_user0,path={bed.path('a.sock')}", "--rate", "100mbit",
                 "--size", 1000, "--duration", 300, "--linger", 1,
                 log="a.log")
    gb = bed.gen(f"net_virtio_user0,path={bed.path('b.sock')}", "--rate", "100mbit",
                 "--size", 1000, "--duration", 300, "--linger", 1,
                 log="b.log")
    wait_for(lambda: all(p["tx"]["packets"] > 0 for p in bed.ports().values()), 30,
             "both to send")
    time.sleep(1.5)
    r = bed.rates(5.0)
    print(bed.ctl("bottleneck", "-i", "1").stdout)
    check(all(p["connected"] for p in bed.ports().values()), "both sent all along")
    a, b = r["a"]["tx"]["bps"], r["b"]["tx"]["bps"]
    share = 100 * a / (a + b)
    print(f"  both busy: a {a / 1e6:.3f} Mbit/s, b {b / 1e6:.3f} Mbit/s, a's share {share:.2f}%")
    check(abs(share - 30) <= 3, "A:B is 30:70 within 3 points")
    check(abs(a + b - 60e6) <= 0.02 * 60e6, "together they fill the root's 60 Mbit/s")
    ga.send_signal(signal.SIGUSR1)
    bed.gen_result(ga, timeout=30)
    time.sleep(1.0)
    r = bed.rates(5.0)
    print(bed.ctl("-s", "class", "show", "tx").stdout)
    print(bed.ctl("bottleneck", "-i", "1").stdout)
    print(f"  lcore: {bed.lcore()}")
    b = r["b"]["tx"]["bps"]
    print(f"  a idle: b {b / 1e6:.3f} Mbit/s")
    check(abs(b - 60e6) <= 0.02 * 60e6, "with A idle, B rises to its 60 Mbit/s ceiling")
    check(bed.ports()["b"]["connected"], "B was sending all along")
    gb.send_signal(signal.SIGINT)
    bed.gen_result(gb, timeout=30)
    p = bed.ports()
    check(p["a"]["tx"]["drops"] == 0 and p["b"]["tx"]["drops"] == 0, "nothing dropped")
    bed.stop_vqosd(d)


if __name__ == "__main__":
    main(test_guarantee)
