"""Time `db.link` (the republication graph) on generated articles, and check the works it finds.
Run on demand (pytest does not collect this file):

    python tests/benchmarks/bench_link.py [--articles 100000] [--add 1000] [--seed 1] [--workers 2]

The articles are invented bodies of Chinese-like text (words of common Han characters drawn with
Zipf frequencies, so unrelated bodies share common words), grouped into works: most works have
one copy, a fifth have 2-10. A copy is the work's body under its own account's head and tail
boilerplate (every article of an account carries the same), with 1-3 sentences rewritten; now and
then it is a 60% excerpt, or written in traditional characters. Traps that must stay apart:
short bodies (a sentence or two) and daily digests of a few accounts, whose fixed template is
about half of each body. Rows go straight into `articles` of a fresh `db.open_database` (status
'ok', no page, no fetch, no run); the truth (which work each article belongs to) stays in the
benchmark.

1. From scratch: `db.link(store)` on the whole database. Printed: seconds, the resident set size
   before, at 25%, 50% and 75% of the progress reports and at the end, and the peak (ru_maxrss;
   tracemalloc is not running), with the counts `db.LinkResult` gives.
   With `--workers N`, a copy of the database made before is then linked by
   `db.link(store, workers=N)`. Printed: its seconds, the serial time over it, and whether it
   wrote the same fingerprints, bands, edges and works.
2. Incremental: `--add` new articles (half new copies of existing works, half new works) are
   inserted and `db.link(store, new_ids)` runs. Printed: seconds.
3. Signatures side by side (`--signatures N`, 2,000 by default, 0 to skip): the MinHash of the
   first N bodies by reprints (rensa's R-MinHash) and by datasketch's MinHash (`update_batch`
   on the same shingle hashes, 128 permutations). Printed: ms per body for each and the ratio,
   and for each the error of the Jaccard estimate (mean and standard deviation) on the pairs of
   those bodies that are copies of one work.
4. Quality, after each step: pairwise precision and recall of `articles.work_id` against the
   truth (an article without a work is alone), recall split by copies that are excerpts, in
   traditional characters or neither, the largest work, and how often `works.original_article_id`
   is the true original in works of several copies.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import itertools
import math
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import db
from db.schema import transaction

SIMPLIFIED = "这个们来时说国会对发过学还没经现问动进开关长东车书见话门马电华业为与么后实点样头无万两从种应体给听让认论识机产义写农区医变岁历师广总战报数断"  # noqa: E501
TRADITIONAL = "這個們來時說國會對發過學還沒經現問動進開關長東車書見話門馬電華業為與麼後實點樣頭無萬兩從種應體給聽讓認論識機產義寫農區醫變歲歷師廣總戰報數斷"  # noqa: E501
TO_TRADITIONAL = str.maketrans(SIMPLIFIED, TRADITIONAL)
FREQUENT = "的一是不了人我在有他中大上以地到出就也子和能下自而生成年你可多去家天所小然行心于要得着想作都同文主事方起看定分好部其些本前但只日者意力十公此已工使情明性知全三又正外高间由很最重并物手向"  # noqa: E501
RARE_HAN = 2500
VOCABULARY = 20_000
EPOCH = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
BATCH = 2_000
EXCERPT, TRADITIONAL_COPY = 1, 2
COLUMNS = (
    "id, url, status, title, account, account_id, source, is_original, published, language, "
    "body, content_hash, version, first_seen, last_seen, updated_at"
)


@dataclasses.dataclass(frozen=True)
class Words:
    """A vocabulary drawn with Zipf frequencies: each word appears in `table` as often as its
    weight says, so a draw is a uniform pick (no bisection)."""

    table: list[str]

    def sentences(self, draw: random.Random, count: int) -> list[str]:
        """`count` sentences of 4 to 14 words, drawn in one go."""
        lengths = [4 + int(10 * draw.random()) for _ in range(count)]
        words = draw.choices(self.table, k=sum(lengths))
        ends = draw.choices("。。。，！？", k=count)
        starts = itertools.accumulate(lengths, initial=0)
        return [
            "".join(words[start : start + length]) + end
            for start, length, end in zip(starts, lengths, ends, strict=False)
        ]

    def sentence(self, draw: random.Random) -> str:
        return self.sentences(draw, 1)[0]

    def paragraph(self, draw: random.Random, sentences: int) -> str:
        return "".join(self.sentences(draw, sentences))


def zipf_table(items: list[str], offset: float, size: int) -> list[str]:
    """`items` repeated in proportion to 1 / (rank + offset), about `size` entries."""
    total = sum(1 / (rank + offset) for rank in range(len(items)))
    scale = size / total
    counts = (max(1, round(scale / (rank + offset))) for rank in range(len(items)))
    return [item for item, count in zip(items, counts, strict=False) for _ in range(count)]


def vocabulary(seed: int) -> Words:
    draw = random.Random(f"{seed}/vocabulary")
    han = (chr(0x4E00 + draw.randrange(0x5000)) for _ in range(2 * RARE_HAN))
    rare = [c for c in dict.fromkeys(han) if c not in TRADITIONAL][:RARE_HAN]
    chars = zipf_table(list(dict.fromkeys(FREQUENT + SIMPLIFIED)) + rare, 2, 50_000)
    words = {
        "".join(draw.choices(chars, k=draw.choice((1, 2, 2, 2, 3)))) for _ in range(VOCABULARY)
    }
    ordered = sorted(words)
    draw.shuffle(ordered)
    return Words(zipf_table(ordered, 10, 200_000))


@dataclasses.dataclass(frozen=True)
class Account:
    name: str
    head: str | None
    tail: str


@dataclasses.dataclass
class Row:
    """An article to insert, with its truth: the work and whether it is the original."""

    work: int
    original: bool
    flags: int
    values: tuple


class Corpus:
    """Deterministic works, copies and accounts for one seed."""

    def __init__(self, seed: int, accounts: int) -> None:
        self.seed = seed
        self.words = vocabulary(seed)
        self.accounts = [self.account(a) for a in range(accounts)]
        self.digest_accounts = self.accounts[:5]
        self.templates = [self.template(a) for a in range(len(self.digest_accounts))]

    def account(self, number: int) -> Account:
        draw = random.Random(f"{self.seed}/account/{number}")
        name = f"{self.words.paragraph(draw, 1)[:6]}{number}号"
        head = f"点击上方蓝字关注{name}。{self.words.paragraph(draw, 2)}"
        tail = f"{self.words.paragraph(draw, 3)}欢迎转发，{name}，我们下期再见。"
        return Account(name, head if draw.random() < 0.6 else None, tail)

    def template(self, number: int) -> tuple[str, str]:
        draw = random.Random(f"{self.seed}/template/{number}")
        return self.words.paragraph(draw, 8), self.words.paragraph(draw, 8)

    def body(self, work: int) -> list[list[str]]:
        """The work's own text: paragraphs of sentences."""
        draw = random.Random(f"{self.seed}/work/{work}")
        length = min(8000, max(300, int(draw.lognormvariate(math.log(1400), 0.5))))
        sentences = self.words.sentences(draw, length // 16 + 1)
        paragraphs = []
        while sentences:
            size = draw.randint(2, 6)
            paragraphs.append(sentences[:size])
            sentences = sentences[size:]
        return paragraphs

    def copy_text(
        self, body: list[list[str]], key: str, account: Account, copy: bool
    ) -> tuple[str, int]:
        """The text of one copy of `body` and its flags (excerpt, traditional); the original
        (not `copy`) is the body as it is, under its account's boilerplate."""
        draw = random.Random(f"{self.seed}/copy/{key}")
        paragraphs = [list(p) for p in body]
        flags = 0
        if copy:
            for _ in range(draw.randint(1, 3)):
                sentences = draw.choice(paragraphs)
                sentences[draw.randrange(len(sentences))] = self.words.sentence(draw)
            if len(paragraphs) >= 5 and draw.random() < 0.12:
                keep = max(1, round(len(paragraphs) * 0.6))
                start = draw.randint(0, len(paragraphs) - keep)
                paragraphs, flags = paragraphs[start : start + keep], EXCERPT
        blocks = [account.head] if account.head else []
        blocks += ["".join(p) for p in paragraphs] + [account.tail]
        text = "\n\n".join(blocks)
        if copy and draw.random() < 0.15:
            text, flags = text.translate(TO_TRADITIONAL), flags | TRADITIONAL_COPY
        return text, flags

    def rows(self, work: int, copies: int, article_ids: list[int], kind: str) -> list[Row]:
        """The copies of `work` (copy 0 the original), stored as `article_ids`."""
        draw = random.Random(f"{self.seed}/rows/{work}/{copies}")
        published = EPOCH + dt.timedelta(minutes=draw.randrange(2 * 365 * 24 * 60))
        owners = draw.sample(range(len(self.accounts)), copies)
        title = self.words.sentence(draw)[:20]
        body = self.body(work) if kind == "body" else []
        rows = []
        for copy, (article_id, owner) in enumerate(zip(article_ids, owners, strict=True)):
            account = self.accounts[owner]
            if kind == "short":
                text, flags = self.words.paragraph(draw, draw.randint(1, 2)), 0
            elif kind == "digest":
                account = draw.choice(self.digest_accounts)
                head, tail = self.templates[self.digest_accounts.index(account)]
                text, flags = f"{head}\n\n{self.words.paragraph(draw, 16)}\n\n{tail}", 0
            else:
                text, flags = self.copy_text(body, f"{work}/{copy}", account, copy > 0)
            copy_title = f"转载｜{title}" if copy and draw.random() < 0.3 else title
            article = Copy(f"{self.seed}-{work}-{copy}", copy_title, account, text, flags)
            when = published + dt.timedelta(hours=draw.expovariate(1 / 30) if copy else 0)
            article.credit = self.accounts[owners[0]].name if copy and draw.random() < 0.4 else None
            article.marked = (draw.random() < 0.5) if not copy else (draw.random() < 0.03)
            seen = when + dt.timedelta(hours=draw.expovariate(1 / 48))
            rows.append(Row(work, copy == 0, flags, article.values(article_id, when, seen)))
        return rows

    def late_copy(self, work: int, number: int, article_id: int) -> Row:
        """A copy of `work` republished later by any account, without credit."""
        draw = random.Random(f"{self.seed}/late/{work}/{number}")
        account = draw.choice(self.accounts)
        text, flags = self.copy_text(self.body(work), f"{work}/late{number}", account, True)
        title = self.words.sentence(draw)[:20]
        when = EPOCH + dt.timedelta(days=800 + draw.random() * 30)
        article = Copy(f"{self.seed}-{work}-late{number}", title, account, text, flags)
        return Row(work, False, flags, article.values(article_id, when, when))


@dataclasses.dataclass
class Copy:
    """One article as it is stored."""

    key: str
    title: str
    account: Account
    text: str
    flags: int
    credit: str | None = None
    marked: bool = False

    def values(self, article_id: int, published: dt.datetime, seen: dt.datetime) -> tuple:
        """The row for `COLUMNS`."""
        seen_text = seen.isoformat(timespec="seconds")
        return (
            article_id,
            f"https://mp.weixin.qq.com/s/{self.key}",
            "ok",
            self.title,
            self.account.name,
            f"gh_{hashlib.md5(self.account.name.encode()).hexdigest()[:12]}",
            self.credit,
            int(self.marked),
            published.isoformat(timespec="seconds"),
            "zh-Hant" if self.flags & TRADITIONAL_COPY else "zh-Hans",
            self.text,
            hashlib.sha256(f"{self.account.name}\n{self.text}".encode()).hexdigest(),
            1,
            seen_text,
            seen_text,
            seen_text,
        )


def work_plan(seed: int, articles: int, first_work: int) -> Iterator[tuple[int, int, str]]:
    """(work, copies, kind) until `articles` articles are planned."""
    draw = random.Random(f"{seed}/plan/{first_work}")
    work, planned = first_work, 0
    while planned < articles:
        roll = draw.random()
        kind = "short" if roll < 0.03 else "digest" if roll < 0.05 else "body"
        copies = (
            1 if kind != "body" or draw.random() < 0.8 else min(10, 2 + int(draw.expovariate(0.5)))
        )
        copies = min(copies, articles - planned)
        yield work, copies, kind
        work, planned = work + 1, planned + copies


@dataclasses.dataclass
class Truth:
    """For each article id: its work, whether it is the original, its copy flags."""

    work: dict[int, int] = dataclasses.field(default_factory=dict)
    original: dict[int, int] = dataclasses.field(default_factory=dict)
    flags: dict[int, int] = dataclasses.field(default_factory=dict)
    bodies: list[int] = dataclasses.field(default_factory=list)

    def add(self, article_id: int, row: Row) -> None:
        self.work[article_id] = row.work
        self.flags[article_id] = row.flags
        if row.original:
            self.original[row.work] = article_id


def insert(store, rows: list[Row]) -> None:
    marks = ", ".join("?" * len(rows[0].values))
    with transaction(store):
        store.conn.executemany(
            f"INSERT INTO articles ({COLUMNS}) VALUES ({marks})", [r.values for r in rows]
        )


def fill(store, corpus: Corpus, truth: Truth, articles: int, ids: list[int]) -> None:
    """Insert `articles` new articles (new works) under the given ids."""
    pending: list[Row] = []
    taken = iter(ids)
    for work, copies, kind in work_plan(corpus.seed, articles, len(truth.original)):
        if kind == "body":
            truth.bodies.append(work)
        for row in corpus.rows(work, copies, list(itertools.islice(taken, copies)), kind):
            truth.add(row.values[0], row)
            pending.append(row)
        if len(pending) >= BATCH:
            insert(store, pending)
            pending = []
    if pending:
        insert(store, pending)


def add_articles(store, corpus: Corpus, truth: Truth, count: int, first_id: int) -> list[int]:
    """Insert `count` articles (half late copies of stored works, half new works); their ids."""
    draw = random.Random(f"{corpus.seed}/add")
    late = [corpus.late_copy(draw.choice(truth.bodies), n, first_id + n) for n in range(count // 2)]
    insert(store, late)
    for row in late:
        truth.add(row.values[0], row)
    new_ids = list(range(first_id + len(late), first_id + count))
    fill(store, corpus, truth, len(new_ids), new_ids)
    return [row.values[0] for row in late] + new_ids


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RssProbe:
    """A `progress` callback that notes the RSS at 25%, 50% and 75% of the way."""

    def __init__(self) -> None:
        self.readings: dict[int, float] = {}

    def __call__(self, done: int, total: int) -> None:
        for quarter in (25, 50, 75):
            if quarter not in self.readings and total and done * 100 >= quarter * total:
                self.readings[quarter] = rss_mb()


def pairs(size: int) -> int:
    return size * (size - 1) // 2


def quality(store, truth: Truth) -> None:
    found = dict(store.execute("SELECT id, work_id FROM articles").fetchall())
    predicted = {a: ("work", w) if w is not None else ("alone", a) for a, w in found.items()}
    both = Counter((truth.work[a], predicted[a]) for a in found)
    true_pairs = sum(pairs(n) for n in Counter(truth.work[a] for a in found).values())
    sizes = Counter(predicted.values())
    found_pairs = sum(pairs(n) for n in sizes.values())
    hits = sum(pairs(n) for n in both.values())
    precision = hits / found_pairs if found_pairs else 1.0
    recall = hits / true_pairs if true_pairs else 1.0
    print(f"  pairwise precision {precision:.4f}, recall {recall:.4f} ({true_pairs} true pairs)")
    print(f"  {recall_by_flag(truth, predicted)}; largest work {max(sizes.values())} articles")
    originals = dict(store.execute("SELECT id, original_article_id FROM works").fetchall())
    members: dict[int, list[int]] = defaultdict(list)
    for article, work in truth.work.items():
        members[work].append(article)
    checked = [w for w, m in members.items() if len(m) > 1]
    right = sum(
        originals.get(found[truth.original[w]]) == truth.original[w]
        for w in checked
        if found[truth.original[w]] is not None
    )
    print(f"  original right in {right / max(len(checked), 1):.3f} of {len(checked)} works")


def recall_by_flag(truth: Truth, predicted: dict) -> str:
    """Recall of the true pairs that hold an excerpt, a traditional copy, or neither."""
    members: dict[int, list[int]] = defaultdict(list)
    for article, work in truth.work.items():
        members[work].append(article)
    seen: Counter = Counter()
    kept: Counter = Counter()
    for articles in members.values():
        for a, b in itertools.combinations(articles, 2):
            flags = truth.flags[a] | truth.flags[b]
            label = "excerpt" if flags & EXCERPT else "traditional" if flags else "plain"
            seen[label] += 1
            kept[label] += predicted[a] == predicted[b]
    parts = [f"{label} {kept[label] / seen[label]:.3f}" for label in sorted(seen)]
    return "recall by pair: " + ", ".join(parts)


def shuffled_ids(articles: int, seed: int) -> list[int]:
    """Article ids 1..N in a shuffled order, so copies of a work are not neighbours."""
    ids = list(range(1, articles + 1))
    random.Random(f"{seed}/ids").shuffle(ids)
    return ids


def counts(result: db.LinkResult) -> str:
    return ", ".join(f"{value} {name}" for name, value in dataclasses.asdict(result).items())


def bench_scratch(store, articles: int) -> float:
    """Link from scratch, serially; the seconds it took."""
    probe = RssProbe()
    before = rss_mb()
    started = time.perf_counter()
    result = db.link(store, progress=probe)
    seconds = time.perf_counter() - started
    quarters = ", ".join(f"{q}% {mb:.0f}" for q, mb in sorted(probe.readings.items()))
    print(f"from scratch: {articles} articles linked in {seconds:.1f} s")
    print(f"  {counts(result)}")
    print(
        f"  RSS MB: before {before:.0f}, {quarters or 'no progress reports'}, "
        f"after {rss_mb():.0f}; peak {peak_mb():.0f}"
    )
    return seconds


def graph(store) -> list[list[tuple]]:
    """Everything linking writes, in a fixed order."""
    return [
        store.execute(sql).fetchall()
        for sql in (
            "SELECT * FROM fingerprints ORDER BY article_id",
            "SELECT * FROM lsh_bands ORDER BY key, article_id",
            "SELECT * FROM copy_edges ORDER BY small, large",
            "SELECT * FROM works ORDER BY id",
            "SELECT id, work_id, copy_role FROM articles ORDER BY id",
        )
    ]


def bench_workers(store, copy_path: Path, workers: int, serial_seconds: float) -> None:
    """Link the copy made before the serial link with `workers` processes: time, ratio, and
    whether it wrote the same graph."""
    parallel = db.open_database(copy_path)
    started = time.perf_counter()
    db.link(parallel, workers=workers)
    seconds = time.perf_counter() - started
    same = graph(parallel) == graph(store)
    parallel.conn.close()
    print(
        f"from scratch with {workers} workers: {seconds:.1f} s, "
        f"{serial_seconds / seconds:.2f}x the serial link; same graph: {same}"
    )


def bench_add(store, corpus: Corpus, truth: Truth, count: int) -> None:
    first_id = max(truth.work) + 1
    new_ids = add_articles(store, corpus, truth, count, first_id)
    started = time.perf_counter()
    result = db.link(store, new_ids)
    seconds = time.perf_counter() - started
    print(f"incremental: {count} new articles linked in {seconds:.2f} s")
    print(f"  {counts(result)}")


def bench_signatures(store, truth: Truth, count: int) -> None:
    from datasketch import MinHash

    from cleaners.fingerprint import PERMUTATIONS, SEED, overlap, shingles, signature

    rows = store.execute("SELECT id, body FROM articles ORDER BY id LIMIT ?", [count]).fetchall()
    hashes = {article_id: shingles(body) for article_id, body in rows}
    started = time.perf_counter()
    ours = {article_id: signature(found) for article_id, found in hashes.items()}
    ours_ms = (time.perf_counter() - started) / len(rows) * 1000
    started = time.perf_counter()
    theirs = {}
    for article_id, found in hashes.items():
        sketch = MinHash(num_perm=PERMUTATIONS, seed=SEED, hashfunc=int)
        sketch.update_batch(found.tolist())
        theirs[article_id] = sketch.hashvalues
    theirs_ms = (time.perf_counter() - started) / len(rows) * 1000
    print(
        f"signatures of {len(rows)} bodies: reprints (rensa) {ours_ms:.3f} ms, datasketch "
        f"{theirs_ms:.3f} ms per body; datasketch / reprints {theirs_ms / ours_ms:.0f}x"
    )
    by_work: dict[int, list[int]] = defaultdict(list)
    for article_id in hashes:
        by_work[truth.work[article_id]].append(article_id)
    errors: dict[str, list[float]] = {"reprints": [], "datasketch": []}
    for members in by_work.values():
        for a, b in itertools.combinations(members, 2):
            exact = overlap(hashes[a], hashes[b])[0]
            errors["reprints"].append(float((ours[a] == ours[b]).mean()) - exact)
            errors["datasketch"].append(float((theirs[a] == theirs[b]).mean()) - exact)
    for name, found in errors.items():
        if found:
            mean, spread = statistics.fmean(found), statistics.pstdev(found)
            print(f"  {name}: Jaccard error {mean:+.4f} ± {spread:.4f}, {len(found)} pairs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--add", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--signatures", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=1, help="Also link with N processes.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = db.open_database(Path(tmp) / "link.db")
        corpus = Corpus(args.seed, max(200, args.articles // 50))
        truth = Truth()
        started = time.perf_counter()
        fill(store, corpus, truth, args.articles, shuffled_ids(args.articles, args.seed))
        works = len(truth.original)
        print(
            f"generated {args.articles} articles of {works} works "
            f"in {time.perf_counter() - started:.0f} s"
        )
        if args.signatures:
            bench_signatures(store, truth, args.signatures)
        copy_path = Path(tmp) / "copy.db"
        if args.workers > 1:
            with sqlite3.connect(copy_path) as copy:
                store.conn.backup(copy)
        serial_seconds = bench_scratch(store, args.articles)
        if args.workers > 1:
            bench_workers(store, copy_path, args.workers, serial_seconds)
        quality(store, truth)
        bench_add(store, corpus, truth, args.add)
        quality(store, truth)
    return 0


if __name__ == "__main__":
    sys.exit(main())
