#!/usr/bin/env python3
"""vqos-ovs against real OVS-DPDK: containers wired and unwired in one step.

  c1 (vqos-gen, id 1) -> c1.sock  vqosd  c1.ovs.sock <- OVS vqos-c1 \\
                                                                      br0 -> sink port -> sink
  c2 (vqos-gen, id 2) -> c2.sock  vqosd  c2.ovs.sock <- OVS vqos-c2 /     (vqos-gen, rate 0)

OVS-DPDK (a private ovsdb-server and ovs-vswitchd-dpdk, hugepages set up
and given back, as test_ovs) runs a netdev bridge with a sink port; vqosd
runs a tree in each direction and one port of its own ("base", which keeps
the test bed's directory one that run-time ports may use). Then:

- `vqos-ovs add` c1 and c2 with tx and rx classes: OVS gets dpdkvhostuserclient
  ports vqos-c1 and vqos-c2 connecting to DIR/NAME.ovs.sock (ovs-vsctl
  list-ports, their options), vqosd the ports c1 and c2 with those uplinks
  in server mode, up, and their classes (vqosctl port show, class show);
- each container offers twice its tx ceiling (20 and 30 Mbit/s) through
  OVS to the sink: at the sink, each one's count over its sending time is
  its ceiling within 3%, and every packet it sent arrived;
- refusals: a bad class word (vqosd refuses: the OVS port it made is
  removed again, exit 1, vqosctl's message naming the word); a missing rx
  leaf (the same); c1 again (refused before anything is made, c1 still
  works); an OVS port of that name made by hand (refused, and left alone:
  the rollback removes only what vqos-ovs made); no such bridge, a bridge
  that is not a netdev one; vqosd not reachable; bad names and socket directories (exit 2, nothing made);
- `vqos-ovs del`: both ports, the classes and the socket go; a second del
  succeeds and says there was nothing; del with vqosd unreachable removes
  the OVS port and exits 1; del with the wrong --bridge removes nothing.

Without OVS-DPDK or hugepages the test says why and exits 77 (skipped).
"""
import json
import os
import re
import signal
import subprocess
import time

from ovs import main, wait_stable
from vqostest import BUILD, ENV, VQOS_GEN, VQOSCTL, Failure, check, wait_for

VQOS_OVS = os.path.join(BUILD, "tools", "vqos-ovs")
SIZE = 1000          # frame bytes
CEIL = {"c1": 20e6, "c2": 30e6}
RX_CEIL = {"c1": 10e6, "c2": 15e6}
ID = {"c1": 1, "c2": 2}
DURATION = 10.0      # seconds each container sends
TOL = 0.03
HUGEPAGES = 512      # 2 MB pages free, for OVS (as test_ovs)
OVS_SOCKET_MEM = 512  # MB of them OVS takes
SINK_OFPORT = 10

TREE = """
tx = { qdisc = "htb"; classes = (
  { name = "root"; rate = "100mbit"; },
  { name = "base"; parent = "root"; port = "base"; rate = "1mbit"; }
); };
rx = { qdisc = "htb"; classes = (
  { name = "root"; rate = "100mbit"; },
  { name = "base"; parent = "root"; port = "base"; rate = "1mbit"; }
); };
"""


def classes_words(c):
    return ["tx", "parent", "root", "rate", "10mbit", "ceil", f"{CEIL[c] / 1e6:g}mbit",
            "rx", "parent", "root", "rate", "5mbit", "ceil", f"{RX_CEIL[c] / 1e6:g}mbit"]


class Tool:
    """vqos-ovs as an operator runs it: the build's vqosctl first in PATH,
    OVS's database and vqosd's control socket given by its options."""

    def __init__(self, bed, ovs):
        self.bed, self.ovs = bed, ovs
        self.env = dict(ENV, PATH=f"{os.path.dirname(VQOSCTL)}:{os.environ['PATH']}",
                        **{k: v for k, v in ovs.env.items() if k.startswith("OVS_")})

    def __call__(self, *args, sock=None, expect=None, timeout=120):
        argv = [VQOS_OVS, "-S", sock or self.bed.ctl_sock, "--db", f"unix:{self.ovs.db_sock}",
                *args]
        t0 = time.monotonic()
        r = subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=timeout)
        r.seconds = time.monotonic() - t0
        print(f"  $ vqos-ovs {' '.join(args)}  -> exit {r.returncode} in {r.seconds:.2f} s")
        for line in (r.stdout + r.stderr).splitlines():
            print(f"      {line}")
        if expect is not None and r.returncode != expect:
            raise Failure(f"vqos-ovs {' '.join(args)}: exit {r.returncode}, expected {expect}")
        return r


