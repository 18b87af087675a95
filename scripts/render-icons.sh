#!/usr/bin/env bash
# Renders resources/icons/sealpost.svg into the PNG sizes desktops ask for and a Windows .ico.
# The results are committed, so building a package needs no image tools; rerun this after editing the SVG.
# Uses rsvg-convert when present, else ImageMagick (its own renderer is fine for this flat drawing).
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
SIZES=(16 24 32 48 64 128 256 512)

render() {  # render SIZE OUTPUT
  if command -v rsvg-convert >/dev/null; then
    rsvg-convert --width "$1" --height "$1" --output "$2" sealpost.svg
  else
    # -strip and no date chunks: the same SVG always gives byte-identical PNGs.
    # 480 dpi rasterises the 128 px drawing at 640 px, so every size is a downscale.
    convert -background none -density 480 sealpost.svg -resize "$1x$1" -depth 8 \
      -strip -define png:exclude-chunks=date,time "PNG32:$2"
  fi
}

for size in "${SIZES[@]}"; do render "$size" "sealpost-$size.png"; done
convert sealpost-16.png sealpost-24.png sealpost-32.png sealpost-48.png sealpost-256.png sealpost.ico
echo "rendered: ${SIZES[*]} and sealpost.ico"
