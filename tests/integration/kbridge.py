"""Kernel network namespaces joined to vhost-user: iperf3, ping or `tc` on
the kernel's TCP/IP stack, on one side of a vhost-user socket.

    bed = vqostest.Bed("tcp")                 # processes and files of the run
    a = KernelPort(bed, "a", "10.77.0.1/24")  # netns + veth, offloads off
    a.attach(virtio_user(sock))               # forwarder: veth <-> vhost-user
    b = KernelPort(bed, "b", "10.77.0.2/24")
    b.attach(vhost(sock2))
    a.spawn(["iperf3", "-c", "10.77.0.2", "-J"], "cli.json")   # in netns A
    a.fwd.stats()        # the forwarder's own counters and drops, per port
    attach_all(bed, [(a, vdev_a), (b, vdev_b)])  # or: one forwarder for both
    a.close(); b.close() # also done at exit, however the run ends

What a KernelPort is: a network namespace NAME (unique: vqkb-PID-TAG) with
one end of a veth pair in it (interface `eth0`, the given address and MAC,
up, with lo), the other end in the root namespace (`kbPID-N`, no address,
IPv6 off so it sends nothing of its own). Checksum and segmentation
offloads are off on both ends (`ethtool -K IF tx off tso off gso off gro
off`): every frame on the veth is a real one of at most the MTU, with its
checksum filled in, which is what a DPDK port may carry.

The forwarder (attach()) is Debian's dpdk-testpmd, interactive over its
stdin, with two ports: port 0 `net_af_packet` on the root end of the veth,
port 1 the vhost-user device given (virtio_user() to connect to a socket
vqosd or OVS serves, or serve one with server=True; vhost() to serve one a
virtio_user peer connects to). It forwards io, both directions on one lcore
(pinned to @cpu), --no-huge, its own --file-prefix, started through the
Bed (killed, its files removed however the run ends).

Drops of the forwarder: a plain io forwarder frees what its tx port does not
take (a full vring: the peer is slower), which TCP sees as loss that is not
the peer's (here 10% of a TCP flow's frames at 300 Mbit/s). So by default
testpmd's io mode retries a short tx up to RETRY times, @retry_us apart
(`set fwd io retry`, `set burst tx delay US retry N`; attach(retry=0) for
plain io), and a full vring holds the forwarder back instead; frames wait in
the af_packet socket's ring (@framecnt frames), where the kernel drops what
does not fit. stats() reports what testpmd counted per port (rx, tx, its
tx drops, rx missed); the kernel's drops at the socket are not visible
there: link_stats() gives the veth ends' counters (inner tx_packets -
forwarder port 0 rx = frames the socket's ring dropped).

One forwarder per KernelPort means one busy-polling thread each: on a
2-CPU machine two of them taking turns on one CPU put ~12 ms into an idle
ping. attach_all(bed, [(kport, vdev), ...]) runs one testpmd for all of
them (pairs of ports 2i, 2i+1, one polling lcore): ~0.1 ms through OVS.

Needs root (ip netns, veth, af_packet) and iproute2, ethtool, dpdk-testpmd
(scripts/deps.sh results installs ethtool, iperf3 and ping; dpdk comes with
the build deps). `python3 tests/integration/kbridge.py` checks the rig: iperf3 TCP
from netns A to B through two forwarders joined by one vhost-user socket.
"""
import atexit
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vqostest import TESTPMD, Failure, wait_for  # noqa: E402

_COUNT = [0]
# Default tx retries of a forwarder (10 us apart: up to 1 s), so that a full
# vring holds it back rather than makes it drop; retry=0: plain io.
RETRY = 100000


