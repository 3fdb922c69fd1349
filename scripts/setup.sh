#!/usr/bin/env bash
# Installs every dependency Occam needs, from Debian 12 packages. This is the one list.
# Run as root (or with sudo) on a fresh Debian 12 machine; safe to run again.
set -euo pipefail
PACKAGES=(
  g++ cmake make pkg-config          # toolchain
  libdnnl-dev                        # oneDNN: GEMM and convolution kernels
  libopenblas-dev                    # BLAS (reference comparisons)
  libyaml-cpp-dev                    # config files
  libcli11-dev                       # command line
  nlohmann-json3-dev                 # metrics.jsonl, summary.json, fixtures
  libfmt-dev                         # formatting
  zlib1g-dev                         # gzip'd IDX files
  libpng-dev                         # PNG images (detection data)
  libjpeg62-turbo-dev                # JPEG images (libjpeg-turbo; libjpeg-dev is its dummy alias)
  libpugixml-dev                     # Pascal VOC annotation XML
  libprotobuf-dev protobuf-compiler  # TensorBoard event messages
  libgtest-dev libgmock-dev          # tests
  libbenchmark-dev                   # micro-benchmarks in bench/
  python3                            # event-file checker used by tests
  dataset-fashion-mnist              # the default training data
  chromium                           # renders `occam report` pages in tests (headless)
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
