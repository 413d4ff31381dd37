#!/usr/bin/env bash
# Debian programs skillner can use but pip cannot install: Tesseract for OCR of scanned pages.
# Installs them with apt-get when this shell may (root, or sudo without a password); otherwise
# says what to install and exits 0, since everything else works without them.
set -euo pipefail
PACKAGES=(tesseract-ocr tesseract-ocr-eng)
if command -v tesseract >/dev/null; then
    exit 0
fi
if [ "$(id -u)" = 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "OCR is off: install ${PACKAGES[*]} (Debian/Ubuntu) to read scanned resumes" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "OCR is off: no apt-get here; install Tesseract 5 with your package manager" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! { "${SUDO[@]}" apt-get update -qq && \
        "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null; }; then
    echo "OCR is off: apt-get could not install ${PACKAGES[*]}" >&2
    exit 0
fi
tesseract --version | head -1
