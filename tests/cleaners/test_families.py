"""Assertions on the family_* golden pages that the golden format cannot express."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from cleaners import clean, load_rules

PAGES = Path(__file__).parent / "pages"


def norm(text: str) -> str:
    """As the golden test compares: NFKC, casefold, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def cleaned(name: str) -> dict:
    expect = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    return clean((PAGES / f"{name}.html").read_bytes(), url=expect["url"]).to_dict()


def test_another_sites_marker_on_an_unknown_host_is_read_as_a_general_page() -> None:
    marker = 'class="article-content"'
    owners = [site.name for site in load_rules().sites if marker in site.markers]
    assert owners, "the page is meant to carry a marker that sites.toml gives to a site"
    assert marker in (PAGES / "family_foreign_marker_zh.html").read_text(encoding="utf-8")
    result = cleaned("family_foreign_marker_zh")
    assert result["reader"] == "mirror", f"read with site rules: {result['reader']!r}"


def test_stock_quote_tuples_leave_the_sentence_whole() -> None:
    body = norm(cleaned("family_stock_widget_zh")["body"])
    for sentence in (
        "星河科技(01688.HK)今日公布截至三月底的第一季度业绩",
        "其主要供应商华川电气(600123.SH)发布公告称",
        "竞争对手明途电子(MTE.US)上周已下调了全年指引。",
    ):
        assert norm(sentence) in body, f"sentence not whole: {sentence!r}"


def test_stock_quote_removals_are_audited_as_such() -> None:
    removed = cleaned("family_stock_widget_zh")["removed"]
    quotes = [r for r in removed if "4.23%" in r["text"]]
    assert quotes, "no removed[] entry for the (45.60, 1.85, 4.23%) tuple"
    assert all("今日公布" not in r["text"] for r in quotes), "the sentence went with the tuple"


def test_signed_statement_loses_nothing() -> None:
    page = (PAGES / "family_lawyer_statement_zh.html").read_text(encoding="utf-8")
    content = LexborHTMLParser(page).css_first("#js_content")
    content_n = norm(content.text(separator="\n"))
    result = cleaned("family_lawyer_statement_zh")
    inside = [r for r in result["removed"] if norm(r["text"]) and norm(r["text"]) in content_n]
    assert not inside, f"removed from the statement: {inside!r}"
    body = result["body"]
    assert body.rstrip().endswith("2024年3月8日"), f"signature lost: {body[-80:]!r}"


def test_reprint_line_and_credit_line_are_fields_not_body() -> None:
    result = cleaned("family_ja_reprint_line")
    body = norm(result["body"])
    for line in (
        "以下の記事は麦穂ビジネス評論からのもので、趙明遠氏が執筆したものです。",
        "著者: 趙明遠 出典: 麦穂ビジネス評論 編集: 孫暁晴",
    ):
        assert norm(line) not in body, f"attribution line left in body: {line!r}"
    kinds = {r["kind"] for r in result["removed"] if "以下の記事は" in r["text"]}
    assert kinds == {"attribution"}, f"reprint line removed as {kinds!r}"


def test_sidebar_dates_never_give_the_publication() -> None:
    result = cleaned("family_sidebar_dates_zh")
    assert result["published"] and result["published"].startswith("2023-06-18"), (
        f"published {result['published']!r} from {result['origins'].get('published')!r}"
    )
