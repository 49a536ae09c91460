#!/usr/bin/env python3
"""The CNI plugin `vqos`, driven as a container runtime drives it.

A runtime calls CNI plugins through libcni: cnirun (cnirun.go, built here
against Debian's libcni, since Debian ships no cnitool) is that runtime,
with cnitool's command line and environment (NETCONFPATH, CNI_PATH,
CAP_ARGS). The pod has a network namespace (`ip netns add`) and its
container is a vqos-gen on the pod's vhost-user socket; its uplink's peer
is a vqos-gen sink.

- ADD with kubelet's egress annotation, 10 Mbit/s (and kubelet's "no
  burst" sentinel, 2^31-1 bits): the port comes with its classes, so from
  its first packet the pod gets no more than the limit: a blast of 1.3 MB
  takes over a second to reach the sink, which bounds what the sink got in
  the first second by rate x 1 s + burst + one data-path burst (32 frames:
  tx takes a grant's packets from the vring before it knows their bytes,
  and repays the debt before it sends again). The reference bandwidth
  plugin let 1.5-2 Gbit/s through a 10-15 Mbit/s limit in the first second
  (containernetworking/plugins #609). Over several seconds the sink gets
  10 Mbit/s within 2%.
- CHECK passes, and fails naming the field once `vqosctl class change`
  changed the pod's class.
- DEL removes the port, its socket and its classes; DEL again succeeds.
- Chained after Debian's loopback plugin, ADD passes its result on.
- Errors, as the runtime reads them: a bad key, a guarantee vqosd refuses
  (its message), and ADD with vqosd stopped (naming its socket); DEL with
  vqosd stopped succeeds.
"""
import json
import math
import os
import signal
import subprocess

from vqostest import BUILD, ENV, Failure, check, main, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN_DIR = os.path.join(BUILD, "cni")
CNIRUN = os.path.join(BUILD, "tests", "integration", "cnirun")
# Debian's reference plugins (containernetworking-plugins): loopback is chained before vqos
DEBIAN_CNI = "/usr/lib/cni"

CONTAINER_ID = "5e1f0e6b4c3a29d8e7f6a5b4c3d2e1f00112233445566778899aabbccddeeff0"
IFNAME = "net1"
PORT = CONTAINER_ID[:12] + "-" + IFNAME
LIMIT_BPS = 10_000_000
# frames vqosd's data path takes from a vring at once (vhost_tx's VQOS_DP_BURST)
DP_BURST = 32
# what kubelet passes for a pod annotated kubernetes.io/egress-bandwidth: 10M
KUBELET_CAP_ARGS = {"bandwidth": {"egressRate": LIMIT_BPS, "egressBurst": 2**31 - 1}}

TREE = """
tx = { qdisc = "htb"; classes = (
    { name = "root"; rate = "1gbit"; },
    { name = "c0"; parent = "root"; port = "c0"; rate = "1mbit"; }
); };
rx = { qdisc = "htb"; classes = (
    { name = "root"; rate = "1gbit"; },
    { name = "c0"; parent = "root"; port = "c0"; rate = "1mbit"; }
); };
"""


