"""Build static/fonts/OnechoiceFallback-Regular.otf: the kanji that BIZ UDPGothic lacks.

BIZ UDPGothic (the portal's print font) covers JIS X 0208 and more, but not every character
that Japanese registries hold in names, such as 𠮷 (U+20BB7). This script takes Noto Sans CJK
JP (SIL OFL 1.1) from Debian's fonts-noto-cjk and keeps only the CJK ideographs that BIZ
UDPGothic does not have, so the print stylesheet can name it as a small fallback face.

Run it again after changing either font:
    apt-get install fonts-noto-cjk
    .venv/bin/python scripts/build_fallback_font.py
"""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
MAIN_FONT = ROOT / "static" / "fonts" / "BIZUDPGothic-Regular.ttf"
NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
OUTPUT = ROOT / "static" / "fonts" / "OnechoiceFallback-Regular.otf"

IDEOGRAPHS = [
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    # The URO block (U+4E00–9FFF) is left out: what BIZ UDPGothic lacks there is almost only
    # Chinese, and it would make the file 8 MB instead of about 1.
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs (﨑 …)
    (0x20000, 0x3134F),  # Extensions B–G (𠮷 …)
]


def main() -> int:
    if not NOTO.exists():
        print(f"{NOTO} がありません。apt-get install fonts-noto-cjk を実行してください。", file=sys.stderr)
        return 1
    covered = set(TTFont(MAIN_FONT).getBestCmap())
    noto = next(f for f in TTCollection(NOTO).fonts if f["name"].getDebugName(1) == "Noto Sans CJK JP")
    wanted = [cp for cp in noto.getBestCmap() if cp not in covered and any(lo <= cp <= hi for lo, hi in IDEOGRAPHS)]
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(noto)
    for record in noto["name"].names:  # a distinct family name, so no system font is confused with it
        if record.nameID in (1, 3, 4, 6, 16):
            record.string = "OnechoiceFallback" if record.nameID != 6 else "OnechoiceFallback-Regular"
    noto.save(OUTPUT)
    print(f"{OUTPUT.relative_to(ROOT)}: {len(wanted)} 字, {OUTPUT.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
