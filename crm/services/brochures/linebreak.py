"""Chinese line breaking (禁则, kinsoku) for reportlab paragraphs.

reportlab's own CJK wrap only knows part of the rules and only hangs one character, so
``_kinsoku_split`` replaces it: lines break character by character, no line starts with closing
punctuation and none ends with an opening one.  ``_Para`` is the Paragraph that uses it (and
caches its line breaks, since tables and the catalog's two passes wrap the same text repeatedly).
"""
from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import FragLine, ParaLines, _handleBulletWidth
from reportlab.rl_config import _FUZZ

# Characters that must not start a line (closing brackets and quotes, pause and stop marks,
# small kana, iteration marks, unit signs) and that must not end one (opening brackets, currency).
NO_LINE_START = frozenset(
    "，。、；：？！）》」』】〕〉］｝〗〙〛”’…‥·・％‰℃°′″,.;:?!)]}>%"
    "～〜々ー〻ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ゛゜ヽヾゝゞ"
)
NO_LINE_END = frozenset("（《「『【〔〈［｛〖〘〚“‘([{<￥$£€#№")
_INSEPARABLE = frozenset("—…‥")  # —— and …… stay on one line


def _is_word_char(ch: str) -> bool:
    """Latin, Cyrillic, digits and their punctuation: runs of these are words, kept whole."""
    return bool(ch) and ord(ch) < 0x2E80 and not ch.isspace()


def _can_break(chars, b: int) -> bool:
    """May a line end between ``chars[b-1]`` and ``chars[b]``?"""
    before, after = chars[b - 1], chars[b]
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    if before == after and before in _INSEPARABLE:
        return False
    return not (_is_word_char(before) and _is_word_char(after))


_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def _char_widths(text: str, font: str, size: float) -> list[float]:
    """Advance widths of each character, memoised per font and size (the fonts do not kern)."""
    cache = _WIDTHS.get((font, size))
    if cache is None:
        cache = _WIDTHS[font, size] = {}
    out = []
    for ch in text:
        w = cache.get(ch)
        if w is None:
            w = cache[ch] = stringWidth(ch, font, size)
        out.append(w)
    return out


def _kinsoku_split(frags, max_widths, calc_bounds=False):
    """Break paragraph fragments into lines character by character, honouring the rules above.

    Same result shape as reportlab's ``cjkFragSplit`` (kind=1 lines), but the break is pushed back
    (追い出し) until it is legal: the line that would have started with a comma instead takes the
    character before it along.  Nothing hangs into the margin.  When no legal break exists within
    the last two thirds of the line (a very long URL, say), the line is cut where it overflows.
    A space at a break stays at the end of its line, so joining the lines gives back the text.
    ``calc_bounds`` is accepted for parity with reportlab's splitter; line heights come from the
    font metrics because no style here uses autoLeading.
    """
    chars: list[str] = []
    owner: list[int] = []
    widths: list[float] = []
    breaks_after: set[int] = set()
    for k, frag in enumerate(frags):
        text = frag.text
        if isinstance(text, bytes):
            text = text.decode("utf8")
        if hasattr(frag, "cbDefn"):  # onDraw callbacks and images: one zero-or-fixed width item
            w = getattr(frag.cbDefn, "width", 0) or 0
            if hasattr(w, "normalizedValue"):
                w = w.normalizedValue(max_widths[0])
            chars.append(text or "")
            owner.append(k)
            widths.append(float(w))
            continue
        if hasattr(frag, "lineBreak"):
            breaks_after.add(len(chars))
            chars.append(text or "")
            owner.append(k)
            widths.append(0.0)
            continue
        if not text:
            chars.append("")
            owner.append(k)
            widths.append(0.0)
            continue
        chars.extend(text)
        owner.extend([k] * len(text))
        widths.extend(_char_widths(text, frag.fontName, frag.fontSize))

    n = len(chars)
    lines = []
    metrics: dict[int, tuple[float, float, float]] = {}
    start = 0
    while start < n:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        used = 0.0
        i = start
        line_break = False
        while i < n:
            if i in breaks_after:
                i += 1
                line_break = True
                break
            w = widths[i]
            if used + w > max_width + _FUZZ and i > start:
                break
            used += w
            i += 1
        end = i
        if not line_break and i < n:
            limit = start + max(1, (i - start) // 3)
            b = i
            while b > limit and not _can_break(chars, b):
                b -= 1
            if _can_break(chars, b):
                end = b
            used = sum(widths[start:end])
            while end < n and chars[end] == " ":  # the space at the break ends this line
                end += 1
        lines.append(_cjk_line(frags, chars, owner, start, end, used, max_width, line_break, metrics))
        start = end
    return ParaLines(kind=1, lines=lines)


def _cjk_line(frags, chars, owner, start, end, used, max_width, line_break, metrics) -> FragLine:
    """One kind=1 line: runs of characters of the same fragment become one word each."""
    words = []
    max_size = max_ascent = min_descent = 0.0
    k = start
    while k < end:
        index = owner[k]
        j = k + 1
        while j < end and owner[j] == index:
            j += 1
        frag = frags[index]
        words.append(frag.clone(text="".join(chars[k:j])))
        m = metrics.get(index)
        if m is None:
            ascent, descent = getAscentDescent(frag.fontName, frag.fontSize)
            m = metrics[index] = (frag.fontSize, ascent, descent)
        max_size = max(max_size, m[0])
        max_ascent = max(max_ascent, m[1])
        min_descent = min(min_descent, m[2])
        k = j
    return FragLine(kind=1, extraSpace=max_width - used, wordCount=1, words=words, fontSize=max_size,
                    ascent=max_ascent, descent=min_descent, maxWidth=max_width, currentWidth=used,
                    lineBreak=line_break)


def _join_lines(blPara, start, stop):
    """Fragments of lines ``start:stop`` for the continuation of a split paragraph.

    reportlab's version appends a space to each line's last word, in place; that inserts gaps
    into Chinese text and would spoil the cached layout.  Our lines keep their spaces, so a plain
    copy rejoins the text exactly.
    """
    return [word.clone() for line in blPara.lines[start:stop] for word in line.words]


class _Para(Paragraph):
    """A Paragraph whose CJK wrapping follows ``_kinsoku_split``.

    It also remembers its line breaks for the last width: tables wrap their cells several times
    and the catalog lays everything out twice, and breaking lines is the costly part.
    """

    def wrap(self, availWidth, availHeight):
        cached = self.__dict__.get("_wrap_cache")
        if cached is not None and cached[0] == availWidth and not getattr(self, "_splitpara", 0):
            _, self.blPara, self.height, self._wrapWidths = cached
            self.width = availWidth
            return availWidth, self.height
        result = super().wrap(availWidth, availHeight)
        if not getattr(self, "_splitpara", 0):
            self._wrap_cache = (availWidth, self.blPara, self.height, self._wrapWidths)
        return result

    def _get_split_blParaFunc(self):
        if self.blPara.kind == 1:
            return _join_lines
        return super()._get_split_blParaFunc()

    def breakLinesCJK(self, maxWidths):
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        style = self.style
        self.height = 0
        _handleBulletWidth(self.bulletText, style, maxWidths)
        if not self.frags:
            return ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName,
                             textColor=style.textColor, lines=[], ascent=style.fontSize,
                             descent=-0.2 * style.fontSize)
        auto_leading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return _kinsoku_split(self.frags, maxWidths, auto_leading not in ("", "off"))
