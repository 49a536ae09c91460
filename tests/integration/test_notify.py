#!/usr/bin/env python3
"""vqosd as systemd runs it (Type=notify, WatchdogSec=), with this test as systemd.

PID 1 here is not systemd, so the test plays its part: a datagram socket
named by $NOTIFY_SOCKET, and $WATCHDOG_USEC=1 s, as systemd sets them for a
service. Each notice is read with the sender's credentials (SO_PASSCRED),
which must be vqosd's main process (the unit's NotifyAccess=main). Checked:

- READY=1 comes once, when the ports are up and the control socket
  answers, with a STATUS= that says so;
- WATCHDOG=1 comes every half second (half of WatchdogSec=) while the
  data-path lcores run, at least 5 in 3 s: idle and asleep (their sleeps
  count moves), and in the _polling run idle and polling (their passes);
- a reload by SIGHUP (the unit's ExecReload) and one by `vqosctl reload`
  are each RELOADING=1 (with MONOTONIC_USEC=) then READY=1;
- SIGTERM gives STOPPING=1, and vqosd exits 0 with its pools whole.
"""
import os
import signal
import socket
import struct
import time

from vqostest import check, main


class FakeSystemd:
    """The notify socket of a service manager: datagrams with credentials."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.got = []  # (time, pid, {key: value})

    def read(self, timeout):
        """Every notice that comes within @timeout s of the last one."""
        self.sock.settimeout(timeout)
        new = []
        try:
            while True:
                msg, anc, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
                pid = None
                for level, kind, data in anc:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                        pid = struct.unpack("iII", data[:12])[0]
                fields = dict(line.split("=", 1) for line in msg.decode().split("\n") if line)
                new.append((time.monotonic(), pid, fields))
        except (socket.timeout, BlockingIOError):
            pass
        self.got += new
        return new

    def wait_for(self, key, timeout):
        """The first notice with @key that comes within @timeout s, or None;
        what came before it stays in self.got."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            for n in self.read(0.2):
                if key in n[2]:
                    return n
        return None


def test_notify(bed):
    sd = FakeSystemd(bed.path("notify.sock"))
    ports = [{"name": f"c{i}", "socket": bed.path(f"c{i}.sock"),
              "uplink": f"net_vhost_u{i},iface={bed.path(f'u{i}.sock')}"} for i in (1, 2)]
    # Bed.vqosd returns once the control socket exists: nothing may have
    # been said before that, READY=1 least of all.
    d = bed.vqosd(ports, env={"NOTIFY_SOCKET": sd.path, "WATCHDOG_USEC": "1000000"})
    early = [n for n in sd.read(0) if "READY" in n[2]]
    ready = early[0] if early else sd.wait_for("READY", 20)
    check(ready is not None, "READY=1 comes")
    check(ready[1] == d.pid, f"from vqosd's main process (pid {ready[1]}, vqosd {d.pid})")
    check(sorted(bed.ports()) == ["c1", "c2"], "the ports are up and the control socket answers "
          "when it does")
    check(ready[2].get("STATUS", "").startswith("2 port(s) up"),
          f"its STATUS says so ({ready[2].get('STATUS')!r})")
    check(sum("READY" in n[2] for n in sd.got) == 1, "READY=1 comes once")

    # The watchdog: every 0.5 s while the lcores run, here idle: asleep by
    # default, polling in the _polling run (datapath.sleep_max 0).
    t0 = time.monotonic()
    while time.monotonic() - t0 < 3.0:
        sd.read(0.1)  # returns at the first 0.1 s without a notice
    pings = [n for n in sd.got if "WATCHDOG" in n[2] and n[0] >= t0]
    check(len(pings) >= 5, f"WATCHDOG=1 every half WatchdogSec= ({len(pings)} in 3 s)")
    check(all(n[1] == d.pid and n[2]["WATCHDOG"] == "1" for n in pings),
          "each from vqosd's main process")
    gaps = [b[0] - a[0] for a, b in zip(pings, pings[1:])]
    check(max(gaps) < 0.8, f"at most 0.8 s apart (largest gap {max(gaps):.2f} s)")
    lcore = bed.lcore()
    if os.environ.get("VQOS_SLEEP_MAX") == "0":
        check(lcore["sleeps"] == 0, "while the idle lcore polls (no sleeps)")
    else:
        check(lcore["sleeps"] > 0, f"while the idle lcore sleeps ({lcore['sleeps']} sleeps)")

    # Reloads: RELOADING=1 then READY=1, by SIGHUP and by vqosctl.
    for how in ("SIGHUP", "vqosctl reload"):
        n0 = len(sd.got)
        if how == "SIGHUP":
            d.send_signal(signal.SIGHUP)
        else:
            bed.ctl("reload")
        again = sd.wait_for("READY", 10)
        seen = [n[2] for n in sd.got[n0:] if "WATCHDOG" not in n[2]]
        check(again is not None and len(seen) >= 2 and "RELOADING" in seen[0]
              and "MONOTONIC_USEC" in seen[0] and "READY" in seen[1],
              f"{how}: RELOADING=1 (with MONOTONIC_USEC=), then READY=1 ({seen})")
        check(seen[1].get("STATUS", "").startswith("reloaded"),
              f"{how}: STATUS={seen[1].get('STATUS')!r}")

    # Stop: STOPPING=1, then a clean exit.
    n0 = len(sd.got)
    bed.stop_vqosd(d)
    sd.read(0.5)
    stopping = [n for n in sd.got[n0:] if "STOPPING" in n[2]]
    check(len(stopping) == 1 and stopping[0][1] == d.pid, "SIGTERM: STOPPING=1")
    sd.sock.close()


if __name__ == "__main__":
    main(test_notify)
