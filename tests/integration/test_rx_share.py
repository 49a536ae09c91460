#!/usr/bin/env python3
"""A stuck container cannot take the mbufs of the others on its uplink.

c1, c2, c3 share one uplink (one mbuf pool). c1's container reads its rx
vring once a second (stuck), and its rx leaf may queue 4000 mbufs, more
than the whole pool holds beyond its rings and reserves: without admission
its queue alone would empty the pool, and the uplink could receive nothing
for c2 and c3 (no mbuf to receive into).

- A flood to c1 fills its queue up to its reserve and half the shared
  region (vqosd's log gives both); the rest is refused and counted as
  admit_drops, and nothing else drops (its leaf's limit is never reached).
- Then, while c1 stays stuck, broadcast frames at 10 kpps: c2 and c3 get
  every one of them, keeping up with the rate they are sent (all in at most
  a second after the last), none dropped by admission; c1's copies are
  refused and counted.
- vqosd with 256 ports on one uplink (no container: the pool is made when
  the uplink opens) sizes it under 1 MB a port, as its log says.
"""
import re
import signal
import time

from vqostest import check, main, wait_for

MAC = {"c1": "02:00:00:00:00:01", "c2": "02:00:00:00:00:02", "c3": "02:00:00:00:00:03"}
FLOOD, N, RATE = 6000, 30000, 10000

TREE = """
rx = { qdisc = "htb"; classes = (
  { name = "root"; rate = "10gbit"; },
  { name = "c1"; parent = "root"; port = "c1"; rate = "1gbit"; limit = 4000; },
  { name = "c2"; parent = "root"; port = "c2"; rate = "1gbit"; },
  { name = "c3"; parent = "root"; port = "c3"; rate = "1gbit"; }
); };
"""

POOL = re.compile(r"uplink '[^']*': (\d+) mbufs \((\d+) KiB\) for (\d+) port\(s\), (\d+) mbufs "
                  r"a port: each port's own (\d+) \(rx reserve (\d+)\), shared (\d+)")


def pool_line(d):
    """What vqosd's log says of its (one) uplink's pool."""
    with open(d.log) as f:
        m = POOL.search(f.read())
    check(m is not None, "vqosd logs its uplink's mbuf pool")
    keys = ("mbufs", "kib", "ports", "per_port", "own", "reserve", "shared")
    return dict(zip(keys, map(int, m.groups())))


def peer(bed, *opts, log):
    return bed.gen(f"net_virtio_user9,path={bed.path('up.sock')}", *opts, log=log)


def rx(bed, name):
    return bed.ports()[name]["rx"]


