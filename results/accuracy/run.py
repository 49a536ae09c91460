#!/usr/bin/env python3
"""Rate accuracy across the range (issue 15, item 7): one htb class with
rate = ceil = R, 1 Mbit/s .. 10 Gbit/s and 1 kpps .. 10 Mpps, offered more
than R; the error of every 1 s window, from vqosd's own class counters and
at the sink, and whether the machine could carry R at all.

    python3 results/accuracy/run.py [--runs 3] [--rx-runs 2] [--windows 5] [--warmup 2]
                                    [--dirs tx,rx] [--only 1mbit,1kpps] [--quick]

Rewrites results/accuracy/{results.csv,windows.csv,plot.png,README.md}.

Per run: vqosd with one port "c" (uplink a net_vhost socket) and one
direction's htb tree: root and leaf "c", both rate = ceil = R (bit rates as
rate/ceil, packet rates as pps/cpps, nothing else). tx: a vqos-gen container
on the port's socket sends frames of the rate's size at 1.25 R (its vring
backpressures), a vqos-gen sink on the uplink counts. rx: the sender is on the
uplink (to the port's MAC), the sink is the container. vqosd's data-path lcore
on CPU 1, every other process on CPU 0, all at nice -20 (threads and
autogroup).

After --warmup s (the buckets start full: the burst drains), --windows + 1
reads of `class show DIR` a second over the control socket (no vqosctl
process: one request on a UNIX socket, timed by the middle of the call, whose
length bounds the timing error and is recorded). A window's rate is the leaf's
bytes x 8 (or packets) over the time between two reads. The sink's windows
are its own progress lines (received packets over its own TSC-timed second;
x frame size x 8 for bit rates). Each window's error is (rate - R) / R.

Carried: the class hit its ceiling (the port's tx/rx `shaped` counter grew)
in every window: vqosd, not the machine, set the rate. Otherwise the rate
the machine carried is given, not an error, with what each thread got of
its CPU (/proc/PID/task/TID/schedstat) and vqosd's busy cycles per packet.
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
import vqosexp  # noqa: E402  (also puts tests/integration on sys.path)

MAC = "02:00:00:00:00:01"
GOAL = 0.002   # issue 15: error over 1 s windows <= 0.2%

# key, unit, R (bit/s or packets/s), frame bytes (no FCS). Frames are small
# where a window would hold few of them: one frame of 1 Mbit/s at 1500 B is
# 1.2% of a second's; at 64 B 0.05%.
RATES = [
    ("1mbit", "bit", 1e6, 64),
    ("10mbit", "bit", 1e7, 512),
    ("100mbit", "bit", 1e8, 1500),
    ("1gbit", "bit", 1e9, 1500),
    ("10gbit", "bit", 1e10, 1500),
    ("1kpps", "pkt", 1e3, 64),
    ("10kpps", "pkt", 1e4, 64),
    ("100kpps", "pkt", 1e5, 64),
    ("1mpps", "pkt", 1e6, 64),
    ("10mpps", "pkt", 1e7, 64),
]
OFFER = 1.25
SINK_RING = 1024
DISTURBED = 0.01  # a window in which vqosd's lcore waited for its CPU longer than this share
MIN_BACKLOG = 32  # frames waiting in the sender's vring (tx) or the class queue (rx)


def tree(direction, unit, rate, burst_ms=0):
    v = f"{int(rate)}{'bit' if unit == 'bit' else 'pps'}"
    if unit == "bit":
        r = f'rate = "{v}"; ceil = "{v}";'
        if burst_ms:
            b = int(rate / 8 * burst_ms / 1000)
            r += f" burst = {b}; cburst = {b};"
    else:
        r = f'pps = "{v}"; cpps = "{v}";'
    return (f'{direction} = {{ qdisc = "htb"; classes = (\n'
            f'  {{ name = "root"; {r} }},\n'
            f'  {{ name = "c"; parent = "root"; port = "c"; {r} }}\n); }};\n')


def ctl(path, *argv):
    """One request on vqosd's control socket: (result, monotonic middle of
    the call, length of the call in s)."""
    t0 = time.monotonic()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        s.sendall(json.dumps({"vqos": 1, "argv": list(argv)}).encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    t1 = time.monotonic()
    r = json.loads(buf)
    if r["status"] != 0:
        raise RuntimeError(f"{' '.join(argv)}: {r.get('error')}")
    return r["result"], (t0 + t1) / 2, t1 - t0


def renice(pid, n=-20):
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.setpriority(os.PRIO_PROCESS, int(tid), n)
        except OSError:
            pass
    vqosexp.favour(pid, n)


PROG = re.compile(r"vqos-gen\[\d+\]:\s+([\d.]+)s tx\s+(\d+) pps\s+([\d.]+) Mbit/s\s+rx\s+(\d+) pps")


def steal(cpu=1):
    """CPU @cpu's steal time so far, s (/proc/stat): time the hypervisor ran
    something else while this guest's vCPU wanted to run."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith(f"cpu{cpu} "):
                return int(line.split()[8]) / os.sysconf("SC_CLK_TCK")
    return 0.0


