#!/usr/bin/env python3
"""Packets per second through one vqosd data-path lcore, against testpmd io.

One command reruns it and rewrites results/datapath/{results.csv,README.md}:

    python3 results/datapath/bench.py [--runs 3] [--seconds 3] [--build build-release]

Set-up, on a 2-core machine: the forwarding hop under test gets CPU 1 to
itself; the containers are one dpdk-testpmd process on CPU 0 with N
virtio_user ports in txonly mode (one forwarding lcore, as fast as it
goes); each port's uplink is net_null (the sink). The hop is
  - vqosd with qdisc fifo (no QoS) or htb (a root and one leaf per port,
    rates high enough never to shape: the cost of the scheduler itself);
  - the baseline: dpdk-testpmd --forward-mode=io between N net_vhost ports
    and N net_null ports (the same kinds of ports vqosd uses), on CPU 1.
Debian's DPDK allows 32 ethdevs per process (RTE_MAX_ETHPORTS): the
baseline needs two per container, so it is measured with 1 and 16; with 64
containers vqosd's ports share one uplink (demultiplexed by mac), the
containers are two testpmd processes, and the ratios are against the
16-container baseline.
The rate is what the containers' vrings accepted per second over a steady
window, read from the generator (`show port stats all`, TX-packets), so the
hop under test and the baseline are measured at the same place. Each
figure is the median of --runs runs; ratios are against the baseline of the
same session. Nothing is asserted: this prints figures.
"""
import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "results", "lib"))
import vqosexp  # noqa: E402


class Proc:
    def __init__(self, argv, log, stdin=None):
        self.log = log
        self.f = open(log, "w")
        self.p = subprocess.Popen(argv, stdout=self.f, stderr=subprocess.STDOUT, stdin=stdin,
                                  text=True, start_new_session=True)

    def cmd(self, line, pause=0.3):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        time.sleep(pause)

    def text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.p.poll() is None:
            try:
                if self.p.stdin:
                    self.cmd("quit", 0)
                    self.p.stdin.close()
                self.p.wait(timeout=15)
            except Exception:  # noqa: BLE001 -- whatever went wrong, make sure it dies
                self.p.kill()
                self.p.wait()
        self.f.close()


def tx_total(gen):
    """Sum of TX-packets over the generator's ports, asked now."""
    before = len(gen.text())
    gen.cmd("show port stats all", 1.0)
    out = gen.text()[before:]
    return sum(int(x) for x in re.findall(r"TX-packets:\s+(\d+)", out))


# Ethdevs one DPDK process of Debian's build may have (RTE_MAX_ETHPORTS).
MAX_ETHDEVS = 32


def generator(d, first, n, size, prefix):
    """One testpmd playing containers first..first+n-1 (n <= MAX_ETHDEVS)."""
    vdevs = []
    for i in range(first, first + n):
        vdevs += ["--vdev",
                  f"net_virtio_user{i},path={d}/c{i}.sock,queue_size=256,mac={vqosexp.container_mac(i)}"]
    argv = ["stdbuf", "-oL", "dpdk-testpmd", "--no-huge", "-m", str(512 + 24 * n),
            "--file-prefix", prefix, "--lcores", "0@0,1@0", "--no-pci",
            "--log-level", "*:error", *vdevs, "--", "-i", "--nb-cores=1",
            f"--total-num-mbufs={max(8192, 1024 * n)}", f"--txpkts={size}"]
    return Proc(argv, f"{d}/gen-{first}.log", stdin=subprocess.PIPE)


def measure(gens, seconds):
    for g in gens:
        g.cmd("set fwd txonly", 0.1)
    for g in gens:
        g.cmd("start", 0.1)
    time.sleep(2.0)   # warm-up
    a, t0 = sum(tx_total(g) for g in gens), time.monotonic()
    time.sleep(seconds)
    b, t1 = sum(tx_total(g) for g in gens), time.monotonic()
    for g in gens:
        g.cmd("stop", 0.5)
    # each tx_total waits 1 s after asking
    return (b - a) / (t1 - t0 - len(gens))


