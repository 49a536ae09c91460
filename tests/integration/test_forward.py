#!/usr/bin/env python3
"""vqosd + a vqos-gen container + a vqos-gen sink on the uplink side.

The uplink is virtio_user to the sink's vhost-user socket, as it would be to
an OVS dpdkvhostuser port. Both ends send at once; every packet sent must
arrive, in both directions, and `vqosctl -j port show` must agree with both.
"""
from vqostest import check, main, wait_for

N = 100_000     # packets each way
RATE = "50kpps"  # well under what one CPU shared by two generators carries


def test_forward(bed):
    up_sock, c_sock = bed.path("uplink.sock"), bed.path("c1.sock")
    # The sink plays OVS: it is the vhost-user server vqosd's uplink connects to.
    # It starts sending 5 s after vqosd connects, when the container is surely
    # there: packets for an absent container are dropped, by design.
    sink = bed.gen(f"net_vhost0,iface={up_sock}", "--rate", RATE, "--count", N,
                   "--delay", 5, "--duration", 30, "--linger", 3, "--wait-link", 30,
                   "--size", 128, log="sink.log")
    wait_for(lambda: __import__("os").path.exists(up_sock), 20, "sink socket")
    d = bed.vqosd([{"name": "c1", "socket": c_sock,
                    "uplink": f"net_virtio_user_up0,path={up_sock}"}])
    check(bed.ports()["c1"]["connected"] is False, "port c1 waits for its container")
    cont = bed.gen(f"net_virtio_user0,path={c_sock}", "--rate", RATE, "--count", N,
                   "--delay", 1, "--duration", 30, "--linger", 6, "--size", 64,
                   log="container.log")
    c, s = bed.gen_result(cont), bed.gen_result(sink)
    port = bed.ports()["c1"]
    print(f"  container {c['tx']} / {c['rx']}\n  sink {s['tx']} / {s['rx']}\n  port {port}")

    check(c["tx"]["packets"] == N, f"container sent all {N} packets")
    check(s["tx"]["packets"] == N, f"sink sent all {N} packets")
    check(s["rx"]["packets"] == N, "tx: every packet the container sent reached the uplink")
    check(c["rx"]["packets"] == N, "rx: every packet from the uplink reached the container")
    check(port["tx"]["packets"] == N and port["tx"]["bytes"] == c["tx"]["bytes"],
          "vqosctl tx packets and bytes agree with the container")
    check(port["rx"]["packets"] == N and port["rx"]["bytes"] == s["tx"]["bytes"],
          "vqosctl rx packets and bytes agree with the sink")
    check(port["tx"]["drops"] == 0 and port["rx"]["drops"] == 0, "vqosd dropped nothing")
    check(c["rx"]["reordered"] == 0 and s["rx"]["reordered"] == 0, "no reordering")
    check(c["rx"]["foreign"] == 0 and s["rx"]["foreign"] == 0, "nothing foreign arrived")
    bed.stop_vqosd(d)
    check(not __import__("os").path.exists(c_sock), "the container socket is removed")


if __name__ == "__main__":
    main(test_forward)
