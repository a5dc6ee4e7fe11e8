#!/usr/bin/env bash
# Debian packages Linke needs: `run` (WeasyPrint's Pango, CJK fonts, ffmpeg) and `test`
# (those plus Chromium for browser tests and poppler's pdftotext).
set -euo pipefail
mode="${1:-test}"
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
fc-list 2>/dev/null | grep -q "Noto Serif CJK SC" || need+=(fonts-noto-cjk)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
if [[ "$mode" == test ]]; then
  [[ -x /usr/bin/chromium ]] || need+=(chromium)
  command -v pdftotext >/dev/null || need+=(poppler-utils)
fi
if ((${#need[@]})); then
  echo "installing Debian packages: ${need[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
