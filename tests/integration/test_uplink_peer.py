#!/usr/bin/env python3
"""The uplink's peer joins late, and restarts in the middle of traffic.

vqosd's uplink is a net_vhost server; its peer (OVS, played by a vqos-gen
sink) is not there when the container starts sending. While the link is down
vqosd holds the container's packets for the uplink's hold time, then drops
them and counts them (`link_down`), as a NIC or OVS does with a link that is
down: the container is not held forever. When the peer joins, it is served at
once at the container's rate; when it is killed and another starts, the new
one is served too. Every packet the container's vring took is accounted for:
forwarded, or dropped and counted while no peer was there.
"""
import os
import signal
import time

from vqostest import check, main, wait_for

RATE = 20_000  # the container's packets per second


def peer(bed, up, log):
    return bed.gen(f"net_virtio_user1,path={up}", "--rate", 0, "--duration", 0,
                   "--linger", 300, log=log)


def tx(bed):
    return bed.ports()["c1"]["tx"]


def per_s(bed, key, seconds):
    """tx[key] per second over the next @seconds, each sample timed by the
    middle of its vqosctl call (as Bed.rates does): a slow call costs no
    accuracy. Returns (rate, the sample at the end)."""
    s0 = time.monotonic()
    a = tx(bed)
    t0 = (s0 + time.monotonic()) / 2
    time.sleep(seconds)
    s1 = time.monotonic()
    b = tx(bed)
    t1 = (s1 + time.monotonic()) / 2
    return (b[key] - a[key]) / (t1 - t0), b


def test_uplink_peer(bed):
    sock, up = bed.path("c1.sock"), bed.path("up.sock")
    d = bed.vqosd([{"name": "c1", "socket": sock, "uplink": f"net_vhost_up0,iface={up}"}])
    c1 = bed.gen(f"net_virtio_user0,path={sock},queue_size=1024", "--rate", f"{RATE}pps",
                 "--duration", 20, "--linger", 1, log="c1.log")
    wait_for(lambda: tx(bed)["link_down"] > 0, 20, "vqosd to drop c1's packets, link down")
    t = tx(bed)
    check(not bed.ports()["c1"]["uplink_up"] and t["packets"] == 0,
          f"nothing forwarded while no peer is on the uplink ({t})")
    time.sleep(0.5)  # what c1's vring held during the hold has gone
    down_pps, _ = per_s(bed, "link_down", 2.0)
    check(abs(down_pps - RATE) <= 0.05 * RATE,
          f"c1 is not held while the link is down: {down_pps:.0f} dropped a second")

    # The peer joins while c1 sends: it is served from then on.
    p1 = peer(bed, up, "peer1.log")
    wait_for(lambda: bed.ports()["c1"]["uplink_up"], 20, "the peer to join the uplink")
    wait_for(lambda: tx(bed)["packets"] > 0, 5, "vqosd to forward to the late peer")
    time.sleep(0.5)  # what c1's vring held has gone
    a = tx(bed)
    pps, b = per_s(bed, "packets", 2.0)
    check(abs(pps - RATE) <= 0.05 * RATE, f"the late peer gets c1's rate ({pps:.0f} pps)")
    check(b["link_down"] == a["link_down"], "nothing dropped while the peer is there")

    # Killed without a goodbye, then another peer: served again.
    os.killpg(p1.pid, signal.SIGKILL)
    p1.wait()
    wait_for(lambda: not bed.ports()["c1"]["uplink_up"], 10, "vqosd to see the peer go")
    gone = tx(bed)
    print(f"  first peer gone: vqosd tx {gone}")
    wait_for(lambda: tx(bed)["link_down"] > b["link_down"], 10,
             "drops, link down, after the peer died")
    p2 = peer(bed, up, "peer2.log")
    wait_for(lambda: bed.ports()["c1"]["uplink_up"], 20, "the second peer to join")
    wait_for(lambda: tx(bed)["packets"] > b["packets"] + RATE // 10, 5,
             "vqosd to forward to the second peer")
    time.sleep(0.5)
    pps, _ = per_s(bed, "packets", 2.0)
    check(abs(pps - RATE) <= 0.05 * RATE, f"the second peer gets c1's rate ({pps:.0f} pps)")

    g = bed.gen_result(c1, timeout=60)
    time.sleep(0.5)
    p2.send_signal(signal.SIGINT)
    k2 = bed.gen_result(p2)
    t = tx(bed)
    print(f"  c1 sent {g['tx']['packets']}, vqosd tx {t}, second peer rx {k2['rx']['packets']}")
    check(g["tx"]["packets"] == t["offered"],
          "vqosd took from c1's vring every packet c1 sent")
    check(t["offered"] == t["packets"] + t["link_down"] + t["drops"],
          "every packet taken was forwarded, or dropped and counted")
    check(t["drops"] == 0, "no drop but those of the link being down")
    check(k2["rx"]["packets"] == t["packets"] - gone["packets"],
          "the second peer received every packet vqosd forwarded after the first died")
    bed.stop_vqosd(d)


if __name__ == "__main__":
    main(test_uplink_peer)