def ovs_ports(ovs):
    return set(ovs.vsctl("list-ports", "br0").split())


def vqosd_classes(bed, port):
    return {d: {c["name"]: c for c in json.loads(bed.ctl("-j", "class", "show", d, "port",
                                                          port).stdout)}
            for d in ("tx", "rx")}


def state(bed, ovs):
    """What a refused or bad command must leave as it was."""
    return (ovs_ports(ovs), sorted(bed.ports()), sorted(os.listdir(bed.dir)))


def test_add(bed, ovs, tool):
    for c in ("c1", "c2"):
        r = tool("add", c, "--bridge", "br0", "--socket-dir", bed.dir, *classes_words(c),
                 expect=0)
        check(f"port {c} added, with 1 tx and 1 rx class(es)" in r.stdout,
              f"vqos-ovs add {c}: vqosd added the port with its classes")
    check({"vqos-c1", "vqos-c2"} <= ovs_ports(ovs), "ovs-vsctl list-ports br0 has vqos-c1 and "
          "vqos-c2")
    ports = bed.ports()
    for c in ("c1", "c2"):
        itf = f"vqos-{c}"
        up_sock = bed.path(f"{c}.ovs.sock")
        check(ovs.vsctl("get", "Interface", itf, "type").strip() == "dpdkvhostuserclient" and
              ovs.vsctl("get", "Interface", itf, "options:vhost-server-path").strip()
              .strip('"') == up_sock,
              f"OVS's {itf} is dpdkvhostuserclient, connecting to {up_sock}")
        p = ports[c]
        check(p["socket"] == bed.path(f"{c}.sock") and
              p["uplink"] == f"net_virtio_user_ovs_{c},path={up_sock},server=1,queues=1"
              and p["mode"] == "server",
              f"vqosctl port show {c}: socket {c}.sock, uplink in server mode on {c}.ovs.sock")
        cl = vqosd_classes(bed, c)
        check(cl["tx"][c]["ceil_bps"] == CEIL[c] and cl["rx"][c]["ceil_bps"] == RX_CEIL[c]
              and cl["tx"][c]["parent"] == "root",
              f"{c}'s classes: tx ceil {CEIL[c] / 1e6:g}, rx ceil {RX_CEIL[c] / 1e6:g} Mbit/s")
    wait_for(lambda: all(bed.ports()[c]["uplink_up"] for c in ("c1", "c2")) and
             all(ovs.vsctl("get", "Interface", f"vqos-{c}", "link_state").strip() == "up"
                 for c in ("c1", "c2")), 15, "the uplinks and OVS's ports up")
    check(True, "vqosd's uplinks and OVS's ports vqos-c1, vqos-c2 are up")


def test_traffic(bed, ovs, sink):
    ofport = {c: int(ovs.vsctl("get", "Interface", f"vqos-{c}", "ofport")) for c in ("c1", "c2")}
    ovs.set_flows("br0", [f"priority=10,in_port={ofport['c1']},actions=output:{SINK_OFPORT}",
                          f"priority=10,in_port={ofport['c2']},actions=output:{SINK_OFPORT}",
                          "priority=0,actions=drop"])
    gens = {c: bed.gen(f"net_virtio_user0,path={bed.path(c + '.sock')}", "--rate",
                       f"{2 * CEIL[c] / 1e6:g}mbit", "--size", SIZE, "--duration", DURATION,
                       "--linger", 2, "--id", ID[c], log=f"{c}.log")
            for c in ("c1", "c2")}
    res = {c: bed.gen_result(g, timeout=60) for c, g in gens.items()}
    wait_stable(lambda: ovs.port_counters("br0")["sink"]["tx_pkts"], 15, "OVS's tx to the sink")
    sink.send_signal(signal.SIGTERM)
    k = bed.gen_result(sink, timeout=20)
    streams = {s["id"]: s for s in k["rx"]["streams"]}
    p = bed.ports()
    for c in ("c1", "c2"):
        g, s = res[c], streams.get(ID[c], {"packets": 0, "reordered": 0})
        rate = s["packets"] * SIZE * 8 / g["tx"]["time_s"]
        print(f"    {c}: sent {g['tx']['packets']} in {g['tx']['time_s']:.2f} s (backpressure "
              f"{g['tx']['backpressure']}), vqosd tx {p[c]['tx']['packets']}, at the sink "
              f"{s['packets']} = {rate / 1e6:.3f} Mbit/s (ceil {CEIL[c] / 1e6:g})")
        check(abs(rate - CEIL[c]) <= TOL * CEIL[c],
              f"{c}: at the sink, its tx ceiling within {TOL:.0%}")
        check(g["tx"]["packets"] == p[c]["tx"]["packets"] == s["packets"] and
              s["reordered"] == 0, f"{c}: every packet it sent reached the sink, in order")
        check(g["tx"]["backpressure"] > 0, f"{c}: its generator was held back (shaped)")
    check(k["rx"]["foreign"] == 0, "the sink got nothing but the two containers' frames")


