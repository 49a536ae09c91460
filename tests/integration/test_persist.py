#!/usr/bin/env python3
"""Changes made with vqosctl last: across a reload, and with --state-dir
across a restart.

- A reload carries every run-time change over to the file read again (it
  used to put back the file's ceil over a `class change`), takes the file's
  own edits of items nobody changed at run time, and when the file and a
  run-time change touch the same class, the file wins and the reply says so.
- With --state-dir, a port added at run time with its classes and a class
  changed at run time come back after a restart, carried over to the file;
  kept changes that cannot be read are said and the file runs as it is.
- Without --state-dir a restart runs the file alone.
"""
import json
import os

from vqostest import check, main, wait_for

TREE = """
tx = { qdisc = "htb"; classes = (
    { name = "root"; rate = "1gbit"; },
    { name = "grp"; parent = "root"; rate = "300mbit"; ceil = "1gbit"; },
    { name = "c1"; parent = "grp"; port = "c1"; rate = "100mbit"; ceil = "1gbit"; }
); };
rx = { qdisc = "htb"; classes = (
    { name = "root"; rate = "1gbit"; },
    { name = "c1"; parent = "root"; port = "c1"; rate = "100mbit"; ceil = "1gbit"; }
); };
"""
# The file edited: tx grp's rate, and tx c1's ceil (which vqosctl changes too)
EDITED = TREE.replace('"grp"; parent = "root"; rate = "300mbit"',
                      '"grp"; parent = "root"; rate = "200mbit"').replace(
    '"c1"; parent = "grp"; port = "c1"; rate = "100mbit"; ceil = "1gbit"',
    '"c1"; parent = "grp"; port = "c1"; rate = "100mbit"; ceil = "500mbit"')
assert EDITED.count("200mbit") == 1 and EDITED.count("500mbit") == 1


def cls(bed, d, name):
    rows = json.loads(bed.ctl("-j", "class", "show", d).stdout)
    found = [c for c in rows if c["name"] == name]
    return found[0] if found else None


def reload(bed):
    return json.loads(bed.ctl("-j", "reload").stdout)["note"]


def log_of(d):
    with open(d.log) as f:
        return f.read()


def test_persist(bed):
    state = bed.path("state")
    s1, u1 = bed.path("c1.sock"), bed.path("u1.sock")
    s2, u2 = bed.path("c2.sock"), bed.path("u2.sock")
    ports = [{"name": "c1", "socket": s1, "uplink": f"net_vhost_u1,iface={u1}"}]
    d = bed.vqosd(ports, extra=TREE, args=("--state-dir", state))
    conf = bed.path("vqosd.conf")
    # written once the ports are up, just after the control socket listens;
    # wait_for fails the test if it does not come
    wait_for(lambda: os.path.exists(os.path.join(state, "base.conf"))
             and os.path.exists(os.path.join(state, "running.conf")), 5,
             "vqosd to keep its state in the directory once started")

    # a run-time change survives a reload of an unchanged file
    bed.ctl("class", "change", "tx", "name", "c1", "ceil", "900mbit")
    note = reload(bed)
    check(cls(bed, "tx", "c1")["ceil_bps"] == 900e6,
          f"class change ceil 900mbit survives a reload ({note})")
    check("1 run-time change(s) kept" in note, f"the reload says it kept it ({note})")

    # the file's own edit of a class nobody changed at run time is taken;
    # where the file and the run-time change touch the same class, the file
    # wins, and the reply names the class
    with open(conf) as f:
        text = f.read()
    check(TREE in text, "the test's file holds its tree as written")
    with open(conf, "w") as f:
        f.write(text.replace(TREE, EDITED))
    note = reload(bed)
    check(cls(bed, "tx", "grp")["rate_bps"] == 200e6,
          "a reload takes the file's edit of a class not changed at run time")
    check(cls(bed, "tx", "c1")["ceil_bps"] == 500e6,
          "a class changed both at run time and in the file takes the file's version")
    check("c1" in note and "changed at run time and in the file" in note,
          f"and the reload names the conflict ({note})")

    # a change that sticks, and a container added at run time with classes
    bed.ctl("class", "change", "rx", "name", "c1", "rate", "200mbit")
    bed.ctl("port", "add", "c2", "socket", s2, "uplink", f"net_vhost_u2,iface={u2}",
            "tx", "parent", "root", "rate", "8mbit", "ceil", "8mbit",
            "rx", "parent", "root", "rate", "4mbit", "ceil", "4mbit")
    bed.stop_vqosd(d)

    # a restart with the state directory brings both back
    d = bed.vqosd(ports, extra=EDITED, args=("--state-dir", state))
    check("c2" in bed.ports(), "a port added at run time is there after a restart")
    check(cls(bed, "tx", "c2")["ceil_bps"] == 8e6 and cls(bed, "rx", "c2")["ceil_bps"] == 4e6,
          "with its classes")
    check(cls(bed, "rx", "c1")["rate_bps"] == 200e6 and cls(bed, "tx", "c1")["ceil_bps"] == 500e6
          and cls(bed, "tx", "grp")["rate_bps"] == 200e6,
          "a class changed at run time is as it was; the file's edits too")
    # item by item: port c2, its tx and rx classes, rx class c1
    check("4 run-time change(s) kept in" in log_of(d),
          "vqosd logs the changes it carried over at start")
    # port del is kept too: after another restart c2 is gone
    bed.ctl("port", "del", "c2")
    bed.stop_vqosd(d)
    d = bed.vqosd(ports, extra=TREE, args=("--state-dir", state))
    check("c2" not in bed.ports() and cls(bed, "tx", "c2") is None,
          "a port deleted at run time stays deleted after a restart")
    check(cls(bed, "rx", "c1")["rate_bps"] == 200e6,
          "the file now back at its first text: the run-time change still holds")
    bed.stop_vqosd(d)

    # kept changes that cannot be read: said, and the file runs as it is
    with open(os.path.join(state, "running.conf"), "w") as f:
        f.write("ports = ( { name = \n")
    d = bed.vqosd(ports, extra=TREE, args=("--state-dir", state))
    log = log_of(d)
    check("cannot be read" in log and "running.conf" in log and "the file runs as it is" in log,
          "unreadable kept changes are said, naming the file")
    check(cls(bed, "rx", "c1")["rate_bps"] == 100e6, "and the file runs as it is")
    with open(os.path.join(state, "running.conf")) as f:
        check('name = "c1"' in f.read(), "and the state is written again once started")
    bed.stop_vqosd(d)

    # without the state directory, a restart runs the file alone
    d = bed.vqosd(ports, extra=TREE)
    bed.ctl("class", "change", "rx", "name", "c1", "rate", "300mbit")
    bed.stop_vqosd(d)
    d = bed.vqosd(ports, extra=TREE)
    check(cls(bed, "rx", "c1")["rate_bps"] == 100e6,
          "without --state-dir a restart runs the file alone")
    bed.stop_vqosd(d)


if __name__ == "__main__":
    main(test_persist)
