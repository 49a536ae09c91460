#!/usr/bin/env python3
"""A container added at run time with its classes, in one step, and removed.

vqosd runs a class tree in each direction. `port add` with `tx` and `rx`
groups brings up the port and its leaves as one change: the new container
is shaped to its classes both ways from its first packet; a port add
without a leaf for a tree, or with a class the tree refuses, changes
nothing (no port, no socket, no uplink, no class); `port del` takes the
port's classes with it.
"""
import json
import os
import time

from vqostest import check, main, wait_for

TREE = """
tx = { qdisc = "htb"; classes = (
    { name = "root"; rate = "1gbit"; },
    { name = "c1"; parent = "root"; port = "c1"; rate = "100mbit"; }
); };
rx = { qdisc = "htb"; classes = (
    { name = "root"; rate = "1gbit"; },
    { name = "c1"; parent = "root"; port = "c1"; rate = "100mbit"; }
); };
"""
TX_BPS, RX_BPS = 8e6, 4e6  # c2's classes
OFFER = "30mbit"  # what c2 and its peer offer, each way


def classes(bed, port):
    """{dir: {name: class}} of @port's classes."""
    out = {}
    for d in ("tx", "rx"):
        rows = json.loads(bed.ctl("-j", "class", "show", d, "port", port).stdout)
        out[d] = {c["name"]: c for c in rows}
    return out


def test_port_add(bed):
    s1, u1 = bed.path("c1.sock"), bed.path("u1.sock")
    s2, u2 = bed.path("c2.sock"), bed.path("u2.sock")
    s3, u3 = bed.path("c3.sock"), bed.path("u3.sock")
    d = bed.vqosd([{"name": "c1", "socket": s1, "uplink": f"net_vhost_u1,iface={u1}"}],
                  extra=TREE)
    add_c2 = ["port", "add", "c2", "socket", s2, "uplink", f"net_vhost_u2,iface={u2}"]

    # a tree in each direction: the port needs its leaves
    r = bed.ctl(*add_c2, "tx", "parent", "root", "rate", "8mbit", expect=1)
    check("the rx class tree needs a leaf for port c2" in r.stderr,
          f"port add without an rx leaf is refused, saying how ({r.stderr.strip()})")
    # a class the tree refuses: nothing changes, nothing is left behind
    r = bed.ctl(*add_c2, "tx", "parent", "nosuch", "rate", "8mbit", "rx", "parent", "root",
                "rate", "4mbit", expect=1)
    check("parent 'nosuch' does not exist" in r.stderr,
          f"port add with a bad class is refused ({r.stderr.strip()})")
    # good classes, a port the file's rules refuse (c1's socket)
    r = bed.ctl("port", "add", "c2", "socket", s1, "uplink", f"net_vhost_u2,iface={u2}", "tx",
                "parent", "root", "rate", "8mbit", "rx", "parent", "root", "rate", "4mbit",
                expect=1)
    check("is already used" in r.stderr, f"so is one with a bad port ({r.stderr.strip()})")
    check("c2" not in bed.ports() and not os.path.exists(s2) and not os.path.exists(u2)
          and classes(bed, "c2") == {"tx": {}, "rx": {}},
          "a refused port add leaves no port, socket, uplink or class")

    r = bed.ctl("-j", *add_c2, "tx", "parent", "root", "rate", "8mbit", "ceil", "8mbit",
                "rx", "parent", "root", "rate", "4mbit", "ceil", "4mbit")
    note = json.loads(r.stdout)["note"]
    check(note == "port c2 added, with 1 tx and 1 rx class(es)", f"port add: {note}")
    cl = classes(bed, "c2")
    check(cl["tx"]["c2"]["ceil_bps"] == TX_BPS and cl["rx"]["c2"]["ceil_bps"] == RX_BPS
          and cl["tx"]["c2"]["parent"] == "root",
          "the port came with its leaves, named after it, under root")

    # c2 and its peer both offer far more than its classes
    sink = bed.gen(f"net_virtio_user1,path={u2}", "--rate", OFFER, "--size", 1000,
                   "--duration", 300, "--linger", 300, log="peer.log")
    c2 = bed.gen(f"net_virtio_user0,path={s2},queue_size=1024", "--rate", OFFER,
                 "--size", 1000, "--duration", 300, "--linger", 2, log="c2.log")
    wait_for(lambda: bed.ports()["c2"]["tx"]["packets"] > 0
             and bed.ports()["c2"]["rx"]["packets"] > 0, 30, "c2's traffic both ways")
    time.sleep(1.0)
    r = bed.rates(4.0)["c2"]
    print(f"  c2 tx {r['tx']['bps'] / 1e6:.3f} Mbit/s (class 8), "
          f"rx {r['rx']['bps'] / 1e6:.3f} Mbit/s (class 4)")
    check(abs(r["tx"]["bps"] - TX_BPS) <= 0.02 * TX_BPS, "c2's tx is shaped to its class")
    check(abs(r["rx"]["bps"] - RX_BPS) <= 0.02 * RX_BPS, "c2's rx is shaped to its class")

    # port del: the port, its socket and its classes go
    r = bed.ctl("port", "del", "c2")
    check("c2" not in bed.ports() and not os.path.exists(s2)
          and classes(bed, "c2") == {"tx": {}, "rx": {}},
          "port del removes the port, its socket and its classes")
    for p in (c2, sink):
        p.kill()
        p.wait()
    # the name and the uplink can be used again at once
    bed.ctl("port", "add", "c3", "socket", s3, "uplink", f"net_vhost_u3,iface={u3}",
            "tx", "parent", "root", "rate", "1mbit", "rx", "name", "c3-in", "parent", "root",
            "rate", "1mbit")
    cl = classes(bed, "c3")
    check(set(cl["tx"]) == {"c3"} and set(cl["rx"]) == {"c3-in"},
          f"another port with its classes ({ {d: sorted(c) for d, c in cl.items()} })")
    bed.stop_vqosd(d)


if __name__ == "__main__":
    main(test_port_add)
