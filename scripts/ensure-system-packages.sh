#!/usr/bin/env bash
# Debian packages Linke needs: `run` (python3-venv, WeasyPrint's Pango, CJK fonts with their
# fallbacks for rare characters, fontconfig, ffmpeg)
# and `test` (those plus Chromium for browser tests and poppler's pdftotext).
set -euo pipefail
mode="${1:-test}"
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
need=()
# `python3 -m venv` needs ensurepip, which Debian ships in python3-venv (a pyenv or
# self-built Python has its own).
command -v python3 >/dev/null || need+=(python3)
python3 -c "import ensurepip" 2>/dev/null || need+=(python3-venv)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
have fonts-noto-cjk || need+=(fonts-noto-cjk)
# Fallback faces for CJK Extensions B and beyond (documents/fonts.py), and fontconfig's
# fc-match, which tells which characters the document fonts cover.
have fonts-hanazono || need+=(fonts-hanazono)
have fonts-babelstone-han || need+=(fonts-babelstone-han)
command -v fc-match >/dev/null || need+=(fontconfig)
have libpango-1.0-0 || need+=(libpango-1.0-0)
have libpangoft2-1.0-0 || need+=(libpangoft2-1.0-0)
if [[ "$mode" == test ]]; then
  [[ -x /usr/bin/chromium ]] || need+=(chromium)
  command -v pdftotext >/dev/null || need+=(poppler-utils)
fi
if ((${#need[@]})); then
  echo "installing Debian packages: ${need[*]}"
  if [[ $(id -u) -eq 0 ]]; then SUDO=""
  elif command -v sudo >/dev/null; then SUDO="sudo"
  else echo "need root or sudo to install: ${need[*]}" >&2; exit 1; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
