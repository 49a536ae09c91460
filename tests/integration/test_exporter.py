#!/usr/bin/env python3
"""vqos-exporter against a real vqosd, scraped as Prometheus scrapes it.

vqosd with two tx classes under a root, a and b (b's socket path has a
double quote and a backslash in it: its port's info label must come back
exactly), and a vqos-gen container on each. vqos-exporter on a free port;
/metrics fetched with urllib and parsed with prometheus_client's own
parser. Checked: vqos_up 1 and the build's version; every family there,
the same families as `vqosctl stats --prometheus`; a sample per port,
class and lcore vqosctl shows; each class's and port's counters between
those of `vqosctl` just before and just after the scrape; the classes'
bytes grow between two scrapes; 404 and 405 for what is not GET /metrics;
then vqosd stopped: still 200, vqos_up 0; vqosd started again: vqos_up 1.
"""
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from vqostest import BUILD, ENV, VQOSCTL, check, main, wait_for

EXPORTER = os.path.join(BUILD, "exporter", "vqos-exporter")

TREE = """
tx = {
  qdisc = "htb";
  classes = (
    { name = "root"; rate = "1gbit"; },
    { name = "a"; parent = "root"; port = "a"; rate = "20mbit"; ceil = "40mbit"; },
    { name = "b"; parent = "root"; port = "b"; rate = "20mbit"; ceil = "40mbit"; prio = 1; }
  );
};
"""

# Every family the exporter serves, as prometheus_client names them (a
# counter's family without its _total).
FAMILIES = {
    "vqos_up", "vqos_build_info",
    "vqos_port_offered_packets", "vqos_port_packets", "vqos_port_bytes", "vqos_port_drops",
    "vqos_port_shaped", "vqos_port_backlog_packets", "vqos_port_uplink_full",
    "vqos_port_vring_full", "vqos_port_link_down", "vqos_port_admit_drops", "vqos_port_connected",
    "vqos_port_uplink_up", "vqos_port_info",
    "vqos_class_bytes", "vqos_class_packets", "vqos_class_drops", "vqos_class_overlimits",
    "vqos_class_borrowed", "vqos_class_lended", "vqos_class_backlog_packets",
    "vqos_class_backlog_bytes",
    "vqos_lcore_packets", "vqos_lcore_busy_packets", "vqos_lcore_cycles", "vqos_lcore_unknown_dst",
    "vqos_lcore_cpu_wait_seconds", "vqos_lcore_sleeps", "vqos_lcore_kicks", "vqos_lcore_ports",
}


def families(text):
    """{family name: family} of a page, by prometheus_client's parser."""
    return {f.name: f for f in text_string_to_metric_families(text)}


def sample(fams, family, **labels):
    """The value of @family's one sample whose labels include @labels."""
    found = [s.value for s in fams[family].samples
             if all(s.labels.get(k) == v for k, v in labels.items())]
    if len(found) != 1:
        raise AssertionError(f"{family}{labels}: {len(found)} samples")
    return found[0]


