"""Cut the CJK font the Chinese figures use down to the characters they draw (maintainers).

    python tools/cjk_font.py [--source FONT.ttc|.otf] [--check]

The Chinese edition draws its diagrams and plot labels with Noto Sans CJK SC (SIL Open Font
Licence 1.1), but only the few hundred characters of the package catalogue
(lstmcourse/locale/zh_CN/LC_MESSAGES/lstmcourse.po) are ever drawn, so the package ships a
subset of them: lstmcourse/fonts/NotoSansSC-lstmcourse-subset.otf, with the licence and the
font's copyright notice in lstmcourse/fonts/OFL.txt. Run this after translating new figure text
(`course.py i18n build` compiles the catalogue; tests/test_translations.py fails when a
translated character is missing from the subset).

The source font is the full Noto Sans CJK (Debian's `fonts-noto-cjk`:
/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc, face "Noto Sans CJK SC"; or a
NotoSansCJKsc-Regular.otf / NotoSansSC-Regular.otf from the noto-cjk releases). Characters that
the font lacks (a few symbols such as ⊙) come from DejaVu Sans, Matplotlib's own font, which the
Chinese figures use as the fallback.

The subset is renamed ("lstmcourse Noto Sans SC"), as the OFL asks of a modified version, so it
never shadows a full Noto Sans CJK installed on the learner's machine; the OFL-1.1 text and the
original copyright notice (name ID 0) travel with it.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "lstmcourse" / "locale" / "zh_CN" / "LC_MESSAGES" / "lstmcourse.po"
OUT = ROOT / "lstmcourse" / "fonts" / "NotoSansSC-lstmcourse-subset.otf"
LICENCE = ROOT / "lstmcourse" / "fonts" / "OFL.txt"
DEFAULT_SOURCES = [Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
                   Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf")]
FAMILY = "lstmcourse Noto Sans SC"
POSTSCRIPT = "lstmcourseNotoSansSC-Regular"
#: Characters always kept: CJK punctuation a translator may use in a label.
ALWAYS = "，。：；！？、（）“”‘’《》—…·　"


#: Sources whose messages are printed (lab checks), never drawn in a figure.
PRINTED_ONLY = ("lstmcourse/grading/", "lstmcourse/_grading.py", "lstmcourse/lab07_checks.py",
                "lstmcourse/lab08_checks.py", "lstmcourse/lab09_checks.py", "lstmcourse/variants.py")


def printed_only(message) -> bool:
    """Whether every place a catalogue message comes from is a printed-only source (:data:`PRINTED_ONLY`)."""
    return bool(message.locations) and all(path.startswith(PRINTED_ONLY) for path, _ in message.locations)


def needed_characters(catalogue: Path = CATALOGUE) -> str:
    """The characters the Chinese figures draw: printable ASCII and every other character of the
    catalogue's translations, sorted.

    Latin letters are kept although DejaVu Sans has them: Matplotlib's glyph-by-glyph fallback
    does not reach the words around a formula (mathtext draws a label such as
    "读 $x_1 \\ldots x_T$" with the label's first font), so the Chinese figures put this font first.

    Messages that are only printed, never drawn (the lab checks' messages: every location of
    theirs is in :data:`PRINTED_ONLY`), are left out: a notebook shows printed text in the
    browser's own fonts, so the subset stays small.
    """
    from babel.messages.pofile import read_po

    with open(catalogue, "rb") as f:
        cat = read_po(f)
    text = "".join(m.string for m in cat if m.id and isinstance(m.string, str) and not printed_only(m)) + ALWAYS
    ascii_printable = {chr(c) for c in range(0x20, 0x7f)}
    return "".join(sorted(ascii_printable | {ch for ch in text if ord(ch) > 127 and not ch.isspace()}))


def open_source(path: Path):
    """The Simplified Chinese face of a Noto CJK font file (a .ttc collection or one .otf)."""
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() in (".ttc", ".otc"):
        for font in TTCollection(str(path)).fonts:
            if font["name"].getDebugName(1) in ("Noto Sans CJK SC", "Source Han Sans SC"):
                return font
        raise ValueError(f"no 'Noto Sans CJK SC' face in the collection. Received: source={str(path)!r}")
    return TTFont(str(path))


def subset(source: Path, characters: str) -> bytes:
    """The renamed subset font of ``source`` holding ``characters``, as bytes."""
    import io

    from fontTools import subset as ft_subset

    font = open_source(source)
    options = ft_subset.Options()
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14, 16, 17]  # keep copyright (0) and licence (13, 14)
    options.hinting = False
    options.desubroutinize = True
    options.layout_features = ["*"]
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID == 4:
            record.string = f"{FAMILY} Regular"
        elif record.nameID == 6:
            record.string = POSTSCRIPT
        elif record.nameID == 3:
            record.string = f"{POSTSCRIPT};subset of {source.name}"
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [POSTSCRIPT]
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def licence_text(source: Path) -> str:
    font = open_source(source)
    copyright_notice = font["name"].getDebugName(0) or ""
    licence_url = font["name"].getDebugName(14) or "https://openfontlicense.org"
    return (f"The font NotoSansSC-lstmcourse-subset.otf in this folder is a subset of Noto Sans CJK SC\n"
            f"(made by tools/cjk_font.py from {source.name}), renamed \"{FAMILY}\".\n\n"
            f"{copyright_notice}\n\n"
            f"This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
            f"This license is copied below, and is also available with a FAQ at: {licence_url}\n\n"
            + OFL_TEXT)


OFL_TEXT = """-----------------------------------------------------------
SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007
-----------------------------------------------------------

PREAMBLE
The goals of the Open Font License (OFL) are to stimulate worldwide
development of collaborative font projects, to support the font creation
efforts of academic and linguistic communities, and to provide a free and
open framework in which fonts may be shared and improved in partnership
with others.

The OFL allows the licensed fonts to be used, studied, modified and
redistributed freely as long as they are not sold by themselves. The
fonts, including any derivative works, can be bundled, embedded,
redistributed and/or sold with any software provided that any reserved
names are not used by derivative works. The fonts and derivatives,
however, cannot be released under any other type of license. The
requirement for fonts to remain under this license does not apply
to any document created using the fonts or their derivatives.

DEFINITIONS
"Font Software" refers to the set of files released by the Copyright
Holder(s) under this license and clearly marked as such. This may
include source files, build scripts and documentation.

"Reserved Font Name" refers to any names specified as such after the
copyright statement(s).

"Original Version" refers to the collection of Font Software components as
distributed by the Copyright Holder(s).

"Modified Version" refers to any derivative made by adding to, deleting,
or substituting -- in part or in whole -- any of the components of the
Original Version, by changing formats or by porting the Font Software to a
new environment.

"Author" refers to any designer, engineer, programmer, technical
writer or other person who contributed to the Font Software.

PERMISSION & CONDITIONS
Permission is hereby granted, free of charge, to any person obtaining
a copy of the Font Software, to use, study, copy, merge, embed, modify,
redistribute, and sell modified and unmodified copies of the Font
Software, subject to the following conditions:

1) Neither the Font Software nor any of its individual components,
in Original or Modified Versions, may be sold by itself.

