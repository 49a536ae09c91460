#!/usr/bin/env bash
# The Debian package installed on a fresh Debian 12, not on this machine
# (which has every dependency already): a minimal bookworm (debootstrap
# --variant=minbase) in a temporary chroot, the .deb that scripts/package.sh
# built installed there with `apt-get install ./vqos_*.deb`, which must pull
# its dependencies (Depends only, no Recommends); then its groups (the
# postinst's systemd-sysusers), /run/vqos, the tools' --version, `vqosd
# --check -c /etc/vqos/vqosd.conf`, the man pages and the unit
# (systemd-analyze verify) are checked. vqosd is started as the unit's
# ExecStart starts it, with this script playing systemd: its notify socket
# (READY=1 with STATUS=, WATCHDOG=1; SIGTERM: STOPPING=1, exit 0) and
# vqosctl port show in between, on the packaged file with its uplinks made
# net_vhost ports, which need no OVS. Last the package is removed (its
# conffile stays) and purged (nothing of it stays).
#
# The bootstrapped system is kept as a tarball in build-deb/ (a rerun
# unpacks it instead of bootstrapping: 45-55 s the first time, 11-14 s
# after; delete it to bootstrap anew); the rest is made anew each run.
# Everything runs in a mount namespace of its own; on exit, also on failure,
# vqosd is killed, every mount under the chroot unmounted (findmnt says
# none is left) and the chroot removed. Needs root and Debian's mirror.
#
#   ./scripts/deb-install-test.sh          after scripts/package.sh
#   VQOS_BUILD_DEB=DIR ...                 the package in DIR/packages, the tarball in DIR
#   VQOS_DEBIAN_MIRROR=URL ...             another mirror (default http://deb.debian.org/debian)
#   VQOS_DEBIAN_SECURITY=URL ...           another security mirror (default http://deb.debian.org/debian-security)
#   VQOS_KEEP=1 ...                        keep the chroot (its mounts are gone with the namespace)
# shellcheck disable=SC2016  # dpkg-query's ${field} formats
set -euo pipefail
cd "$(dirname "$0")/.."
B=${VQOS_BUILD_DEB:-build-deb}
MIRROR=${VQOS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${VQOS_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
SUITE=bookworm
ARCH=$(dpkg --print-architecture)
CACHE=$B/debian-$SUITE-minbase-$ARCH.tar.gz

say() { echo "deb-install: $*"; }
die() { echo "deb-install: FAILED: $*" >&2; exit 1; }

if [ -z "${VQOS_DEB_NAMESPACE:-}" ]; then
	[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
	for tool in debootstrap unshare findmnt python3 flock; do
		command -v "$tool" >/dev/null || die "no $tool (scripts/deps.sh installs it)"
	done
	debs=("$B"/packages/vqos_*.deb)
	[ -e "${debs[0]}" ] || die "no $B/packages/vqos_*.deb: run scripts/package.sh first"
	[ ${#debs[@]} = 1 ] || die "more than one package in $B/packages: ${debs[*]}"
	# Mounts made in a private mount namespace never reach the host's
	# (where / may be a shared mount, as systemd makes it).
	VQOS_DEB_NAMESPACE=1 exec unshare --mount --propagation private "$0" "$@"
fi

t0=$(date +%s%N)
lap() {
	local ds=$((($(date +%s%N) - t0) / 100000000))
	echo "deb-install: $1 ($((ds / 10)).$((ds % 10)) s)"
}
deb=$(echo "$B"/packages/vqos_*.deb)
version=$(dpkg-deb -f "$deb" Version)
work=$(mktemp -d /tmp/vqos-debinst.XXXXXX)
R=$work/root

# Mount points under the chroot, deepest first.
mounts() { findmnt -rn -o TARGET | awk -v r="$R" 'index($0, r "/") == 1' | sort -r; }
cleanup() {
	local rc=$? pid left
	set +e
	# Whatever still runs in the chroot (vqosd, if a check failed under it).
	for pid in /proc/[0-9]*; do
		pid=${pid#/proc/}
		[ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$R" ] || continue
		say "killing $(cat "/proc/$pid/comm" 2>/dev/null) ($pid), still running in the chroot"
		kill -KILL "$pid"
	done
	for m in $(mounts); do
		umount "$m" || umount -l "$m"
	done
	rm -f "$CACHE.$$"
	left=$(mounts)
	if [ -n "$left" ]; then
		echo "deb-install: FAILED: still mounted, $work kept: $left" >&2
		exit 1
	fi
	if [ -n "${VQOS_KEEP:-}" ]; then
		say "kept $work"
	else
		rm -rf --one-file-system "$work"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- A fresh Debian 12 ---------------------------------------------------
mkdir "$R"
if [ -f "$CACHE" ] && ! tar -C "$R" -xzf "$CACHE"; then
	say "$CACHE does not unpack: bootstrapping anew"
	rm -f "$CACHE"
	rm -rf --one-file-system "$R" && mkdir "$R"
fi
if [ -f "$CACHE" ]; then
	lap "a minimal Debian $SUITE from $CACHE"
else
	debootstrap --variant=minbase --arch="$ARCH" "$SUITE" "$R" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
		{ tail -20 "$work/debootstrap.log" >&2; die "debootstrap $SUITE from $MIRROR failed"; }
	grep -q "Valid Release signature" "$work/debootstrap.log" ||
		die "debootstrap did not check the Release file's signature (no debian-archive-keyring?)"
	rm -f "$R"/var/cache/apt/archives/*.deb
	mkdir -p "$B"
	tar -C "$R" -cf - . | gzip -1 >"$CACHE.$$" && mv "$CACHE.$$" "$CACHE"
	lap "a minimal Debian $SUITE bootstrapped from $MIRROR, kept as $CACHE"
fi
# Its package sources as a Debian 12 installation has them; the host's
# resolver; no service started by a package script (policy-rc.d).
rm -f "$R/etc/apt/sources.list"
cat >"$R/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
cp -L /etc/resolv.conf "$R/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
mount --bind /proc "$R/proc"
mount -o bind,ro /sys "$R/sys"
inside() { chroot "$R" "$@"; }
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

fail=0
no() { echo "deb-install: $*" >&2; fail=1; }
checked() { [ $fail = 0 ] || die "$1"; lap "$1: ok"; }

# --- Install ------------------------------------------------------------
inside dpkg-query -W -f='${Package}\n' | sort >"$work/before"
if grep -qx librte-eal23 "$work/before"; then no "librte-eal23 is installed before the package"; fi
for g in vqos vqos-admin; do
	if inside getent group $g >/dev/null; then no "the group $g is there before the package"; fi
done
[ ! -e "$R/run/vqos" ] || no "/run/vqos is there before the package"
checked "the fresh system has none of it"

cp "$deb" "$R/tmp/"
inside apt-get update -q >"$work/apt.log" 2>&1 ||
	{ tail -20 "$work/apt.log" >&2; die "apt-get update in the chroot failed"; }
inside sh -c "cd /tmp && apt-get install -y --no-install-recommends ./$(basename "$deb")" >>"$work/apt.log" 2>&1 ||
	{ tail -30 "$work/apt.log" >&2; die "apt-get install ./$(basename "$deb") failed"; }
rm "$R/tmp/$(basename "$deb")"
lap "apt-get install ./$(basename "$deb")"

installed() { inside dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'; }
installed vqos || no "vqos is not installed ($(inside dpkg-query -W -f='${db:Status-Abbrev}' vqos 2>&1))"
inside dpkg-query -W -f='${Package}\n' | sort >"$work/after"
pulled=$(comm -13 "$work/before" "$work/after" | grep -vx vqos | tr '\n' ' ')
say "pulled: $pulled"
# Each of Depends' items (one of its alternatives) is installed, and the
# DPDK libraries, absent before, came with the package.
IFS=, read -ra items <<<"$(dpkg-deb -f "$deb" Depends)"
for item in "${items[@]}"; do
	ok=0
	IFS='|' read -ra alts <<<"$item"
	for alt in "${alts[@]}"; do
		alt=$(echo "$alt" | sed 's/(.*)//; s/ //g')
		if installed "$alt"; then ok=1; fi
	done
	[ $ok = 1 ] || no "Depends:$item is not installed"
done
for lib in librte-eal23 librte-ethdev23 librte-vhost23 librte-net-vhost23 libconfig9 libjansson4; do
	[[ " $pulled " == *" $lib "* ]] || no "$lib did not come with the package"
done
checked "dependencies pulled"

# The package scripts' work (systemd-sysusers, systemd-tmpfiles).
inside getent group vqos >/dev/null || no "no group vqos"
inside getent group vqos-admin >/dev/null || no "no group vqos-admin"
[ -d "$R/run/vqos" ] || no "no /run/vqos"
[ "$(stat -c '%a %U %G' "$R/run/vqos" 2>/dev/null)" = "755 root root" ] ||
	no "/run/vqos is $(stat -c '%a %U %G' "$R/run/vqos" 2>&1), not 755 root root"
for tool in vqosd vqosctl vqos-gen vqos-exporter vqos-ovs; do
	out=$(inside "$tool" --version 2>&1) || true
	[ "$out" = "$tool ${version%-*}" ] || no "$tool --version: '$out', not '$tool ${version%-*}'"
done
out=$(inside /usr/lib/cni/vqos --version 2>&1) || true
[ "$out" = "vqos (CNI plugin) ${version%-*}" ] || no "/usr/lib/cni/vqos --version: '$out'"
out=$(inside vqosd --check -c /etc/vqos/vqosd.conf 2>&1) || true
[ "$out" = "/etc/vqos/vqosd.conf: ok" ] || no "vqosd --check -c /etc/vqos/vqosd.conf: $out"
for page in man8/vqosd.8 man8/vqosctl.8 man8/vqos-exporter.8 man8/vqos-ovs.8 man8/vqos-cni.8 \
	man1/vqos-gen.1 man5/vqosd.conf.5; do
	f=$R/usr/share/man/$page.gz
	zcat "$f" 2>/dev/null | grep -q "^\.TH .* \"vqos ${version%-*}\"" ||
		no "no man page /usr/share/man/$page.gz (or its .TH is not of vqos ${version%-*})"
done
for u in /lib/systemd/system/vqos-exporter.service /lib/systemd/system/vqosd.service; do
	out=$(inside systemd-analyze verify --man=no "$u" 2>&1) || no "systemd-analyze verify $u failed"
	[ -z "$out" ] || no "systemd-analyze verify $u: $out"
done
unit=/lib/systemd/system/vqosd.service
checked "groups, /run/vqos, --version, --check, man pages, systemd-analyze verify"

# --- Started as systemd starts it -----------------------------------------
# The unit's ExecStart with a file that comes up without OVS: the packaged
# one with its uplinks (virtio_user ports that wait for OVS to connect)
# made net_vhost ports that wait for nobody. Its groups, tree and EAL
# arguments are the package's.
conf=/tmp/vqosd-test.conf
sed -E 's|uplink = "net_virtio_user([0-9]+),path=([^,"]+),server=1"|uplink = "net_vhost\1,iface=\2"|' \
	"$R/etc/vqos/vqosd.conf" >"$R$conf"
nports=$(grep -c 'uplink = "net_vhost' "$R$conf" || true)
if [ "$nports" = 0 ] || grep -q "^[^#]*net_virtio_user" "$R$conf"; then
	die "the packaged /etc/vqos/vqosd.conf's uplinks are not 'net_virtio_userN,path=P,server=1' ones: adapt this script"
fi
exec_start=$(sed -n 's/^ExecStart=//p' "$R$unit")
[[ $exec_start == *" -c /etc/vqos/vqosd.conf "* ]] || die "ExecStart ($exec_start) runs no -c /etc/vqos/vqosd.conf"
exec_start=${exec_start/ -c \/etc\/vqos\/vqosd.conf / -c $conf }
watchdog=$(sed -n 's/^WatchdogSec=\([0-9]*\)s$/\1/p' "$R$unit")
[ -n "$watchdog" ] || die "the unit's WatchdogSec= is not in seconds"
grep -qx 'Type=notify' "$R$unit" || die "the unit is not Type=notify"
grep -qx 'StateDirectory=vqos' "$R$unit" || die "the unit has no StateDirectory=vqos"
# What systemd does first: StateDirectory=, StateDirectoryMode=.
install -d -m "$(sed -n 's/^StateDirectoryMode=//p' "$R$unit")" "$R/var/lib/vqos"
mkdir -p "$R/run/systemd"  # systemd (the package) made it already

cat >"$work/systemd.py" <<'EOF'
"""systemd's part in starting the unit: its notify socket and environment."""
import json, os, resource, signal, socket, struct, subprocess, sys, time

root, work, exec_start, watchdog_s, nports = sys.argv[1], sys.argv[2], sys.argv[3].split(), \
    int(sys.argv[4]), int(sys.argv[5])
NOTIFY = "/run/systemd/notify"  # systemd's own, as the chroot sees it


def fail(msg):
    print(f"deb-install: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(root + NOTIFY)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)


def notice(key, timeout, vqosd):
    """The first notice with @key within @timeout s: (pid, {key: value})."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        sock.settimeout(0.2)
        try:
            msg, anc, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except socket.timeout:
            if vqosd.poll() is not None:
                return None
            continue
        pid = None
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", data[:12])[0]
        fields = dict(line.split("=", 1) for line in msg.decode().split("\n") if "=" in line)
        print(f"deb-install: notice from {pid}: {fields}")
        if key in fields:
            return pid, fields
    return None


# LimitMEMLOCK=infinity, inherited by vqosd; a machine that does not allow
# it (a container) gives it what it has.
try:
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (resource.RLIM_INFINITY,) * 2)
except (ValueError, OSError):
    print(f"deb-install: LimitMEMLOCK=infinity is not allowed here: vqosd runs with "
          f"{resource.getrlimit(resource.RLIMIT_MEMLOCK)}")
env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C",
       "NOTIFY_SOCKET": NOTIFY, "WATCHDOG_USEC": str(watchdog_s * 1000000)}
log = open(f"{work}/vqosd.log", "w")
vqosd = subprocess.Popen(["chroot", root, *exec_start], env=env, stdin=subprocess.DEVNULL,
                         stdout=log, stderr=subprocess.STDOUT)


def why():
    with open(f"{work}/vqosd.log") as f:
        return "vqosd's output:\n" + f.read()[-3000:]


try:
    ready = notice("READY", 30, vqosd)
    if ready is None and vqosd.poll() is not None:
        fail(f"vqosd exited with status {vqosd.poll()} before READY=1; {why()}")
    if ready is None:
        fail(f"no READY=1 within 30 s; {why()}")
    if ready[0] != vqosd.pid:
        fail(f"READY=1 from pid {ready[0]}, not from vqosd's main process ({vqosd.pid})")
    status = ready[1].get("STATUS", "")
    if not status.startswith(f"{nports} port(s) up"):
        fail(f"READY=1's STATUS={status!r} does not say {nports} port(s) up")
    print(f"deb-install: READY=1, STATUS={status}")
    ping = notice("WATCHDOG", watchdog_s / 2 + 2, vqosd)
    if ping is None or ping[0] != vqosd.pid:
        fail(f"no WATCHDOG=1 from vqosd within half WatchdogSec={watchdog_s}s")

    show = subprocess.run(["chroot", root, "vqosctl", "-j", "port", "show"], capture_output=True,
                          text=True, timeout=10)
    if show.returncode != 0:
        fail(f"vqosctl -j port show: exit {show.returncode}: {show.stderr.strip()}")
    names = [p["name"] for p in json.loads(show.stdout)]
    if len(names) != nports:
        fail(f"vqosctl port show lists {names}, not {nports} ports")
    text = subprocess.run(["chroot", root, "vqosctl", "port", "show"], capture_output=True,
                          text=True, timeout=10).stdout
    print("deb-install: vqosctl port show:\n" + text, end="")
    # The control socket as the packaged file's control section makes it.
    st = os.stat(f"{root}/run/vqos/vqosd.sock")
    with open(f"{root}/etc/group") as f:
        gid = {line.split(":")[0]: int(line.split(":")[2]) for line in f}
    if st.st_gid != gid["vqos"] or st.st_mode & 0o777 != 0o660:
        fail(f"/run/vqos/vqosd.sock: gid {st.st_gid} mode {st.st_mode & 0o777:o}, "
             f"not group vqos ({gid['vqos']}) mode 660")

    vqosd.send_signal(signal.SIGTERM)
    stopping = notice("STOPPING", 10, vqosd)
    if stopping is None or stopping[0] != vqosd.pid:
        fail(f"SIGTERM: no STOPPING=1 from vqosd; {why()}")
    try:
        rc = vqosd.wait(30)
    except subprocess.TimeoutExpired:
        fail(f"vqosd still runs 30 s after SIGTERM; {why()}")
    if rc != 0:
        fail(f"vqosd exited {rc} after SIGTERM; {why()}")
    print("deb-install: SIGTERM: STOPPING=1, exit 0")
finally:
    if vqosd.poll() is None:
        vqosd.kill()
        vqosd.wait()
    sock.close()
    os.unlink(root + NOTIFY)
EOF
# The only part that runs a DPDK process: under the integration tests' lock.
lock=/tmp/vqos-integration.lock
exec 9>>"$lock"
waited=0
if ! flock -n 9; then
	lap "waiting for $lock"
	w0=$(date +%s%N)
	flock 9
	waited=$((($(date +%s%N) - w0) / 100000000))
	lap "got $lock after $((waited / 10)).$((waited % 10)) s"
fi
python3 "$work/systemd.py" "$R" "$work" "$exec_start" "$watchdog" "$nports" ||
	die "vqosd as the unit runs it"
flock -u 9
[ -s "$R/var/lib/vqos/running.conf" ] || no "vqosd kept no state in /var/lib/vqos (--state-dir)"
rm "$R$conf"
checked "vqosd started as the unit starts it: READY=1, WATCHDOG=1, port show, STOPPING=1, exit 0"

# --- Remove, purge --------------------------------------------------------
inside dpkg-query -L vqos >"$work/files"
inside dpkg-query --showformat='${Conffiles}\n' -W vqos | awk 'NF {print $1}' >"$work/conffiles"
inside apt-get remove -y vqos >>"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; die "apt-get remove vqos failed"; }
[ "$(inside dpkg-query -W -f='${db:Status-Abbrev}' vqos)" = "rc " ] ||
	no "after remove: dpkg says '$(inside dpkg-query -W -f='${db:Status-Abbrev}' vqos)', not 'rc' (config files left)"
while read -r f; do
	if grep -qx "$f" "$work/conffiles"; then
		[ -f "$R$f" ] || no "after remove: the conffile $f is gone (only purge removes it)"
	elif [ -e "$R$f" ] && [ ! -d "$R$f" ]; then
		no "after remove: $f is still there"
	fi
done <"$work/files"
checked "apt-get remove: the files gone, the conffile kept"

inside apt-get purge -y vqos >>"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; die "apt-get purge vqos failed"; }
st=$(inside dpkg-query -W -f='${db:Status-Abbrev}' vqos 2>/dev/null || true)
[ -z "$st" ] || [ "$st" = "un " ] || no "after purge: dpkg still knows vqos ('$st')"
# Every file of the package gone; its directories too, but those other
# packages hold (/usr/share/man/man8...).
while read -r f; do
	[ -e "$R$f" ] || [ -L "$R$f" ] || continue
	if [ -d "$R$f" ] && inside dpkg-query -S "$f" >/dev/null 2>&1; then
		continue
	fi
	no "after purge: $f is still there"
done <"$work/files"
# Nothing named after it either: the state vqosd kept (/var/lib/vqos),
# /run/vqos, dpkg's records. EAL's runtime directory (/run/dpdk/vqosd, its
# --file-prefix) is DPDK's, left by any DPDK process, in tmpfs.
left=$(cd "$R" && find . -xdev -name '*vqos*' -not -path './run/dpdk/*' -not -path './var/log/*' | sed 's|^\.||')
[ -z "$left" ] || no "after purge: left behind: $(echo "$left" | tr '\n' ' ')"
checked "apt-get purge: nothing of the package left"

ds=$((($(date +%s%N) - t0) / 100000000 - waited))
say "package $(basename "$deb") installed, started, removed and purged on a fresh Debian $SUITE" \
	"in $((ds / 10)).$((ds % 10)) s (not counting the wait for the lock)"
