#!/usr/bin/env bash
# The whole test suite: installs packages, builds with ASan+UBSan and
# warnings as errors (build/), and runs every unit and integration test;
# then the fuzzers, and the Debian package, built and checked
# (scripts/package.sh: a Release build in build-deb/, not installed), then
# installed, started, removed and purged on a fresh Debian 12 in a chroot
# (scripts/deb-install-test.sh). VQOS_SKIP_FUZZ=1, VQOS_SKIP_DEB=1 skip them.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cmake -S . -B build -DVQOS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure "$@"
# The fuzz targets (request parser, config reader + policy, the data path's
# frame handling) for a bounded time each, built with clang's libFuzzer.
if [ -z "${VQOS_SKIP_FUZZ:-}" ]; then
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DVQOS_FUZZ=ON -DVQOS_WERROR=OFF \
		-DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-fuzz -j"$(nproc)" --target fuzz_request fuzz_conf fuzz_frames
	ctest --test-dir build-fuzz -L fuzz --output-on-failure
fi
if [ -z "${VQOS_SKIP_DEB:-}" ]; then
	VQOS_SKIP_SETUP=1 ./scripts/package.sh
	./scripts/deb-install-test.sh
fi
