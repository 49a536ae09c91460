#!/usr/bin/env python3
"""Changes under traffic: vqosctl class change, reload (vqosctl and SIGHUP).

A container offers 80 Mbit/s against a 20 Mbit/s ceiling. `class change`
raises the ceiling to 40 Mbit/s: the data path runs the new tree within
10 ms of the request (vqosd measures it: applied_us), the rate follows, and
no tx packet is lost (generator, vqosd and sink agree at the end). A refused
change (ceil under rate) and a reload of a broken file change nothing. A
reload adds a second port, which comes up beside the first without touching
it, and a SIGHUP reload takes it away again.
"""
import json
import os
import signal
import time

from vqostest import check, main, wait_for

TREE = """
tx = {{
  qdisc = "htb";
  classes = (
    {{ name = "root"; rate = "1gbit"; }},
    {{ name = "c1"; parent = "root"; port = "c1"; rate = "10mbit"; ceil = "20mbit"; }}{extra}
  );
}};
"""
C2_CLASS = ',\n    { name = "c2"; parent = "root"; port = "c2"; rate = "5mbit"; }'


def test_change(bed):
    s1, u1 = bed.path("c1.sock"), bed.path("u1.sock")
    p1 = {"name": "c1", "socket": s1, "uplink": f"net_vhost_u1,iface={u1}"}
    d = bed.vqosd([p1], extra=TREE.format(extra=""))
    conf = bed.path("vqosd.conf")
    with open(conf) as f:
        original = f.read()
    sink = bed.gen(f"net_virtio_user1,path={u1}", "--rate", 0, "--duration", 0, "--linger", 300,
                   log="sink.log")
    wait_for(lambda: bed.ports()["c1"]["uplink_up"], 30, "the sink")
    # until told (SIGUSR1, at the end), however often a window is measured again
    c1 = bed.gen(f"net_virtio_user0,path={s1}", "--rate", "80mbit", "--size", 1000,
                 "--duration", 300, "--linger", 2, log="c1.log")
    wait_for(lambda: bed.ports()["c1"]["tx"]["packets"] > 0, 30, "c1's traffic")
    time.sleep(1.0)
    before = bed.rates(3.0)["c1"]["tx"]["bps"]
    print(f"  ceil 20mbit: {before / 1e6:.3f} Mbit/s")
    check(abs(before - 20e6) <= 0.03 * 20e6, "c1 runs at its 20 Mbit/s ceiling")

    r = json.loads(bed.ctl("-j", "class", "change", "tx", "name", "c1", "ceil", "40mbit").stdout)
    print(f"  class change: {r}")
    check(r["changed"] and r["applied_us"] < 10000,
          f"the data path runs the change within 10 ms ({r['applied_us']:.0f} us)")
    time.sleep(0.5)
    after = bed.rates(3.0)["c1"]["tx"]["bps"]
    print(f"  ceil 40mbit: {after / 1e6:.3f} Mbit/s")
    check(abs(after - 40e6) <= 0.03 * 40e6, "c1 now runs at its new 40 Mbit/s ceiling")

    shown = bed.ctl("class", "show", "tx").stdout
    r = bed.ctl("class", "change", "tx", "name", "c1", "ceil", "1mbit", expect=1)
    check("class 'c1': ceil 1mbit is below rate 10mbit" in r.stderr,
          "a change that breaks a rule is refused, naming the class")
    r = bed.ctl("class", "change", "tx", "name", "c1", "ceil", "5kpps", expect=1)
    check("ceil: '5kpps' is a packet rate" in r.stderr, "a wrong unit is refused, naming the word")
    check(bed.ctl("class", "show", "tx").stdout == shown, "and the running tree is unchanged")

    # Reload: a broken file is refused whole.
    with open(conf, "a") as f:
        f.write("ports = oops\n")
    r = bed.ctl("reload", expect=1)
    check(f"{conf}:" in r.stderr, f"reload names the file and line ({r.stderr.strip()})")
    check(bed.ctl("class", "show", "tx").stdout == shown, "the running tree is unchanged")

    # Reload: a second port comes, beside c1's traffic.
    s2, u2 = bed.path("c2.sock"), bed.path("u2.sock")
    with open(conf, "w") as f:
        f.write(original.replace(
            "\n);\n", ',\n  { name = "c2"; socket = "%s"; uplink = "net_vhost_u2,iface=%s"; }\n);\n'
            % (s2, u2), 1).replace('ceil = "20mbit"; }', 'ceil = "40mbit"; }' + C2_CLASS))
    r = json.loads(bed.ctl("-j", "reload").stdout)
    print(f"  reload: {r}")
    p = bed.ports()
    check("c2" in p and os.path.exists(s2), "reload added port c2 and its socket")
    check(p["c1"]["connected"], "c1 stayed connected")
    check("name c2" not in shown and "class htb c2" in bed.ctl("class", "show", "tx").stdout,
          "c2's class is in the tree")

    # SIGHUP with the first file: c2 goes, c1 goes on.
    with open(conf, "w") as f:
        f.write(original.replace('ceil = "20mbit"; }', 'ceil = "40mbit"; }'))
    d.send_signal(signal.SIGHUP)
    wait_for(lambda: "c2" not in bed.ports(), 10, "SIGHUP to remove c2")
    check(not os.path.exists(s2), "c2's socket is removed")
    check(bed.ports()["c1"]["connected"], "c1 is still connected")

    c1.send_signal(signal.SIGUSR1)  # it lingers while vqosd empties its vring
    g = bed.gen_result(c1, timeout=30)
    time.sleep(1)  # what c1's vring held has drained into the sink: it may stop
    sink.send_signal(signal.SIGINT)
    k = bed.gen_result(sink, timeout=90)
    p = bed.ports()["c1"]
    print(f"  c1 sent {g['tx']['packets']}, vqosd {p['tx']}, sink {k['rx']['packets']}")
    check(g["tx"]["packets"] == p["tx"]["packets"] == k["rx"]["packets"],
          "no tx packet was lost across the changes")
    check(p["tx"]["drops"] == 0, "vqosd dropped nothing")
    log = bed.stop_vqosd(d)
    check("reloaded:" in log, "the SIGHUP reload is logged")


if __name__ == "__main__":
    main(test_change)
