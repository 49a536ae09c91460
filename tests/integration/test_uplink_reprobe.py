#!/usr/bin/env python3
"""A virtio_user uplink that connects to its peer (no server=1): the peer dies
and comes back, twice, while the container sends.

DPDK's virtio_user never connects again by itself once its peer is gone, so
vqosd closes the uplink and probes it again until the peer listens again
(vhost_tx/port.c, vqos_uplinks_tend). Here the peer (OVS's dpdkvhostuser
port, played by a vqos-gen sink on net_vhost) is killed without a goodbye
and another is started on the same socket, twice:

- vqosd forwards to each new peer within RESUME_S of its socket appearing,
  at the container's rate;
- the other port, on an uplink of its own, goes on at its rate throughout;
- `uplink_full` does not count every retry of a held packet (it counted
  ~5 million a second before);
- every packet the container's vring took is accounted for: forwarded, or
  dropped and counted (`link_down`) while no peer was there; each peer got
  every packet vqosd forwarded to it; all mbufs are back at the end (the
  uplink's ethdev was closed and probed again on the same pool).
"""
import os
import re
import signal
import time

from vqostest import check, main, wait_for

RATE = 10_000  # each container's packets per second
# vqosd looks for a lost uplink's peer every 50 ms and probes it once its
# socket listens. The probe's handshake then waits for the peer to accept:
# librte_vhost's server (the peer here, and OVS's dpdkvhostuser ports) adds
# its listening socket to a poll() that wakes once a second, so it accepts up
# to 1 s after it listens (measured: probes of 1.01-1.04 s). vqosd's own part,
# from listening to its probe, must be short; all of it, within 2 s (as
# test_restart's bound, on the same librte_vhost reconnect second).
OWN_S = 0.3
RESUME_S = 2.0


def sink(bed, up, log):
    """A peer that listens on @up and counts what it gets, until SIGINT."""
    return bed.gen(f"net_vhost1,iface={up}", "--rate", 0, "--duration", 0, "--linger", 300,
                   log=log, mem=512)


def tx(bed, port="c1"):
    return bed.ports()[port]["tx"]


def rate(bed, port, key, seconds):
    """tx[key] of @port per second over the next @seconds."""
    s0 = time.monotonic()
    a = tx(bed, port)
    t0 = (s0 + time.monotonic()) / 2
    time.sleep(seconds)
    s1 = time.monotonic()
    b = tx(bed, port)
    t1 = (s1 + time.monotonic()) / 2
    return (b[key] - a[key]) / (t1 - t0)


def kill(p):
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()


def comes_back(bed, up, log, before):
    """Start a new peer on @up; the seconds from its socket appearing to
    vqosd forwarding c1's packets to it (past @before sent)."""
    p = sink(bed, up, log)
    wait_for(lambda: os.path.exists(up), 30, f"the peer ({log}) to listen")
    t0 = time.monotonic()
    wait_for(lambda: tx(bed)["packets"] > before, 30, "vqosd to forward to the new peer")
    return p, time.monotonic() - t0


def test_uplink_reprobe(bed):
    s1, u1 = bed.path("c1.sock"), bed.path("up1.sock")
    s2, u2 = bed.path("c2.sock"), bed.path("up2.sock")
    p1 = sink(bed, u1, "peer1.log")
    wait_for(lambda: os.path.exists(u1), 30, "the first peer to listen")
    d = bed.vqosd([{"name": "c1", "socket": s1, "uplink": f"net_virtio_user_u1,path={u1}"},
                   {"name": "c2", "socket": s2, "uplink": f"net_vhost_u2,iface={u2}"}])
    other = bed.gen(f"net_virtio_user1,path={u2}", "--rate", 0, "--duration", 0,
                    "--linger", 300, log="sink2.log")
    senders = [bed.gen(f"net_virtio_user0,path={s},queue_size=1024", "--rate", f"{RATE}pps",
                       "--duration", 25, "--linger", 1, log=f"{n}.log")
               for n, s in (("c1", s1), ("c2", s2))]
    wait_for(lambda: tx(bed)["packets"] > RATE // 10 and tx(bed, "c2")["packets"] > RATE // 10,
             20, "both ports to forward")
    time.sleep(0.5)
    pps = rate(bed, "c1", "packets", 1.5)
    check(abs(pps - RATE) <= 0.05 * RATE, f"c1 forwarded at its rate ({pps:.0f} pps)")

    gone = []
    for n in (2, 3):
        kill(p1)
        wait_for(lambda: not bed.ports()["c1"]["uplink_up"], 10, "vqosd to see the peer go")
        wait_for(lambda: tx(bed)["link_down"] > (gone[-1]["link_down"] if gone else 0), 10,
                 "c1's packets dropped, link down, after the hold")
        a = tx(bed)
        pps2 = rate(bed, "c2", "packets", 1.0)
        b = tx(bed)
        check(abs(pps2 - RATE) <= 0.05 * RATE,
              f"c2 goes on at its rate while c1's peer is gone ({pps2:.0f} pps)")
        check(b["uplink_full"] - a["uplink_full"] <= 64,
              f"retries are not counted as refusals ({b['uplink_full'] - a['uplink_full']} "
              "in 1 s with no peer)")
        gone.append(b)
        os.unlink(u1) if os.path.exists(u1) else None  # the dead peer's socket file
        p1, took = comes_back(bed, u1, f"peer{n}.log", b["packets"])
        with open(d.log) as f:
            probes = re.findall(r"connected again, [0-9.]+ s after .*\(the probe took ([0-9.]+) s\)",
                                f.read())
        check(len(probes) == n - 1, "vqosd logs the reconnection")
        own = took - float(probes[-1])
        print(f"  peer {n}: vqosd forwards to it {took:.3f} s after it listens "
              f"(the probe's handshake {probes[-1]} s, vqosd's own part {own:.3f} s)")
        check(own <= OWN_S, f"vqosd probes the uplink within {OWN_S} s of its peer listening")
        check(took <= RESUME_S, f"vqosd forwards to the new peer within {RESUME_S} s")
        check(bed.ports()["c1"]["uplink_up"], "the uplink's link is up again")
        time.sleep(0.5)
        pps = rate(bed, "c1", "packets", 1.5)
        check(abs(pps - RATE) <= 0.05 * RATE, f"peer {n} gets c1's rate ({pps:.0f} pps)")

    g = [bed.gen_result(p, timeout=60) for p in senders]
    time.sleep(0.5)
    for p in (p1, other):
        p.send_signal(signal.SIGINT)
    last, k2 = bed.gen_result(p1), bed.gen_result(other)
    t, t2 = tx(bed), tx(bed, "c2")
    print(f"  c1 sent {g[0]['tx']['packets']}, vqosd tx {t}, last peer rx {last['rx']['packets']}")
    check(g[0]["tx"]["packets"] == t["offered"], "vqosd took from c1's vring all c1 sent")
    check(t["offered"] == t["packets"] + t["link_down"] + t["drops"],
          "every packet taken was forwarded, or dropped and counted")
    check(t["drops"] == 0, "no drop but those of the link being down")
    check(last["rx"]["packets"] == t["packets"] - gone[-1]["packets"],
          "the last peer received every packet vqosd forwarded after the one before died")
    check(g[1]["tx"]["packets"] == t2["packets"] == k2["rx"]["packets"] and t2["link_down"] == 0,
          "c2 lost nothing")
    bed.stop_vqosd(d)


if __name__ == "__main__":
    main(test_uplink_reprobe)
