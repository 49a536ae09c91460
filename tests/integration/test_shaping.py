#!/usr/bin/env python3
"""tx shaping: two containers, each offering twice its ceiling.

c1 is a vqos-gen with a bit-rate ceiling; c2 is dpdk-testpmd (txonly, as
fast as it goes) on a class with a packet-rate ceiling. Each must get its
ceiling within 2% (measured from vqosd's counters over a steady window, and
checked against the uplink sinks' totals), and tx must be lossless: vqosd
drops nothing, every packet the containers' vrings accepted reaches the
uplink, and the generator sees backpressure instead.
"""
import signal
import time

from vqostest import Testpmd, check, main, wait_for

C1_CEIL_BPS = 40e6
C2_CEIL_PPS = 20e3

TREE = """
tx = {
  qdisc = "htb";
  classes = (
    { name = "root"; rate = "1gbit"; },
    { name = "c1"; parent = "root"; port = "c1"; rate = "10mbit"; ceil = "40mbit"; },
    { name = "c2"; parent = "root"; port = "c2"; pps = "5kpps"; cpps = "20kpps"; }
  );
};
"""


def test_shaping(bed):
    s1, s2 = bed.path("c1.sock"), bed.path("c2.sock")
    u1, u2 = bed.path("u1.sock"), bed.path("u2.sock")
    d = bed.vqosd([{"name": "c1", "socket": s1, "uplink": f"net_vhost_u1,iface={u1}"},
                   {"name": "c2", "socket": s2, "uplink": f"net_vhost_u2,iface={u2}"}],
                  extra=TREE)
    sink1 = bed.gen(f"net_virtio_user1,path={u1}", "--rate", 0, "--duration", 0,
                    "--linger", 300, log="sink1.log")
    sink2 = bed.gen(f"net_virtio_user2,path={u2}", "--rate", 0, "--duration", 0,
                    "--linger", 300, log="sink2.log")
    wait_for(lambda: all(p["uplink_up"] for p in bed.ports().values()), 30, "the sinks")
    pmd = Testpmd(bed, f"net_virtio_user0,path={s2}", nice=19)
    wait_for(lambda: bed.ports()["c2"]["connected"], 30, "testpmd to connect")
    pmd.cmd("set fwd txonly")
    pmd.cmd("start", 0)
    # c1 offers 80 Mbit/s in 1000-byte frames, twice its ceiling, until the
    # test stops it (however often a window is measured again), into a
    # 1024-entry vring: 200 ms of its ceiling, so a few time slices lost to
    # the other processes on its CPU never empty it.
    c1 = bed.gen(f"net_virtio_user0,path={s1},queue_size=1024", "--rate", "80mbit",
                 "--size", 1000, "--duration", 300, "--linger", 2, log="c1.log")
    wait_for(lambda: bed.ports()["c1"]["tx"]["packets"] > 0, 30, "c1's traffic")
    wait_for(lambda: bed.ports()["c2"]["tx"]["packets"] > 0, 30, "testpmd's traffic")
    time.sleep(1.5)
    r = bed.rates(5.0)
    print(bed.ctl("bottleneck", "-i", "1").stdout)
    print(bed.ctl("-s", "class", "show", "tx").stdout)
    check(bed.ports()["c1"]["connected"], "c1 was sending all along the measurement")
    print(f"  c1 tx {r['c1']['tx']['bps'] / 1e6:.3f} Mbit/s (ceil 40), "
          f"c2 tx {r['c2']['tx']['pps'] / 1e3:.3f} kpps (ceil 20)")
    check(abs(r["c1"]["tx"]["bps"] - C1_CEIL_BPS) <= 0.02 * C1_CEIL_BPS,
          "c1 gets its 40 Mbit/s ceiling within 2%")
    check(abs(r["c2"]["tx"]["pps"] - C2_CEIL_PPS) <= 0.02 * C2_CEIL_PPS,
          "c2 (testpmd) gets its 20 kpps ceiling within 2%")
    shaped = bed.ports()
    check(shaped["c1"]["tx"]["shaped"] > 0 and shaped["c2"]["tx"]["shaped"] > 0,
          "vqosctl counts both as shaped")

    c1.send_signal(signal.SIGUSR1)  # stop sending; linger while vqosd drains its vring
    g1 = bed.gen_result(c1, timeout=30)
    pmd.cmd("stop", 2.0)
    sent2 = pmd.port_stats()["tx"]
    wait_for(lambda: bed.ports()["c1"]["tx"]["packets"] == g1["tx"]["packets"], 10,
             "vqosd to take what c1's vring still held")
    p = bed.ports()
    # everything has drained into the sinks: they may stop
    sink1.send_signal(signal.SIGINT)
    sink2.send_signal(signal.SIGINT)
    k1, k2 = bed.gen_result(sink1, timeout=60), bed.gen_result(sink2, timeout=60)
    print(f"  c1 gen tx {g1['tx']['packets']} (backpressure {g1['tx']['backpressure']}), "
          f"vqosd {p['c1']['tx']}, sink {k1['rx']['packets']}")
    print(f"  testpmd tx {sent2}, vqosd {p['c2']['tx']}, sink {k2['rx']['foreign']}")
    check(p["c1"]["tx"]["drops"] == 0 and p["c2"]["tx"]["drops"] == 0, "vqosd dropped nothing")
    check(g1["tx"]["packets"] == p["c1"]["tx"]["packets"] == k1["rx"]["packets"],
          "c1: every packet its vring took reached the uplink")
    check(sent2 == p["c2"]["tx"]["packets"] == k2["rx"]["foreign"],
          "c2: every packet testpmd's vring took reached the uplink")
    check(g1["tx"]["backpressure"] > 0, "c1's generator saw backpressure")
    check(pmd.quit() == 0, "testpmd quits")
    bed.stop_vqosd(d)


if __name__ == "__main__":
    main(test_shaping)
