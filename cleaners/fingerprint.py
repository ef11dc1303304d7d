"""Fingerprints of an article's text, for finding its copies: character shingles of the
normalised body, their MinHash signature and its LSH bands, and the anchors a translation
keeps (numbers, Latin-script names, addresses, image ids).

Pure and deterministic: the same body gives the same fingerprint in every process.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from functools import cache
from importlib import resources

import numpy as np

SHINGLE_CHARS = 4
PERMUTATIONS = 128
BANDS = 32
ROWS = PERMUTATIONS // BANDS
SEED = 20261201
# Bodies with fewer shingles than this collide with everything: they are not linked by text.
MIN_SHINGLES = 40
_NOT_TEXT = re.compile(r"[\W_]+")
_NUMBER = re.compile(r"\d[\d.,:%]*\d|\d{2,}")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.+-]{2,}")
_ADDRESS = re.compile(r"https?://[^\s\"'<>)）]+")
_IMAGE_ID = re.compile(r"mmbiz\.qpic\.cn/\w+/([\w-]{16,})")


@cache
def _folding() -> tuple[dict[int, str], re.Pattern[str]]:
    """Traditional characters to simplified ones (OpenCC's character table), and a pattern
    that finds any of them."""
    table = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt")
    pairs = (line.split("\t") for line in table.read_text("utf-8").splitlines() if "\t" in line)
    mapping = {ord(t): s.split(" ")[0] for t, s in pairs if len(t) == 1}
    return mapping, re.compile("[" + re.escape("".join(map(chr, mapping))) + "]")


def normalise_body(text: str) -> str:
    """The body as copies are compared: NFKC, any case, traditional folded to simplified,
    and no punctuation, symbols or spaces."""
    text = _NOT_TEXT.sub("", text)
    if not unicodedata.is_normalized("NFKC", text):
        text = _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text))
    mapping, traditional = _folding()
    folded = text.casefold()
    return folded.translate(mapping) if traditional.search(folded) else folded


def shingles(text: str) -> np.ndarray:
    """The sorted, distinct 32-bit hashes of the normalised body's character 4-grams."""
    codes = np.frombuffer(normalise_body(text).encode("utf-32-le"), dtype=np.uint32)
    if len(codes) < SHINGLE_CHARS:
        return np.empty(0, dtype=np.uint64)
    codes = codes.astype(np.uint64)
    grams = np.zeros(len(codes) - SHINGLE_CHARS + 1, dtype=np.uint64)
    for offset in range(SHINGLE_CHARS):
        grams = grams * _GRAM_BASE + codes[offset : len(codes) - SHINGLE_CHARS + 1 + offset]
    return np.unique(_mix(grams))


_GRAM_BASE = np.uint64(0x10FFFF + 1)
_MIX = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xFFFFFFFF))


def _mix(values: np.ndarray) -> np.ndarray:
    """A 64-bit finaliser cut to 32 bits: hashes spread evenly whatever the code points."""
    shift, multiplier, low = _MIX
    values = values ^ (values >> shift)
    values = values * multiplier
    return (values ^ (values >> shift)) & low


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's MinHash permutations ("legacy" scheme) for this seed and size, drawn as it draws
    them (a test holds them equal): importing datasketch itself costs a second per command."""
    draw = np.random.RandomState(SEED)
    pairs = [
        (
            draw.randint(1, int(_MERSENNE), dtype=np.uint64),
            draw.randint(0, int(_MERSENNE), dtype=np.uint64),
        )
        for _ in range(PERMUTATIONS)
    ]
    a, b = np.array(pairs, dtype=np.uint64).T
    return a, b


_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)


def signature(hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature of shingle hashes: datasketch's permutations, (a*h + b) mod the
    Mersenne prime 2^61 - 1 cut to 32 bits, reduced in one vectorised step."""
    if not len(hashes):
        return np.full(PERMUTATIONS, _MAX_HASH, dtype=np.uint64)
    a, b = _permutations()
    return ((hashes[:, None] * a + b) % _MERSENNE & _MAX_HASH).min(axis=0)


def bands(values: np.ndarray) -> list[int]:
    """One hash per LSH band of a signature: copies share at least one band."""
    rows = values.reshape(BANDS, ROWS)
    return [zlib.crc32(row.tobytes()) for row in rows]


def overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Jaccard similarity of two shingle sets, and how much of the smaller one the larger holds."""
    if not len(a) or not len(b):
        return 0.0, 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common), common / min(len(a), len(b))


def anchors(text: str) -> set[str]:
    """What a translation keeps of its original: numbers, Latin-script names, addresses and
    WeChat image ids."""
    found = {m.group(0).rstrip(".,:") for m in _NUMBER.finditer(text)}
    found |= {m.group(0).casefold() for m in _LATIN_NAME.finditer(text)}
    found |= set(_ADDRESS.findall(text))
    found |= set(_IMAGE_ID.findall(text))
    return found
