#!/usr/bin/env python3
"""vqos-gen in full: several virtual containers in one process.

One vqos-gen with three net_virtio_user ports (three containers) sends to one
vqos-gen with three net_vhost ports (the sink, three vhost-user servers), port
i to port i, each container with its own options:

  port 0: 100-byte frames at 20 kpps
  port 1: imix (64:7,576:4,1500:1) at 24 Mbit/s, paced on the sizes it sends
  port 2: 1000-byte frames at 5 kpps, 802.1Q VID 100 PCP 5, DSCP 46

Every count must be exact per port (all sent arrive, in order, from the sender
id of that port), the mix's bytes must be exactly whole rounds of imix, the
tagged port's frames must arrive with their tag and DSCP and nobody else's
with one, each port's tx rate must be within 2% of what it asked, and the
latency percentiles must be there and ordered. Then bad input: a --port
beyond the ethdevs, a bad mix, --dscp 64, --vlan 4096 each exit 2 with a
message naming the option.
"""
import os
import signal
import subprocess

from vqostest import ENV, check, main, wait_for

ROUNDS = 2800               # imix rounds of 12 frames on port 1
IMIX_ROUND_BYTES = 64 * 7 + 576 * 4 + 1500 * 1
PORTS = [  # per port: options, frames, bytes, what it asked (kind, value), latency samples
    {"opts": ["--size", 100, "--rate", "20kpps", "--count", 80_000],
     "count": 80_000, "bytes": 80_000 * 100, "rate": ("pps", 20_000), "samples": 80_000},
    {"opts": ["--size", "imix", "--rate", "24mbit", "--count", 12 * ROUNDS],
     "count": 12 * ROUNDS, "bytes": ROUNDS * IMIX_ROUND_BYTES, "rate": ("bps", 24e6),
     # 64-byte frames have no room for the timestamp: 5 of every 12 carry one.
     "samples": 5 * ROUNDS},
    {"opts": ["--size", 1000, "--rate", "5kpps", "--count", 20_000, "--vlan", "100:5",
              "--dscp", 46],
     "count": 20_000, "bytes": 20_000 * 1000, "rate": ("pps", 5_000), "samples": 20_000},
]
ID_STRIDE = 1 << 22         # default id of ethdev i: pid + i * 2^22
TOLERANCE = 0.02


