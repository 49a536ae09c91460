#!/usr/bin/env python3
"""vqosctl bottleneck names each staged bottleneck, with real processes.

Four ports on one vqosd, each staged with a different limit:
  pol   a container offering 4x its 10 Mbit/s ceiling      -> tx: policy
  up    a container whose uplink peer drains slowly         -> tx: uplink
  slow  a container that drains its rx vring slowly         -> rx: container
  idle  a container that sends little, into a fast sink     -> tx: none
then vqosd itself: a real-time busy loop takes its data-path lcore's CPU
(the kernel leaves other threads 5% of it), while a container sends
500 kpps: the lcore is stalled and the vring backs up     -> tx: vqosd
"""
import json
import os
import signal
import time

from vqostest import check, main, wait_for

TREE = """
tx = {
  classes = (
    { name = "root"; rate = "10gbit"; overcommit = true; },
    { name = "pol"; parent = "root"; port = "pol"; rate = "5mbit"; ceil = "10mbit"; },
    { name = "up"; parent = "root"; port = "up"; rate = "1gbit"; },
    { name = "slow"; parent = "root"; port = "slow"; rate = "1gbit"; },
    { name = "idle"; parent = "root"; port = "idle"; rate = "1gbit"; }
  );
};
"""


def verdicts(bed, seconds=2):
    r = json.loads(bed.ctl("-j", "bottleneck", "-i", str(seconds)).stdout)
    print(bed.ctl("bottleneck").stdout)
    return {p["port"]: (p["tx"]["verdict"], p["rx"]["verdict"]) for p in r["ports"]}


def test_bottleneck(bed):
    names = ("pol", "up", "slow", "idle")
    ports = [{"name": n, "socket": bed.path(f"{n}.sock"),
              "uplink": f"net_vhost_{n},iface={bed.path(f'u-{n}.sock')}"} for n in names]
    d = bed.vqosd(ports, extra=TREE)
    procs = []
    for i, n in enumerate(names):
        # uplink peers: all sinks; up's drains slowly; slow's also sends to it
        opts = ["--rate", "20kpps" if n == "slow" else 0, "--duration", 20, "--linger", 1]
        if n == "up":
            opts += ["--rx-delay-us", 20000]
        procs.append(bed.gen(f"net_virtio_user{i + 1},path={bed.path(f'u-{n}.sock')}", *opts,
                             "--delay", 2, log=f"u-{n}.log"))
    wait_for(lambda: all(p["uplink_up"] for p in bed.ports().values()), 30, "the uplink peers")
    containers = {
        "pol": ["--rate", "40mbit", "--size", 1000],
        "up": ["--rate", "20kpps"],
        "slow": ["--rate", 0, "--rx-delay-us", 20000],
        "idle": ["--rate", "100pps"],
    }
    for n, opts in containers.items():
        procs.append(bed.gen(f"net_virtio_user0,path={bed.path(f'{n}.sock')}", *opts,
                             "--duration", 20, "--linger", 1, log=f"{n}.log"))
    wait_for(lambda: all(p["connected"] for p in bed.ports().values()), 30, "the containers")
    time.sleep(3)
    v = verdicts(bed)
    check(v["pol"][0] == "policy", f"pol tx: policy ({v['pol'][0]})")
    check(v["up"][0] == "uplink", f"up tx: uplink ({v['up'][0]})")
    check(v["slow"][1] == "container", f"slow rx: container ({v['slow'][1]})")
    check(v["idle"][0] == "none", f"idle tx: none ({v['idle'][0]})")
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait()
    bed.stop_vqosd(d)

    # vqosd itself: a real-time loop on CPU 1 takes the data-path lcore's CPU.
    sock = bed.path("blast.sock")
    d = bed.vqosd([{"name": "blast", "socket": sock, "uplink": "net_null0,no-rx=1"}])
    hog = bed.spawn(["timeout", "20", "chrt", "-f", "10", "taskset", "-c", "1", "sh", "-c",
                     "while :; do :; done"], "hog.log")
    blast = bed.gen(f"net_virtio_user0,path={sock}", "--rate", "500kpps", "--duration", 8,
                    "--linger", 0, log="blast.log")
    wait_for(lambda: bed.ports()["blast"]["tx"]["packets"] > 0, 30, "the blast")
    time.sleep(1)
    v = verdicts(bed)
    lcore = json.loads(bed.ctl("-j", "lcore", "show").stdout)[0]
    print(f"  lcore: {lcore}")
    check(v["blast"][0] == "vqosd", f"blast tx: vqosd ({v['blast'][0]})")
    os.killpg(hog.pid, signal.SIGKILL)  # the loop, not only `timeout`
    hog.wait()
    bed.gen_result(blast)
    bed.stop_vqosd(d)


if __name__ == "__main__":
    main(test_bottleneck)
