"""Write the web font's character list: GB2312 (every 一级/二级 hanzi and its symbols), Latin,
Cyrillic, general and CJK punctuation, fullwidth forms, plus every character the app's own
templates, catalog and seeds use."""
import pathlib, sys
chars = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
ranges = [(0x20, 0x7E), (0xA0, 0x24F), (0x400, 0x4FF), (0x2000, 0x206F), (0x20A0, 0x20CF),
          (0x2100, 0x218F), (0x2190, 0x21FF), (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
for a, b in ranges:
    chars.update(chr(c) for c in range(a, b + 1))
root = pathlib.Path(sys.argv[1])
for pattern in ("crm/templates/**/*.html", "crm/translations/**/*.po", "seeds/*.json", "crm/**/*.py"):
    for path in root.glob(pattern):
        chars.update(path.read_text(encoding="utf-8"))
text = "".join(sorted(c for c in chars if ord(c) >= 0x20))
pathlib.Path("chars.txt").write_text(text, encoding="utf-8")
print(len(text))
