#!/usr/bin/env python3
"""Cycles of the OVS core as a limit: equal cycle budgets, packet rates in
the model's ratio.

Two containers (vqos-gen), one sending 64-byte and one 1500-byte frames,
each on a port whose cost model is 900 cycles per packet + 0.45 per byte
(0.4501953125 once in 1/1024 cycles): 928.8 cycles a small frame, 1575.3 a
large one. Under a root of 30 M cycles/s (cps and ccps), each leaf has cps
15 M (ccps 30 M: it may borrow). Both offered more than that, each must get
15 M cycles/s: 16150 and 9522 frames/s, in the model's ratio 1.696 within
3%, where equal packet rates would be 1:1 and equal bit rates 23.4:1 (the
test fails if the cycles are not charged, or charged per packet or per bit
alone). Then:
  - the large one stops: the small one borrows the root's 30 M cycles/s,
    32300 frames/s (the root's cycle ceiling holds it);
  - `vqosctl port cost large packet 1800 byte 0.45` at run time: the large
    one's frames cost 2475.3 cycles, 6060 frames/s; the dump keeps the
    model; taking a model a cycle rate needs is refused;
  - `vqosctl cost calibrate` against a stand-in ovs-appctl
    (fake_appctl.py) whose PMD spends exactly 900 + 0.45 L cycles on what
    vqosd sends it: refused while every interval has the same mix, then,
    with the large sender stopped halfway, it finds the model again and
    prints commands that apply.
"""
import json
import os
import signal
import subprocess
import sys
import time

from vqostest import ENV, VQOSCTL, check, main, wait_for

A, B = 900, 0.45
B_FIXED = round(B * 1024) / 1024  # what vqosd keeps: 461/1024
ROOT_CPS, LEAF_CPS = 30e6, 15e6

TREE = """
tx = {
  qdisc = "htb";
  classes = (
    { name = "root"; cps = "30mcps"; },
    { name = "small"; parent = "root"; port = "small"; cps = "15mcps"; ccps = "30mcps"; },
    { name = "large"; parent = "root"; port = "large"; cps = "15mcps"; ccps = "30mcps"; }
  );
};
"""


def cost(length, a=A):
    return a + B_FIXED * length


def measure(bed):
    """Packets/s and mean frame length of each port's tx over 5 s."""
    r = bed.rates(5.0)
    out = {}
    for n in ("small", "large"):
        pps, bps = r[n]["tx"]["pps"], r[n]["tx"]["bps"]
        out[n] = (pps, bps / 8 / pps if pps > 0 else 0)
        print(f"  {n}: {pps:.1f} frames/s of {out[n][1]:.1f} bytes, {bps / 1e6:.3f} Mbit/s")
    return out


def within(got, want, tol, what):
    check(abs(got / want - 1) <= tol, f"{what}: {got:.1f}, the model says {want:.1f} "
          f"(within {100 * tol:.0f}%)")


