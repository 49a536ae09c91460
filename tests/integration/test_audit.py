#!/usr/bin/env python3
"""Every change asked of vqosd is logged, accepted or refused, with who asked.

Under vqosd's own DPDK log type `vqosd.audit`: a class change by root
(with vqosctl's pid), a change refused for its words, a reload by SIGHUP
(with the sender's pid), a change refused to an unprivileged user (uid
65534, its pid), a port name built to forge a second line (written as one
quoted word); reads are not logged. With `--log-level vqosd.audit:warning`
the accepted changes go unlogged and the refused ones still appear: the
type is vqosd's own.
"""
import os
import re
import signal
import subprocess
import time

from vqostest import ENV, VQOSCTL, check, main, wait_for

TREE = """
tx = { qdisc = "htb"; classes = (
    { name = "root"; rate = "1gbit"; },
    { name = "c1"; parent = "root"; port = "c1"; rate = "100mbit"; }
); };
"""


def audit_lines(d):
    with open(d.log) as f:
        return [ln for ln in f.read().splitlines() if "vqosd: audit: " in ln]


def ctl_as(bed, argv, uid=None):
    """vqosctl @argv (as @uid if given); its pid and exit code."""
    pre = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"] if uid else []
    p = subprocess.Popen([*pre, VQOSCTL, "-S", bed.ctl_sock, *argv], env=ENV,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p.pid, p.wait(timeout=10)


def test_audit(bed):
    os.chmod(bed.dir, 0o711)  # nobody reaches the socket (mode 0666)
    s1, u1 = bed.path("c1.sock"), bed.path("u1.sock")
    ports = [{"name": "c1", "socket": s1, "uplink": f"net_vhost_u1,iface={u1}"}]
    d = bed.vqosd(ports, extra=TREE, control='mode = "0666"; ')

    pid, rc = ctl_as(bed, ["class", "change", "tx", "name", "c1", "ceil", "900mbit"])
    check(rc == 0, "root changes a class")
    wait_for(lambda: audit_lines(d), 5, "an audit line")
    lines = audit_lines(d)
    check(len(lines) == 1 and lines[0].startswith(
        f"vqosd: audit: uid 0 pid {pid}: class change tx name c1 ceil 900mbit: accepted: "
        "class c1: applied"), f"the accepted change, with vqosctl's pid ({lines})")

    _, rc = ctl_as(bed, ["class", "change", "tx", "name", "c1", "ceil", "lots"])
    check(rc != 0, "a change with a bad rate is refused")
    _, rc = ctl_as(bed, ["port", "show"])
    _, rc = ctl_as(bed, ["class", "show"])
    os.kill(d.pid, signal.SIGHUP)
    wait_for(lambda: len(audit_lines(d)) >= 3, 5, "the SIGHUP's audit line")
    nobody_pid, rc = ctl_as(bed, ["reload"], uid=65534)
    check(rc != 0, "nobody may not reload")
    forged = "x\nvqosd: audit: uid 0 pid 1: reload: accepted"
    _, rc = ctl_as(bed, ["port", "del", forged])
    check(rc != 0, "a port that does not exist cannot be deleted")
    wait_for(lambda: len(audit_lines(d)) >= 5, 5, "five audit lines")
    lines = audit_lines(d)
    check(len(lines) == 5, f"one line per change asked, none for reads ({len(lines)})")
    check(re.search(r"uid 0 pid \d+: class change tx name c1 ceil lots: refused \(EINVAL\): "
                    r".*'lots'", lines[1]) is not None,
          f"the refused change, with vqosd's reason ({lines[1]})")
    check(f"uid 0 pid {os.getpid()}: SIGHUP reload: accepted" in lines[2],
          f"the reload by SIGHUP, with its sender's pid ({lines[2]})")
    check(f"uid 65534 pid {nobody_pid}: reload: refused (EPERM): reload: permission denied"
          in lines[3], f"the unprivileged user's refused change ({lines[3]})")
    check('port del "x\\nvqosd: audit: uid 0 pid 1: reload: accepted": refused (ENOENT)'
          in lines[4], f"a forged name stays one quoted word on one line ({lines[4]})")
    bed.stop_vqosd(d)

    # the type is vqosd's own: its level hides the accepted, not the refused
    d = bed.vqosd(ports, extra=TREE, extra_eal=("--log-level", "vqosd.audit:warning"))
    _, rc = ctl_as(bed, ["class", "change", "tx", "name", "c1", "ceil", "800mbit"])
    check(rc == 0, "root changes a class")
    _, rc = ctl_as(bed, ["class", "change", "tx", "name", "nosuch", "ceil", "800mbit"])
    wait_for(lambda: audit_lines(d), 5, "an audit line")
    time.sleep(0.2)
    lines = audit_lines(d)
    check(len(lines) == 1 and "name nosuch ceil 800mbit: refused" in lines[0],
          f"--log-level vqosd.audit:warning: only the refused change ({lines})")
    bed.stop_vqosd(d)


if __name__ == "__main__":
    main(test_audit)
