#!/usr/bin/env python3
"""mode = "client": vqosd connects to the container's socket and reconnects.

The container (vqos-gen, virtio_user with server=1) owns the socket. vqosd
connects when it appears, forwards both ways exactly, and connects again when
a new container takes the socket after the first one left.
"""
import os
import signal

from vqostest import check, main, wait_for

N = 30_000


def run_container(bed, sock, up_sock, log):
    # The uplink's peer (OVS) is there first, as in a deployment: vqosd drops
    # what a container sends to an uplink whose link stays down (link_down).
    # Each side sends once the other is there: the container a second after
    # its link came up, the peer once the container sends (it polls its rx
    # vring from then on).
    peer = bed.gen(f"net_virtio_user1,path={up_sock}", "--rate", "20kpps", "--count", N,
                   "--duration", 60, "--linger", 2, "--delay", 30, log=f"{log}-peer.log")
    wait_for(lambda: bed.ports()["c1"]["uplink_up"], 30, f"{log}'s uplink peer")
    cont = bed.gen(f"net_virtio_user0,path={sock},server=1", "--rate", "20kpps", "--count", N,
                   "--duration", 30, "--linger", 2, "--wait-link", 30, "--delay", 1,
                   log=f"{log}.log")
    before = bed.ports()["c1"]["tx"]["offered"]
    wait_for(lambda: bed.ports()["c1"]["tx"]["offered"] > before, 30, f"{log} to send")
    peer.send_signal(signal.SIGUSR2)  # the container is there: send now
    return bed.gen_result(cont), bed.gen_result(peer)


def test_client_mode(bed):
    sock, up_sock = bed.path("c1.sock"), bed.path("uplink.sock")
    d = bed.vqosd([{"name": "c1", "socket": sock, "mode": "client",
                    "uplink": f"net_vhost_up0,iface={up_sock}"}])
    check(bed.ports()["c1"]["mode"] == "client", "port c1 is in client mode")
    check(not bed.ports()["c1"]["connected"], "nothing to connect to yet")
    for life in ("first", "second"):
        before = bed.ports()["c1"]
        c, p = run_container(bed, sock, up_sock, life)
        after = bed.ports()["c1"]
        check(c["tx"]["packets"] == N and p["rx"]["packets"] == N,
              f"{life} container: every packet reached the uplink")
        check(p["tx"]["packets"] == N and c["rx"]["packets"] == N,
              f"{life} container: every packet from the uplink arrived")
        check(after["tx"]["packets"] - before["tx"]["packets"] == N and
              after["rx"]["packets"] - before["rx"]["packets"] == N,
              f"{life} container: vqosd's counters agree")
        wait_for(lambda: not bed.ports()["c1"]["connected"], 10, "the container to go")
    bed.stop_vqosd(d)
    check(os.path.exists(sock) is False, "the container removed its socket; vqosd left none")


if __name__ == "__main__":
    main(test_client_mode)