def calibrate(bed, samples, interval, state):
    """vqosctl cost calibrate against fake_appctl.py, started (not waited for)."""
    fake = " ".join([sys.executable, os.path.join(os.path.dirname(__file__), "fake_appctl.py"),
                     "--vqosctl", VQOSCTL, "--socket", bed.ctl_sock, "--state", state,
                     "--packet", str(A), "--byte", str(B)])
    return subprocess.Popen([VQOSCTL, "-S", bed.ctl_sock, "-j", "cost", "calibrate",
                             "--appctl", fake, "--samples", str(samples),
                             "--interval", str(interval)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)


def test_cycles(bed):
    ports = [{"name": n, "socket": bed.path(f"{n}.sock"), "cost": (A, B),
              "uplink": f"net_vhost_{n},iface={bed.path(f'u{n}.sock')}"}
             for n in ("small", "large")]
    d = bed.vqosd(ports, extra=TREE)
    for i, n in enumerate(("small", "large")):
        bed.gen(f"net_virtio_user{i + 1},path={bed.path(f'u{n}.sock')}", "--rate", 0,
                "--duration", 0, "--linger", 300, log=f"sink-{n}.log")
    wait_for(lambda: all(p["uplink_up"] for p in bed.ports().values()), 30, "the sinks")
    p = bed.ports()
    check(p["small"]["cost"] == {"packet": A, "byte": B_FIXED},
          f"port show has the model, to the 1/1024 cycle ({p['small']['cost']})")
    # Each offers well over its share (the small one 1.5 times the root's
    # whole budget, for the borrowing below), into a 1024-entry vring.
    gs = bed.gen(f"net_virtio_user0,path={bed.path('small.sock')},queue_size=1024",
                 "--rate", "48kpps", "--size", 64, "--duration", 300, "--linger", 1,
                 "--backoff-us", 50, log="small.log")
    gl = bed.gen(f"net_virtio_user0,path={bed.path('large.sock')},queue_size=1024",
                 "--rate", "19kpps", "--size", 1500, "--duration", 300, "--linger", 1,
                 "--backoff-us", 50, log="large.log")
    wait_for(lambda: all(p["tx"]["packets"] > 0 for p in bed.ports().values()), 30,
             "both to send")
    time.sleep(1.5)

    # equal cycle budgets: packet rates in the model's ratio
    m = measure(bed)
    print(bed.ctl("-s", "class", "show", "tx").stdout)
    (ps, ls), (pl, ll) = m["small"], m["large"]
    within(ps, LEAF_CPS / cost(ls), 0.03, "small's frames/s")
    within(pl, LEAF_CPS / cost(ll), 0.03, "large's frames/s")
    within(ps / pl, cost(ll) / cost(ls), 0.03, "small:large frames/s")
    within(ps * cost(ls), pl * cost(ll), 0.03, "the cycles each causes")
    check(ps / pl > 1.5 and ps / pl < 2.0,
          f"far from equal packet rates (1:1) and equal bit rates "
          f"({ll / ls:.1f}:1): {ps / pl:.3f}:1")
    cls = {c["name"]: c for c in json.loads(bed.ctl("-j", "class", "show", "tx").stdout)}
    check(cls["small"]["rate_cps"] == 15000000 and cls["root"]["ceil_cps"] == 30000000,
          "class show has the cycle rates")
    # The root's 30 M cycles/s is the leaves' 15 + 15 M: whichever bucket
    # empties first holds them (a leaf whose own share lasts as long as the
    # root's may never leave CAN), but the tree's cycles did, not the senders.
    check(any(c["stats"]["overlimits"] > 0 for c in cls.values()),
          "the tree ran out of cycles tokens (a class's overlimits)")

    # a calibration while the mix stays the same is refused, and says why
    state = bed.path("appctl.state")
    cal = calibrate(bed, 2, 1, state)
    out, err = cal.communicate(timeout=120)
    print(err)
    check(cal.returncode == 1 and "too alike" in err,
          f"cost calibrate refuses one mean frame length in every interval "
          f"(exit {cal.returncode})")
    check(len(json.loads(out)["intervals"]) == 2, "and prints what it saw")

    # calibration, the large sender stopped after the second of four intervals
    cal = calibrate(bed, 4, 3, state)
    seen = []
    while len(seen) < 2:
        line = cal.stderr.readline()
        if line == "":
            break
        print("  " + line.rstrip())
        seen += [line] if line.startswith("interval ") else []
    check(len(seen) == 2, "cost calibrate reports its intervals as they end")
    gl.send_signal(signal.SIGUSR1)
    out, err = cal.communicate(timeout=120)
    print(err + out)
    check(cal.returncode == 0, f"cost calibrate fits (exit {cal.returncode})")
    fit = json.loads(out)
    # fake_appctl samples vqosd's counters a few ms from vqosctl's own
    within(fit["packet"], A, 0.1, "calibrated cycles per packet")
    within(fit["byte"], B, 0.25, "calibrated cycles per byte")
    check(any(c.endswith(f"port cost small packet {fit['packet']:.0f} byte {fit['byte']:.4f}")
              for c in fit["commands"]), "it prints the port cost command for the small port")
    bed.gen_result(gl, timeout=30)

    # alone, the small one borrows up to the root's cycle ceiling
    time.sleep(1.0)
    ps, ls = measure(bed)["small"]
    within(ps, ROOT_CPS / cost(ls), 0.03, "small alone, frames/s (the root's 30 M cycles/s)")

    # a model set at run time: applied, kept by the dump; one a class needs
    # cannot be taken away
    r = bed.ctl("port", "cost", "small", "packet", "1800", "byte", str(B))
    print("  " + r.stdout.strip())
    time.sleep(1.0)
    ps, ls = measure(bed)["small"]
    within(ps, ROOT_CPS / cost(ls, 1800), 0.03, "small at 1800 cycles/packet, frames/s")
    dump = bed.ctl("config", "dump").stdout
    check("cost = { packet = 1800; byte = 0.4501953125; }" in dump,
          "config dump writes the model set at run time, exactly")
    r = bed.ctl("port", "cost", "small", "none", expect=1)
    check("no cost model" in r.stderr, f"a model a cycle rate needs stays: {r.stderr.strip()}")
    check(bed.ports()["small"]["cost"]["packet"] == 1800, "and the port keeps it")
    gs.send_signal(signal.SIGUSR1)
    bed.gen_result(gs, timeout=30)
    p = bed.ports()
    check(p["small"]["tx"]["drops"] == 0 and p["large"]["tx"]["drops"] == 0,
          "tx stays lossless")
    bed.stop_vqosd(d)


if __name__ == "__main__":
    main(test_cycles)
