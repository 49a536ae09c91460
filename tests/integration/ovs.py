"""Real OVS-DPDK for integration tests: hugepages, a private ovsdb-server and
ovs-vswitchd-dpdk, a netdev bridge with vhost-user ports, their counters;
main() runs a test with them and gives everything back.

Everything lives in one directory of the test bed (OVS_RUNDIR, OVS_DBDIR,
OVS_LOGDIR all point there); OVS runs its EAL with a --file-prefix of its own.
OVS adds --in-memory to its EAL arguments, which refuses --no-huge: OVS needs
hugepages. Hugepages() sets them up if the machine has none free and puts
everything back as it was on restore(); a machine where that is impossible
makes the test skip (Skip, exit 77) rather than fail.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time

from vqostest import Bed, Failure, check, wait_for

VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
TOOLS = ("ovsdb-tool", "ovsdb-server", "ovs-vsctl", "ovs-ofctl", "ovs-appctl")

SKIP = 77  # ctest's SKIP_RETURN_CODE for this test

HP_DIR = "/sys/kernel/mm/hugepages/hugepages-2048kB"
HP_MOUNT = "/dev/hugepages"


class Skip(Exception):
    """The machine cannot run OVS-DPDK: say why and exit 77."""


def missing_tools():
    """What of OVS-DPDK is not installed (empty if all is)."""
    miss = [t for t in TOOLS if shutil.which(t) is None]
    for f in (VSWITCHD, SCHEMA):
        if not os.path.exists(f):
            miss.append(f)
    return miss


def _read_int(path):
    with open(path) as f:
        return int(f.read().strip())


def _write(path, value):
    with open(path, "w") as f:
        f.write(f"{value}\n")


def _hugetlbfs_2m_mounts():
    """Mount points of hugetlbfs with 2 MB pages (the default size here)."""
    mounts = []
    with open("/proc/mounts") as f:
        for line in f:
            dev, mnt, fs, opts = line.split()[:4]
            if fs == "hugetlbfs" and ("pagesize=1024M" not in opts and "pagesize=1G" not in opts):
                mounts.append(mnt)
    return mounts


class Hugepages:
    """At least @pages free 2 MB hugepages and a hugetlbfs mount, for the
    length of a test; restore() leaves the machine as it was found."""

    def __init__(self, pages):
        self.pages = pages
        self.orig_nr = None
        self.mounted = False
        self.made_dir = False

    def free(self):
        return _read_int(os.path.join(HP_DIR, "free_hugepages"))

    def setup(self):
        if not os.path.isdir(HP_DIR):
            raise Skip(f"the kernel has no 2 MB hugepages ({HP_DIR} is missing)")
        nr = _read_int(os.path.join(HP_DIR, "nr_hugepages"))
        free = self.free()
        if free < self.pages:
            if os.geteuid() != 0:
                raise Skip(f"{free} free 2 MB hugepages, {self.pages} needed, and not root to add more")
            want = nr + (self.pages - free)
            self.orig_nr = nr
            try:
                _write(os.path.join(HP_DIR, "nr_hugepages"), want)
            except OSError as e:
                self.restore()
                raise Skip(f"cannot set {HP_DIR}/nr_hugepages to {want}: {e}") from e
            free = self.free()
            if free < self.pages:
                self.restore()
                raise Skip(f"asked the kernel for {want} 2 MB hugepages, got only {free} free "
                           f"({self.pages} needed)")
            print(f"  hugepages: nr_hugepages {nr} -> {want}")
        if not _hugetlbfs_2m_mounts():
            if os.geteuid() != 0:
                self.restore()
                raise Skip("no hugetlbfs mounted and not root to mount one")
            if not os.path.isdir(HP_MOUNT):
                os.makedirs(HP_MOUNT)
                self.made_dir = True
            r = subprocess.run(["mount", "-t", "hugetlbfs", "nodev", HP_MOUNT],
                               capture_output=True, text=True)
            if r.returncode != 0:
                self.restore()
                raise Skip(f"cannot mount hugetlbfs on {HP_MOUNT}: {r.stderr.strip()}")
            self.mounted = True
            print(f"  hugepages: mounted hugetlbfs on {HP_MOUNT}")
        print(f"  hugepages: {self.free()} free of 2 MB")

    def restore(self):
        """Undo what setup() did; call when every DPDK process has exited."""
        if self.mounted:
            r = subprocess.run(["umount", HP_MOUNT], capture_output=True, text=True)
            if r.returncode != 0:
                print(f"  warning: umount {HP_MOUNT}: {r.stderr.strip()}")
            else:
                self.mounted = False
                print(f"  hugepages: unmounted {HP_MOUNT}")
        if self.made_dir and not self.mounted:
            try:
                os.rmdir(HP_MOUNT)
                self.made_dir = False
            except OSError as e:
                print(f"  warning: rmdir {HP_MOUNT}: {e}")
        if self.orig_nr is not None:
            try:
                _write(os.path.join(HP_DIR, "nr_hugepages"), self.orig_nr)
                print(f"  hugepages: nr_hugepages back to {self.orig_nr}")
                self.orig_nr = None
            except OSError as e:
                print(f"  warning: cannot restore nr_hugepages to {self.orig_nr}: {e}")


def _parse_ovs_map(text):
    """'{a=1, b=2}' (ovs-vsctl's map syntax) -> {'a': 1, 'b': 2}."""
    out = {}
    for k, v in re.findall(r"([\w-]+)=(\"[^\"]*\"|[^,}]+)", text):
        v = v.strip().strip('"')
        try:
            out[k] = int(v)
        except ValueError:
            out[k] = v
    return out


class OVS:
    """ovsdb-server and ovs-vswitchd-dpdk in @bed's directory ovs/."""

    def __init__(self, bed, pmd_cpu_mask=0x1, socket_mem=512):
        self.bed = bed
        self.dir = bed.path("ovs")
        os.makedirs(self.dir)
        self.db_sock = os.path.join(self.dir, "db.sock")
        self.prefix = bed.prefix("ovs")
        self.pmd_cpu_mask = pmd_cpu_mask
        self.socket_mem = socket_mem
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_DBDIR=self.dir,
                        OVS_LOGDIR=self.dir, OVS_SYSCONFDIR=self.dir)
        self.server = self.vswitchd = None

    def path(self, leaf):
        return os.path.join(self.dir, leaf)

    def _spawn(self, argv, log):
        out = open(self.bed.path(log), "w")
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=self.env,
                             start_new_session=True, text=True, cwd=self.dir)
        p.log = self.bed.path(log)
        p.argv = argv
        self.bed.procs.append(p)  # the bed kills it if the test dies
        return p

    def run(self, *argv, timeout=20, check_rc=True):
        r = subprocess.run(list(argv), capture_output=True, text=True, env=self.env,
                           timeout=timeout)
        if check_rc and r.returncode != 0:
            raise Failure(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")
        return r.stdout

    def vsctl(self, *args, **kw):
        return self.run("ovs-vsctl", f"--db=unix:{self.db_sock}", "--timeout=15", *args, **kw)

    def ofctl(self, *args, **kw):
        return self.run("ovs-ofctl", *args, **kw)

    def appctl(self, *args, **kw):
        return self.run("ovs-appctl", "-t", self.path("ovs-vswitchd.ctl"), *args, **kw)

    def start(self):
        db = self.path("conf.db")
        self.run("ovsdb-tool", "create", db, SCHEMA)
        self.server = self._spawn(
            ["ovsdb-server", db, f"--remote=punix:{self.db_sock}",
             f"--pidfile={self.path('ovsdb-server.pid')}",
             f"--unixctl={self.path('ovsdb-server.ctl')}",
             f"--log-file={self.path('ovsdb-server.log')}"], "ovsdb-server.out")
        wait_for(lambda: os.path.exists(self.db_sock) or self.server.poll() is not None, 10,
                 "ovsdb-server's socket")
        check(self.server.poll() is None, "ovsdb-server is up")
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   "other_config:dpdk-init=true",
                   f"other_config:dpdk-extra=--no-pci --file-prefix={self.prefix}",
                   f"other_config:dpdk-socket-mem={self.socket_mem}",
                   f"other_config:pmd-cpu-mask={self.pmd_cpu_mask:#x}")
        self.vswitchd = self._spawn(
            [VSWITCHD, f"unix:{self.db_sock}",
             f"--pidfile={self.path('ovs-vswitchd.pid')}",
             f"--unixctl={self.path('ovs-vswitchd.ctl')}",
             f"--log-file={self.path('ovs-vswitchd.log')}"], "ovs-vswitchd.out")

        def up():
            if self.vswitchd.poll() is not None:
                return True
            r = self.vsctl("get", "Open_vSwitch", ".", "dpdk_initialized", check_rc=False)
            return r.strip() == "true"
        wait_for(up, 40, "ovs-vswitchd-dpdk to initialize DPDK")
        if self.vswitchd.poll() is not None:
            raise Skip("ovs-vswitchd-dpdk exited at start (exit "
                       f"{self.vswitchd.returncode}): {self.log_tail(1500)}")
        print(f"  OVS up: {self.vsctl('get', 'Open_vSwitch', '.', 'dpdk_version').strip()}, "
              f"pmd-cpu-mask {self.pmd_cpu_mask:#x}, socket-mem {self.socket_mem} MB")

    def log_tail(self, n=4000):
        try:
            with open(self.path("ovs-vswitchd.log"), errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def add_bridge(self, br):
        self.vsctl("add-br", br, "--", "set", "Bridge", br, "datapath_type=netdev")

    def add_vhostuser_port(self, br, name, ofport):
        """A dpdkvhostuser port: OVS listens on self.path(name); returns that path.
        (OVS 3.1 keeps no packet counters for this deprecated kind: its
        statistics hold only ovs_* drop counters and OpenFlow shows '?'.)"""
        self.vsctl("add-port", br, name, "--", "set", "Interface", name, "type=dpdkvhostuser",
                   f"ofport_request={ofport}")
        sock = self.path(name)
        wait_for(lambda: os.path.exists(sock), 10, f"OVS's socket {sock}")
        return sock

    def add_vhostuserclient_port(self, br, name, ofport, server_path):
        """A dpdkvhostuserclient port: OVS connects to @server_path (and
        reconnects every second while nobody listens there); the peer is a
        virtio_user frontend with server=1."""
        self.vsctl("add-port", br, name, "--", "set", "Interface", name,
                   "type=dpdkvhostuserclient", f"options:vhost-server-path={server_path}",
                   f"ofport_request={ofport}")
        return server_path

    def set_flows(self, br, flows):
        """Replace every OpenFlow rule of @br with @flows (strings)."""
        self.ofctl("del-flows", br)
        for f in flows:
            self.ofctl("add-flow", br, f)

    def dump_flows(self, br):
        """{match: n_packets} of every flow of @br, the match as ovs-ofctl prints
        it with port numbers (e.g. 'priority=10,in_port=1')."""
        out = {}
        for line in self.ofctl("--no-names", "dump-flows", br).splitlines():
            n = re.search(r"n_packets=(\d+)", line)
            m = re.search(r"\s(priority=\S*?|in_port=\S*?)\s+actions=", line)
            if n and m:
                out[m.group(1).rstrip(",")] = int(n.group(1))
        return out

    def port_counters(self, br):
        """{ofport number: {rx_pkts, tx_pkts, rx_drop, tx_drop, ...}} from OpenFlow
        (ovs-ofctl dump-ports: read when asked, unlike the database's statistics)."""
        text = self.ofctl("--names", "dump-ports", br)
        out = {}
        num = r"(\d+|\?)"
        for m in re.finditer(r'port\s+"?([^":\s]+)"?:\s*rx pkts=%s, bytes=%s, drop=%s, errs=%s'
                             r'.*?\n\s*tx pkts=%s, bytes=%s, drop=%s, errs=%s' % ((num,) * 8), text):
            v = [int(x) if x != "?" else None for x in m.groups()[1:]]
            out[m.group(1)] = dict(zip(("rx_pkts", "rx_bytes", "rx_drop", "rx_errs",
                                        "tx_pkts", "tx_bytes", "tx_drop", "tx_errs"), v))
        if not out:
            raise Failure(f"no port counters in ovs-ofctl dump-ports: {text[:500]}")
        return out

    def interface_stats(self, name):
        """`ovs-vsctl get Interface NAME statistics` as a dict (refreshed by
        ovs-vswitchd every stats-update-interval, 5 s by default)."""
        return _parse_ovs_map(self.vsctl("get", "Interface", name, "statistics"))

    def stop(self):
        """ovs-vswitchd then ovsdb-server, each asked to exit, killed if it does not."""
        for p, ctl in ((self.vswitchd, "ovs-vswitchd.ctl"), (self.server, "ovsdb-server.ctl")):
            if p is None or p.poll() is not None:
                continue
            self.run("ovs-appctl", "-t", self.path(ctl), "exit", timeout=10, check_rc=False)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def cleanup_files(self):
        """Whatever OVS's EAL left with its prefix: /var/run/dpdk/PREFIX and
        hugepage files (none with --in-memory, but be sure)."""
        shutil.rmtree(os.path.join("/var/run/dpdk", self.prefix), ignore_errors=True)
        for mnt in _hugetlbfs_2m_mounts():
            try:
                for f in os.listdir(mnt):
                    if f.startswith(self.prefix):
                        os.unlink(os.path.join(mnt, f))
            except OSError:
                pass


def teardown(ovs, bed):
    """Stop @ovs, close @bed (its processes, its directory), then remove what
    OVS's EAL left; either may be None. A failure to stop OVS is said, not
    raised, so the rest is cleaned up all the same."""
    if ovs is not None:
        try:
            ovs.stop()
        except Exception as e:  # noqa: BLE001 -- clean up the rest anyway
            print(f"  warning: stopping OVS: {e}")
    if bed is not None:
        bed.close()
    if ovs is not None:
        ovs.cleanup_files()


def wait_stable(read, timeout, what, settle=1.0):
    """Poll @read() until its value stays the same for @settle seconds."""
    end = time.time() + timeout
    last, since = read(), time.time()
    while time.time() < end:
        time.sleep(0.2)
        v = read()
        if v != last:
            last, since = v, time.time()
        elif time.time() - since >= settle:
            return v
    raise Failure(f"timed out after {timeout}s waiting for {what} to settle (last {last})")


def main(test, hugepages=512, pmd_cpu_mask=0x1, socket_mem=512):
    """Run @test(bed, ovs) as a ctest test: skipped (exit 77, saying why)
    without OVS-DPDK or the @hugepages free 2 MB pages it needs, 0 or 1
    otherwise; OVS, the bed and the hugepages are given back whatever happens."""
    miss = missing_tools()
    if miss:
        print(f"SKIP: OVS-DPDK is not installed (missing {', '.join(miss)}; "
              "apt-get install openvswitch-switch-dpdk)")
        sys.exit(SKIP)

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)

    t0 = time.monotonic()
    hp = Hugepages(hugepages)
    bed = ovs = None
    rc = 0
    try:
        hp.setup()
        bed = Bed(test.__name__)
        ovs = OVS(bed, pmd_cpu_mask=pmd_cpu_mask, socket_mem=socket_mem)
        test(bed, ovs)
    except Skip as e:
        print(f"SKIP: OVS-DPDK cannot run here: {e}")
        rc = SKIP
    except BaseException as e:  # noqa: BLE001 -- any failure fails the test
        print(f"FAIL: {type(e).__name__}: {e}")
        if bed is not None:
            bed.dump_logs()
            if ovs is not None:
                print(f"----- ovs-vswitchd.log\n{ovs.log_tail()}")
        rc = 1
    finally:
        teardown(ovs, bed)
        hp.restore()
    print(f"{'PASS' if rc == 0 else 'SKIP' if rc == SKIP else 'FAIL'} "
          f"({time.monotonic() - t0:.1f} s)")
    sys.exit(rc)
