#!/usr/bin/env python3
"""Stuck containers cannot take the mbufs of the others on their uplink.

c1, c2, c3 share one uplink (one mbuf pool). c1's and c2's containers read
their rx vrings once a second (stuck), and each one's rx leaf may queue 4000
mbufs: together more than the whole pool, so without admission their queues
would empty it, and the uplink could receive nothing for c3 (no mbuf to
receive into).

- A flood to c1 fills its queue up to its reserve and half the shared
  region (vqosd's log gives both); a flood to c2 then up to its reserve and
  half of what c1 left. The rest is refused and counted as admit_drops, and
  nothing else drops (their leaves' limits are never reached).
- Then, while both stay stuck, broadcast frames at 10 kpps: c3 gets every
  one of them, keeping up with the rate they are sent (all in at most a
  second after the last), none dropped; c1's and c2's copies are refused
  and counted.
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
  { name = "c2"; parent = "root"; port = "c2"; rate = "1gbit"; limit = 4000; },
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


def flood(bed, name):
    """FLOOD frames to @name alone; returns how many the peer sent and
    what vqosd's counters say of @name's rx then."""
    p = peer(bed, "--rate", "20kpps", "--count", FLOOD, "--dst-mac", MAC[name], "--duration",
             3, "--linger", 0.5, log=f"flood-{name}.log")
    sent = bed.gen_result(p)["tx"]["packets"]
    end = time.monotonic() + 10  # vqosd takes them all, unless it has no mbufs left
    while rx(bed, name)["offered"] < sent and time.monotonic() < end:
        time.sleep(0.05)
    r = rx(bed, name)
    print(f"  {name} after a flood of {sent}: {r}")
    return sent, r


def stuck_beside_others(bed):
    uplink = f"net_vhost_up,iface={bed.path('up.sock')}"
    ports = [{"name": n, "socket": bed.path(f"{n}.sock"), "uplink": uplink, "mac": MAC[n]}
             for n in ("c1", "c2", "c3")]
    d = bed.vqosd(ports, extra=TREE)
    pool = pool_line(d)
    print(f"  pool: {pool}")
    check(pool["ports"] == 3 and pool["mbufs"] < 2 * 4000,
          "the pool of the three ports holds less than c1's and c2's leaves may queue")
    # c1 and c2 poll their rx vrings once a second: stuck; c3 reads at once
    vdevs = [f"net_virtio_user{i},path={bed.path(n + '.sock')},mac={MAC[n]}"
             for i, n in enumerate(("c1", "c2", "c3"))]
    conts = bed.gen(vdevs, "--rate", 0, "--duration", 0, "--linger", 300, "--port", 0,
                    "--rx-delay-us", 1000000, "--port", 1, "--rx-delay-us", 1000000,
                    log="containers.log")
    wait_for(lambda: all(p["connected"] for p in bed.ports().values()), 30, "the containers")

    # floods to c1, then c2 (checked after c3's frames: without admission
    # the pool runs dry here, and what that does to c3 is the point)
    sent1, r1 = flood(bed, "c1")
    sent2, r2 = flood(bed, "c2")

    # broadcast at RATE while both stay stuck
    before = bed.ports()
    p = peer(bed, "--rate", f"{RATE // 1000}kpps", "--count", N, "--size", 128, "--duration",
             2 * N / RATE, "--linger", 0.5, log="bcast.log")
    sent = bed.gen_result(p, timeout=60)["tx"]
    print(f"  the peer sent {sent['packets']} frames in {sent['time_s']:.2f} s")
    # c3 keeps up: all of them in, at most a second after the last was sent
    t0 = time.monotonic()
    wait_for(lambda: rx(bed, "c3")["packets"] - before["c3"]["rx"]["packets"] >= N, 1.0,
             "c3 to have them all")
    print(f"  c3 had them all {time.monotonic() - t0:.2f} s after the peer ended")
    time.sleep(0.5)
    after = bed.ports()
    got = after["c3"]["rx"]["packets"] - before["c3"]["rx"]["packets"]
    check(got == N and after["c3"]["rx"]["drops"] == 0,
          f"c3 got all {N} broadcast frames ({got}), none dropped, none refused")
    check(sent["packets"] == N and sent1 == sent2 == FLOOD == r1["offered"] == r2["offered"],
          f"the peer sent all {FLOOD} frames to c1 and to c2, vqosd took them, and all {N} "
          "broadcast")
    # c1 alone takes half the region; c2 half of what c1 holds not (c1's
    # container reads a burst a second: c2 may find up to 2 more free)
    share = pool["shared"] // 2
    for name, r, slack in (("c1", r1, 0), ("c2", r2, 64)):
        cap = pool["reserve"] + share + slack
        check(cap - slack - 64 <= r["backlog"] <= cap,
              f"{name} queued its reserve and half of the shared region it found free "
              f"({r['backlog']}, at most {cap})")
        check(r["admit_drops"] > 0 and r["drops"] == r["admit_drops"],
              f"what was beyond was refused by admission, counted, and nothing else dropped")
        check(r["offered"] == r["packets"] + r["drops"] + r["backlog"],
              f"every frame for {name} was delivered, queued or counted as dropped")
        a, b = after[name]["rx"], before[name]["rx"]
        check(a["admit_drops"] - b["admit_drops"] >= N - 1000,
              f"{name}'s broadcast copies were refused and counted "
              f"({a['admit_drops'] - b['admit_drops']})")
        check(a["drops"] == a["admit_drops"], f"{name} drops only by admission")
        share //= 2
    # as their containers read a burst a second, the other finds more free.
    # Still, a port's excess grows only while below what is free: each
    # holds at most half the region beyond its reserve, and the one that
    # grew last e + (e + e') <= S, so both e + e' <= 3/4 S (at steady
    # state 2/3)
    res, sh = pool["reserve"], pool["shared"]
    held = [after[n]["rx"]["backlog"] for n in ("c1", "c2")]
    check(all(h <= res + sh // 2 for h in held) and sum(held) - 2 * res <= 3 * sh // 4 + 2,
          f"c1 and c2 hold {held}: each at most {res + sh // 2}, beyond their reserves "
          f"{3 * sh // 4 + 2} in all")
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
