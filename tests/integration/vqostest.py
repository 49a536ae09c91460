"""Harness for vqos's integration tests: real processes on loopback sockets.

Every DPDK process runs with --no-huge and its own --file-prefix; every file
lives in a private temporary directory; every process started is killed and
the directory removed when the test ends, whether it passed or not. The
machine has 2 cores: vqosd's data-path lcore gets CPU 1, everything else runs
on CPU 0, and generators are rate-limited so they do not starve each other.
"""

import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("VQOS_BUILD", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
VQOSD = os.path.join(BUILD, "daemon", "vqosd")
VQOSCTL = os.path.join(BUILD, "ctl", "vqosctl")
VQOS_GEN = os.path.join(BUILD, "tools", "vqos-gen")
TESTPMD = shutil.which("dpdk-testpmd") or "/usr/bin/dpdk-testpmd"

# CPU 1 is vqosd's data-path lcore's alone: this harness, vqosctl and every
# process it starts run on CPU 0 (EAL still pins its lcores where --lcores
# says), so a test's own work never takes the CPU the measured lcore runs on.
os.sched_setaffinity(0, {0})

# DPDK keeps memory it never frees at exit; leak reports would only be noise.
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=0")


class Failure(AssertionError):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print(f"  ok: {what}")


class Bed:
    """A test bed: a temporary directory and the processes started in it."""

    def __init__(self, name):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"vqos-{name}-", dir="/tmp")
        self.procs = []
        self.prefix_n = 0
        atexit.register(self.close)

    def path(self, leaf):
        return os.path.join(self.dir, leaf)

    def prefix(self, what):
        self.prefix_n += 1
        return f"vqt-{os.getpid()}-{what}-{self.prefix_n}"

    def spawn(self, argv, log, stdin=None, env=None):
        """Start @argv, its output in @log; @env adds to the environment."""
        out = open(self.path(log), "w")
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=stdin,
                             env=dict(ENV, **env) if env else ENV, start_new_session=True,
                             text=True)
        p.log = self.path(log)
        p.argv = argv
        self.procs.append(p)
        return p

    def close(self):
        # Whole process groups, even of a process that already ended: what
        # it started (a `timeout CMD`'s child) may still run.
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            p.wait()
        self.procs = []
        if os.path.isdir(self.dir):
            if os.environ.get("VQOS_KEEP"):
                print(f"kept {self.dir}")
            else:
                shutil.rmtree(self.dir, ignore_errors=True)
        for f in os.listdir("/var/run/dpdk") if os.path.isdir("/var/run/dpdk") else []:
            if f.startswith(f"vqt-{os.getpid()}-"):
                shutil.rmtree(os.path.join("/var/run/dpdk", f), ignore_errors=True)

    def dump_logs(self):
        for p in self.procs:
            print(f"----- {os.path.basename(p.log)}: {' '.join(p.argv)[:200]}")
            try:
                with open(p.log, errors="replace") as f:
                    print(f.read()[-4000:])
            except OSError:
                pass

    # vqosd ---------------------------------------------------------------

    def vqosd(self, ports, extra_eal=(), extra="", lcores="0@0,1@1", mem=512, env=None,
              args=(), control=""):
        """Start vqosd with @ports: list of dicts (name, socket, uplink[, mode,
        mac, cost: (cycles per packet, cycles per byte)]);
        @extra is more libconfig text (tx = {...}; rx = {...};); @mem MB of
        memory (each uplink's mbufs take about 13 MB); @env adds to its
        environment (NOTIFY_SOCKET=...); @args more of vqosd's options;
        @control more keys of the control group (mode = "0666";)."""
        conf = self.path("vqosd.conf")
        self.vqosd_prefix = self.prefix("vqosd")
        eal = ["--no-huge", "-m", str(mem), "--file-prefix", self.vqosd_prefix,
               "--lcores", lcores, "--no-pci", "--log-level", "*:notice", *extra_eal]
        with open(conf, "w") as f:
            f.write("eal = [ %s ];\n" % ", ".join(json.dumps(a) for a in eal))
            f.write('control = { socket = "%s"; %s};\n' % (self.path("ctl.sock"), control))
            f.write("ports = (\n")
            f.write(",\n".join(
                "  { name = %s; socket = %s; mode = %s; uplink = %s;%s%s }" % (
                    json.dumps(p["name"]), json.dumps(p["socket"]),
                    json.dumps(p.get("mode", "server")), json.dumps(p["uplink"]),
                    f' mac = {json.dumps(p["mac"])};' if "mac" in p else "",
                    " cost = { packet = %d; byte = %r; };" % p["cost"] if "cost" in p else "")
                for p in ports))
            f.write("\n);\n")
            # the suite runs some tests again with the data path polling
            if os.environ.get("VQOS_SLEEP_MAX") is not None:
                f.write('datapath = { sleep_max = "%s"; };\n' % os.environ["VQOS_SLEEP_MAX"])
            f.write(extra)
        d = self.spawn([VQOSD, "-c", conf, *args], "vqosd.log", env=env)
        self.ctl_sock = self.path("ctl.sock")
        wait_for(lambda: os.path.exists(self.ctl_sock) or d.poll() is not None, 20,
                 "vqosd control socket")
        check(d.poll() is None, "vqosd is up")
        return d

    def ctl(self, *args, expect=0):
        r = subprocess.run([VQOSCTL, "-S", self.ctl_sock, *args], capture_output=True, text=True,
                           env=ENV, timeout=10)
        if r.returncode != expect:
            raise Failure(f"vqosctl {' '.join(args)}: exit {r.returncode}, expected {expect}: "
                          f"{r.stderr.strip()}")
        return r

    def ports(self):
        return {p["name"]: p for p in json.loads(self.ctl("-j", "port", "show").stdout)}

    def lcores(self):
        return json.loads(self.ctl("-j", "lcore", "show").stdout)

    def lcore(self):
        return self.lcores()[0]

    def rates(self, seconds, attempts=3):
        """Per port and direction, packets/s and bit/s that vqosd delivered
        over the next @seconds, from its own counters. A window in which a
        data-path lcore of vqosd lost its CPU for over 1% of the time (the
        machine is shared) measures the machine, not vqosd: it is taken
        again, up to @attempts times."""
        for attempt in range(attempts):
            l0, t0 = self.lcores(), time.monotonic()
            r = self._rates(seconds)
            l1, t1 = self.lcores(), time.monotonic()
            stalled = 0.0
            for a, b in zip(l0, l1):
                # the kernel's count of the time the lcore waited for a CPU
                stalled = max(stalled, (b["waited_ns"] - a["waited_ns"]) / ((t1 - t0) * 1e9))
            if stalled <= 0.01:
                return r
            print(f"  (window {attempt + 1}: a vqosd lcore lost its CPU {100 * stalled:.1f}% "
                  "of the time; measuring again)")
        return r

    def _rates(self, seconds):
        # vqosd samples its counters somewhere inside each call: time each
        # sample by the middle of its call, so a slow call costs no accuracy.
        s0 = time.monotonic()
        a = self.ports()
        t0 = (s0 + time.monotonic()) / 2
        time.sleep(seconds)
        s1 = time.monotonic()
        b = self.ports()
        t1 = (s1 + time.monotonic()) / 2
        dt = t1 - t0
        return {name: {d: {"pps": (b[name][d]["packets"] - a[name][d]["packets"]) / dt,
                           "bps": (b[name][d]["bytes"] - a[name][d]["bytes"]) * 8 / dt}
                       for d in ("tx", "rx")} for name in b}

    def stop_vqosd(self, d):
        """SIGTERM vqosd; it must exit 0 (every mbuf back in its pool)."""
        d.send_signal(signal.SIGTERM)
        rc = d.wait(timeout=20)
        with open(d.log) as f:
            log = f.read()
        m = re.search(r"mbuf pools: (\d+) of (\d+) free", log)
        check(m is not None and m.group(1) == m.group(2),
              f"vqosd's mbuf pools are full again after stop ({m.group(0) if m else 'no report'})")
        check(rc == 0, f"vqosd exits 0 on SIGTERM (got {rc})")
        return log

    # vqos-gen --------------------------------------------------------------

    def gen_argv(self, vdev, *opts, cpu=0, mem=None):
        """vqos-gen's command line on @vdev, or on each of a list of vdevs
        (one virtual container per port), with options @opts; @mem MB of
        memory (default: enough for virtio_user ports; net_vhost ones take
        9000-byte mbufs, 35 MB a port)."""
        vdevs = [vdev] if isinstance(vdev, str) else list(vdev)
        mem = mem or 256 + 16 * len(vdevs)
        return [VQOS_GEN, "--no-huge", "-m", str(mem), "--file-prefix",
                self.prefix("gen"), "--lcores", f"0@{cpu}", "--no-pci", "--log-level",
                "*:warning", *[a for v in vdevs for a in ("--vdev", v)], "--", "--quiet",
                *[str(o) for o in opts]]

    def gen(self, vdev, *opts, log, cpu=0, mem=None):
        """gen_argv() started, its output in @log."""
        return self.spawn(self.gen_argv(vdev, *opts, cpu=cpu, mem=mem), log)

    def gen_result(self, p, timeout=60):
        rc = p.wait(timeout=timeout)
        with open(p.log) as f:
            text = f.read()
        if rc != 0:
            raise Failure(f"vqos-gen exited {rc}: {text[-2000:]}")
        # The JSON object is the last thing vqos-gen prints.
        start = text.rfind("\n{")
        return json.loads(text[start + 1 if start >= 0 else text.find("{"):])