def stuck_beside_others(bed):
    uplink = f"net_vhost_up,iface={bed.path('up.sock')}"
    ports = [{"name": n, "socket": bed.path(f"{n}.sock"), "uplink": uplink, "mac": MAC[n]}
             for n in ("c1", "c2", "c3")]
    d = bed.vqosd(ports, extra=TREE)
    pool = pool_line(d)
    print(f"  pool: {pool}")
    check(pool["ports"] == 3 and pool["mbufs"] < 4000,
          "the pool of the three ports holds less than c1's leaf may queue")
    # c1 polls its rx vring once a second: stuck; c2 and c3 read at once
    vdevs = [f"net_virtio_user{i},path={bed.path(n + '.sock')},mac={MAC[n]}"
             for i, n in enumerate(("c1", "c2", "c3"))]
    conts = bed.gen(vdevs, "--rate", 0, "--duration", 0, "--linger", 300, "--port", 0,
                    "--rx-delay-us", 1000000, log="containers.log")
    wait_for(lambda: all(p["connected"] for p in bed.ports().values()), 30, "the containers")

    # a flood to c1 alone (checked after c2's and c3's: without admission
    # the pool runs dry here, and what that does to them is the point)
    p = peer(bed, "--rate", "20kpps", "--count", FLOOD, "--dst-mac", MAC["c1"], "--duration",
             3, "--linger", 0.5, log="flood.log")
    flood = bed.gen_result(p)["tx"]["packets"]
    end = time.monotonic() + 10  # vqosd takes them all, unless it has no mbufs left
    while rx(bed, "c1")["offered"] < flood and time.monotonic() < end:
        time.sleep(0.05)
    r1 = rx(bed, "c1")
    print(f"  c1 after the flood of {flood}: {r1}")

    # broadcast at RATE while c1 stays stuck
    before = bed.ports()
    p = peer(bed, "--rate", f"{RATE // 1000}kpps", "--count", N, "--size", 128, "--duration",
             2 * N / RATE, "--linger", 0.5, log="bcast.log")
    sent = bed.gen_result(p, timeout=60)["tx"]
    print(f"  the peer sent {sent['packets']} frames in {sent['time_s']:.2f} s")
    # they keep up: all of them in, at most a second after the last was sent
    t0 = time.monotonic()
    wait_for(lambda: all(rx(bed, n)["packets"] - before[n]["rx"]["packets"] >= N
                         for n in ("c2", "c3")), 1.0, "c2 and c3 to have them all")
    print(f"  c2 and c3 had them all {time.monotonic() - t0:.2f} s after the peer ended")
    time.sleep(0.5)
    after = bed.ports()
    for n in ("c2", "c3"):
        got = after[n]["rx"]["packets"] - before[n]["rx"]["packets"]
        check(got == N and after[n]["rx"]["drops"] == 0 and after[n]["rx"]["admit_drops"] == 0,
              f"{n} got all {N} broadcast frames ({got}), none dropped, none refused")
    check(sent["packets"] == N and flood == FLOOD == r1["offered"],
          f"the peer sent all {FLOOD} frames to c1, vqosd took them, and all {N} broadcast")
    cap = pool["reserve"] + pool["shared"] // 2
    check(cap - 64 <= r1["backlog"] <= cap,
          f"c1 queued its reserve and half the shared region ({r1['backlog']}, at most {cap})")
    check(r1["admit_drops"] > 0 and r1["drops"] == r1["admit_drops"],
          "what was beyond was refused by admission, counted, and nothing else dropped")
    check(r1["offered"] == r1["packets"] + r1["drops"] + r1["backlog"],
          "every frame for c1 was delivered, queued or counted as dropped")
    a1, b1 = after["c1"]["rx"], before["c1"]["rx"]
    check(a1["admit_drops"] - b1["admit_drops"] >= N - 1000,
          f"c1's copies were refused and counted ({a1['admit_drops'] - b1['admit_drops']})")
    check(a1["drops"] == a1["admit_drops"] and a1["backlog"] <= cap,
          "c1 still holds no more than its share, and drops only by admission")
    bed.stop_vqosd(d)
    conts.send_signal(signal.SIGINT)
    bed.gen_result(conts)


def pool_at_256(bed):
    uplink = f"net_vhost_up,iface={bed.path('up256.sock')}"
    ports = [{"name": f"p{i}", "socket": bed.path(f"p{i}.sock"), "uplink": uplink,
              "mac": f"02:00:00:00:{i >> 8:02x}:{i & 255:02x}"} for i in range(256)]
    t0 = time.monotonic()
    d = bed.vqosd(ports, mem=1024)
    wait_for(lambda: len(bed.ports()) == 256, 60, "the 256 ports")
    took = time.monotonic() - t0
    pool = pool_line(d)
    print(f"  256 ports: {pool}, up in {took:.1f} s")
    check(pool["ports"] == 256, "one pool for the 256 ports")
    check(pool["kib"] / 256 <= 1024, f"its mbufs take {pool['kib'] / 256:.0f} KiB a port, <= 1 MiB")
    bed.stop_vqosd(d)


def test_rx_share(bed):
    stuck_beside_others(bed)
    pool_at_256(bed)


if __name__ == "__main__":
    main(test_rx_share)
