#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing:
# Chromium (browser tests), LibreOffice Calc and openpyxl (workbooks saved by
# other programs), poppler-utils (pdftotext). Run as root, or with sudo
# available; it does nothing when everything is already installed.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc)
/usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1 || need+=(python3-openpyxl)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)

if [ "$#" -gt 0 ]; then
  # Extra packages named by the caller (make bench adds its own).
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
fi

[ "${#need[@]}" -eq 0 ] && exit 0

echo "ensure-deps: installing ${need[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
