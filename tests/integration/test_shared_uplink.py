#!/usr/bin/env python3
"""Three containers on one shared uplink, and rx classification by DSCP.

c1, c2, c3 give the same uplink devargs and each its container's mac: vqosd
opens the uplink once. The three containers are one vqos-gen with three
virtio_user ports (mac= devargs); the uplink's peer is one vqos-gen.

- tx: each container offers twice its ceil (10, 20, 30 Mbit/s); each gets
  its ceil through the one uplink, and the peer counts every frame of each
  sender exactly.
- rx demultiplexing: the peer sends broadcast frames (every container gets
  each), frames to c2's mac (c2 alone gets them) and frames to a mac that
  no port has (dropped, counted as unknown_dst by the lcore).
- rx classification: c1's rx has a default leaf and a leaf for DSCP 46
  (ceil 5 Mbit/s); frames to c1 marked DSCP 46 at 10 Mbit/s go through
  that leaf at 5 Mbit/s, and the default leaf sees none of them.
"""
import json
import signal
import time

from vqostest import check, main, wait_for

MAC = {"c1": "02:00:00:00:00:01", "c2": "02:00:00:00:00:02", "c3": "02:00:00:00:00:03"}
CEIL = {"c1": 10e6, "c2": 20e6, "c3": 30e6}

TREE = """
tx = {
  qdisc = "htb";
  classes = (
    { name = "root"; rate = "100mbit"; },
    { name = "c1"; parent = "root"; port = "c1"; rate = "10mbit"; },
    { name = "c2"; parent = "root"; port = "c2"; rate = "20mbit"; },
    { name = "c3"; parent = "root"; port = "c3"; rate = "30mbit"; }
  );
};
rx = {
  qdisc = "htb";
  classes = (
    { name = "root"; rate = "1gbit"; },
    { name = "c1"; parent = "root"; port = "c1"; rate = "100mbit"; },
    { name = "c1-ef"; parent = "root"; port = "c1"; rate = "5mbit"; prio = 0;
      match = "dscp 46"; },
    { name = "c2"; parent = "root"; port = "c2"; rate = "100mbit"; },
    { name = "c3"; parent = "root"; port = "c3"; rate = "100mbit"; }
  );
};
"""


def classes(bed, d):
    return {c["name"]: c for c in json.loads(bed.ctl("-j", "-s", "class", "show", d).stdout)}


def containers(bed, *opts, log):
    """One vqos-gen playing c1..c3, one virtio_user port each (with its mac)."""
    vdevs = [f"net_virtio_user{i},path={bed.path(n + '.sock')},mac={MAC[n]}"
             for i, n in enumerate(("c1", "c2", "c3"))]
    return bed.gen(vdevs, *opts, log=log)


def peer(bed, *opts, log):
    return bed.gen(f"net_virtio_user9,path={bed.path('up.sock')}", *opts, log=log)


