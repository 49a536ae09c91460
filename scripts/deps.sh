#!/usr/bin/env bash
# Install what vqos builds, tests and packages with, from Debian 12's packages. Idempotent.
# `deps.sh results` also installs what the experiments under results/ use
# (gnuplot for the plots, iperf3 for the kernel-side runs).
set -euo pipefail
pkgs=(build-essential cmake pkg-config python3 dpdk dpdk-dev libdpdk-dev libconfig-dev
      libcmocka-dev libjansson-dev libsystemd-dev libmicrohttpd-dev clang libclang-rt-14-dev
      openvswitch-switch-dpdk shellcheck
      python3-prometheus-client          # test_exporter parses vqos-exporter's page with it
      dpkg-dev file groff-base man-db    # the .deb: dpkg-shlibdeps, file, man -l
      debootstrap                        # ... installed on a fresh Debian 12 (deb-install-test.sh)
      # test_cni: a runtime stand-in built on libcni (Debian ships no cnitool),
      # the reference plugins (loopback, chained before vqos), ip netns
      golang-go golang-github-appc-cni-dev containernetworking-plugins iproute2
      ethtool iputils-ping)              # test_reply_latency: kernel namespaces (kbridge)
if [ "${1:-}" = results ]; then
	pkgs+=(gnuplot-nox iperf3)
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