def check_traffic(bed):
    socks = [bed.path(f"s{i}.sock") for i in range(len(PORTS))]
    # The sink: three vhost-user servers, receiving until told to stop.
    sink = bed.gen([f"net_vhost{i},iface={s}" for i, s in enumerate(socks)], "--rate", 0,
                   "--duration", 0, "--linger", 120, log="sink.log", cpu=1)
    wait_for(lambda: all(os.path.exists(s) for s in socks) or sink.poll() is not None, 20,
             "the sink's sockets")
    # 1024-entry vrings hold 50 ms at 20 kpps: a sink that loses its (shared) CPU
    # for a few time slices does not push back on the senders' pacing.
    opts = ["--duration", 30, "--delay", 0.5, "--linger", 1]
    for i, p in enumerate(PORTS):
        opts += ["--port", i, *p["opts"]]
    src = bed.gen([f"net_virtio_user{i},path={s},queue_size=1024" for i, s in enumerate(socks)],
                  *opts, log="src.log")
    s = bed.gen_result(src)
    sink.send_signal(signal.SIGINT)
    k = bed.gen_result(sink)

    check(len(s["ports"]) == 3 and len(k["ports"]) == 3, "one JSON object per ethdev each side")
    check([p["port"] for p in s["ports"]] == [f"net_virtio_user{i}" for i in range(3)],
          "the sender's ports in --vdev order")
    ids = [p["id"] for p in s["ports"]]
    check(ids == [src.pid + i * ID_STRIDE for i in range(3)],
          f"default ids pid + i * 2^22: {ids}")
    for i, (want, tx, rx) in enumerate(zip(PORTS, s["ports"], k["ports"])):
        t, r = tx["tx"], rx["rx"]
        print(f"  port {i}: tx {t['packets']} / {t['bytes']} B at {t['pps']:.0f} pps "
              f"{t['bps'] / 1e6:.3f} Mbit/s; rx {r['packets']} / {r['bytes']} B; "
              f"latency {r['latency_us']}")
        check(t["packets"] == want["count"] and t["unsent"] == 0 and t["alloc_failed"] == 0,
              f"port {i} sent exactly its --count {want['count']}")
        check(t["bytes"] == want["bytes"], f"port {i} sent exactly {want['bytes']} bytes")
        check(r["packets"] == t["packets"] and r["bytes"] == t["bytes"],
              f"port {i}: the sink's port {i} received every frame and byte")
        streams = r["streams"]
        check(len(streams) == 1 and streams[0]["id"] == tx["id"]
              and streams[0]["packets"] == t["packets"]
              and streams[0]["max_seq"] + 1 == t["packets"],
              f"port {i}: all from sender id {tx['id']}, seq 0..{t['packets'] - 1}")
        check(r["reordered"] == 0 and r["foreign"] == 0 and r["untracked"] == 0,
              f"port {i}: nothing reordered or foreign")
        kind, value = want["rate"]
        check(abs(t[kind] - value) <= TOLERANCE * value,
              f"port {i}: tx {kind} {t[kind]:.0f} within 2% of {value:.0f} "
              f"(backpressure {t['backpressure']})")
        lat = r["latency_us"]
        check(lat["samples"] == want["samples"],
              f"port {i}: {want['samples']} latency samples (frames with a timestamp)")
        check(0 < lat["min"] <= lat["p50"] <= lat["p99"] <= lat["p999"] <= lat["max"],
              f"port {i}: min <= p50 <= p99 <= p999 <= max")
    mix = s["ports"][1]
    check(mix["size"] == "imix" and mix["mix"] == [{"size": 64, "weight": 7},
                                                  {"size": 576, "weight": 4},
                                                  {"size": 1500, "weight": 1}],
          "port 1 reports its mix")
    tagged = k["ports"][2]["rx"]
    st = tagged["streams"][0]
    check(tagged["tagged"] == PORTS[2]["count"] and st.get("vlan") == 100 and st.get("pcp") == 5
          and st["dscp"] == 46, "port 2's frames all arrived tagged VID 100 PCP 5, DSCP 46")
    check(s["ports"][2].get("vlan") == 100 and s["ports"][2]["dscp"] == 46,
          "the sender reports port 2's tag and DSCP")
    check(all(k["ports"][i]["rx"]["tagged"] == 0 and "vlan" not in k["ports"][i]["rx"]["streams"][0]
              and k["ports"][i]["rx"]["streams"][0]["dscp"] == 0 for i in (0, 1)),
          "ports 0 and 1 untagged, DSCP 0")
    total_packets = sum(p["count"] for p in PORTS)
    total_bytes = sum(p["bytes"] for p in PORTS)
    check(s["total"]["tx"]["packets"] == total_packets and s["total"]["tx"]["bytes"] == total_bytes
          and k["total"]["rx"]["packets"] == total_packets
          and k["total"]["rx"]["bytes"] == total_bytes, "totals add up on both sides")
    check(not s["interrupted"] and k["interrupted"], "the sender ended by itself, the sink by SIGINT")


def check_bad_input(bed):
    nulls = [f"net_null{i}" for i in range(3)]
    cases = [
        (["--port", 3, "--rate", "1kpps"], "--port"),  # found after EAL made 3 ethdevs
        (["--size", "64:7,abc"], "--size"),
        (["--port", 1, "--size", "imix,64"], "--size"),
        (["--dscp", 64], "--dscp"),
        (["--port", 2, "--vlan", 4096], "--vlan"),
    ]
    for opts, name in cases:
        r = subprocess.run(bed.gen_argv(nulls, *opts), capture_output=True, text=True, env=ENV,
                           timeout=30)
        said = [line for line in r.stderr.splitlines() if line.startswith(f"vqos-gen: {name}")]
        check(r.returncode == 2 and said and r.stdout == "",
              f"{' '.join(map(str, opts))}: exit 2 ({r.returncode}), "
              f"{said[0] if said else 'no message naming ' + name}")


def test_gen(bed):
    check_traffic(bed)
    check_bad_input(bed)


if __name__ == "__main__":
    main(test_gen)
