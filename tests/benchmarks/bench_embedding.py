"""Would an embedding model link translations better than the anchors do? Run on demand, in a
virtualenv where wordllama is installed (it is not a dependency of reprints; pytest does not
collect this file):

    pip install wordllama && python tests/benchmarks/bench_embedding.py

wordllama is the one embedding package here that ships its weights in its wheel, so nothing is
downloaded at run time (its 0.4 release looks for its own tokenizer in a folder it does not
ship, so the package folder is given as its cache).

The translation is the invented Japanese page of tests/db/works_pages.py, and its original
the invented Chinese article. The unrelated texts are the two invented template articles and,
when ../shared/corpus is present, the kept snippets of every labelled page. Printed for the
embedding (cosine) and for the anchors rule of db.works_edges (Jaccard of the anchors): the
score of the true pair, the highest and median score of the translation against unrelated
texts, and the true pair's rank; then the model's load time and embedding time per text.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "db"))

import works_pages  # noqa: E402

from cleaners.fingerprint import anchors  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def unrelated_texts() -> list[str]:
    texts = ["".join(paragraphs) for _, _, paragraphs in works_pages.TEMPLATE_ARTICLES]
    if CORPUS.is_dir():
        for label in sorted(CORPUS.glob("*.expect.json")):
            keep = json.loads(label.read_text("utf-8")).get("keep") or []
            if keep:
                texts.append("".join(keep))
    else:
        print(f"(no {CORPUS}: only the invented unrelated texts are used)")
    return texts


def report(name: str, score: Callable[[str, str], float], original: str, translation: str,
           others: list[str]) -> None:  # fmt: skip
    true = score(translation, original)
    against = sorted(score(translation, other) for other in others)
    rank = 1 + sum(value >= true for value in against)
    print(
        f"{name}: true pair {true:.3f}; unrelated max {against[-1]:.3f}, "
        f"median {statistics.median(against):.3f}; true pair ranks {rank} of {len(others) + 1}"
    )


def anchor_jaccard(a: str, b: str) -> float:
    mine, theirs = anchors(a), anchors(b)
    return len(mine & theirs) / max(len(mine | theirs), 1)


def main() -> int:
    try:
        import wordllama
    except ImportError:
        print("wordllama is not installed: pip install wordllama", file=sys.stderr)
        return 2
    started = time.perf_counter()
    model = wordllama.WordLlama.load(
        cache_dir=Path(wordllama.__file__).parent, disable_download=True
    )
    loaded = time.perf_counter() - started
    original = "".join(works_pages.PARAGRAPHS)
    translation = "".join(works_pages.JA_PARAGRAPHS)
    others = unrelated_texts()
    report("wordllama cosine", model.similarity, original, translation, others)
    report("anchors Jaccard", anchor_jaccard, original, translation, others)
    started = time.perf_counter()
    model.embed(others)
    per_text = (time.perf_counter() - started) / len(others) * 1000
    print(f"wordllama: loaded in {loaded:.2f} s, {per_text:.2f} ms per text")
    return 0


if __name__ == "__main__":
    sys.exit(main())
