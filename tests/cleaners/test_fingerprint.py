"""Fingerprints of a body: deterministic, blind to punctuation, spacing, case and script
(traditional and simplified), and close for copies, far for different texts."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from cleaners.fingerprint import (
    BANDS,
    MIN_SHINGLES,
    anchors,
    bands,
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
    assert len(bands(mine)) == BANDS
    assert bands(mine) == bands(copy)
    assert not set(bands(mine)) & set(bands(other))


def test_empty_and_short_bodies() -> None:
    assert len(shingles("")) == 0
    assert len(signature(shingles(""))) == len(signature(shingles(TEXT)))
    assert overlap(shingles(""), shingles(TEXT)) == (0.0, 0.0)


def test_anchors_keep_numbers_latin_names_and_addresses() -> None:
    found = anchors("OpenFix 在 2024 年接入了 37 家小店，地图见 https://openfix.example.org/map 。")
    assert {"openfix", "2024", "37", "https://openfix.example.org/map"} <= found


def test_the_permutations_and_signatures_are_datasketchs() -> None:
    from datasketch import MinHash

    from cleaners.fingerprint import PERMUTATIONS, SEED, _permutations

    reference = MinHash(num_perm=PERMUTATIONS, seed=SEED, hashfunc=int, scheme="legacy")
    a, b = reference.permutations
    mine_a, mine_b = _permutations()
    assert np.array_equal(a, mine_a) and np.array_equal(b, mine_b)
    hashes = shingles(TEXT)
    reference.update_batch(hashes.tolist())
    assert np.array_equal(reference.hashvalues, signature(hashes))