def drive(hop, d, n, size, seconds, prefix):
    """Start the containers against @hop (one testpmd per MAX_ETHDEVS of
    them), measure, and tear everything down."""
    gens = [generator(d, first, min(MAX_ETHDEVS, n - first), size, f"{prefix}-{first}")
            for first in range(0, n, MAX_ETHDEVS)]
    try:
        time.sleep(1.0 + 0.05 * n)
        return measure(gens, seconds)
    finally:
        for g in gens:
            g.stop()
        hop.p.terminate()
        hop.p.wait(timeout=20)
        hop.f.close()
        subprocess.run(["rm", "-rf", d])


def vqosd_run(build, kind, n, size, seconds, tag):
    d = tempfile.mkdtemp(prefix=f"vqos-bench-{tag}-")
    conf = f"{d}/vqosd.conf"
    with open(conf, "w") as f:
        f.write('eal = [ "--no-huge", "-m", "%d", "--file-prefix", "vqb-%s", "--lcores", '
                '"0@0,1@1", "--no-pci", "--log-level", "*:error" ];\n' % (512 + 16 * n, tag))
        f.write(f'control = {{ socket = "{d}/ctl.sock"; }};\n')
        # one uplink each, or, past the ethdev limit, one shared by all
        # (each port then names its container's mac)
        shared = n >= MAX_ETHDEVS
        f.write("ports = (\n" + ",\n".join(
            f'  {{ name = "c{i}"; socket = "{d}/c{i}.sock"; '
            + (f'uplink = "net_null0,no-rx=1"; mac = "{vqosexp.container_mac(i)}"; }}' if shared
               else f'uplink = "net_null{i},no-rx=1"; }}')
            for i in range(n)) + "\n);\n")
        classes = ['{ name = "root"; rate = "100gbit"; }'] + [
            f'{{ name = "l{i}"; parent = "root"; port = "c{i}"; rate = "{max(1, 100 // n)}gbit"; '
            f'ceil = "100gbit"; }}' for i in range(n)]
        for direction in ("tx", "rx"):
            if kind == "fifo":
                f.write(f'{direction} = {{ qdisc = "fifo"; }};\n')
            else:
                f.write(f'{direction} = {{ qdisc = "htb"; classes = (\n  '
                        + ",\n  ".join(classes) + "\n); };\n")
    hop = Proc([f"{build}/daemon/vqosd", "-c", conf], f"{d}/vqosd.log")
    for _ in range(200):
        if os.path.exists(f"{d}/ctl.sock"):
            break
        time.sleep(0.05)
    return drive(hop, d, n, size, seconds, f"vqb-g-{tag}")


