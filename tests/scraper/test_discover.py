"""Finding article URLs in feeds, sitemaps and listing pages (inline documents, no network)."""

from __future__ import annotations

import datetime as dt

from scraper.discover import Link, feed_links, listing_links, sitemap_links

BASE = "https://news.example/feed.xml"

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>News</title><link>https://news.example/</link>
<item><title>One</title><link>https://news.example/a/1.html</link>
  <pubDate>Tue, 10 Jun 2025 10:00:00 GMT</pubDate></item>
<item><title>Two</title><link>/a/2.html#comments</link></item>
<item><title>Three</title><guid>https://news.example/a/3.html</guid></item>
<item><title>Four</title><guid isPermaLink="false">tag:news.example,2025:4</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title><id>urn:x</id>
<link rel="self" href="https://news.example/atom.xml"/>
<entry><title>One</title><id>urn:1</id>
  <link rel="self" href="https://news.example/api/1.json"/>
  <link rel="alternate" href="https://news.example/a/1.html"/>
  <updated>2025-06-10T10:00:00Z</updated></entry>
<entry><title>Two</title><id>urn:2</id><link href="a/2.html"/>
  <published>2025-06-09T08:00:00+00:00</published></entry>
</feed>"""


def instant(value: str | None) -> dt.datetime:
    assert value is not None
    parsed = dt.datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, f"{value!r} has lost its time zone"
    return parsed


def test_rss_items_with_dates_relative_links_and_guids():
    links = feed_links(RSS, BASE)
    assert [link.url for link in links] == [
        "https://news.example/a/1.html",
        "https://news.example/a/2.html",
        "https://news.example/a/3.html",
    ]
    assert links[0].updated is not None and links[0].updated.startswith("2025-06-10T10:00")
    assert links[1].updated is None


def test_atom_entries_use_the_alternate_link():
    links = feed_links(ATOM, "https://news.example/atom.xml")
    assert [link.url for link in links] == [
        "https://news.example/a/1.html",
        "https://news.example/a/2.html",
    ]
    assert instant(links[0].updated) == dt.datetime(2025, 6, 10, 10, tzinfo=dt.UTC)
    assert links[1].updated is not None and links[1].updated.startswith("2025-06-09")


def test_rss_pubdate_keeps_its_time_zone():
    """An RFC 822 date with an offset is an instant; dropping the offset moves it by hours,
    and the crawl compares it with the time of the last fetch."""
    feed = RSS.replace(b"10:00:00 GMT", b"18:00:00 +0800")
    (first, *_) = feed_links(feed, BASE)
    assert instant(first.updated) == dt.datetime(2025, 6, 10, 10, tzinfo=dt.UTC)


def test_feed_in_gbk_with_a_bom_and_an_xml_declaration():
    feed = (
        '<?xml version="1.0" encoding="GBK"?><rss><channel><item><title>新闻</title>'
        "<link>/a/新闻.html</link></item></channel></rss>"
    ).encode("gbk")
    links = feed_links(b"\n  " + feed, BASE)
    assert len(links) == 1
    assert links[0].url.startswith("https://news.example/a/")


def test_not_a_feed_gives_nothing():
    assert feed_links(b"<html><body>not a feed</body></html>", BASE) == []
    assert feed_links(b"", BASE) == []
    assert feed_links(b"\x00\xff garbage", BASE) == []


def test_feed_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    feed = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<rss><channel><item><link>https://news.example/&x;</link></item></channel></rss>"
    ).encode()
    for link in feed_links(feed, BASE):
        assert "TOPSECRET" not in link.url


SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://news.example/a/1.html</loc><lastmod>2025-06-10T10:00:00+00:00</lastmod></url>
<url><loc> https://news.example/a/2.html </loc></url>
<url><lastmod>2025-06-10</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/sitemap-1.xml</loc><lastmod>2025-06-01</lastmod></sitemap>
<sitemap><loc>/sitemap-2.xml</loc></sitemap>
</sitemapindex>"""


def test_sitemap_pages_with_lastmod():
    pages, nested = sitemap_links(SITEMAP, "https://news.example/sitemap.xml")
    assert nested == []
    assert [p.url for p in pages] == [
        "https://news.example/a/1.html",
        "https://news.example/a/2.html",
    ]
    assert instant(pages[0].updated) == dt.datetime(2025, 6, 10, 10, tzinfo=dt.UTC)
    assert pages[1].updated is None


def test_sitemap_index_gives_nested_sitemaps():
    pages, nested = sitemap_links(INDEX, "https://news.example/sitemap.xml")
    assert pages == []
    assert nested == ["https://news.example/sitemap-1.xml", "https://news.example/sitemap-2.xml"]


def test_sitemap_without_namespace_and_garbage():
    pages, _ = sitemap_links(b"<urlset><url><loc>/x</loc></url></urlset>", "http://h.example/")
    assert pages == [Link("http://h.example/x")]
    assert sitemap_links(b"{not xml}", "http://h.example/") == ([], [])


def test_sitemap_with_one_malformed_loc_keeps_the_others():
    """One broken <loc> (here an unclosed IPv6 bracket) must not lose the whole sitemap,
    nor raise out of discovery and end the crawl with a traceback."""
    sitemap = SITEMAP.replace(
        b"<url><lastmod>", b"<url><loc>http://[::1/broken</loc></url><url><lastmod>"
    )
    pages, _ = sitemap_links(sitemap, "https://news.example/sitemap.xml")
    assert [p.url for p in pages] == [
        "https://news.example/a/1.html",
        "https://news.example/a/2.html",
    ]


LISTING = b"""<!DOCTYPE html><html><head><base href="https://news.example/section/"></head>
<body><nav><a href="/about">About</a></nav>
<ul class="news">
  <li><a href="story-1.html">One</a></li>
  <li><a href="/story-2.html#top">Two</a></li>
  <li><a href="javascript:void(0)">Script</a></li>
  <li><a href="mailto:editor@news.example">Mail</a></li>
  <li><a href="#">Top</a></li>
  <li><span>no link</span></li>
</ul>
<h2 class="title"><a href="https://other.example/x.html">Elsewhere</a></h2>
</body></html>"""


def test_listing_links_picked_by_selector():
    links = listing_links(LISTING, "https://news.example/", "ul.news a")
    assert [link.url for link in links] == [
        "https://news.example/section/story-1.html",
        "https://news.example/story-2.html",
    ]


def test_listing_selector_on_containers_uses_their_anchor():
    links = listing_links(LISTING, "https://news.example/", "ul.news li")
    assert [link.url for link in links][:2] == [
        "https://news.example/section/story-1.html",
        "https://news.example/story-2.html",
    ]
    links = listing_links(LISTING, "https://news.example/", "h2.title")
    assert links == [Link("https://other.example/x.html")]


def test_listing_without_matches():
    assert listing_links(LISTING, "https://news.example/", "div.none a") == []