def progress(path):
    """A vqos-gen's progress lines: [(s since its start, tx pps, rx pps)]."""
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            m = PROG.search(line)
            if m:
                out.append((float(m.group(1)), float(m.group(2)), float(m.group(4))))
    return out


def one_run(direction, key, unit, rate, size, windows, warmup, limit=1.0, burst_ms=0):
    """One run; @limit: the class's rate in R; @burst_ms: bit classes' burst
    and cburst in ms of R (0: the defaults)."""
    import vqostest as vt
    bed = vt.Bed(f"acc-{key}")
    try:
        ports = [{"name": "c", "socket": bed.path("c.sock"), "mac": MAC,
                  "uplink": f"net_vhost_c,iface={bed.path('u.sock')}"}]
        # the control thread on the data lcore's CPU (it sleeps in ppoll()
        # between requests), not on CPU 0 with the busy sender and sink: a
        # request is then served within a fraction of a millisecond, which
        # is what times the windows
        d = bed.vqosd(ports, extra=tree(direction, unit, rate * limit, burst_ms), lcores="0@1,1@1")
        cont = f"net_virtio_user0,path={bed.path('c.sock')}"
        upl = f"net_virtio_user1,path={bed.path('u.sock')}"
        snd_vdev, sink_vdev = (cont, upl) if direction == "tx" else (upl, cont)
        # the sink's vring holds 10 ms at 100 kpps: a sink that lost its CPU
        # for a few ms does not stop vqosd (whose buckets hold ~1 ms)
        sink_vdev += f",queue_size={SINK_RING}"
        offer = f"{int(rate * OFFER)}{'bit' if unit == 'bit' else 'pps'}"
        # the sink's progress lines are its windows: not --quiet
        argv = [a for a in bed.gen_argv(sink_vdev, "--rate", 0, "--duration", 0,
                                        "--linger", 600) if a != "--quiet"]
        sink = bed.spawn(argv, "sink.log")
        vt.wait_for(lambda: bed.ports()["c"]["uplink_up"] if direction == "tx"
                    else bed.ports()["c"]["connected"], 30, "the sink")
        snd = bed.gen(snd_vdev, "--rate", offer, "--size", size, "--dst-mac", MAC,
                      "--duration", 600, "--linger", 0, log="sender.log")
        sock = bed.ctl_sock
        vt.wait_for(lambda: ctl(sock, "class", "show", direction)[0][1]["stats"]["packets"] > 0,
                    30, "the sender's traffic through the class")
        tid = vt.lcore_tid(d.pid)
        for p in (d, sink, snd):
            renice(p.pid)
        t_sink0 = time.monotonic()
        time.sleep(warmup)
        samples = []
        t_next = time.monotonic()
        for _ in range(windows + 1):
            time.sleep(max(0.0, t_next - time.monotonic()))
            cls, t, dur = ctl(sock, "class", "show", direction)
            leaf = next(c for c in cls if c["name"] == "c")
            port = ctl(sock, "port", "show", "c")[0][0][direction]
            lc = ctl(sock, "lcore", "show")[0][0]
            samples.append(dict(t=t, dur=dur, bytes=leaf["stats"]["bytes"],
                                packets=leaf["stats"]["packets"], shaped=port["shaped"],
                                drops=port["drops"], backlog=port["backlog"], lcore=lc,
                                uplink_full=port["uplink_full"], steal=steal(),
                                run_vqosd=vt.schedstat(d.pid, tid)[0],
                                run_snd=vt.schedstat(snd.pid, snd.pid)[0],
                                run_sink=vt.schedstat(sink.pid, sink.pid)[0]))
            t_next += 1.0
        t_end = time.monotonic()
        snd.send_signal(signal.SIGINT)
        sent = bed.gen_result(snd, timeout=30)["tx"]["packets"]
        time.sleep(0.5)
        final = ctl(sock, "port", "show", "c")[0][0][direction]
        sink.send_signal(signal.SIGINT)
        got = bed.gen_result(sink, timeout=30)["rx"]["packets"]
        lines = progress(sink.log)
        bed.stop_vqosd(d)
    except Exception:
        bed.dump_logs()
        raise
    finally:
        bed.close()
    # vqosd's windows
    wins = []
    for a, b in zip(samples, samples[1:]):
        dt = b["t"] - a["t"]
        units = (b["bytes"] - a["bytes"]) * 8 if unit == "bit" else b["packets"] - a["packets"]
        la, lb = a["lcore"], b["lcore"]
        busy_pk = lb["busy_packets"] - la["busy_packets"]
        wins.append(dict(
            dt=dt, rate=units / dt, err=units / dt / rate - 1,
            timing=(a["dur"] + b["dur"]) / 2 / dt,
            shaped=b["shaped"] - a["shaped"], backlog=b["backlog"],
            uplink_full=b["uplink_full"] - a["uplink_full"],
            steal=(b["steal"] - a["steal"]) / dt,
            pps=(b["packets"] - a["packets"]) / dt,
            vqosd_cpu=(b["run_vqosd"] - a["run_vqosd"]) / 1e9 / dt,
            snd_cpu=(b["run_snd"] - a["run_snd"]) / 1e9 / dt,
            sink_cpu=(b["run_sink"] - a["run_sink"]) / 1e9 / dt,
            waited=(lb["waited_ns"] - la["waited_ns"]) / 1e9 / dt,
            stall=(lb["stall_cycles"] - la["stall_cycles"]) /
            max(1, sum(lb[x] - la[x] for x in ("busy_cycles", "idle_cycles", "stall_cycles",
                                                "sleep_cycles"))),
            sleep=(lb["sleep_cycles"] - la["sleep_cycles"]) /
            max(1, sum(lb[x] - la[x] for x in ("busy_cycles", "idle_cycles", "stall_cycles",
                                                "sleep_cycles"))),
            cyc_pkt=(lb["busy_cycles"] - la["busy_cycles"]) / busy_pk if busy_pk else 0.0,
            pkt_per_cpu_s=(b["packets"] - a["packets"]) /
            max((b["run_vqosd"] - a["run_vqosd"]) / 1e9, 1e-9)))
    # the sink's windows: its lines whose second lies inside the measured span
    # (its clock starts at its own start, at most t_sink0; so a line at T was
    # written no later than t_sink0 + T: keep the ones ending inside)
    span0 = samples[0]["t"] - t_sink0
    span1 = t_end - t_sink0
    sink_w = []
    prev = None
    for T, _tx, rx in lines:
        if prev is not None and prev >= span0 - 1.0 and T <= span1 and T - prev > 0.5:
            r = rx * size * 8 if unit == "bit" else rx
            sink_w.append(dict(rate=r, err=r / rate - 1))
        prev = T
    # vqosd set the rate when, in every window, the class hit its ceiling,
    # frames waited for it (the sender was ahead) and its lcore had time
    # left over (it slept: it was not the limit)
    carried = all(w["shaped"] > 0 and MIN_BACKLOG <= w["backlog"] < 2**31 and w["sleep"] >= 0.05
                  for w in wins)
    return dict(wins=wins, sink=sink_w, carried=carried, sent=sent,
                vqosd_count=final["packets"], sink_count=got, drops=final["drops"])


