#!/usr/bin/env bash
# Character images colorgan was never trained or tuned on, for notebooks/09_hints' second sweep:
# 40 DiceBear avatars (4 styles x 10 seeds) rendered at 128 px on white into data/dicebear/
# (kept out of git). Needs node/npm (npm registry) and rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail
OUT=$(cd "$(dirname "$0")" && pwd)/dicebear
WORK=$(mktemp -d)
cd "$WORK"
npm init -y >/dev/null
npm install --silent @dicebear/core@9 @dicebear/collection@9
mkdir svg
cat > gen.mjs <<'JS'
import { createAvatar } from '@dicebear/core';
import { adventurer, avataaars, micah, personas } from '@dicebear/collection';
import { writeFileSync } from 'fs';
const styles = { adventurer, avataaars, micah, personas };
for (const [name, style] of Object.entries(styles)) {
  for (let i = 0; i < 10; i++) {
    const svg = createAvatar(style, { seed: `colorgan-${name}-${i}`, size: 128 }).toString();
    writeFileSync(`svg/${name}_${String(i).padStart(2, '0')}.svg`, svg);
  }
}
JS
node gen.mjs
mkdir -p "$OUT"
for f in svg/*.svg; do
  rsvg-convert -w 128 -h 128 --background-color white "$f" -o "$OUT/$(basename "$f" .svg).png"
done
rm -rf "$WORK"
echo "$(ls "$OUT" | wc -l) images in $OUT"
