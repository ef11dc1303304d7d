"""Fingerprints of a body: deterministic, blind to punctuation, spacing, case and script
(traditional and simplified), and close for copies, far for different texts."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from cleaners.fingerprint import (
    BANDS,
    MIN_SHINGLES,
    PERMUTATIONS,
    SEED,
    anchors,
    band_keys,
    normalise_body,
    overlap,
    shingles,
    signature,
)

TEXT = (
    "县城东头的修理铺开了二十年，老板每天七点开门，先给自己泡一杯茶，再把门口的旧收音机摆出来。"
    "去年冬天，几个年轻人把全城三十七家小店画进了一张地图，放在网上，修理铺的生意慢慢回来了。"
)
TRADITIONAL = (
    "縣城東頭的修理鋪開了二十年，老闆每天七點開門，先給自己泡一杯茶，再把門口的舊收音機擺出來。"
    "去年冬天，幾個年輕人把全城三十七家小店畫進了一張地圖，放在網上，修理鋪的生意慢慢回來了。"
)
OTHER = (
    "城西的菜市场今年翻修，摊位从八十个减到六十个，留下来的摊主大多是做了十几年的老面孔。"
    "市场管理处说，新的排水沟和顶棚能让雨天的生意好做一些，租金暂时不涨。"
)


def test_normalising_drops_punctuation_spaces_and_case_and_folds_script() -> None:
    assert normalise_body("Ａ，b　C！") == "abc"
    assert normalise_body(TRADITIONAL) == normalise_body(TEXT)


def test_shingles_are_the_same_in_every_process() -> None:
    code = f"from cleaners.fingerprint import shingles; print(shingles({TEXT!r})[:5].tolist())"
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
        for _ in range(2)
    }
    assert outputs == {f"{shingles(TEXT)[:5].tolist()}\n"}


def test_copies_overlap_and_other_texts_do_not() -> None:
    mine, copy, other = shingles(TEXT), shingles(TRADITIONAL + "欢迎转发。"), shingles(OTHER)
    assert len(mine) >= MIN_SHINGLES
    jaccard, containment = overlap(mine, copy)
    assert jaccard > 0.9 and containment == 1.0
    assert overlap(mine, other)[0] < 0.05
    half = shingles(TEXT[: len(TEXT) // 2])
    assert overlap(half, mine)[1] == 1.0


def test_signatures_agree_as_much_as_the_texts_do() -> None:
    mine, copy, other = (signature(shingles(t)) for t in (TEXT, TRADITIONAL, OTHER))
    assert np.array_equal(mine, copy)
    assert (mine == other).mean() < 0.1
    assert len(band_keys(mine)) == BANDS
    assert band_keys(mine) == band_keys(copy)
    assert not set(band_keys(mine)) & set(band_keys(other))


def test_empty_and_short_bodies() -> None:
    assert len(shingles("")) == 0
    assert len(signature(shingles(""))) == len(signature(shingles(TEXT)))
    assert overlap(shingles(""), shingles(TEXT)) == (0.0, 0.0)


def test_anchors_keep_numbers_latin_names_and_addresses() -> None:
    found = anchors("OpenFix 在 2024 年接入了 37 家小店，地图见 https://openfix.example.org/map 。")
    assert {"openfix", "2024", "37", "https://openfix.example.org/map"} <= found


def test_signatures_estimate_jaccard_as_well_as_datasketchs_minhash() -> None:
    from datasketch import MinHash

    draw = np.random.default_rng(7)
    mine, reference = [], []
    for _ in range(150):
        first = np.unique(draw.integers(0, 2**32, int(draw.integers(200, 3000)), dtype=np.uint64))
        kept = first[draw.random(len(first)) < draw.uniform(0.2, 1.0)]
        added = draw.integers(0, 2**32, int(draw.integers(0, len(first))), dtype=np.uint64)
        second = np.unique(np.concatenate([kept, added]))
        exact = overlap(first, second)[0]
        mine.append((signature(first) == signature(second)).mean() - exact)
        sketches = []
        for hashes in (first, second):
            sketch = MinHash(num_perm=PERMUTATIONS, seed=SEED, hashfunc=int)
            sketch.update_batch(hashes.tolist())
            sketches.append(sketch)
        reference.append(sketches[0].jaccard(sketches[1]) - exact)
    assert abs(np.mean(mine)) < 0.01
    assert np.std(mine) < 1.25 * np.std(reference)
    assert np.std(mine) < 0.06
