#!/usr/bin/env bash
# The Debian package: a Release build of vqosd, vqosctl, vqos-gen,
# vqos-exporter and the CNI plugin (no tests) in build-deb/ with
# CMAKE_INSTALL_PREFIX=/usr, packed by CPack into
# build-deb/packages/vqos_VERSION-1_ARCH.deb (dependencies by dpkg-shlibdeps,
# and dist/CMakeLists.txt's). Then the package is checked without installing
# it: its dependencies, its files, its units (systemd-analyze verify on the
# unpacked tree) and its man pages (man -l).
#
#   ./scripts/package.sh                     installs packages, builds, packs, checks
#   VQOS_SKIP_SETUP=1 ./scripts/package.sh   without installing packages
#   VQOS_JOBS=1 ...                          build with one job (default: every CPU)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${VQOS_BUILD_DEB:-build-deb}
if [ -z "${VQOS_SKIP_SETUP:-}" ]; then
	./scripts/deps.sh
fi
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DVQOS_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$B" -j"${VQOS_JOBS:-$(nproc)}" >/dev/null
rm -f "$B"/packages/vqos_*.deb
(cd "$B" && cpack -G DEB >/dev/null 2>&1) || { echo "cpack failed"; exit 1; }
deb=$(echo "$B"/packages/vqos_*.deb)
echo "package: $deb"

tree=$(mktemp -d /tmp/vqos-deb.XXXXXX)
trap 'rm -rf "$tree"' EXIT
dpkg-deb -x "$deb" "$tree"
dpkg-deb -e "$deb" "$tree/DEBIAN"
fail=0
no() { echo "package: $*"; fail=1; }
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for dep in librte-eal23 librte-ethdev23 librte-vhost23 librte-net-virtio23 librte-net-vhost23 \
	librte-mempool-ring23 librte-bus-vdev23 libconfig9 libjansson4 libsystemd0 libmicrohttpd12 \
	systemd; do
	[[ $depends =~ (^|[ ,|])$dep([ ,]|$) ]] || no "Depends lacks $dep"
done
for f in usr/sbin/vqosd usr/bin/vqosctl usr/bin/vqos-gen usr/bin/vqos-exporter usr/bin/vqos-ovs \
	etc/vqos/vqosd.conf lib/systemd/system/vqosd.service lib/systemd/system/vqos-exporter.service \
	usr/lib/sysusers.d/vqos.conf usr/lib/tmpfiles.d/vqos.conf \
	usr/share/bash-completion/completions/vqosctl usr/share/doc/vqos/copyright \
	usr/share/man/man8/vqosd.8.gz usr/share/man/man8/vqosctl.8.gz \
	usr/share/man/man8/vqos-exporter.8.gz usr/share/man/man8/vqos-ovs.8.gz \
	usr/share/man/man1/vqos-gen.1.gz usr/share/man/man5/vqosd.conf.5.gz \
	usr/lib/cni/vqos usr/share/man/man8/vqos-cni.8.gz usr/share/doc/vqos/examples/cni/vqos.conflist; do
	[ -e "$tree/$f" ] || no "no /$f"
done
grep -qx /etc/vqos/vqosd.conf "$tree/DEBIAN/conffiles" || no "/etc/vqos/vqosd.conf is no conffile"
for bin in usr/sbin/vqosd usr/bin/vqos-exporter usr/bin/vqos-ovs; do
	"$tree/$bin" --version | grep -qx "$(basename $bin) $(dpkg-deb -f "$deb" Version | cut -d- -f1)" ||
		no "$(basename $bin) --version disagrees with the package's version"
done
"$tree/usr/lib/cni/vqos" --version | grep -qx "vqos (CNI plugin) $(dpkg-deb -f "$deb" Version | cut -d- -f1)" ||
	no "the CNI plugin's --version disagrees with the package's version"
# The units as systemd reads them, their commands pointed into the unpacked
# tree (nothing is installed) and their man pages not looked up.
mkdir "$tree/unit"
for unit in vqosd.service vqos-exporter.service; do
	sed -e "s|/usr/sbin/vqosd|$tree/usr/sbin/vqosd|g" \
		-e "s|/usr/bin/vqos-exporter|$tree/usr/bin/vqos-exporter|g" \
		"$tree/lib/systemd/system/$unit" >"$tree/unit/$unit"
	out=$(systemd-analyze verify --man=no "$tree/unit/$unit" 2>&1) ||
		no "systemd-analyze verify $unit failed"
	[ -z "$out" ] || no "systemd-analyze verify $unit: $out"
done
for page in "$tree"/usr/share/man/man*/*.gz; do
	out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null || echo "man failed")
	[ -z "$out" ] || no "man -l $(basename "$page"): $out"
done
if [ $fail -ne 0 ]; then
	exit 1
fi
echo "package: dependencies, files, conffile, unit and man pages checked"
