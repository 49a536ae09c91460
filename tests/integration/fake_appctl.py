#!/usr/bin/env python3
"""A stand-in for `ovs-appctl` in front of an OVS whose PMD spends exactly
PACKET cycles per packet and BYTE cycles per byte on what vqosd sends it.

vqosctl cost calibrate runs it as its --appctl: `dpif-netdev/pmd-stats-clear`
notes vqosd's tx counters (from `vqosctl -j port show`) in STATE;
`dpif-netdev/pmd-stats-show` takes them again and prints, in OVS 3.1's
format (lib/dpif-netdev.c, pmd_info_show_stats), a PMD thread that received
what vqosd sent since the clear and spent the model's cycles on it, and a
main thread that did nothing. Anything else fails as ovs-appctl does.

usage: fake_appctl.py --vqosctl PATH --socket SOCK --state FILE
                      --packet CYCLES --byte CYCLES COMMAND
"""
import argparse
import json
import subprocess
import sys

IDLE = 1000000000  # idle cycles shown beside the busy ones


def tx_counters(vqosctl, sock):
    out = subprocess.run([vqosctl, "-S", sock, "-j", "port", "show"], check=True,
                         capture_output=True, text=True).stdout
    ports = json.loads(out)
    return (sum(p["tx"]["packets"] for p in ports), sum(p["tx"]["bytes"] for p in ports))


def section(name, packets, busy):
    lines = [f"{name}:",
             f"  packets received: {packets}",
             "  packet recirculations: 0",
             "  avg. datapath passes per packet: 1.00",
             "  phwol hits: 0",
             "  mfex opt hits: 0",
             "  simple match hits: 0",
             f"  emc hits: {packets}",
             "  smc hits: 0",
             "  megaflow hits: 0",
             "  avg. subtable lookups per megaflow hit: 0.00",
             "  miss with success upcall: 0",
             "  miss with failed upcall: 0",
             "  avg. packets per output batch: 32.00"]
    total = busy + IDLE
    lines += [f"  idle cycles: {IDLE} ({100 * IDLE / total:.2f}%)",
              f"  processing cycles: {busy} ({100 * busy / total:.2f}%)"]
    if packets:
        lines += [f"  avg cycles per packet: {total / packets:.2f} ({total}/{packets})",
                  f"  avg processing cycles per packet: {busy / packets:.2f} ({busy}/{packets})"]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vqosctl", required=True)
    ap.add_argument("--socket", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--packet", type=float, required=True)
    ap.add_argument("--byte", type=float, required=True)
    ap.add_argument("command")
    a = ap.parse_args()
    if a.command == "dpif-netdev/pmd-stats-clear":
        with open(a.state, "w") as f:
            json.dump(tx_counters(a.vqosctl, a.socket), f)
        return 0
    if a.command == "dpif-netdev/pmd-stats-show":
        with open(a.state) as f:
            p0, b0 = json.load(f)
        p1, b1 = tx_counters(a.vqosctl, a.socket)
        packets, nbytes = p1 - p0, b1 - b0
        busy = round(a.packet * packets + a.byte * nbytes)
        print(section("pmd thread numa_id 0 core_id 1", packets, busy))
        print(section("main thread", 0, 0))
        return 0
    print(f'"{a.command}" is not a valid command', file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
