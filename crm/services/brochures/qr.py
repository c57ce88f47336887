"""QR codes for the project pages: a faster mask choice than reportlab's, and their flowable.

The matrices and their PDF operators are cached by URL, so a catalog (two layout passes) and
repeated single-project renders encode each URL once per process.
"""
from __future__ import annotations

import re
from functools import lru_cache

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.platypus import Flowable

# QR codes.  reportlab's encoder picks the mask by trying all eight through its generic code,
# slowly enough that a catalog of hundreds of projects would spend most of its time there.  We let it encode the data
# once, apply the eight masks ourselves on integer bit rows, score them with the ISO/IEC 18004
# penalty rules, and let reportlab draw the final matrix with the winner.

_QR_RUN = re.compile(r"0{5,}|1{5,}")
_QR_FINDER = re.compile(r"(?=10111010000|00001011101)")
_QR_MASKS = (
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r * c) % 3 + (r + c) % 2) % 2 == 0,
)


def _qr_penalty(rows: list[int], n: int) -> int:
    """ISO/IEC 18004 §7.8.3 penalty (N1 runs, N2 blocks, N3 finder-like, N4 balance)."""
    text = [format(x, f"0{n}b") for x in rows]
    lines = "|".join(text + ["".join(col) for col in zip(*text)])
    runs = _QR_RUN.findall(lines)
    score = sum(map(len, runs)) - 2 * len(runs) + 40 * len(_QR_FINDER.findall(lines))
    full = (1 << n) - 1
    for a, b in zip(rows, rows[1:]):
        same = ~(a ^ b) & full
        score += 3 * (same & (same >> 1) & ~(a ^ (a >> 1)) & (full >> 1)).bit_count()
    dark = sum(x.bit_count() for x in rows)
    return score + 10 * int(abs(dark * 100 / (n * n) - 50) // 5)


_QR_LAYOUTS: dict[int, tuple] = {}  # version → (function-pattern rows, mask rows, data positions)


def _qr_layout(qr) -> tuple:
    layout = _QR_LAYOUTS.get(qr.version)
    if layout is None:
        qr.makeImpl(True, 0)  # function patterns with blank format info
        n = qr.moduleCount
        positions = list(qr.dataPosIterator())
        base = [sum(1 << c for c, m in enumerate(row) if m) for row in qr.modules]
        masks = [[0] * n for _ in _QR_MASKS]
        for col, row in positions:
            bit = 1 << col
            base[row] &= ~bit
            for k, mask in enumerate(_QR_MASKS):
                if mask(row, col):
                    masks[k][row] |= bit
        layout = _QR_LAYOUTS[qr.version] = (base, masks, positions)
    return layout


def _qr_matrix(url: str) -> tuple[str, ...]:
    widget = QrCodeWidget(url, barLevel="M")
    qr = widget.qr
    try:
        qr.version = qr.calculate_version()
        base, masks, positions = _qr_layout(qr)
        qr._dataPosList = positions
        qr.dataCache = type(qr).createData(qr.version, qr.errorCorrectLevel, qr.dataList)
        data = [0] * len(base)
        for (col, row), dark in zip(positions, qr.dataBitIterator(qr.dataCache)):
            if dark:
                data[row] |= 1 << col
        n = len(base)
        best = min(range(8), key=lambda k: (_qr_penalty(
            [f | (d ^ m) for f, d, m in zip(base, data, masks[k])], n), k))
        qr.makeImpl(False, best)
    except (AttributeError, TypeError):  # encoder internals changed: let reportlab choose
        qr.version = None
        qr.make()
    return tuple("".join("1" if m else "0" for m in row) for row in qr.modules)


@lru_cache(maxsize=4096)
def qr_modules(url: str) -> tuple[str, ...]:
    """The QR matrix of ``url`` as rows of '0'/'1' (computed once per URL and process)."""
    return _qr_matrix(url)


@lru_cache(maxsize=4096)
def _qr_operators(url: str) -> str:
    """PDF path operators filling the dark modules, in module units (scaled by the caller).

    Written straight as operators because formatting ~600 rectangles through the canvas API
    costs more than encoding the symbol.
    """
    rows = qr_modules(url)
    count = len(rows)
    ops = []
    for r, row in enumerate(rows):
        y = count - r - 1
        for match in re.finditer("1+", row):
            c0, c1 = match.span()
            ops.append(f"{c0} {y} {c1 - c0} 1 re")
    return "\n".join(ops)


class _QR(Flowable):
    """The QR code of a URL on a white square with a quiet zone."""

    QUIET = 2.5  # modules of white around the symbol (the card around it adds more)

    def __init__(self, url: str, size: float):
        super().__init__()
        self.url = url
        self.size = size

    def wrap(self, avail_width, avail_height):
        self.width = self.height = self.size
        return self.size, self.size

    def draw(self):
        canv = self.canv
        canv.saveState()
        canv.setFillColor(colors.white)
        canv.roundRect(0, 0, self.size, self.size, 3, stroke=0, fill=1)
        canv.restoreState()
        if self.url:
            count = len(qr_modules(self.url))
            box = self.size / (count + 2 * self.QUIET)
            offset = self.QUIET * box
            canv.addLiteral(f"q 0 g {box:.5f} 0 0 {box:.5f} {offset:.4f} {offset:.4f} cm\n"
                            f"{_qr_operators(self.url)}\nf Q")