def test_refusals(bed, ovs, tool):
    before = state(bed, ovs)
    # vqosd refuses a class word: the OVS port made for it is removed again
    r = tool("add", "c3", "--bridge", "br0", "--socket-dir", bed.dir, "tx", "parent", "root",
             "rote", "1mbit", "rx", "parent", "root", "rate", "1mbit", expect=1)
    check(re.search(r"vqosctl: .*\brote\b", r.stderr) and
          "OVS port vqos-c3 removed again" in r.stderr,
          "a bad class word: exit 1, vqosctl's message names it, the OVS port is removed")
    check(state(bed, ovs) == before, "... and OVS, vqosd and the directory are as before")
    r = tool("add", "c3", "--bridge", "br0", "--socket-dir", bed.dir, "tx", "parent", "root",
             "rate", "1mbit", expect=1)
    check("rx class tree needs a leaf for port c3" in r.stderr and state(bed, ovs) == before,
          "no rx leaf where vqosd has an rx tree: refused the same way, nothing left")

    r = tool("add", "c1", "--bridge", "br0", "--socket-dir", bed.dir, *classes_words("c1"),
             expect=1)
    check("vqosd already has a port c1" in r.stderr and state(bed, ovs) == before and
          bed.ports()["c1"]["uplink_up"],
          "c1 again: refused before anything is made; c1 is untouched and up")

    # an OVS port of the name, not vqos-ovs's: refused, and not removed
    ovs.vsctl("add-port", "br0", "vqos-c4", "--", "set", "Interface", "vqos-c4",
              "type=dpdkvhostuserclient", f"options:vhost-server-path={bed.path('other.sock')}")
    r = tool("add", "c4", "--bridge", "br0", "--socket-dir", bed.dir, *classes_words("c1"),
             expect=1)
    check("OVS already has a port vqos-c4" in r.stderr and "vqos-c4" in ovs_ports(ovs) and
          "c4" not in bed.ports(),
          "an OVS port of that name made by hand: refused, and left alone")
    # vqosd not reachable: del still removes the OVS port, and says what it could not do
    r = tool("del", "c4", sock=bed.path("nosuch.sock"), expect=1)
    check("cannot ask vqosd" in r.stderr and "vqos-c4" not in ovs_ports(ovs),
          "del with vqosd unreachable: the OVS port goes, exit 1")
    r = tool("add", "c4", "--bridge", "br0", "--socket-dir", bed.dir, *classes_words("c1"),
             sock=bed.path("nosuch.sock"), expect=1)
    check("cannot talk to vqosd" in r.stderr and state(bed, ovs) == before,
          "add with vqosd unreachable: refused before anything is made")
    r = tool("add", "c4", "--bridge", "nosuch", "--socket-dir", bed.dir, *classes_words("c1"),
             expect=1)
    check("OVS has no bridge nosuch" in r.stderr and state(bed, ovs) == before,
          "add to a bridge OVS does not have: refused before anything is made")
    # a bridge of another datapath (one ovs-vswitchd cannot open: nothing
    # changes on the machine) takes no DPDK port
    ovs.vsctl("--no-wait", "add-br", "brx", "--", "set", "Bridge", "brx", "datapath_type=nosuch")
    r = tool("add", "c4", "--bridge", "brx", "--socket-dir", bed.dir, *classes_words("c1"),
             expect=1)
    check("OVS bridge brx is not a netdev bridge" in r.stderr and
          ovs.vsctl("list-ports", "brx").split() == [] and state(bed, ovs) == before,
          "add to a bridge that is not a netdev one: refused before anything is made")
    ovs.vsctl("--no-wait", "del-br", "brx")

    for args, what in ((("add", "c 5", "--bridge", "br0"), "container name 'c 5'"),
                       (("add", "c/5", "--bridge", "br0"), "container name 'c/5'"),
                       (("add", "c.5", "--bridge", "br0"), "container name 'c.5'"),
                       (("del", "../c5"), "container name '../c5'"),
                       (("add", "c5", "--bridge", "br 0"), "bridge name 'br 0'"),
                       (("add", "c5", "--bridge", "br0", "--socket-dir", "run/vqos"),
                        "not an absolute path"),
                       (("add", "c5", "--bridge", "br0", "--socket-dir", bed.dir + ",x=1"),
                        "cannot be in a devargs path"),
                       (("add", "c5", "--bridge", "br0", "uplink", "net_vhost0"),
                        "'uplink' is vqos-ovs's to give")):
        r = tool(*args, expect=2)
        check(what in r.stderr and state(bed, ovs) == before,
              f"refused with exit 2, nothing made: {what}")


