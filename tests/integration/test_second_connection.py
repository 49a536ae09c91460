#!/usr/bin/env python3
"""A second container on a port's socket is refused; the first keeps the port.

vqosd's container sockets are vhost-user servers, which accept more than one
connection. While container A is connected and sending, B connects to the
same socket for 3 s and leaves. vqosd refuses B (it serves no device but
A's), keeps serving A all along and after B has gone, and every packet at
the uplink's peer is A's.
"""
import signal
import time

from vqostest import check, main, wait_for

RATE = 10_000


def tx(bed):
    return bed.ports()["c1"]["tx"]


def test_second_connection(bed):
    sock, up = bed.path("c1.sock"), bed.path("up.sock")
    d = bed.vqosd([{"name": "c1", "socket": sock, "uplink": f"net_vhost_up0,iface={up}"}])
    sink = bed.gen(f"net_virtio_user1,path={up}", "--rate", 0, "--duration", 0,
                   "--linger", 300, log="sink.log")
    wait_for(lambda: bed.ports()["c1"]["uplink_up"], 20, "the uplink's peer")
    a = bed.gen(f"net_virtio_user0,path={sock}", "--rate", f"{RATE}pps", "--duration", 300,
                "--linger", 1, "--id", 1, log="a.log")
    wait_for(lambda: tx(bed)["packets"] > 0, 20, "A's traffic")

    b = bed.gen(f"net_virtio_user0,path={sock}", "--rate", f"{RATE}pps", "--duration", 3,
                "--linger", 0, "--id", 2, "--wait-link", 5, log="b.log")
    b.wait(timeout=30)
    with open(d.log) as f:
        log = f.read()
    check("a second container connected" in log and "refused" in log,
          "vqosd refused the second connection, and said so")
    check(bed.ports()["c1"]["connected"], "the port is still connected after B left")
    t0 = tx(bed)
    time.sleep(2.0)
    t1 = tx(bed)
    pps = (t1["packets"] - t0["packets"]) / 2.0
    check(abs(pps - RATE) <= 0.05 * RATE, f"A is still served after B left ({pps:.0f} pps)")

    a.send_signal(signal.SIGUSR1)
    ga = bed.gen_result(a)
    time.sleep(0.5)
    sink.send_signal(signal.SIGINT)
    k = bed.gen_result(sink)
    t = tx(bed)
    streams = {s["id"]: s["packets"] for s in k["rx"]["streams"]}
    print(f"  A sent {ga['tx']['packets']}, vqosd {t}, the peer got {streams}")
    check(streams == {1: ga["tx"]["packets"]} and t["packets"] == ga["tx"]["packets"],
          "the peer got every packet A sent, and nothing of B's")
    bed.stop_vqosd(d)


if __name__ == "__main__":
    main(test_second_connection)