def get(url, method="GET"):
    """(status, headers, body) of one request."""
    req = urllib.request.Request(url, method=method, data=b"x=1" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def classes(bed):
    return {(c["dir"], c["name"]): c
            for c in json.loads(bed.ctl("-j", "-s", "class", "show").stdout)}


def test_exporter(bed):
    names = ("a", "b")
    socks = {"a": bed.path("a.sock"), "b": bed.path('b"q\\z.sock')}
    ports = [{"name": n, "socket": socks[n], "uplink": f"net_null{i},no-rx=1"}
             for i, n in enumerate(names)]
    d = bed.vqosd(ports, extra=TREE)
    # a: 2000 500-byte frames a second, b: 1000 1000-byte ones (8 Mbit/s each)
    gen = bed.gen([f"net_virtio_user{i},path={socks[n]}" for i, n in enumerate(names)],
                  "--port", 0, "--rate", "2kpps", "--size", 500, "--duration", 120,
                  "--port", 1, "--rate", "1kpps", "--size", 1000, "--duration", 120,
                  log="gen.log")
    wait_for(lambda: all(p["tx"]["packets"] > 0 for p in bed.ports().values()), 30,
             "both containers to send")

    exp = bed.spawn([EXPORTER, "--listen", "127.0.0.1:0", "--socket", bed.ctl_sock],
                    "exporter.log")

    def port():
        with open(exp.log) as f:
            m = re.search(r"\(port (\d+)\)", f.read())
        return int(m.group(1)) if m else None
    wait_for(lambda: port() is not None or exp.poll() is not None, 10, "vqos-exporter")
    check(exp.poll() is None, f"vqos-exporter listens on 127.0.0.1:{port()}")
    url = f"http://127.0.0.1:{port()}"

    # one scrape between two looks of vqosctl
    before, ports_before = classes(bed), bed.ports()
    t0 = time.monotonic()
    status, headers, text = get(url + "/metrics")
    t1 = time.monotonic()
    after, ports_after = classes(bed), bed.ports()
    check(status == 200, "GET /metrics: 200")
    check(headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8",
          f"in the text format 0.0.4 ({headers['Content-Type']})")
    fams = families(text)
    check(sample(fams, "vqos_up") == 1, "vqos_up 1")
    version = subprocess.run([VQOSCTL, "--version"], capture_output=True, text=True,
                             env=ENV).stdout.split()[1]
    check(fams["vqos_build_info"].samples[0].labels == {"version": version},
          f"vqos_build_info's version is the build's ({version})")
    check(set(fams) == FAMILIES, f"every family is there ({sorted(set(fams) ^ FAMILIES)} differ)")
    for name, f in fams.items():
        check(f.documentation and f.type in ("counter", "gauge") and f.samples,
              f"{name}: HELP, TYPE {f.type} and {len(f.samples)} samples")
    stats = families(bed.ctl("stats", "--prometheus").stdout)
    check(set(stats) | {"vqos_up", "vqos_build_info"} == set(fams),
          "the families of vqosctl stats --prometheus, and vqos_up, vqos_build_info")

    # every class, port and lcore; counters within what vqosctl saw around the scrape
    for (dr, name), c in after.items():
        labels = {"dir": dr, "class": name, "parent": c["parent"] or "", "port": c["port"] or ""}
        for key, fam in (("bytes", "vqos_class_bytes"), ("packets", "vqos_class_packets"),
                         ("drops", "vqos_class_drops"), ("overlimits", "vqos_class_overlimits"),
                         ("borrowed", "vqos_class_borrowed"), ("lended", "vqos_class_lended")):
            v = sample(fams, fam, **labels)
            lo, hi = before[(dr, name)]["stats"][key], c["stats"][key]
            if not lo <= v <= hi:
                raise AssertionError(f"class {dr} {name} {key}: {v} not in [{lo}, {hi}]")
    check(True, f"{len(after)} classes: bytes, packets, drops, overlimits, borrowed, lended "
          "between vqosctl's class show before and after the scrape")
    for name, p in ports_after.items():
        for dr in ("tx", "rx"):
            for key in ("packets", "bytes", "offered", "drops"):
                v = sample(fams, f"vqos_port_{'offered_packets' if key == 'offered' else key}",
                           port=name, dir=dr)
                lo, hi = ports_before[name][dr][key], p[dr][key]
                if not lo <= v <= hi:
                    raise AssertionError(f"port {name} {dr} {key}: {v} not in [{lo}, {hi}]")
        check(sample(fams, "vqos_port_connected", port=name) == 1, f"port {name} connected")
    check(True, "ports' packets, bytes, offered, drops between vqosctl's port show before and "
          "after")
    check(sample(fams, "vqos_port_info", port="b", socket=socks["b"], mode="server") == 1,
          f"a socket path with a quote and a backslash comes back exactly ({socks['b']})")
    lcores = bed.lcores()
    check(all(sample(fams, "vqos_lcore_ports", lcore=str(l["lcore"])) == l["ports"]
              for l in lcores), f"{len(lcores)} lcore(s), ports as lcore show says")

    # the counters grow, at about what the containers send
    time.sleep(2)
    t2 = time.monotonic()
    status, _, text2 = get(url + "/metrics")
    t3 = time.monotonic()
    fams2 = families(text2)
    for name, bps in (("a", 8e6), ("b", 8e6)):
        lab = {"dir": "tx", "class": name, "parent": "root", "port": name}
        b1, b2 = sample(fams, "vqos_class_bytes", **lab), sample(fams2, "vqos_class_bytes", **lab)
        # the scrapes' instants are each within its request
        lo, hi = (b2 - b1) * 8 / (t3 - t0), (b2 - b1) * 8 / (t2 - t1)
        print(f"  class {name}: {b1:.0f} -> {b2:.0f} bytes, {lo / 1e6:.2f}..{hi / 1e6:.2f} Mbit/s")
        check(b2 > b1 and lo <= bps * 1.1 and hi >= bps * 0.9,
              f"class {name}'s bytes grow between scrapes, at its 8 Mbit/s")
    root = {"dir": "tx", "class": "root"}
    check(sample(fams2, "vqos_class_bytes", **root) > sample(fams, "vqos_class_bytes", **root),
          "and the root's")

    # not GET /metrics
    status, _, body = get(url + "/")
    check(status == 404 and "/metrics" in body, f"GET /: 404 ({status})")
    status, _, _ = get(url + "/metrics/x")
    check(status == 404, f"GET /metrics/x: 404 ({status})")
    status, headers, _ = get(url + "/metrics", "POST")
    check(status == 405 and headers["Allow"] == "GET, HEAD", f"POST /metrics: 405 ({status})")
    status, _, body = get(url + "/metrics", "HEAD")
    check(status == 200 and body == "", f"HEAD /metrics: 200, no body ({status})")

    # vqosd stopped, then started again
    gen.send_signal(signal.SIGINT)
    gen.wait(timeout=30)
    bed.stop_vqosd(d)
    status, _, text = get(url + "/metrics")
    fams = families(text)
    check(status == 200 and sample(fams, "vqos_up") == 0 and "vqos_build_info" in fams,
          "vqosd stopped: still 200, vqos_up 0, vqos_build_info")
    check(set(fams) == {"vqos_up", "vqos_build_info"}, "and no counters")
    with open(exp.log) as f:
        log = f.read()
    check(log.count("vqosd does not answer") == 1 and bed.ctl_sock in log,
          "the exporter says once that vqosd does not answer, and where it asked")
    d = bed.vqosd(ports, extra=TREE)
    fams = families(get(url + "/metrics")[2])
    check(sample(fams, "vqos_up") == 1 and
          sample(fams, "vqos_class_bytes", **{"dir": "tx", "class": "a"}) == 0,
          "vqosd started again: vqos_up 1, its counters from 0")
    with open(exp.log) as f:
        check("vqosd answers again" in f.read(), "and the exporter says so")
    exp.send_signal(signal.SIGTERM)
    check(exp.wait(timeout=10) == 0, "vqos-exporter exits 0 on SIGTERM")
    bed.stop_vqosd(d)


if __name__ == "__main__":
    main(test_exporter)