def q(xs, f):
    return f(xs) if xs else float("nan")


def summarize(spec, direction, runs):
    key, unit, rate, size = spec
    allw = [w for r in runs for w in r["wins"]]
    # a window in which the lcore waited for its CPU measures the machine
    # (a bucket holds ~1 ms: time without the CPU beyond it is lost)
    wins = [w for w in allw if w["waited"] <= DISTURBED]
    sinkw = [w for r in runs for w in r["sink"]]
    carried = all(r["carried"] for r in runs)
    med = vqosexp.median
    row = dict(
        rate=key, unit=unit, direction=direction, frame_bytes=size, runs=len(runs),
        windows=len(allw), disturbed=len(allw) - len(wins),
        carried="yes" if carried else "no",
        counters_rate=med([w["rate"] for w in wins]),
        sink_rate=med([w["rate"] for w in sinkw]),
        counters_err_median_pct=100 * med([abs(w["err"]) for w in wins]),
        counters_err_worst_pct=100 * q([w["err"] for w in wins], lambda x: max(x, key=abs)),
        counters_err_worst_all_pct=100 * q([w["err"] for w in allw], lambda x: max(x, key=abs)),
        sink_err_median_pct=100 * med([abs(w["err"]) for w in sinkw]),
        sink_err_worst_pct=100 * q([w["err"] for w in sinkw], lambda x: max(x, key=abs)),
        windows_shaped=sum(1 for w in wins if w["shaped"] > 0),
        timing_err_max_pct=100 * q([w["timing"] for w in wins], max),
        vqosd_cpu_pct=100 * med([w["vqosd_cpu"] for w in wins]),
        vqosd_waited_pct=100 * med([w["waited"] for w in wins]),
        vqosd_waited_max_pct=100 * q([w["waited"] for w in wins], max),
        vqosd_sleep_pct=100 * med([w["sleep"] for w in wins]),
        steal_max_pct=100 * q([w["steal"] for w in wins], max),
        sender_cpu_pct=100 * med([w["snd_cpu"] for w in wins]),
        sink_cpu_pct=100 * med([w["sink_cpu"] for w in wins]),
        vqosd_cycles_per_pkt=med([w["cyc_pkt"] for w in wins if w["cyc_pkt"]]),
        vqosd_mpps_per_cpu_s=med([w["pkt_per_cpu_s"] for w in wins]) / 1e6,
        vqosd_vs_sink_packets=" ".join(f"{r['vqosd_count']}/{r['sink_count']}" for r in runs),
        vqosd_drops=sum(r["drops"] for r in runs),
        runs_counters_err_pct=" ".join(
            f"{100 * max((w['err'] for w in r['wins']), key=abs):+.3f}" for r in runs))
    return row


