#!/usr/bin/env bash
# Installs the Debian packages utlatande needs (Pango for WeasyPrint, HarfBuzz's subsetter,
# Cairo for cairosvg (SVG logos in Word), poppler-utils for `utlatande serve` and the tests, qpdf
# for the tests) when they are missing. With --test also what only the tests need: Chromium and
# its WebDriver for the browser tests, LibreOffice Writer to lay out a DOCX as Word users see it
# (and to save one as a colleague's office suite does), pandoc, which writes the kind of
# Word statement `utlatande import -o` reads, and SoftHSM2 (a PKCS#11 token in software) for
# signing with `attestera --pkcs11`.
set -u
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 poppler-utils qpdf)
[ "${1:-}" = "--test" ] && packages+=(chromium chromium-driver libreoffice-writer-nogui pandoc softhsm2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "utlatande: systempaket saknas: ${missing[*]}. Installera dem med systemets pakethanterare." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "utlatande: systempaket saknas: ${missing[*]}." >&2
    echo "Kör som root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
echo "utlatande: installerar systempaket: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; }; then
  echo "utlatande: kunde inte installera ${missing[*]}. Installera dem för hand: apt-get install ${missing[*]}" >&2
  exit 1
fi