def testpmd_run(n, size, seconds, tag):
    d = tempfile.mkdtemp(prefix=f"vqos-bench-{tag}-")
    vdevs = []
    for i in range(n):
        vdevs += ["--vdev", f"net_vhost{i},iface={d}/c{i}.sock"]
    for i in range(n):
        vdevs += ["--vdev", f"net_null{i},no-rx=1"]
    # Ports 0..n-1 are the vhost ones, n..2n-1 the nulls: pair i with n+i.
    argv = ["dpdk-testpmd", "--no-huge", "-m", str(512 + 16 * n), "--file-prefix",
            f"vqb-m-{tag}", "--lcores", "0@0,1@1", "--no-pci", "--log-level", "*:error",
            *vdevs, "--", "--forward-mode=io", "--nb-cores=1", "--port-topology=paired",
            f"--total-num-mbufs={max(8192, 2048 * n)}", "--stats-period", "1000"]
    # --port-topology=paired pairs 0-1, 2-3...: list the ports so that pairs are vhost-null.
    order = ",".join(f"{i},{n + i}" for i in range(n))
    argv.insert(argv.index("--forward-mode=io"), f"--portlist={order}")
    hop = Proc(argv, f"{d}/mid.log")
    time.sleep(2.0 + 0.05 * n)
    return drive(hop, d, n, size, seconds, f"vqb-g2-{tag}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--build", default=os.path.join(ROOT, "build-release"))
    # Debian's DPDK is built with RTE_MAX_ETHPORTS 32: the baseline testpmd
    # needs two ethdevs per container, so 16 containers is the most it can be
    # measured with; vqosd shares one uplink between them past 31.
    ap.add_argument("--ports", default="1,16,64")
    ap.add_argument("--sizes", default="64,1500")
    a = ap.parse_args()
    rows, printed = [], []
    base = {}  # size -> (containers, median) of the largest baseline measured
    for n in [int(x) for x in a.ports.split(",")]:
        for size in [int(x) for x in a.sizes.split(",")]:
            med, base_n = {}, n
            for hop in ("testpmd-io", "fifo", "htb"):
                runs = []
                if hop == "testpmd-io" and 2 * n > MAX_ETHDEVS:
                    # the baseline cannot have that many ports: compare with
                    # the largest one measured for this size
                    base_n, med[hop] = base.get(size, (0, 0.0))
                    print(f"{hop:11s} containers={n:3d} size={size:5d}: not measurable "
                          f"(needs {2 * n} ethdevs); ratios against {base_n} containers",
                          flush=True)
                    continue
                for r in range(a.runs):
                    tag = f"{hop}-{n}-{size}-{r}-{os.getpid()}"
                    if hop == "testpmd-io":
                        runs.append(testpmd_run(n, size, a.seconds, tag))
                    else:
                        runs.append(vqosd_run(a.build, hop, n, size, a.seconds, tag))
                med[hop] = statistics.median(runs)
                if hop == "testpmd-io":
                    base[size] = (n, med[hop])
                printed.append(f"{hop:11s} containers={n:3d} size={size:5d}: median "
                               f"{med[hop] / 1e6:.3f} Mpps of {[round(x / 1e6, 3) for x in runs]}")
                print(printed[-1], flush=True)
            for hop in ("testpmd-io", "fifo", "htb"):
                rows.append({"hop": hop, "containers": n, "size": size,
                             "baseline_containers": base_n,
                             "mpps": round(med[hop] / 1e6, 3) if base_n == n or
                             hop != "testpmd-io" else "",
                             "ratio_to_testpmd": round(med[hop] / med["testpmd-io"], 3)
                             if med["testpmd-io"] else ""})
    with open(os.path.join(HERE, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(HERE, "README.md"), "w") as f:
        f.write("# Data path throughput: one vqosd lcore against testpmd io\n\n")
        f.write(f"Machine: {os.cpu_count()} cores, {vqosexp.cpu_model()}. "
                f"Command: `python3 results/datapath/bench.py --runs {a.runs} "
                f"--seconds {a.seconds}` (medians of {a.runs} runs; tx direction, "
                "containers = one testpmd txonly process on CPU 0, hop on CPU 1, uplinks "
                "net_null). See the script's docstring for the set-up.\n\n")
        f.write("| containers | size | testpmd io Mpps | fifo Mpps | fifo/io | htb Mpps | htb/io |\n")
        f.write("|---:|---:|---:|---:|---:|---:|---:|\n")
        for i in range(0, len(rows), 3):
            t, fi, h = rows[i], rows[i + 1], rows[i + 2]
            io = t["mpps"] if t["baseline_containers"] == t["containers"] else (
                f"n/a (ratios vs {t['baseline_containers']} containers)")
            f.write(f"| {t['containers']} | {t['size']} | {io} | {fi['mpps']} | "
                    f"{fi['ratio_to_testpmd']} | {h['mpps']} | {h['ratio_to_testpmd']} |\n")
        f.write("\nWith 64 containers vqosd's ports share one net_null uplink (each with its "
                "container's mac) and the containers are two testpmd processes of 32 ports; "
                "testpmd io cannot be given 128 ethdevs, so its ratios are against the "
                "16-container baseline of the same run.\n")
        f.write("\n## Every run of the recorded session (Mpps)\n\n```\n" + "\n".join(printed)
                + "\n```\n")
        notes = os.path.join(HERE, "notes.md")
        if os.path.exists(notes):  # what the figures say, written by people
            with open(notes) as n_f:
                f.write("\n" + n_f.read())
    print(f"wrote {HERE}/results.csv and README.md")


if __name__ == "__main__":
    main()