2) Original or Modified Versions of the Font Software may be bundled,
redistributed and/or sold with any software, provided that each copy
contains the above copyright notice and this license. These can be
included either as stand-alone text files, human-readable headers or
in the appropriate machine-readable metadata fields within text or
binary files as long as those fields can be easily viewed by the user.

3) No Modified Version of the Font Software may use the Reserved Font
Name(s) unless explicit written permission is granted by the corresponding
Copyright Holder. This restriction only applies to the primary font name as
presented to the users.

4) The name(s) of the Copyright Holder(s) or the Author(s) of the Font
Software shall not be used to promote, endorse or advertise any
Modified Version, except to acknowledge the contribution(s) of the
Copyright Holder(s) and the Author(s) or with their explicit written
permission.

5) The Font Software, modified or unmodified, in part or in whole,
must be distributed entirely under this license, and must not be
distributed under any other license. The requirement for fonts to
remain under this license does not apply to any document created
using the Font Software.

TERMINATION
This license becomes null and void if any of the above conditions are
not met.

DISCLAIMER
THE FONT SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO ANY WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT
OF COPYRIGHT, PATENT, TRADEMARK, OR OTHER RIGHT. IN NO EVENT SHALL THE
COPYRIGHT HOLDER BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY,
INCLUDING ANY GENERAL, SPECIAL, INDIRECT, INCIDENTAL, OR CONSEQUENTIAL
DAMAGES, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
FROM, OUT OF THE USE OR INABILITY TO USE THE FONT SOFTWARE OR FROM
OTHER DEALINGS IN THE FONT SOFTWARE.
"""


def missing_characters(font_path: Path = OUT, catalogue: Path = CATALOGUE) -> str:
    """Characters the catalogue needs that the shipped subset lacks ('' when it is complete)."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(font_path)).getBestCmap()
    source_lacks = set("⊙₁₂")  # symbols Noto Sans CJK does not have: DejaVu Sans draws them (fallback)
    return "".join(ch for ch in needed_characters(catalogue) if ord(ch) not in cmap and ch not in source_lacks)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="the full Noto Sans CJK font (.ttc or .otf)")
    parser.add_argument("--check", action="store_true", help="only report characters the subset lacks")
    args = parser.parse_args(argv)
    if args.check:
        missing = missing_characters()
        print(f"missing from the subset: {missing!r}" if missing else "the subset has every character")
        return 1 if missing else 0
    source = args.source or next((p for p in DEFAULT_SOURCES if p.exists()), None)
    if source is None or not source.exists():
        print("No Noto Sans CJK font found: install Debian's fonts-noto-cjk or pass --source FONT.", file=sys.stderr)
        return 2
    characters = needed_characters()
    data = subset(source, characters)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(data)
    LICENCE.write_text(licence_text(source), encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(characters)} characters, {len(data) / 1024:.0f} KiB "
          f"(sha256 {hashlib.sha256(data).hexdigest()[:12]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
