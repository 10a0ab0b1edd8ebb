#!/usr/bin/env bash
# Idempotent setup for a fresh machine: a venv with pinned CPU torch, the project, and (with
# --browser, for the tests) Debian's chromium, LibreOffice Writer and poppler. Safe to run
# again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
stamp=.venv/.installed-$(sha1sum pyproject.toml constraints.txt | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  [ -d .venv ] || "$PY" -m venv .venv
  # torch first, pinned: unpinned, a dependency would pull a multi-GB CUDA build.
  .venv/bin/pip install --quiet --disable-pip-version-check -c constraints.txt "torch==2.13.0"
  .venv/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
  rm -f .venv/.installed-* && touch "$stamp"
fi
if [ "${1:-}" = "--browser" ]; then
  # Debian packages the tests need: chromium (browser tests), libreoffice-writer + poppler-utils
  # (a briefing DOCX rendered headless to PDF/PNG), fonts-liberation2 (Arial's metrics), and the
  # service's real engines for the fault tests: redis-server, postgresql (initdb/postgres), nginx.
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  [ -d /usr/share/fonts/truetype/liberation2 ] || missing+=(fonts-liberation2)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    as_root=(); [ "$(id -u)" = "0" ] || as_root=(sudo)
    # policy-rc.d 101: don't start the packages' system services (the tests start their own, on free ports).
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee /usr/sbin/policy-rc.d >/dev/null
      "${as_root[@]}" chmod +x /usr/sbin/policy-rc.d
      trap '"${as_root[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
