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
import rensa

from .nfkc import nfkc

SHINGLE_CHARS = 4
PERMUTATIONS = 128
BANDS = 32
ROWS = PERMUTATIONS // BANDS
SEED = 20261201
_MAX_HASH = (1 << 32) - 1
# What a stored fingerprint was made with: bands of another scheme never meet these.
SCHEME = (
    f"r-minhash{rensa.RMinHash.ALGORITHM_VERSION}/{PERMUTATIONS}x{BANDS}/"
    f"{SHINGLE_CHARS}-grams/{SEED}"
)
# Bodies with fewer shingles than this collide with everything: they are not linked by text.
MIN_SHINGLES = 40
_NOT_TEXT = re.compile(r"[\W_]+")
_NUMBER = re.compile(r"\d[\d.,:%]*\d|\d{2,}")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.+-]{2,}")
_ADDRESS = re.compile(r"https?://[^\s\"'<>)）]+")
_IMAGE_ID = re.compile(r"mmbiz\.qpic\.cn/\w+/([\w-]{16,})")


@cache
def _folding() -> np.ndarray:
    """A table from code point to code point that folds traditional characters to simplified
    ones (OpenCC's character table); code points past its end fold to themselves."""
    table = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt")
    pairs = (line.split("\t") for line in table.read_text("utf-8").splitlines() if "\t" in line)
    mapping = {ord(t): ord(s[0]) for t, s in pairs if len(t) == 1 and s}
    folding = np.arange(max(mapping) + 1, dtype=np.uint32)
    folding[list(mapping)] = list(mapping.values())
    return folding


def _codes(text: str) -> np.ndarray:
    """The code points of the body as copies are compared: NFKC, any case, traditional folded
    to simplified, and no punctuation, symbols or spaces."""
    text = _NOT_TEXT.sub("", text)
    if not unicodedata.is_normalized("NFKC", text):
        text = _NOT_TEXT.sub("", nfkc(text))
    codes = np.frombuffer(text.casefold().encode("utf-32-le"), dtype=np.uint32)
    folding = _folding()
    inside = codes < len(folding)
    return np.where(inside, folding[np.where(inside, codes, 0)], codes)


def normalise_body(text: str) -> str:
    """The body as copies are compared (see `_codes`), as text."""
    return _codes(text).astype(np.uint32).tobytes().decode("utf-32-le")


def shingles(text: str) -> np.ndarray:
    """The sorted, distinct 32-bit hashes of the normalised body's character 4-grams."""
    codes = _codes(text)
    if len(codes) < SHINGLE_CHARS:
        return np.empty(0, dtype=np.uint64)
    codes = codes.astype(np.uint64)
    grams = np.zeros(len(codes) - SHINGLE_CHARS + 1, dtype=np.uint64)
    for offset in range(SHINGLE_CHARS):
        grams = grams * _GRAM_BASE + codes[offset : len(codes) - SHINGLE_CHARS + 1 + offset]
    hashes = np.sort(_mix(grams))
    return hashes[np.concatenate(([True], hashes[1:] != hashes[:-1]))]


_GRAM_BASE = np.uint64(0x10FFFF + 1)
_MIX = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xFFFFFFFF))


def _mix(values: np.ndarray) -> np.ndarray:
    """A 64-bit finaliser cut to 32 bits: hashes spread evenly whatever the code points."""
    shift, multiplier, low = _MIX
    values = values ^ (values >> shift)
    values = values * multiplier
    return (values ^ (values >> shift)) & low


def signature(hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature of shingle hashes (rensa's R-MinHash: as accurate as datasketch's
    MinHash, a test holds it so, and a hundred times faster)."""
    if not len(hashes):
        return np.full(PERMUTATIONS, _MAX_HASH, dtype=np.uint32)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
        hashes, np.array([0, len(hashes)], dtype=np.uint64), PERMUTATIONS, SEED
    )
    return np.array(matrix.to_rows()[0], dtype=np.uint32)


def band_keys(values: np.ndarray) -> list[int]:
    """One key per LSH band of a signature, its number and its rows' hash: copies share at
    least one key."""
    rows = values.reshape(BANDS, ROWS)
    return [number << 32 | zlib.crc32(row.tobytes()) for number, row in enumerate(rows)]


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