def build_cnirun():
    """cnirun, built with Debian's golang-go and libcni (GOPATH mode, no
    network), into the build directory; kept when it is newer than its source."""
    src = os.path.join(HERE, "cnirun.go")
    if os.path.exists(CNIRUN) and os.path.getmtime(CNIRUN) >= os.path.getmtime(src):
        return
    os.makedirs(os.path.dirname(CNIRUN), exist_ok=True)
    env = dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off", GOFLAGS="",
               GOCACHE=os.path.join(BUILD, "go-cache"))
    r = subprocess.run(["go", "build", "-o", CNIRUN, src], cwd=HERE, env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure("cannot build cnirun (scripts/deps.sh installs golang-go and "
                      f"golang-github-appc-cni-dev): {r.stderr.strip()}")


class Runtime:
    """A runtime's CNI calls for one pod, through cnirun (libcni)."""

    def __init__(self, bed, netns):
        self.bed = bed
        self.netns = f"/var/run/netns/{netns}"
        self.confdir = bed.path("net.d")
        os.makedirs(self.confdir)

    def network(self, name, plugins, version="1.0.0"):
        """Write network @name: a list of @plugins (dicts), as a .conflist."""
        with open(os.path.join(self.confdir, f"{name}.conflist"), "w") as f:
            json.dump({"cniVersion": version, "name": name, "plugins": plugins}, f, indent=2)

    def __call__(self, cmd, network, cap_args=None, cni_args=None, expect=0):
        # the plugin is an ASan build: its leaks fail it, as any other error
        env = dict(ENV, ASAN_OPTIONS="detect_leaks=1", NETCONFPATH=self.confdir, CNI_PATH=f"{PLUGIN_DIR}:{DEBIAN_CNI}",
                   CNI_CONTAINERID=CONTAINER_ID, CNI_IFNAME=IFNAME,
                   CNI_CACHE_DIR=self.bed.path("cni-cache"))
        if cap_args is not None:
            env["CAP_ARGS"] = json.dumps(cap_args)
        if cni_args is not None:
            env["CNI_ARGS"] = cni_args
        r = subprocess.run([CNIRUN, cmd, network, self.netns], env=env, capture_output=True,
                           text=True, timeout=30)
        if r.returncode != expect:
            raise Failure(f"cnirun {cmd} {network}: exit {r.returncode}, expected {expect}: "
                          f"{r.stdout.strip()} {r.stderr.strip()}")
        return json.loads(r.stdout) if r.stdout.strip() else None


def vqos_plugin(bed, **extra):
    """The plugin's configuration in a network list."""
    conf = {"type": "vqos", "capabilities": {"bandwidth": True},
            "control": bed.path("ctl.sock"), "socketDir": bed.dir,
            "uplink": f"net_vhost_{{port}},iface={bed.path('up-{port}.sock')}",
            "parent": "root"}
    conf.update(extra)
    return conf


def classes(bed, port):
    return {d: {c["name"]: c for c in json.loads(
        bed.ctl("-j", "class", "show", d, "port", port).stdout)} for d in ("tx", "rx")}


def best_frame(total):
    """A frame size (1000..1500 bytes) for a blast of just over @total
    bytes: the one whose last frame must wait the longest past 1 s."""
    return max(range(1000, 1501), key=lambda s: s - total % s)


def first_second(bed, sock, uplink):
    """A blast into the pod: what reached the sink, and when. Returns
    (frames, frame bytes, rate, burst, seconds from first to last frame)."""
    cls = classes(bed, PORT)["tx"][PORT]
    rate, burst = cls["ceil_bps"], max(cls["burst"], cls["cburst"])
    # the most vqosd lets through in 1 s: rate x 1 s + burst + what one grant
    # may overdraw, a data-path burst of frames (tx takes a grant's packets
    # from the vring before it knows their bytes; the debt is repaid before
    # the next); frames enough for one more, which then cannot reach the
    # sink within the first second
    allowed = rate // 8 + burst
    size = best_frame(allowed)
    frames = (allowed + DP_BURST * size) // size + 1
    sink = bed.gen(f"net_virtio_user0,path={uplink}", "--rate", 0, "--duration", 0,
                   "--linger", 300, log="sink-a.log")
    wait_for(lambda: bed.ports()[PORT]["uplink_up"], 30, "the sink on the pod's uplink")
    pod = bed.gen(f"net_virtio_user0,path={sock},queue_size=2048", "--rate", "1gbit",
                  "--size", size, "--count", frames, "--duration", 60, "--linger", 60,
                  log="pod-a.log")
    wait_for(lambda: bed.ports()[PORT]["tx"]["packets"] == frames, 30,
             f"vqosd to send the pod's {frames} frames")
    pod.send_signal(signal.SIGINT)
    sink.send_signal(signal.SIGINT)
    g, k = bed.gen_result(pod), bed.gen_result(sink)
    check(g["tx"]["packets"] == frames and k["rx"]["packets"] == frames,
          f"the sink got each of the pod's {frames} frames of {size} bytes "
          f"({k['rx']['packets']}), sent at {g['tx']['bps'] / 1e6:.0f} Mbit/s")
    return frames, size, rate, burst, k["rx"]["time_s"]


def test_cni(bed):
    build_cnirun()
    netns = f"vqt-cni-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", netns], check=True)
    try:
        run_test(bed, netns)
    finally:
        subprocess.run(["ip", "netns", "del", netns])