def test_del(bed, ovs, tool):
    ovs.vsctl("add-br", "br1", "--", "set", "Bridge", "br1", "datapath_type=netdev")
    r = tool("del", "c2", "--bridge", "br1", expect=1)
    check("is on bridge br0, not br1" in r.stderr and "c2" in bed.ports() and
          "vqos-c2" in ovs_ports(ovs), "del with another bridge than the port's removes nothing")
    for c in ("c1", "c2"):
        r = tool("del", c, "--bridge", "br0", expect=0)
        check(f"vqosd: port {c} removed" in r.stdout and
              f"OVS: port vqos-{c} removed from bridge br0" in r.stdout, f"del {c}: says so")
        check(f"vqos-{c}" not in ovs_ports(ovs) and c not in bed.ports() and
              vqosd_classes(bed, c) == {"tx": {}, "rx": {}} and
              not os.path.exists(bed.path(f"{c}.sock")) and
              not os.path.exists(bed.path(f"{c}.ovs.sock")),
              f"del {c}: the OVS port, vqosd's port, its classes and both sockets are gone")
        r = tool("del", c, expect=0)
        check(f"vqosd: no port {c} (nothing to remove)" in r.stdout and
              f"OVS: no port vqos-{c} (nothing to remove)" in r.stdout,
              f"del {c} again: succeeds, saying there was nothing to remove")
    check(set(bed.ports()) == {"base"} and ovs_ports(ovs) == {"sink"},
          "vqosd and OVS are back to what the test began with")


def test_vqos_ovs(bed, ovs):
    ovs.start()
    ovs.add_bridge("br0")
    sink_sock = ovs.add_vhostuserclient_port("br0", "sink", SINK_OFPORT, bed.path("sink-ovs.sock"))
    sink = bed.spawn([VQOS_GEN, "--no-huge", "-m", "256",
                      "--file-prefix", bed.prefix("sink"), "--lcores", "0@0", "--no-pci",
                      "--log-level", "*:warning", "--vdev",
                      f"net_virtio_user0,path={sink_sock},server=1,queue_size=1024", "--",
                      "--rate", "0", "--duration", "0", "--linger", "300"], "sink.log")
    base = bed.path("base-up.sock")
    d = bed.vqosd([{"name": "base", "socket": bed.path("base.sock"),
                    "uplink": f"net_vhost_base,iface={base}"}], extra=TREE)
    wait_for(lambda: ovs.vsctl("get", "Interface", "sink", "link_state").strip() == "up"
             and sink.poll() is None, 30, "the sink on OVS's sink port")
    tool = Tool(bed, ovs)

    test_add(bed, ovs, tool)
    test_traffic(bed, ovs, sink)
    test_refusals(bed, ovs, tool)
    test_del(bed, ovs, tool)
    bed.stop_vqosd(d)
    ovs.stop()


if __name__ == "__main__":
    main(test_vqos_ovs, hugepages=HUGEPAGES, socket_mem=OVS_SOCKET_MEM)
