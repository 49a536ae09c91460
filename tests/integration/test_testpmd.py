#!/usr/bin/env python3
"""DPDK's own dpdk-testpmd as the container: vqos must work with an app it did not write.

testpmd (virtio_user, interactive, driven over stdin) sends with txonly, then
receives with rxonly; a vqos-gen on the uplink side (vqosd's uplink is a
net_vhost server it connects to) receives, then sends. testpmd is stopped
before its counters are read and its port stays open meanwhile, so the vring
is drained and every count must match exactly.
"""
import os
import signal
import time

from vqostest import Testpmd, check, main, wait_for

N = 50_000


def test_testpmd(bed):
    c_sock, up_sock = bed.path("c1.sock"), bed.path("uplink.sock")
    d = bed.vqosd([{"name": "c1", "socket": c_sock,
                    "uplink": f"net_vhost_up0,iface={up_sock}"}])
    pmd = Testpmd(bed, f"net_virtio_user0,path={c_sock}")
    wait_for(lambda: bed.ports()["c1"]["connected"], 30, "testpmd to connect")

    # vqosd carries no offload, so it offers none: a container that could
    # negotiate them would hand over frames nobody completes.
    caps = pmd.offload_caps()
    print(f"  testpmd's offload capabilities: {caps}")
    check(not caps & {"TCP_TSO", "UDP_TSO", "TCP_CKSUM", "UDP_CKSUM", "TCP_LRO"},
          "the container is offered no checksum or segmentation offload")

    # txonly: testpmd -> vqosd -> uplink sink.
    check(not bed.ports()["c1"]["uplink_up"], "the uplink is down until a peer joins it")
    # The sink stays until told: how long testpmd takes to carry out its
    # commands on a shared CPU is not the sink's to guess.
    sink = bed.gen(f"net_virtio_user1,path={up_sock}", "--rate", 0, "--duration", 0,
                   "--linger", 300, log="sink.log")
    wait_for(lambda: bed.ports()["c1"]["uplink_up"], 30, "the sink to join the uplink")
    pmd.cmd("set fwd txonly")
    pmd.cmd("set txpkts 128")
    pmd.cmd("start", 4.0)
    pmd.cmd("stop", 1.0)
    sent = pmd.port_stats()["tx"]
    wait_for(lambda: bed.ports()["c1"]["tx"]["offered"] == sent, 10,
             "vqosd to take what testpmd's vring still held")
    time.sleep(0.5)
    sink.send_signal(signal.SIGINT)
    s = bed.gen_result(sink)
    port = bed.ports()["c1"]
    print(f"  testpmd tx {sent}, vqosd tx {port['tx']}, sink rx {s['rx']}")
    check(sent > 0, "testpmd sent packets")
    check(port["tx"]["packets"] == sent, "vqosd forwarded every packet testpmd sent")
    check(port["tx"]["link_down"] == 0 and port["tx"]["drops"] == 0,
          "nothing dropped while the uplink's peer is there")
    # testpmd's frames carry no vqos-gen header: the sink counts them as foreign.
    check(s["rx"]["foreign"] == sent, "the uplink sink received every packet testpmd sent")
    check(port["tx"]["bytes"] == sent * 128, "byte count matches testpmd's 128-byte packets")

    # rxonly: uplink source -> vqosd -> testpmd.
    pmd.cmd("clear port stats all")
    pmd.cmd("set fwd rxonly")
    pmd.cmd("start", 0.5)
    rx0 = bed.ports()["c1"]["rx"]["packets"]
    src = bed.gen(f"net_virtio_user1,path={up_sock}", "--rate", "20kpps", "--count", N,
                  "--duration", 30, "--linger", 1, log="source.log")
    g = bed.gen_result(src)
    pmd.cmd("stop", 0.5)
    got = pmd.port_stats()["rx"]
    port = bed.ports()["c1"]
    print(f"  source tx {g['tx']}, vqosd rx {port['rx']}, testpmd rx {got}")
    check(g["tx"]["packets"] == N, f"the source sent {N}")
    check(port["rx"]["packets"] - rx0 == N, "vqosd delivered every packet to testpmd")
    check(got == N, "testpmd received every packet")
    check(port["rx"]["drops"] == 0, "no drops")
    check(pmd.quit() == 0, "testpmd quits cleanly")
    bed.stop_vqosd(d)
    check(not os.path.exists(c_sock), "the container socket is removed")


if __name__ == "__main__":
    main(test_testpmd)
