"""What every experiment under results/ shares: a Release build, the machine's
description, medians, CSV and gnuplot output.

An experiment is results/<name>/run.py: one command that installs what it
needs (scripts/deps.sh results), builds (build-results/, Release, no
sanitizers), starts every process itself (through tests/integration's Bed,
which kills them and removes their files however the run ends), and writes
results/<name>/{results.csv,plot.png,README.md}. Measured runs hold
/tmp/vqos-measure.lock so no two busy-polling measurements share the CPUs.
"""
import csv
import fcntl
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("VQOS_RESULTS_BUILD", os.path.join(ROOT, "build-results"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
os.environ.setdefault("VQOS_BUILD", BUILD)

MEASURE_LOCK = "/tmp/vqos-measure.lock"


def setup():
    """Install the packages, build Release into BUILD (under a lock: several
    experiments may start at once). Returns BUILD."""
    subprocess.run([os.path.join(ROOT, "scripts", "deps.sh"), "results"], check=True)
    with open("/tmp/vqos-build-results.lock", "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        subprocess.run(["cmake", "-S", ROOT, "-B", BUILD, "-DCMAKE_BUILD_TYPE=Release",
                        "-DVQOS_SANITIZE=OFF", "-DVQOS_WERROR=OFF"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", BUILD, "-j", str(os.cpu_count() or 1),
                        "--target", "vqosd", "vqosctl", "vqos-gen"], check=True,
                       stdout=subprocess.DEVNULL)
    return BUILD


class measure_lock:
    """`with measure_lock():` around every measured run."""

    def __enter__(self):
        self.f = open(MEASURE_LOCK, "w")
        fcntl.flock(self.f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.f, fcntl.LOCK_UN)
        self.f.close()


class Tee:
    """What a run prints, also into @path (its run.log), line by line."""

    def __init__(self, out, path):
        self.out, self.f = out, open(path, "w", buffering=1)

    def write(self, text):
        self.out.write(text)
        self.f.write(text)

    def flush(self):
        self.out.flush()
        self.f.flush()


class Thread:
    """Run time and wait of one thread over a window (its schedstat): what
    CPU sharing cannot bend. stop() -> (s run, share of the window waited)."""

    def __init__(self, pid, tid):
        self.pid, self.tid = pid, tid

    def start(self):
        from vqostest import schedstat
        self.r0, self.w0 = schedstat(self.pid, self.tid)
        self.t0 = time.monotonic()

    def stop(self):
        from vqostest import schedstat
        r1, w1 = schedstat(self.pid, self.tid)
        dt = max(time.monotonic() - self.t0, 1e-9)
        return (r1 - self.r0) / 1e9, (w1 - self.w0) / 1e9 / dt


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def machine():
    """One line naming the machine the figures come from."""
    return (f"{os.cpu_count()} CPUs, {cpu_model()}, Linux {platform.release()}, "
            f"DPDK 22.11 (Debian 12)")


def container_mac(n):
    """The MAC of container number @n (0..65535) in the experiments:
    02:00:00:00:HI:LO, locally administered, unicast."""
    return f"02:00:00:00:{n >> 8 & 0xff:02x}:{n & 0xff:02x}"


def favour(pid, nice=-20):
    """Give process @pid's autogroup the weight of nice @nice. This kernel
    has sched_autogroup_enabled=1: every session (setsid) is a group of its
    own that the scheduler shares the CPUs among as equals, so a process's
    own nice only orders it against its session's other threads, and a
    build in another session takes half a CPU from a nice -20 poller. The
    group's nice (/proc/PID/autogroup) is what orders sessions. Returns
    False where the kernel has no autogroups."""
    try:
        with open(f"/proc/{pid}/autogroup", "w") as f:
            f.write(str(nice))
        return True
    except OSError:
        return False


def cpu_busy(cpu, seconds=0.5):
    """Share of the next @seconds in which CPU @cpu was not idle (/proc/stat):
    an experiment waits for its measured CPU to be quiet before a run."""
    def sample():
        with open("/proc/stat") as f:
            for line in f:
                if line.startswith(f"cpu{cpu} "):
                    v = [int(x) for x in line.split()[1:]]
                    return sum(v), v[3] + v[4]  # all, idle + iowait
        raise ValueError(f"no cpu{cpu} in /proc/stat")
    t0, i0 = sample()
    time.sleep(seconds)
    t1, i1 = sample()
    return 1.0 - (i1 - i0) / max(1, t1 - t0)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def gnuplot(script, png, data_files=()):
    """Run a gnuplot script (a string) that plots into @png; the caller's
    script refers to its data files by their paths."""
    full = f"set terminal pngcairo size 900,540 noenhanced font ',10'\nset output '{png}'\n" + script
    r = subprocess.run(["gnuplot"], input=full, text=True, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"gnuplot failed: {r.stderr.strip()}")
