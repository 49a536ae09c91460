#!/usr/bin/env python3
"""Each uplink's mbufs are its own: ports added at run time, and a slow container.

Uplinks are virtio_user, as to OVS (a virtio_user port fills its rx ring with
mbufs up front: 256 each); their peers are vqos-gen's net_vhost ports.

- A vqosd started with one port gets 15 more with `port add`: every port
  forwards both ways, every packet counted (one pool for all ports, sized
  at start for one, 3071 mbufs, could not fill 16 rx rings of 256).
- Eight ports; one container drains its rx vring slowly and its default rx
  leaf may queue 4000 packets, the most a port may hold with its three
  other leaves. Its queue fills and drops (at the tail, or where its
  uplink's mbufs refuse it more); the seven others get every packet sent to
  them, none dropped.
"""
import os
import signal
import time

from vqostest import check, main, wait_for

RATE = "2kpps"


def up_sock(bed, i):
    return bed.path(f"up{i}.sock")


def port(bed, i):
    return {"name": f"c{i}", "socket": bed.path(f"c{i}.sock"),
            "uplink": f"net_virtio_user{i},path={up_sock(bed, i)}"}


def ends(bed, n, count, peer_opts=(), cont_opts=()):
    """The uplinks' peers (net_vhost servers, started first) and the
    containers, n ports each, both sending @count frames a port once told."""
    peers = bed.gen([f"net_vhost{i},iface={up_sock(bed, i)}" for i in range(n)],
                    "--rate", RATE, "--count", count, "--duration", 120, "--linger", 3,
                    "--delay", 300, "--wait-link", 120, *peer_opts, log="peers.log",
                    mem=256 + 64 * n)
    wait_for(lambda: all(os.path.exists(up_sock(bed, i)) for i in range(n)), 30,
             "the peers' sockets")
    return peers


def containers(bed, n, count, *opts):
    return bed.gen([f"net_virtio_user{i},path={bed.path(f'c{i}.sock')}" for i in range(n)],
                   "--rate", RATE, "--count", count, "--duration", 120, "--linger", 3,
                   "--delay", 300, "--wait-link", 120, *opts, log="containers.log",
                   mem=256 + 32 * n)


def go(bed, n, peers, conts):
    """Both ends connected: the containers start, and once every one of
    them sent (it polls its rx vring from then on), the peers."""
    wait_for(lambda: sum(p["connected"] and p["uplink_up"] for p in bed.ports().values()) == n,
             60, f"all {n} ports to connect both ends")
    conts.send_signal(signal.SIGUSR2)
    wait_for(lambda: all(p["tx"]["offered"] > 0 for p in bed.ports().values()), 60,
             "every container to send")
    peers.send_signal(signal.SIGUSR2)
    return bed.gen_result(peers, timeout=120), bed.gen_result(conts, timeout=120)


def added_at_run_time(bed):
    n, count = 16, 2000
    peers = ends(bed, n, count)
    d = bed.vqosd([port(bed, 0)], mem=1024)
    for i in range(1, n):
        p = port(bed, i)
        bed.ctl("port", "add", p["name"], "socket", p["socket"], "uplink", p["uplink"])
    check(len(bed.ports()) == n, f"{n} ports up, {n - 1} of them added with port add")
    conts = containers(bed, n, count)
    gp, gc = go(bed, n, peers, conts)
    time.sleep(0.5)
    ports = bed.ports()
    for i in range(n):
        c = ports[f"c{i}"]
        check(gc["ports"][i]["tx"]["packets"] == count == gp["ports"][i]["rx"]["packets"] and
              gp["ports"][i]["tx"]["packets"] == count == gc["ports"][i]["rx"]["packets"] and
              c["tx"]["drops"] + c["rx"]["drops"] == 0,
              f"c{i} forwards every packet both ways")
    bed.stop_vqosd(d)


SLOW_TREE = """
rx = { qdisc = "htb"; classes = (
  { name = "root"; rate = "10gbit"; overcommit = true; },
  { name = "slow"; parent = "root"; port = "c0"; rate = "1gbit"; limit = 4000; },
  { name = "slow-a"; parent = "root"; port = "c0"; rate = "1mbit"; limit = 32; match = "dscp 10"; },
  { name = "slow-b"; parent = "root"; port = "c0"; rate = "1mbit"; limit = 32; match = "dscp 20"; },
  { name = "slow-c"; parent = "root"; port = "c0"; rate = "1mbit"; limit = 32; match = "dscp 30"; },
%s
); };
"""


def slow_container(bed):
    n, count = 8, 6000
    tree = SLOW_TREE % ",\n".join(
        f'  {{ name = "c{i}"; parent = "root"; port = "c{i}"; rate = "1gbit"; }}'
        for i in range(1, n))
    # peers send 10 kpps to each container; the containers send nothing
    peers = ends(bed, n, count, peer_opts=("--rate", "10kpps"))
    d = bed.vqosd([port(bed, i) for i in range(n)], extra=tree)
    # each sends one frame (so the test sees it run); c0 polls its rx vring
    # once in 20 ms: about 1.6 kpps of the 10 sent to it
    conts = containers(bed, n, 1, "--port", 0, "--rx-delay-us", 20000)
    gp, gc = go(bed, n, peers, conts)
    ports = bed.ports()
    slow = ports["c0"]["rx"]
    print(f"  slow c0: sent {gp['ports'][0]['tx']['packets']}, vqosd {slow}, "
          f"received {gc['ports'][0]['rx']['packets']}")
    check(slow["drops"] > 0 and slow["packets"] + slow["drops"] == count,
          "the slow container's queue filled and dropped at its tail, every packet counted")
    for i in range(1, n):
        r = ports[f"c{i}"]["rx"]
        check(gc["ports"][i]["rx"]["packets"] == count == r["packets"] and r["drops"] == 0,
              f"c{i} got all {count} packets sent to it, none dropped, beside the slow c0")
    bed.stop_vqosd(d)


def test_pools(bed):
    added_at_run_time(bed)
    bed.close()
    bed.__init__("test_pools")
    slow_container(bed)


if __name__ == "__main__":
    main(test_pools)
