#!/usr/bin/env bash
# Installs everything sohoa needs on a Debian/Ubuntu machine: apt packages, the venv, the package.
# Idempotent and quick when nothing changed. Usage: scripts/install.sh [runtime|dev]
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=${1:-runtime}

APT_PACKAGES=(tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd
  fonts-liberation2 fonts-noto-core poppler-utils qpdf openssl)
# The tests also need a browser (Playwright drives Debian's chromium; nothing is downloaded), SoftHSM2,
# and Apache PDFBox Preflight (PDF/A-1b validation of the signed output, pipelines/pdfa_check.py).
[ "$EXTRAS" = "dev" ] && APT_PACKAGES+=(chromium softhsm2 opensc
  default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "install: apt packages ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "install: creating .venv" >&2
  "$PY" -m venv .venv
fi
spec="."; [ "$EXTRAS" = "dev" ] && spec=".[dev]"
stamp=".venv/.sohoa-installed-$EXTRAS"
want=$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "install: pip install -e '$spec'" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec"
  echo "$want" > "$stamp"
fi
