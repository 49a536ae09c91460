#!/usr/bin/env python3
"""Bad input to vqosd and vqosctl: clear errors naming what and where, nothing left behind."""
import json
import signal
import os
import socket
import subprocess

from vqostest import ENV, VQOSCTL, VQOSD, check, main, wait_for


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, env=ENV, timeout=30, **kw)


def test_cli(bed):
    bad = bed.path("bad.conf")
    with open(bad, "w") as f:
        f.write('ports = (\n  { name = "c1"; socket = "/tmp/x.sock";\n'
                '    uplink = "net_null0"; color = "red"; }\n);\n')
    r = run([VQOSD, "-c", bad])
    print("  " + r.stderr.strip())
    check(r.returncode == 1, "vqosd refuses a file with an unknown key")
    check(f"{bad}:3: key 'ports.[0].color': unknown key" in r.stderr,
          "the message names file, line and key")

    r = run([VQOSD, "-c", bed.path("missing.conf")])
    check(r.returncode == 1 and "missing.conf" in r.stderr, "a missing file is named")

    r = run([VQOSD, "--bogus"])
    check(r.returncode == 1 and "usage" in r.stderr, "an unknown option prints usage")

    # A port whose uplink cannot come up: vqosd stops, says which, leaves no socket.
    sock, ctl = bed.path("c1.sock"), bed.path("ctl.sock")
    conf = bed.path("noup.conf")
    with open(conf, "w") as f:
        f.write('eal = [ "--no-huge", "-m", "256", "--file-prefix", "%s", "--lcores", "0@0,1@1",'
                ' "--no-pci" ];\ncontrol = { socket = "%s"; };\n'
                'ports = ( { name = "c1"; socket = "%s";'
                ' uplink = "net_virtio_user9,path=%s"; } );\n'
                % (bed.prefix("noup"), ctl, sock, bed.path("nobody.sock")))
    r = run([VQOSD, "-c", conf])
    print("  " + r.stderr.strip().splitlines()[-1])
    check(r.returncode == 1, "vqosd exits 1 when an uplink cannot be probed")
    check("port c1: uplink 'net_virtio_user9" in r.stderr and "cannot probe" in r.stderr, "the message names port and uplink")
    check(not os.path.exists(sock) and not os.path.exists(ctl), "no socket is left behind")

    # A police tree in the file: checked before EAL starts (librte_meter needs
    # the TSC's frequency), built once it has.
    pctl, pconf = bed.path("police-ctl.sock"), bed.path("police.conf")
    with open(pconf, "w") as f:
        f.write('eal = [ "--no-huge", "-m", "256", "--file-prefix", "%s", "--lcores", "0@0,1@1",'
                ' "--no-pci" ];\ncontrol = { socket = "%s"; };\n'
                'ports = ( { name = "c1"; socket = "%s"; uplink = "net_null5"; } );\n'
                'rx = { qdisc = "police"; classes = ( { name = "root"; rate = "1gbit"; },\n'
                '  { name = "c1"; parent = "root"; port = "c1"; rate = "10mbit"; meter = "trtcm";'
                ' ceil = "20mbit"; } ); };\n'
                % (bed.prefix("police"), pctl, bed.path("p1.sock")))
    p = bed.spawn([VQOSD, "-c", pconf], "police.log")
    wait_for(lambda: os.path.exists(pctl) or p.poll() is not None, 20, "vqosd with police")
    r = run([VQOSCTL, "-s", pctl, "class", "show", "rx"])
    check(p.poll() is None and "class police c1 dir rx" in r.stdout,
          "vqosd starts with the police qdisc its file gives rx")
    p.send_signal(signal.SIGTERM)
    check(p.wait(timeout=20) == 0, "and stops cleanly")

    r = run([VQOSCTL, "-S", bed.path("nothing.sock"), "port", "show"])
    check(r.returncode == 2 and "cannot connect" in r.stderr, "vqosctl: no vqosd is exit 2")

    # Socket files left by a vqosd that was killed: nobody listens, so they go.
    up = bed.path("up.sock")
    for path in (sock, up):
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(path)
        stale.close()
    d = bed.vqosd([{"name": "c1", "socket": sock, "uplink": f"net_vhost_u,iface={up}"}])
    check(bed.ports()["c1"]["connected"] is False, "vqosd starts over stale socket files")
    r = bed.ctl("frobnicate", expect=1)
    check("unknown command 'frobnicate'" in r.stderr, "unknown command is refused by name")
    r = bed.ctl("port", "show", "c9", expect=1)
    check("no port named 'c9'" in r.stderr, "unknown port is refused by name")
    r = bed.ctl("-s", bed.ctl_sock, "port", "show")
    check("c1" in r.stdout, "-s PATH names the socket, as `vqosctl -s SOCK port show`")
    r = bed.ctl("version")
    check(r.stdout.startswith("vqosd "), "version")

    # DPDK telemetry shows the same as vqosctl.
    r = subprocess.run(["dpdk-telemetry.py", "-f", bed.vqosd_prefix],
                       input="/vqos/ports\n/vqos/classes,rx\n/vqos/bottleneck\n",
                       capture_output=True, text=True, timeout=30)
    answers = {}
    for line in r.stdout.splitlines():
        line = line.strip().lstrip("-->").strip()
        if line.startswith("{"):
            answers.update(json.loads(line))
    print(f"  telemetry: {sorted(answers)}")
    check(answers.get("/vqos/ports", {}).get("c1", {}).get("tx_packets") == 0,
          "dpdk-telemetry.py shows /vqos/ports")
    check("c1" in answers.get("/vqos/classes", {}), "and /vqos/classes,rx")
    check(answers.get("/vqos/bottleneck", {}).get("c1", {}).get("tx") == "none",
          "and /vqos/bottleneck")
    r = bed.ctl("stats", "--prometheus")
    check('vqos_port_packets_total{port="c1",dir="tx"} 0' in r.stdout,
          "stats --prometheus prints the counters")

    # Ports and qdiscs at run time (the default trees follow the ports).
    s2 = bed.path("c2.sock")
    # at run time only vhost-user uplinks, and paths where the file's ports are
    r = bed.ctl("port", "add", "c2", "socket", s2, "uplink", "net_null7,no-rx=1", expect=1)
    check("only net_virtio_user and net_vhost uplinks are added at run time" in r.stderr,
          f"port add refuses another uplink driver ({r.stderr.strip()})")
    r = bed.ctl("port", "add", "c2", "socket", "/root/c2.sock", "uplink",
                f"net_vhost_c2,iface={bed.path('up2.sock')}", expect=1)
    check("socket '/root/c2.sock': not in /run/vqos or a directory" in r.stderr,
          f"port add refuses a socket elsewhere ({r.stderr.strip()})")
    check(not bed.ports().get("c2"), "and nothing changed")
    r = bed.ctl("port", "add", "c2", "socket", s2, "uplink",
                f"net_vhost_c2,iface={bed.path('up2.sock')}")
    check("port c2 added" in r.stdout and "c2" in bed.ports() and os.path.exists(s2),
          "port add brings up a port and its socket")
    r = bed.ctl("port", "add", "c3", "socket", s2, "uplink",
                f"net_vhost_c3,iface={bed.path('up3.sock')}", expect=1)
    check("is already used" in r.stderr, f"port add refuses a socket in use ({r.stderr.strip()})")
    r = bed.ctl("port", "add", "c3", "socket", bed.path("c3.sock"), expect=1)
    check("usage: port add NAME" in r.stderr, "port add without an uplink prints its usage")
    r = bed.ctl("qdisc", "replace", "rx", "fifo")
    shown = bed.ctl("qdisc", "show").stdout
    check("rx   fifo" in shown and "tx   htb" in shown, f"qdisc replace rx fifo:\n{shown}")
    r = bed.ctl("qdisc", "replace", "up", "fifo", expect=1)
    check("qdisc replace: 'up' is not a direction (tx or rx)" in r.stderr,
          "a wrong direction word is refused by name")
    r = bed.ctl("class", "change", "up", "name", "c1", "rate", "1mbit", expect=1)
    check("class change: 'up' is not a direction (tx or rx)" in r.stderr,
          "and so in class verbs")
    r = bed.ctl("qdisc", "replace", "tx", "bogus", expect=1)
    check("'bogus' is not a qdisc" in r.stderr, "an unknown qdisc is refused by name")
    r = bed.ctl("port", "del", "c2")
    check("c2" not in bed.ports() and not os.path.exists(s2),
          "port del takes the port and its socket away")
    r = bed.ctl("port", "del", "c1", expect=1)
    check("'c1' is the last port" in r.stderr, "the last port is not removed")
    r = bed.ctl("port", "del", "c9", expect=1)
    check("no port named 'c9'" in r.stderr, "an unknown port is refused by name")

    # A second vqosd on the same container socket must not steal it.
    conf2 = bed.path("second.conf")
    with open(conf2, "w") as f:
        f.write('eal = [ "--no-huge", "-m", "256", "--file-prefix", "%s", "--lcores", "0@0,1@1",'
                ' "--no-pci" ];\ncontrol = { socket = "%s"; };\n'
                'ports = ( { name = "c1"; socket = "%s"; uplink = "net_null1"; } );\n'
                % (bed.prefix("second"), bed.path("ctl2.sock"), sock))
    r = run([VQOSD, "-c", conf2])
    check(r.returncode == 1 and "in use by another process" in r.stderr,
          "a second vqosd refuses a socket that is in use")
    check(os.path.exists(sock), "and the first vqosd's socket is untouched")
    bed.stop_vqosd(d)


if __name__ == "__main__":
    main(test_cli)
