#!/usr/bin/env bash
# The whole test suite: installs packages, builds with ASan+UBSan and
# warnings as errors (build/), and runs every unit and integration test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cmake -S . -B build -DVQOS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure "$@"
