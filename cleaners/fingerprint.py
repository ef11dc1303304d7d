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
from datasketch import MinHash

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
def _folding() -> dict[int, str]:
    """Traditional characters to simplified ones (OpenCC's character table)."""
    table = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt")
    pairs = (line.split("\t") for line in table.read_text("utf-8").splitlines() if "\t" in line)
    return {ord(t): s.split(" ")[0] for t, s in pairs if len(t) == 1}


def normalise_body(text: str) -> str:
    """The body as copies are compared: NFKC, any case, traditional folded to simplified,
    and no punctuation, symbols or spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_folding())
    return _NOT_TEXT.sub("", folded)


def shingles(text: str) -> set[int]:
    """The 32-bit hashes of the normalised body's character 4-grams."""
    norm = normalise_body(text)
    return {
        zlib.crc32(norm[i : i + SHINGLE_CHARS].encode())
        for i in range(max(len(norm) - SHINGLE_CHARS + 1, 0))
    }


@cache
def _minhash() -> MinHash:
    return MinHash(num_perm=PERMUTATIONS, seed=SEED, hashfunc=int)


def signature(shingle_set: set[int]) -> np.ndarray:
    """The MinHash signature of a shingle set (unsigned 64-bit values)."""
    minhash = _minhash().copy()
    if shingle_set:
        minhash.update_batch(np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set)))
    return minhash.hashvalues


def bands(values: np.ndarray) -> list[int]:
    """One hash per LSH band of a signature: copies share at least one band."""
    rows = values.reshape(BANDS, ROWS)
    return [zlib.crc32(row.tobytes()) for row in rows]


def overlap(a: set[int], b: set[int]) -> tuple[float, float]:
    """Jaccard similarity of two shingle sets, and how much of the smaller one the larger holds."""
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b)
    return common / len(a | b), common / min(len(a), len(b))


def anchors(text: str) -> set[str]:
    """What a translation keeps of its original: numbers, Latin-script names, addresses and
    WeChat image ids."""
    found = {m.group(0).rstrip(".,:") for m in _NUMBER.finditer(text)}
    found |= {m.group(0).casefold() for m in _LATIN_NAME.finditer(text)}
    found |= set(_ADDRESS.findall(text))
    found |= set(_IMAGE_ID.findall(text))
    return found
