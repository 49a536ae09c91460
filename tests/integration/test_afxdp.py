#!/usr/bin/env python3
"""vqosd with an AF_XDP uplink: DPDK's net_af_xdp on one end of a veth pair,
a vqos-gen in a network namespace on the other end (net_af_xdp too), a
vqos-gen container on vqosd's vhost-user port.

The far end sends first, then the container: every frame sent must arrive,
in both directions, and `vqosctl -j port show` must agree; vqosd must exit 0
with its pools whole and its XDP program off the veth. With the uplink's
mbufs from rte_pktmbuf_pool_create() (gaps between objects on 4 KiB pages)
this failed: after receiving from the veth, 37% of what the container sent
never reached the far end; with the container sending first it did not
show (see results/afxdp). The test makes the veth pair and the namespace
and removes them however it ends; without root or the AF_XDP PMD it says
why and exits 77 (skipped).
"""
import os
import subprocess
import sys

from vqostest import Bed, check, wait_for

N = 20_000      # frames each way
TX_RATE = "20kpps"  # the container's, after the far end's
RATE = "10kpps"  # well under what CPU 0, shared by both generators, carries:
                 # AF_XDP has no backpressure, a receiver behind loses frames
SKIP = 77


class Skip(Exception):
    pass


def sh(*argv, check_rc=True):
    r = subprocess.run(argv, capture_output=True, text=True)
    if check_rc and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


class Veth:
    """A network namespace with one end of a veth pair in it (eth0) and the
    other (@outer) in the root namespace, both up, IPv6 off (so neither end
    sends frames of its own)."""

    def __init__(self):
        self.ns = f"vqt-afx-{os.getpid()}"
        self.outer = f"vqafx{os.getpid() % 1000000}"
        if os.geteuid() != 0:
            raise Skip("needs root (network namespace, veth, AF_XDP socket)")
        if sh("ip", "netns", "add", self.ns, check_rc=False).returncode != 0:
            raise Skip("cannot make a network namespace")
        try:
            sh("ip", "link", "add", self.outer, "type", "veth", "peer", "name", "eth0",
               "netns", self.ns)
            sh("sysctl", "-q", "-w", f"net.ipv6.conf.{self.outer}.disable_ipv6=1")
            sh("ip", "netns", "exec", self.ns, "sysctl", "-q", "-w",
               "net.ipv6.conf.all.disable_ipv6=1")
            sh("ip", "link", "set", self.outer, "up")
            sh("ip", "netns", "exec", self.ns, "ip", "link", "set", "eth0", "up")
        except RuntimeError:
            self.close()
            raise

    def close(self):
        sh("ip", "link", "del", self.outer, check_rc=False)
        sh("ip", "netns", "del", self.ns, check_rc=False)


def test_afxdp(bed, veth):
    c_sock = bed.path("c.sock")
    d = bed.vqosd([{"name": "c", "socket": c_sock,
                    "uplink": f"net_af_xdp_up,iface={veth.outer}"}])
    wait_for(lambda: bed.ports()["c"]["uplink_up"], 30, "the AF_XDP uplink's link")
    # The far end: vqos-gen on the veth's other end, in the namespace. It
    # starts sending 4 s after its link is up, when the container surely is.
    far = bed.spawn(["ip", "netns", "exec", veth.ns,
                     *bed.gen_argv("net_af_xdp0,iface=eth0", "--rate", RATE, "--count", N,
                                   "--delay", 2, "--duration", 30, "--linger", 15,
                                   "--wait-link", 30, "--size", 128, "--id", 7)],
                    "far.log")
    cont = bed.gen(f"net_virtio_user0,path={c_sock}", "--rate", TX_RATE, "--count", N,
                   "--delay", 6, "--duration", 30, "--linger", 6, "--size", 128, "--id", 3,
                   log="container.log")
    c, f = bed.gen_result(cont), bed.gen_result(far)
    port = bed.ports()["c"]
    print(f"  container {c['tx']} / {c['rx']}\n  far end {f['tx']} / {f['rx']}\n  port {port}")
    got_far = sum(s["packets"] for s in f["rx"]["streams"] if s["id"] == 3)
    got_cont = sum(s["packets"] for s in c["rx"]["streams"] if s["id"] == 7)
    check(c["tx"]["packets"] == N, f"the container sent all {N} frames")
    check(f["tx"]["packets"] == N, f"the far end sent all {N} frames")
    check(got_far == N, f"tx: every frame of the container crossed the veth ({got_far})")
    check(got_cont == N, f"rx: every frame from the veth reached the container ({got_cont})")
    check(port["tx"]["packets"] == N and port["tx"]["bytes"] == c["tx"]["bytes"],
          "vqosctl tx packets and bytes agree with the container")
    check(port["rx"]["packets"] == N and port["rx"]["bytes"] == f["tx"]["bytes"],
          "vqosctl rx packets and bytes agree with the far end")
    check(port["tx"]["drops"] == 0 and port["rx"]["drops"] == 0, "vqosd dropped nothing")
    check(c["rx"]["reordered"] == 0 and f["rx"]["reordered"] == 0, "no reordering")
    log = bed.stop_vqosd(d)
    check("net_af_xdp" not in sh("ip", "-d", "link", "show", veth.outer).stdout and
          "prog/xdp" not in sh("ip", "link", "show", veth.outer).stdout,
          f"vqosd took its XDP program off {veth.outer} at exit")
    return log


def main():
    try:
        veth = Veth()
    except Skip as e:
        print(f"SKIP: {e}")
        sys.exit(SKIP)
    bed = Bed("afxdp")
    try:
        test_afxdp(bed, veth)
    except Exception as e:  # noqa: BLE001 -- any failure fails the test
        print(f"FAIL: {type(e).__name__}: {e}")
        bed.dump_logs()
        bed.close()
        veth.close()
        sys.exit(1)
    bed.close()
    veth.close()
    print("PASS")


if __name__ == "__main__":
    main()
