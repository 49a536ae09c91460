#!/usr/bin/env bash
# The demo: vqosd on its embedded default (two ports, no hugepages), two
# vqos-gen containers sending to their uplinks and two vqos-gen peers on the
# uplinks sending back, then `vqosctl port show` with their traffic.
#
#   ./scripts/demo.sh            installs packages, builds (build-release/), runs
#   VQOS_SKIP_SETUP=1 ./scripts/demo.sh   runs an existing build
set -euo pipefail
cd "$(dirname "$0")/.."
B=${VQOS_BUILD:-build-release}
if [ -z "${VQOS_SKIP_SETUP:-}" ]; then
	./scripts/deps.sh
	cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DVQOS_TESTS=OFF >/dev/null
	cmake --build "$B" -j"$(nproc)" >/dev/null
fi
VQOSD=$B/daemon/vqosd VQOSCTL=$B/ctl/vqosctl GEN=$B/tools/vqos-gen
RUN=/run/vqos LOG=$(mktemp -d /tmp/vqos-demo.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 1
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$LOG"
}
trap cleanup EXIT

gen() { # NAME SOCKET RATE SIZE DELAY: a generator on CPU 0, sending for 5 s after DELAY s
	"$GEN" --no-huge -m 256 --file-prefix "demo-$1" --lcores 0@0 --no-pci --log-level '*:warning' \
		--vdev "net_virtio_user0,path=$2" -- --quiet --rate "$3" --duration 5 --linger 2 \
		--size "$4" --delay "$5" >"$LOG/$1.json" 2>"$LOG/$1.err" &
	pids+=($!)
}

echo "== vqosd (embedded default: $("$VQOSD" --print-default | grep -c 'name =') ports, no hugepages)"
"$VQOSD" >"$LOG/vqosd.log" 2>&1 &
vqosd_pid=$!
pids+=("$vqosd_pid")
for _ in $(seq 200); do "$VQOSCTL" version >/dev/null 2>&1 && break; sleep 0.1; done
"$VQOSCTL" port show

echo "== two containers and their uplink peers, 5 seconds"
# The uplink peers start sending a second later, once the containers are there.
gen up1 $RUN/uplink-c1.sock 20kpps 512 1
gen up2 $RUN/uplink-c2.sock 10kpps 1500 1
gen c1 $RUN/c1.sock 100kpps 64 0
gen c2 $RUN/c2.sock 50mbit 1024 0
sleep 3
echo "== after 3 seconds"
"$VQOSCTL" port show
wait "${pids[@]:1}"
echo "== at the end"
"$VQOSCTL" port show
for g in c1 c2 up1 up2; do
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print("%4s: sent %d packets (%.0f pps), received %d" % (sys.argv[2], r["tx"]["packets"], r["tx"]["pps"], r["rx"]["packets"]))' "$LOG/$g.json" "$g"
done
kill -TERM "$vqosd_pid"
wait "$vqosd_pid" && status=0 || status=$?
grep "mbuf pool" "$LOG/vqosd.log"
exit $status