def _run(argv, check=True):
    r = subprocess.run(argv, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise Failure(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def virtio_user(sock, server=False, queue_size=256, name=None):
    """Devargs of a net_virtio_user port on @sock: connects to it (vqosd's
    container port, vqosd's net_vhost uplink), or with @server serves it
    (an OVS dpdkvhostuserclient port, a vqosd port in client mode)."""
    _COUNT[0] += 1
    n = name or f"net_virtio_user{_COUNT[0]}"
    return f"{n},path={sock},queue_size={queue_size}" + (",server=1" if server else "")


def vhost(sock, client=False, name=None):
    """Devargs of a net_vhost port on @sock: serves it (a virtio_user peer,
    vqosd's virtio_user uplink, connects), or with @client connects."""
    _COUNT[0] += 1
    n = name or f"net_vhost{_COUNT[0]}"
    return f"{n},iface={sock}" + (",client=1" if client else "")


class Forwarder:
    """dpdk-testpmd io-forwarding between af_packet on @iface and @vdev."""

    # testpmd answers "show port summary all" with this line: what was sent
    # before it has been carried out once it is printed.
    MARK = "Number of available ports"

    def __init__(self, bed, iface, vdev, cpu=0, retry=RETRY, retry_us=10, framecnt=1024,
                 burst=32, nice=0, log=None, pairs=None):
        """One pair (@iface, @vdev), or several: @pairs [(iface, vdev), ...]
        in one process (ports 2i and 2i+1 forward to each other: testpmd's
        paired topology), polled by one lcore: one busy-polling thread for
        several KernelPorts instead of one each."""
        self.bed = bed
        pairs = pairs or [(iface, vdev)]
        log = log or f"fwd-{pairs[0][0]}.log"
        vdevs = []
        for ifc, vd in pairs:
            vdevs += ["--vdev", f"net_af_packet{_next()},iface={ifc},framecnt={framecnt},"
                                f"blocksz=4096,framesz=2048,qpairs=1", "--vdev", vd]
        argv = ["nice", "-n", str(nice), "stdbuf", "-oL", TESTPMD, "--no-huge", "-m", "512",
                "--file-prefix", bed.prefix("kbfwd"), "--lcores", f"0@{cpu},1@{cpu}",
                "--no-pci", "--log-level", "*:notice", *vdevs,
                "--", "-i", f"--total-num-mbufs={16384 * len(pairs)}", f"--burst={burst}",
                "--forward-mode=io", "--nb-cores=1", "--port-topology=paired"]
        self.nports = 2 * len(pairs)
        self.p = bed.spawn(argv, log, stdin=subprocess.PIPE)
        self.cmd("show port summary all", 0)
        if retry:
            self.cmd("set fwd io retry", 0)
            self.cmd(f"set burst tx delay {retry_us} retry {retry}", 0)
        self.cmd("start", 0)

    def _log(self):
        with open(self.p.log, errors="replace") as f:
            return f.read()

    def cmd(self, line, pause=0.0, timeout=60):
        """Send @line to testpmd and wait until it has been carried out."""
        marks = self._log().count(self.MARK)
        self.p.stdin.write(line + "\nshow port summary all\n")
        self.p.stdin.flush()
        wait_for(lambda: self._log().count(self.MARK) > marks or self.p.poll() is not None,
                 timeout, f"testpmd to carry out '{line}'")
        if self.p.poll() is not None:
            raise Failure(f"forwarder exited ({self.p.returncode}) on '{line}': "
                          f"{self._log()[-2000:]}")
        if pause:
            time.sleep(pause)

    def stats(self):
        """{0: {...}, 1: {...}}: per port (0 af_packet, 1 vhost-user) the
        packets received and sent, the frames its tx did not take and the
        forwarder freed (tx_dropped: testpmd's fwd stats, cumulative since
        start), rx_missed and tx_errors as the PMD counts them."""
        before = len(self._log())
        self.cmd("show port stats all")
        self.cmd("show fwd stats all")
        text = self._log()[before:]
        out = {}
        for port in range(self.nports):
            m = re.search(r"NIC statistics for port %d\s.*?RX-packets:\s+(\d+)\s+RX-missed:\s+(\d+)"
                          r".*?TX-packets:\s+(\d+)\s+TX-errors:\s+(\d+)" % port, text, re.S)
            if not m:
                raise Failure(f"no port stats for port {port} in: {text[-1500:]}")
            out[port] = {"rx": int(m.group(1)), "rx_missed": int(m.group(2)),
                         "tx": int(m.group(3)), "tx_errors": int(m.group(4)), "tx_dropped": 0}
        # "show fwd stats all" prints per forwarding port "Forward statistics
        # for port N" with "TX-dropped: N"
        for m in re.finditer(r"Forward statistics for port (\d+)\s.*?TX-dropped:\s+(\d+)", text,
                             re.S):
            if int(m.group(1)) in out:
                out[int(m.group(1))]["tx_dropped"] = int(m.group(2))
        return out

    def pair(self, i):
        """A view of pair @i (ports 2i, 2i+1) as a forwarder of its own:
        .p, .stats() -> {0: af_packet port, 1: vhost-user port}, close()."""
        return _Pair(self, i)

    def close(self):
        if self.p.poll() is None:
            try:
                self.p.stdin.write("stop\nquit\n")
                self.p.stdin.flush()
                self.p.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.p.kill()
                self.p.wait()


class _Pair:
    def __init__(self, fwd, i):
        self.fwd, self.i, self.p = fwd, i, fwd.p

    def stats(self):
        st = self.fwd.stats()
        return {0: st[2 * self.i], 1: st[2 * self.i + 1]}

    def close(self):
        self.fwd.close()


def attach_all(bed, ports, **kw):
    """One forwarder for several KernelPorts: @ports [(kport, vdev), ...];
    each kport.fwd becomes a view of its pair (stats() of its two ports).
    @kw as attach(). On a machine with few CPUs one busy-polling forwarder
    costs less delay than one per KernelPort taking turns on a CPU."""
    f = Forwarder(bed, None, None, pairs=[(k.outer, v) for k, v in ports],
                  log=f"fwd-{ports[0][0].outer}.log", **kw)
    for i, (k, _) in enumerate(ports):
        k.fwd = f.pair(i)
    return f


def _next():
    _COUNT[0] += 1
    return _COUNT[0]


class KernelPort:
    """A network namespace with a veth into the root namespace, and (after
    attach()) a forwarder joining the veth to vhost-user."""

    def __init__(self, bed, tag, ip, mac=None, mtu=1500):
        """@tag: short, unique in the run (a-z0-9, up to 6 characters);
        @ip: address/prefix of eth0 in the namespace; @mac: its MAC."""
        if not re.fullmatch(r"[a-z0-9]{1,6}", tag):
            raise ValueError(f"KernelPort tag '{tag}': give 1-6 characters of a-z0-9")
        self.bed = bed
        self.tag = tag
        self.ns = f"vqkb-{os.getpid()}-{tag}"
        self.outer = f"kb{os.getpid() % 100000}{tag}"[:15]
        self.ip = ip.split("/")[0]
        self.fwd = None
        self.procs = []
        self.closed = False
        atexit.register(self.close)
        try:
            _run(["ip", "netns", "add", self.ns])
            _run(["ip", "link", "add", self.outer, "type", "veth", "peer", "name", "eth0",
                  "netns", self.ns])
            _run(["sysctl", "-q", "-w", f"net.ipv6.conf.{self.outer}.disable_ipv6=1"], check=False)
            _run(["ip", "link", "set", self.outer, "mtu", str(mtu), "up"])
            self.run(["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"], check=False)
            if mac:
                self.run(["ip", "link", "set", "eth0", "address", mac])
            self.run(["ip", "addr", "add", ip, "dev", "eth0"])
            self.run(["ip", "link", "set", "eth0", "mtu", str(mtu), "up"])
            self.run(["ip", "link", "set", "lo", "up"])
            for ns, dev in ((None, self.outer), (self.ns, "eth0")):
                argv = ["ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro",
                        "off"]
                _run(["ip", "netns", "exec", ns, *argv] if ns else argv)
            self.mac = self.run(["cat", "/sys/class/net/eth0/address"]).stdout.strip()
        except BaseException:
            self.close()
            raise

    def run(self, argv, check=True):
        """@argv run in the namespace, to its end: a CompletedProcess."""
        return _run(["ip", "netns", "exec", self.ns, *argv], check=check)

    def spawn(self, argv, log):
        """@argv started in the namespace through the Bed, output in @log
        (a name in the Bed's directory); the process."""
        p = self.bed.spawn(["ip", "netns", "exec", self.ns, *argv], log)
        self.procs.append(p)
        return p

    def attach(self, vdev, **kw):
        """Start the forwarder between the veth and @vdev (virtio_user() or
        vhost()); @kw: Forwarder's options (cpu, retry, retry_us, framecnt,
        burst, nice). Returns it (also self.fwd)."""
        self.fwd = Forwarder(self.bed, self.outer, vdev, log=f"fwd-{self.outer}.log", **kw)
        return self.fwd

    def link_stats(self):
        """Kernel counters of both veth ends: {"inner": {...}, "outer": {...}}
        with rx_packets, tx_packets, rx_dropped, tx_dropped (ip -s link).
        inner tx_packets - the forwarder's af_packet rx = frames the kernel
        dropped at the forwarder's socket (its ring full)."""
        import json
        out = {}
        for key, argv in (("inner", ["ip", "netns", "exec", self.ns, "ip", "-s", "-j", "link",
                                     "show", "eth0"]),
                          ("outer", ["ip", "-s", "-j", "link", "show", self.outer])):
            st = json.loads(_run(argv).stdout)[0]["stats64"]
            out[key] = {"rx_packets": st["rx"]["packets"], "tx_packets": st["tx"]["packets"],
                        "rx_dropped": st["rx"]["dropped"], "tx_dropped": st["tx"]["dropped"]}
        return out

    def neigh(self, other):
        """A static ARP entry for KernelPort @other in this namespace (no ARP
        exchange needed before the first packet)."""
        self.run(["ip", "neigh", "replace", other.ip, "lladdr", other.mac, "dev", "eth0",
                  "nud", "permanent"])

    def close(self):
        """Stop the forwarder and what runs in the namespace, delete both."""
        if self.closed:
            return
        self.closed = True
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if self.fwd:
            self.fwd.close()
        _run(["ip", "link", "del", self.outer], check=False)
        _run(["ip", "netns", "del", self.ns], check=False)


def stale():
    """Namespaces and veths that KernelPorts of processes no longer running
    left behind (a run killed with SIGKILL); remove them with sweep()."""
    out = []
    for ns in _run(["ip", "netns", "list"]).stdout.split():
        m = re.fullmatch(r"vqkb-(\d+)-[a-z0-9]+", ns)
        if m and not os.path.exists(f"/proc/{m.group(1)}"):
            out.append(ns)
    return out


def sweep():
    for ns in stale():
        _run(["ip", "netns", "del", ns], check=False)


def main():
    """Self-check: A -> forwarder (net_vhost) -> forwarder (virtio_user) -> B,
    one 5 s iperf3 TCP flow; prints goodput, retransmits and the forwarders'
    counters; exits 1 if no data arrived."""
    import json
    from vqostest import Bed
    bed = Bed("kbridge")
    try:
        a = KernelPort(bed, "a", "10.77.0.1/24")
        b = KernelPort(bed, "b", "10.77.0.2/24")
        a.attach(vhost(bed.path("ab.sock")))
        b.attach(virtio_user(bed.path("ab.sock")))
        a.neigh(b)
        b.neigh(a)
        b.spawn(["iperf3", "-s", "-1"], "srv.log")
        time.sleep(1)
        c = a.spawn(["iperf3", "-c", b.ip, "-t", "5", "-J"], "cli.json")
        c.wait(timeout=60)
        with open(c.log) as f:
            end = json.load(f)["end"]
        mbit = end["sum_received"]["bits_per_second"] / 1e6
        print(f"goodput {mbit:.1f} Mbit/s, retransmits {end['sum_sent']['retransmits']}")
        print(f"forwarder A: {a.fwd.stats()}\nforwarder B: {b.fwd.stats()}")
        a.close()
        b.close()
    finally:
        bed.close()
    sys.exit(0 if mbit > 0 else 1)


if __name__ == "__main__":
    main()