def run_test(bed, netns):
    rt = Runtime(bed, netns)
    sock, uplink = bed.path(f"{PORT}.sock"), bed.path(f"up-{PORT}.sock")
    d = bed.vqosd([{"name": "c0", "socket": bed.path("c0.sock"),
                    "uplink": f"net_vhost_u0,iface={bed.path('u0.sock')}"}], extra=TREE)

    r = subprocess.run([os.path.join(PLUGIN_DIR, "vqos")], input='{"cniVersion": "0.4.0"}',
                       env=dict(ENV, CNI_COMMAND="VERSION"), capture_output=True, text=True)
    check(r.returncode == 0 and json.loads(r.stdout) == {
        "cniVersion": "0.4.0", "supportedVersions": ["0.4.0", "1.0.0"]},
        f"VERSION: {r.stdout.strip()}")

    # ADD, as kubelet asks for a pod annotated egress-bandwidth 10M
    rt.network("pods", [vqos_plugin(bed, rate="1mbit")])
    res = rt("add", "pods", cap_args=KUBELET_CAP_ARGS)
    check(res["interfaces"] == [{"name": IFNAME, "sandbox": rt.netns}],
          f"ADD's result names the pod's interface in its sandbox ({res})")
    check(PORT in bed.ports() and os.path.exists(sock),
          f"the port {PORT} is up, its socket made")
    cl = classes(bed, PORT)
    tx, rx = cl["tx"][PORT], cl["rx"][PORT]
    print(f"  tx class: rate {tx['rate_bps']} ceil {tx['ceil_bps']} burst {tx['burst']} "
          f"cburst {tx['cburst']}; rx: rate {rx['rate_bps']} ceil {rx['ceil_bps']}")
    check(tx["ceil_bps"] == LIMIT_BPS and tx["rate_bps"] == 1_000_000 and tx["parent"] == "root",
          "egress (what the pod sends) is its tx class: ceil the limit, rate the guarantee")
    check(rx["ceil_bps"] == 1_000_000_000 and rx["rate_bps"] == 1_000_000,
          "ingress, unlimited, may borrow up to its parent's ceiling")
    check(max(tx["burst"], tx["cburst"]) < 64 * 1024,
          "kubelet's no-burst sentinel (2^31-1 bits) is not taken for a 256 MiB burst")

    # the first second: a blast straight after ADD, as a container starts
    frames, size, rate, burst, span = first_second(bed, sock, uplink)
    most = (frames - 1) * size
    bound = rate // 8 + burst + DP_BURST * size
    print(f"  beyond the rate over those {span:.4f} s: {frames * size - rate / 8 * span:.0f} "
          f"bytes (burst {burst})")
    print(f"  {frames} frames of {size} bytes ({frames * size} bytes) took {span:.4f} s; "
          f"rate x 1 s + burst + {DP_BURST} frames = {bound} bytes")
    check(span >= 1.0,
          f"the last frame reached the sink {span:.4f} s after the first: the first second "
          f"brought at most {most} bytes <= rate x 1 s + burst + {DP_BURST} frames "
          f"({rate // 8} + {burst} + {DP_BURST * size}), not the whole blast")

    # several seconds: the limit at the sink
    sink = bed.gen(f"net_virtio_user0,path={uplink}", "--rate", 0, "--duration", 0,
                   "--linger", 300, log="sink-b.log")
    wait_for(lambda: bed.ports()[PORT]["uplink_up"], 30, "the sink, again")
    pod = bed.gen(f"net_virtio_user0,path={sock},queue_size=1024", "--rate", "30mbit",
                  "--size", 1000, "--duration", 6, "--linger", 3, log="pod-b.log")
    g = bed.gen_result(pod)
    wait_for(lambda: bed.ports()[PORT]["tx"]["packets"] == frames + g["tx"]["packets"], 10,
             "vqosd to take what the pod's vring held")
    sink.send_signal(signal.SIGINT)
    k = bed.gen_result(sink)
    print(f"  pod offered {g['tx']['bps'] / 1e6:.3f} Mbit/s; the sink got "
          f"{k['rx']['bps'] / 1e6:.3f} Mbit/s over {k['rx']['time_s']:.2f} s")
    check(k["rx"]["packets"] == g["tx"]["packets"], "tx is lossless: the sink got every frame")
    check(abs(k["rx"]["bps"] - LIMIT_BPS) <= 0.02 * LIMIT_BPS,
          "the sink gets the pod's 10 Mbit/s egress limit within 2%")

    # CHECK
    rt("check", "pods", cap_args=KUBELET_CAP_ARGS)
    check(True, "CHECK passes")
    bed.ctl("class", "change", "tx", "name", PORT, "ceil", "20mbit")
    err = rt("check", "pods", cap_args=KUBELET_CAP_ARGS, expect=1)
    check(err["code"] == 101 and err["msg"] == (
        f"class '{PORT}' (tx) of port {PORT}: ceil is 20Mbit in vqosd, 10Mbit for the pod"),
        f"CHECK after a class change fails, naming the field ({err['msg']})")

    # DEL, twice
    rt("del", "pods", cap_args=KUBELET_CAP_ARGS)
    check(PORT not in bed.ports() and not os.path.exists(sock)
          and classes(bed, PORT) == {"tx": {}, "rx": {}},
          "DEL removes the port, its socket and its classes")
    rt("del", "pods", cap_args=KUBELET_CAP_ARGS)
    check(True, "DEL again succeeds")

    # chained after Debian's loopback plugin: its result passed on
    rt.network("chained", [{"type": "loopback"}, vqos_plugin(bed, rate="1mbit")])
    res = rt("add", "chained", cap_args=KUBELET_CAP_ARGS)
    check(res.get("interfaces", [{}])[0].get("name") == "lo" and PORT in bed.ports(),
          f"chained after loopback: its result passed on, the port added ({res})")
    check(classes(bed, PORT)["tx"][PORT]["ceil_bps"] == LIMIT_BPS,
          "... with the pod's limit")
    rt("check", "chained", cap_args=KUBELET_CAP_ARGS)
    rt("del", "chained", cap_args=KUBELET_CAP_ARGS)
    check(PORT not in bed.ports(), "CHECK and DEL of the chain")

    # errors as the runtime reads them
    rt.network("bad", [vqos_plugin(bed, rate="10kpps")])
    err = rt("add", "bad", expect=1)
    check(err["code"] == 7 and err["msg"].startswith("key 'rate': '10kpps' is a packet rate"),
          f"a bad key is named ({err['msg']})")
    err = rt("add", "pods", cni_args="IgnoreUnknown=1;VQOS_RATE=2gbit", expect=1)
    check(err["code"] == 100 and err["msg"].startswith(f"vqosd refused `port add` for port {PORT}: ")
          and "its children's rates add up to 2001mbit, over its rate 1gbit" in err["msg"],
          f"a guarantee vqosd refuses: its message ({err['msg']})")
    check(PORT not in bed.ports(), "... and no port is left behind")

    bed.stop_vqosd(d)
    err = rt("add", "pods", cap_args=KUBELET_CAP_ARGS, expect=1)
    check(err["code"] == 11 and bed.path("ctl.sock") in err["msg"],
          f"ADD with vqosd stopped names its socket ({err['msg']}; {err['details']})")
    rt("del", "pods")
    check(True, "DEL with vqosd stopped succeeds")


if __name__ == "__main__":
    main(test_cni)