def lcore_tid(pid):
    """The tid of vqosd @pid's data-path lcore thread (EAL names it rte-worker-1)."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            if f.read().strip() == "rte-worker-1":
                return int(tid)
    raise Failure("vqosd has no rte-worker-1 thread")


def schedstat(pid, tid):
    """(ns thread @tid of @pid ran, ns it was runnable and waited for a CPU):
    the kernel's /proc/PID/task/TID/schedstat."""
    with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
        run, wait = f.read().split()[:2]
    return int(run), int(wait)


def wait_for(cond, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return
        time.sleep(0.05)
    raise Failure(f"timed out after {timeout}s waiting for {what}")


class Testpmd:
    """dpdk-testpmd in interactive mode, driven over its stdin."""

    def __init__(self, bed, vdev, nice=0, lcores="0@0,1@0", args=(), name="testpmd"):
        """@nice: the Linux nice level of testpmd. txonly spins as fast as its
        vring takes packets; on the CPU it shares with other containers a
        test makes it nice 19 when it plays the aggressor, so that the
        containers beside it get the CPU whenever they want it (what the test
        measures is vqosd's shaping, not Linux's time slices). @lcores: its
        EAL --lcores; @args: more of its options (--rxq=4 ...); @name: of
        its log and file prefix, for a test that runs two."""
        self.bed = bed
        # stdbuf: testpmd printf()s its answers, fully buffered into a file otherwise.
        argv = ["nice", "-n", str(nice), "stdbuf", "-oL", TESTPMD, "--no-huge", "-m", "1024", "--file-prefix", bed.prefix(name),
                "--lcores", lcores, "--no-pci", "--log-level", "*:notice", "--vdev", vdev,
                "--", "-i", "--total-num-mbufs=8192", *args]
        self.p = bed.spawn(argv, f"{name}.log", stdin=subprocess.PIPE)

    # testpmd answers "show port summary all" with this line: a command sent
    # before it has been carried out once it appears.
    MARK = "Number of available ports"

    def _log(self):
        with open(self.p.log, errors="replace") as f:
            return f.read()

    def cmd(self, line, pause=0.3):
        """Send @line, wait until testpmd has carried it out (it reads its
        commands one by one: a marker command sent after it is answered
        after it), then wait @pause seconds more (a forwarding run's length).
        No fixed sleep stands in for testpmd's start-up or a busy CPU."""
        marks = self._log().count(self.MARK)
        self.p.stdin.write(line + "\nshow port summary all\n")
        self.p.stdin.flush()
        wait_for(lambda: self._log().count(self.MARK) > marks or self.p.poll() is not None,
                 60, f"testpmd to carry out '{line}'")
        if self.p.poll() is not None:
            raise Failure(f"testpmd exited ({self.p.returncode}) on '{line}'")
        time.sleep(pause)

    def port_stats(self):
        """Counters of port 0: {'rx': packets, 'tx': packets}."""
        before = len(self._log())
        self.cmd("show port stats 0", 0)
        text = self._log()[before:]
        rx = re.search(r"RX-packets:\s+(\d+)", text)
        tx = re.search(r"TX-packets:\s+(\d+)", text)
        if not rx or not tx:
            raise Failure(f"no port stats in testpmd output: {text[-1000:]}")
        return {"rx": int(rx.group(1)), "tx": int(tx.group(1))}

    def offload_caps(self):
        """The rx and tx offload capabilities port 0 reports (names as
        testpmd prints them: TCP_TSO, TCP_CKSUM, ...): a virtio_user port
        reports what the vhost-user backend offered."""
        caps = set()
        for d in ("tx", "rx"):
            before = len(self._log())
            self.cmd(f"show port 0 {d}_offload capabilities", 0)
            text = self._log()[before:]
            for m in re.finditer(r"Per (?:Queue|Port)\s*:([^\n]*)", text):
                caps.update(m.group(1).split())
        return caps

    def quit(self):
        self.p.stdin.write("quit\n")
        self.p.stdin.close()
        return self.p.wait(timeout=20)


def main(test):
    """Run @test(bed) and exit 0/1 the way ctest reads it."""
    bed = Bed(test.__name__)
    try:
        test(bed)
    except Exception as e:  # noqa: BLE001 -- any failure fails the test
        print(f"FAIL: {type(e).__name__}: {e}")
        bed.dump_logs()
        bed.close()
        sys.exit(1)
    bed.close()
    print("PASS")
