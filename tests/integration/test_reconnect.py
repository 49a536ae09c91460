#!/usr/bin/env python3
"""A container that dies in the middle of traffic and comes back.

Two ports. Container c2 and its uplink peer exchange traffic throughout;
container c1 is killed (SIGKILL, no goodbye) while sending and receiving, then
started again. vqosd keeps serving c2 exactly, serves c1 again after it
reconnects, accounts for every packet sent to c1 (delivered or dropped while
it was away), and after SIGTERM all its mbufs are back in the pool.
"""
import os
import signal
import time

from vqostest import check, main, wait_for

N2 = 150_000     # c2's packets each way, over ~6 s
N1 = 20_000      # c1's second life


def test_reconnect(bed):
    s1, s2 = bed.path("c1.sock"), bed.path("c2.sock")
    u1, u2 = bed.path("up1.sock"), bed.path("up2.sock")
    d = bed.vqosd([{"name": "c1", "socket": s1, "uplink": f"net_vhost_u1,iface={u1}"},
                   {"name": "c2", "socket": s2, "uplink": f"net_vhost_u2,iface={u2}"}])
    # Uplink peers: up1 sends to c1 the whole time and counts what c1 sends.
    up1 = bed.gen(f"net_virtio_user1,path={u1}", "--rate", "10kpps", "--duration", 8,
                  "--linger", 5, log="up1.log")
    # Each end of c2 lingers long enough for the other's last packets, whatever
    # the second or two between their starts.
    up2 = bed.gen(f"net_virtio_user2,path={u2}", "--rate", "25kpps", "--count", N2,
                  "--duration", 30, "--linger", 5, log="up2.log")
    c2 = bed.gen(f"net_virtio_user0,path={s2}", "--rate", "25kpps", "--count", N2,
                 "--duration", 30, "--linger", 5, log="c2.log")
    c1 = bed.gen(f"net_virtio_user0,path={s1}", "--rate", "20kpps", "--duration", 30,
                 log="c1-first.log")
    wait_for(lambda: bed.ports()["c1"]["connected"], 20, "c1 to connect")
    time.sleep(1.5)
    os.killpg(c1.pid, signal.SIGKILL)
    c1.wait()
    wait_for(lambda: not bed.ports()["c1"]["connected"], 10, "vqosd to see c1 go")
    p = bed.ports()
    check(p["c2"]["connected"], "c2 stays connected while c1 is gone")
    time.sleep(1.0)
    before = bed.ports()["c1"]
    check(before["rx"]["drops"] > 0, "packets for the absent c1 are dropped and counted "
          f"({before['rx']['drops']})")

    c1 = bed.gen(f"net_virtio_user0,path={s1}", "--rate", "10kpps", "--count", N1,
                 "--duration", 30, "--linger", 1, log="c1-second.log")
    r1 = bed.gen_result(c1)
    wait_for(lambda: not bed.ports()["c1"]["connected"], 10, "c1's second life to end")
    after = bed.ports()["c1"]
    check(r1["tx"]["packets"] == N1, f"c1 sent {N1} after reconnecting")
    check(after["tx"]["packets"] - before["tx"]["packets"] == N1,
          "vqosd forwarded all of c1's second life")
    check(r1["rx"]["packets"] > 0, "c1 receives again after reconnecting")

    g2, g_up2, g_up1 = bed.gen_result(c2), bed.gen_result(up2), bed.gen_result(up1)
    p = bed.ports()
    print(bed.ctl("-s", "port", "show").stdout)
    check(g2["tx"]["packets"] == N2 and g_up2["rx"]["packets"] == N2,
          "c2 -> uplink: every packet arrived while c1 came and went")
    check(g_up2["tx"]["packets"] == N2 and g2["rx"]["packets"] == N2,
          "uplink -> c2: every packet arrived while c1 came and went")
    check(p["c2"]["tx"]["drops"] == 0 and p["c2"]["rx"]["drops"] == 0, "c2: no drops")
    check(g_up1["rx"]["packets"] == p["c1"]["tx"]["packets"],
          "c1 -> uplink: what vqosd forwarded is what the uplink received")
    check(p["c1"]["rx"]["packets"] + p["c1"]["rx"]["drops"] == g_up1["tx"]["packets"],
          "uplink -> c1: every packet was delivered or counted as dropped")
    bed.stop_vqosd(d)
    check(not os.path.exists(s1) and not os.path.exists(s2), "container sockets removed")


if __name__ == "__main__":
    main(test_reconnect)