def test_shared_uplink(bed):
    uplink = f"net_vhost_up,iface={bed.path('up.sock')}"
    ports = [{"name": n, "socket": bed.path(f"{n}.sock"), "uplink": uplink, "mac": MAC[n]}
             for n in ("c1", "c2", "c3")]
    d = bed.vqosd(ports, extra=TREE)
    shown = bed.ports()
    check(all(p["uplink"] == uplink for p in shown.values()), "the three ports name one uplink")
    check(len({p["lcore"] for p in shown.values()}) == 1, "and are polled by one lcore")
    show = bed.ctl("class", "show", "rx").stdout
    check('match "dscp 46"' in show, "class show prints c1-ef's match")

    # tx: each container at twice its ceil, through the one uplink
    sink = peer(bed, "--rate", 0, "--duration", 0, "--linger", 300, log="sink.log")
    wait_for(lambda: all(p["uplink_up"] for p in bed.ports().values()), 30, "the peer")
    # until told (however often a window is measured again), then linger
    # while vqosd empties their vrings
    opts = ["--size", 1000, "--duration", 300, "--linger", 1]
    for i, n in enumerate(("c1", "c2", "c3")):
        opts += ["--port", i, "--rate", f"{int(2 * CEIL[n] / 1e6)}mbit", "--id", 100 + i]
    tx = containers(bed, *opts, log="tx.log")
    wait_for(lambda: all(p["tx"]["packets"] > 0 for p in bed.ports().values()), 30,
             "the three to send")
    time.sleep(1.0)
    r = bed.rates(3.0)
    for n in ("c1", "c2", "c3"):
        got = r[n]["tx"]["bps"]
        print(f"  {n}: {got / 1e6:.3f} Mbit/s (ceil {CEIL[n] / 1e6:.0f})")
        check(abs(got - CEIL[n]) <= 0.02 * CEIL[n], f"{n} gets its ceil within 2% on the shared uplink")
    tx.send_signal(signal.SIGUSR1)
    sent = bed.gen_result(tx, timeout=60)
    time.sleep(1.0)
    sink.send_signal(signal.SIGINT)
    got = bed.gen_result(sink)
    streams = {s["id"]: s for s in got["rx"]["streams"]}
    for i, n in enumerate(("c1", "c2", "c3")):
        want = sent["ports"][i]["tx"]["packets"]
        s = streams.get(100 + i, {"packets": 0, "reordered": 1})
        check(s["packets"] == want and s["reordered"] == 0,
              f"the peer got all {want} frames of {n}, in order")

    # rx demultiplexing: broadcast to all, unicast to its port, unknown dropped
    rx = containers(bed, "--rate", 0, "--duration", 0, "--linger", 300, log="rx.log")
    wait_for(lambda: all(p["connected"] for p in bed.ports().values()), 30, "the containers")
    before = bed.ports()
    for what, dst in (("broadcast", "ff:ff:ff:ff:ff:ff"), ("to c2", MAC["c2"]),
                      ("to nobody", "02:00:00:00:00:99")):
        p = peer(bed, "--rate", "10kpps", "--count", 2000, "--size", 200, "--dst-mac", dst,
                 "--duration", 10, "--linger", 0.5, log=f"peer-{what.replace(' ', '-')}.log")
        check(bed.gen_result(p)["tx"]["packets"] == 2000, f"the peer sent 2000 frames {what}")
    time.sleep(0.5)
    after = bed.ports()
    delta = {n: after[n]["rx"]["packets"] - before[n]["rx"]["packets"] for n in after}
    print(f"  rx delivered: {delta}")
    check(delta == {"c1": 2000, "c2": 4000, "c3": 2000},
          "broadcast reached all three, frames to c2 reached c2 alone")
    unknown = sum(x["unknown_dst"] for x in bed.lcores())
    check(unknown == 2000, f"the 2000 frames for no port were dropped and counted ({unknown})")

    # rx classification: DSCP 46 to c1 goes through c1-ef, shaped to its 5 Mbit/s
    c0 = classes(bed, "rx")
    p = peer(bed, "--rate", "10mbit", "--size", 1000, "--dscp", 46, "--dst-mac", MAC["c1"],
             "--duration", 30, "--linger", 0.5, log="peer-ef.log")
    wait_for(lambda: bed.ports()["c1"]["rx"]["offered"] > after["c1"]["rx"]["offered"], 30,
             "frames for c1")
    time.sleep(1.0)
    r = bed.rates(3.0)
    ef = r["c1"]["rx"]["bps"]
    print(f"  c1 rx, DSCP 46: {ef / 1e6:.3f} Mbit/s")
    check(abs(ef - 5e6) <= 0.03 * 5e6, "DSCP 46 frames to c1 get c1-ef's 5 Mbit/s (within 3%)")
    c1 = classes(bed, "rx")
    check(c1["c1-ef"]["stats"]["packets"] > c0["c1-ef"]["stats"]["packets"] and
          c1["c1"]["stats"]["packets"] == c0["c1"]["stats"]["packets"],
          "they went through c1-ef, none through c1's default leaf")
    check(c1["c1-ef"]["stats"]["overlimits"] > 0, "c1-ef ran out of tokens: the policy shapes")
    p.send_signal(signal.SIGINT)
    bed.gen_result(p)
    bed.stop_vqosd(d)
    rx.send_signal(signal.SIGINT)
    bed.gen_result(rx)


if __name__ == "__main__":
    main(test_shared_uplink)
