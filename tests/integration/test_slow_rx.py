#!/usr/bin/env python3
"""A slow container on rx does not lower the other container's rx.

Both containers are sent 20 kpps from their uplinks. c1 drains its rx vring
slowly (it sleeps 5 ms after every burst, so it takes at most ~6 kpps); c2
is a normal container. vqosd only gives c1's vring what it has room for:
c1's packets wait in c1's own queue (and overflow it, counted), while c2
gets every packet sent to it. The default (no class tree) already keeps
ports apart; the same holds with an htb tree on rx.
"""
from vqostest import check, main, wait_for

N = 100_000
TREE = """
rx = {
  classes = (
    { name = "root"; rate = "1gbit"; },
    { name = "c1"; parent = "root"; port = "c1"; rate = "100mbit"; ceil = "1gbit"; },
    { name = "c2"; parent = "root"; port = "c2"; rate = "100mbit"; ceil = "1gbit"; }
  );
};
"""


def run(bed, extra, tag):
    ports = []
    for n in ("c1", "c2"):
        ports.append({"name": n, "socket": bed.path(f"{tag}{n}.sock"),
                      "uplink": f"net_vhost_{n},iface={bed.path(f'{tag}u{n}.sock')}"})
    d = bed.vqosd(ports, extra=extra)
    slow = bed.gen(f"net_virtio_user0,path={bed.path(tag + 'c1.sock')}", "--rate", 0,
                   "--duration", 0, "--linger", 14, "--rx-delay-us", 5000, log=f"{tag}c1.log")
    fast = bed.gen(f"net_virtio_user0,path={bed.path(tag + 'c2.sock')}", "--rate", 0,
                   "--duration", 0, "--linger", 14, log=f"{tag}c2.log")
    wait_for(lambda: all(p["connected"] for p in bed.ports().values()), 30, "the containers")
    up = [bed.gen(f"net_virtio_user{i + 1},path={bed.path(f'{tag}u{n}.sock')}", "--rate",
                  "20kpps", "--count", N, "--duration", 30, "--linger", 1,
                  log=f"{tag}u{n}.log") for i, n in enumerate(("c1", "c2"))]
    u1, u2 = bed.gen_result(up[0]), bed.gen_result(up[1])
    r1, r2 = bed.gen_result(slow), bed.gen_result(fast)
    p = bed.ports()
    print(f"  [{tag}] c1 got {r1['rx']['packets']} of {u1['tx']['packets']} "
          f"(vqosd drops {p['c1']['rx']['drops']}, vring full {p['c1']['rx']['vring_full']}); "
          f"c2 got {r2['rx']['packets']} of {u2['tx']['packets']}")
    check(u2["tx"]["packets"] == N and r2["rx"]["packets"] == N,
          f"[{tag}] c2 receives every packet while c1 is slow")
    check(p["c2"]["rx"]["drops"] == 0, f"[{tag}] vqosd drops nothing of c2's")
    check(r1["rx"]["packets"] < N // 2, f"[{tag}] c1 is indeed slow")
    check(p["c1"]["rx"]["drops"] > 0, f"[{tag}] c1's own queue overflows, counted")
    check(p["c1"]["rx"]["packets"] + p["c1"]["rx"]["drops"] == N,
          f"[{tag}] every packet for c1 was delivered or counted as dropped")
    bed.stop_vqosd(d)


def test_slow_rx(bed):
    run(bed, "", "default-")
    run(bed, TREE, "htb-")


if __name__ == "__main__":
    main(test_slow_rx)