def fmt_rate(unit, x):
    if x != x:
        return "n/a"
    if unit == "bit":
        return f"{x / 1e9:.4g} Gbit/s" if x >= 1e9 else f"{x / 1e6:.4g} Mbit/s"
    return f"{x / 1e6:.4g} Mpps" if x >= 1e6 else f"{x / 1e3:.4g} kpps"


def wait_quiet(timeout=300):
    """Wait (up to @timeout s) until CPU 1, vqosd's, is not kept busy by
    others (under the measurement lock nothing of ours runs)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        b = vqosexp.cpu_busy(1)
        if b < 0.3:
            return b
        time.sleep(2.0)
    return b


def cpu_pressure():
    """/proc/pressure/cpu's `some` total (us): time some task waited for a CPU."""
    with open("/proc/pressure/cpu") as f:
        return int(f.readline().split("total=")[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rx-runs", type=int, default=2, help="runs of the rx direction")
    ap.add_argument("--windows", type=int, default=5)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--dirs", default="tx,rx")
    ap.add_argument("--only", default="", help="comma-separated rate keys (default: all)")
    ap.add_argument("--quick", action="store_true", help="1 run, 3 windows, tx only")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--burst-ms", type=float, default=0,
                    help="bit classes' burst and cburst in ms of R (default: htb's, ~1 ms + "
                    "32 frames); a diagnostic: with --no-write")
    args = ap.parse_args()
    if args.quick:
        args.runs, args.rx_runs, args.windows, args.dirs = 1, 1, 3, "tx"
    if os.geteuid() != 0:
        sys.exit("run.py needs root (nice -20 for its processes)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    renice(os.getpid())  # it times the windows: it must not wait for CPU 0
    os.environ["VQOS_BUILD"] = vqosexp.setup()
    commit = subprocess.run(["git", "-C", vqosexp.ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    specs = [s for s in RATES if not args.only or s[0] in args.only.split(",")]
    rows, log, allw = [], [], []
    press, meas = 0.0, 0.0
    for direction in args.dirs.split(","):
        for spec in specs:
            runs = []
            for k in range(args.runs if direction == "tx" else args.rx_runs):
                with vqosexp.measure_lock():
                    wait_quiet()
                    p0, w0 = cpu_pressure(), time.monotonic()
                    r = one_run(direction, *spec, args.windows, args.warmup,
                                burst_ms=args.burst_ms)
                    press += (cpu_pressure() - p0) / 1e6
                    meas += time.monotonic() - w0
                runs.append(r)
                for i, w in enumerate(r["wins"]):
                    allw.append([direction, spec[0], k + 1, i + 1, round(w["dt"], 6),
                                 round(w["rate"], 1), round(100 * w["err"], 4), w["shaped"],
                                 round(100 * w["timing"], 4), round(100 * w["vqosd_cpu"], 1),
                                 round(100 * w["waited"], 2), round(100 * w["snd_cpu"], 1),
                                 round(100 * w["sink_cpu"], 1), round(w["cyc_pkt"], 1),
                                 round(100 * w["sleep"], 1), w["backlog"],
                                 round(100 * w["steal"], 2)])
                line = (f"{direction} {spec[0]} run {k + 1}: counters "
                        + " ".join(f"{100 * w['err']:+.3f}%" for w in r["wins"])
                        + " | sink " + " ".join(f"{100 * w['err']:+.3f}%" for w in r["sink"])
                        + f" | carried {r['carried']} (shaped in "
                        f"{sum(1 for w in r['wins'] if w['shaped'])}/{len(r['wins'])} windows)"
                        f" | vqosd {r['vqosd_count']} sink {r['sink_count']} drops {r['drops']}"
                        + " | cpu % vqosd/sender/sink " + "/".join(
                            f"{100 * vqosexp.median([w[k] for w in r['wins']]):.0f}"
                            for k in ("vqosd_cpu", "snd_cpu", "sink_cpu"))
                        + " | lcore waited "
                        + " ".join(f"{100 * w['waited']:.1f}" for w in r["wins"])
                        + " % | slept " + " ".join(f"{100 * w['sleep']:.0f}" for w in r["wins"])
                        + " % | backlog " + " ".join(str(w["backlog"]) for w in r["wins"])
                        + " | timing " + " ".join(f"{100 * w['timing']:.3f}" for w in r["wins"])
                        + " %")
                print(line, flush=True)
                log.append(line)
            rows.append(summarize(spec, direction, runs))
    for r in rows:
        print(f"{r['direction']} {r['rate']}: carried {r['carried']}, counters "
              f"{fmt_rate(r['unit'], r['counters_rate'])} median |err| "
              f"{r['counters_err_median_pct']:.3f}% worst {r['counters_err_worst_pct']:+.3f}%; "
              f"sink median |err| {r['sink_err_median_pct']:.3f}% worst "
              f"{r['sink_err_worst_pct']:+.3f}%", flush=True)
    if args.no_write:
        return
    header = list(rows[0].keys())
    vqosexp.write_csv(os.path.join(HERE, "results.csv"), header,
                      [[round(r[h], 4) if isinstance(r[h], float) else r[h] for h in header]
                       for r in rows])
    vqosexp.write_csv(os.path.join(HERE, "windows.csv"),
                      ["direction", "rate", "run", "window", "dt_s", "rate_measured",
                       "err_pct", "shaped", "timing_err_pct", "vqosd_cpu_pct",
                       "vqosd_waited_pct", "sender_cpu_pct", "sink_cpu_pct",
                       "vqosd_cycles_per_pkt", "vqosd_sleep_pct", "backlog", "steal_pct"], allw)
    plot(rows)
    write_readme(args, rows, log, commit, press / max(meas, 1e-9))
    print(f"wrote {HERE}/results.csv, windows.csv, plot.png, README.md")


def plot(rows):
    dat = os.path.join(HERE, "plot.dat")
    with open(dat, "w") as f:
        for i, r in enumerate(rows):
            c = r["carried"] == "yes"
            f.write(f"{i} {r['direction']}:{r['rate']} "
                    f"{abs(r['counters_err_worst_pct']) if c else 'NaN'} "
                    f"{abs(r['sink_err_worst_pct']) if c else 'NaN'} "
                    f"{r['counters_err_median_pct'] if c else 'NaN'} "
                    f"{r['sink_err_median_pct'] if c else 'NaN'}\n")
    try:
        vqosexp.gnuplot(f"""
set title "one htb class, rate = ceil = R: |error| of 1 s windows (carried rates only)"
set ylabel "|error|, % of R"
set xrange [-0.6:{len(rows) - 0.4}]
set yrange [0:*]
set grid ytics
set xtics rotate by -45
set key top left
set style fill solid 0.7 border -1
set boxwidth 0.2
plot '{dat}' using ($1-0.3):3:xtic(2) with boxes title 'worst, counters', \\
     '' using ($1-0.1):4 with boxes title 'worst, sink', \\
     '' using ($1+0.1):5 with boxes title 'median, counters', \\
     '' using ($1+0.3):6 with boxes title 'median, sink', \\
     {GOAL * 100} with lines lw 2 dt 2 lc rgb 'red' title 'goal 0.2%'
""", os.path.join(HERE, "plot.png"))
    finally:
        os.unlink(dat)


ANSWER = "(written by hand after the run)"


def write_readme(args, rows, log, commit, pressure):
    path = os.path.join(HERE, "README.md")
    answer = ANSWER
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
        m = re.search(r"## Answer\n\n(.*?)\n## ", text, re.S)
        if m:
            answer = m.group(1).strip()
    cmd = ("python3 results/accuracy/run.py"
           + (" --quick" if args.quick else
              f" --runs {args.runs} --rx-runs {args.rx_runs} --windows {args.windows}"
              f" --warmup {args.warmup:g}"
              f" --dirs {args.dirs}") + (f" --only {args.only}" if args.only else ""))
    out = [
        "# Rate accuracy across the range", "",
        "Issue 15, item 7: from 1 Mbit/s to 10 Gbit/s and 1 kpps to 10 Mpps per class, "
        "error over 1 s windows <= 0.2% on the data path, wherever the machine can carry "
        "the rate.", "",
        f"Command: `{cmd}` (measured runs under /tmp/vqos-measure.lock). "
        f"Machine: {vqosexp.machine()}. Binaries: Release build of commit {commit} "
        "(build-results/). While runs were measured, some task waited for a CPU "
        f"{100 * pressure:.0f}% of the time (/proc/pressure/cpu `some`): the machine is "
        "shared with other work.", "",
        "## Set-up", "",
        "- vqosd, one port `c` (its uplink a `net_vhost` socket), one direction's `htb` "
        "tree: `root` and leaf `c`, both rate = ceil = R (bit rates as `rate`/`ceil`, packet "
        "rates as `pps`/`cpps` and nothing else); default bursts. Its data-path lcore on "
        "CPU 1, everything else on CPU 0; every process at nice -20 (threads and autogroup).",
        f"- tx: a vqos-gen container on the port's socket sends at {OFFER} R (its vring "
        "backpressures: tx never drops), a vqos-gen sink on the uplink counts. rx: the "
        "sender is on the uplink (frames to the port's MAC), the container is the sink; "
        "vqosd drops what its class queue cannot hold.",
        "- Frames: 64 B at 1 Mbit/s and every packet rate, 512 B at 10 Mbit/s, 1500 B from "
        "100 Mbit/s (a window of 1 Mbit/s holds 1953 frames of 64 B, one frame is 0.05% "
        "of it; of 1500 B it would be 1.2%).",
        f"- After {args.warmup:g} s of warm-up (the full buckets drain), {args.windows} windows "
        "of 1 s: `class show` read once a second over the control socket (one request, no "
        "vqosctl process), timed by the middle of the call; `timing_err_max_pct` is the "
        "longest call over its window, a bound on how far the read time can be off. The "
        "leaf's bytes x 8 (packets) over the time between reads is the window's rate. "
        "Sink: its own progress lines (received packets over its TSC-timed second; x the "
        "frame size x 8 for bit rates), those inside the measured span.",
        "- Error = (rate - R) / R per window; median of |error| and the worst (signed) over "
        f"the windows of every run ({args.runs} runs tx, {args.rx_runs} rx) in which vqosd's "
        f"data-path lcore waited for its CPU at most {100 * DISTURBED:g}% of the time "
        "(schedstat, `lcore show` `waited_ns`): a class's buckets hold about 1 ms of its "
        "rate (1 ms + 32 frames or "
        "packets, default bursts), so time the lcore spends without its CPU beyond that is "
        "rate lost, to the machine. The worst error over all windows is given too.",
        "- Carried = in every window the class hit its ceiling (the port's `shaped` counter "
        f"grew), at least {MIN_BACKLOG} frames waited for it (the port's `backlog`: the "
        "sender was ahead) and vqosd's lcore slept at least 5% of its cycles (it had time "
        "to spare): vqosd's shaper, not the machine, set the rate. Where not, the rate the "
        "machine carried is given instead of an error, with the CPU each thread ran "
        "(schedstat; 100% = a whole CPU) and vqosd's busy cycles per packet and packets "
        "per second of CPU it ran.", "",
        "## Results", "", "![plot](plot.png)", "",
        "| rate | dir | frame B | carried | counters (median) | sink (median) | "
        "counters median / worst err % | sink median / worst err % | windows used / all | "
        "worst err of all windows % | timing bound % | vqosd lcore waited % (median / max) | "
        "vqosd CPU % | sender CPU % | sink CPU % | vqosd cycles/pkt | "
        "vqosd Mpps per CPU-s | vqosd/sink packets |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        c = r["carried"] == "yes"
        e1 = (f"{r['counters_err_median_pct']:.3f} / {r['counters_err_worst_pct']:+.3f}"
              if c else "-")
        e2 = f"{r['sink_err_median_pct']:.3f} / {r['sink_err_worst_pct']:+.3f}" if c else "-"
        out.append(
            f"| {r['rate']} | {r['direction']} | {r['frame_bytes']} | {r['carried']} | "
            f"{fmt_rate(r['unit'], r['counters_rate'])} | {fmt_rate(r['unit'], r['sink_rate'])} "
            f"| {e1} | {e2} | {r['windows'] - r['disturbed']}/{r['windows']} | "
            f"{r['counters_err_worst_all_pct']:+.3f} | "
            f"{r['timing_err_max_pct']:.3f} | {r['vqosd_waited_pct']:.2f} / "
            f"{r['vqosd_waited_max_pct']:.2f} | {r['vqosd_cpu_pct']:.0f} | "
            f"{r['sender_cpu_pct']:.0f} | {r['sink_cpu_pct']:.0f} | "
            f"{r['vqosd_cycles_per_pkt']:.0f} | {r['vqosd_mpps_per_cpu_s']:.2f} | "
            f"{r['vqosd_vs_sink_packets']} |")
    out += ["", "Every window of every run is in windows.csv; the per-run worst errors of the "
            "counters in results.csv (`runs_counters_err_pct`).", "",
            "## Answer", "", answer, "",
            "## Log of this run", "", "```", *log, "```", ""]
    with open(path, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
