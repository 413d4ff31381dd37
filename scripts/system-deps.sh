#!/usr/bin/env bash
# Debian programs skillner can use but pip cannot install: Tesseract for OCR of scanned pages,
# and Chromium with its driver for the browser test of the service's page.
# Installs them with apt-get when this shell may (root, or sudo without a password); otherwise
# says what to install and exits 0, since everything else works without them.
set -euo pipefail
PACKAGES=()
command -v tesseract >/dev/null || PACKAGES+=(tesseract-ocr tesseract-ocr-eng)
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || PACKAGES+=(chromium chromium-driver)
if [ ${#PACKAGES[@]} = 0 ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "install ${PACKAGES[*]} (Debian/Ubuntu): Tesseract reads scanned resumes, Chromium runs the page's test" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "no apt-get here: install Tesseract 5 (OCR) and Chromium with chromedriver with your package manager" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! { "${SUDO[@]}" apt-get update -qq && \
        "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null; }; then
    echo "apt-get could not install ${PACKAGES[*]}" >&2
    exit 0
fi
command -v tesseract >/dev/null && tesseract --version | head -1
true
