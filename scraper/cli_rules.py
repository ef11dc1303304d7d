"""Where a command's rules come from (`--rules`, REPRINTS_RULES, the config folder, a database's
learned rules), and the `reprints rules` and `reprints learn` commands."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

import cleaners
import db
from cleaners import RuleError, Rules
from cleaners.rules import LearningSettings
from cleaners.ruleschema import describe

from .cli_common import OptionError, database_failures, open_store, page_name, read_page

RULES_ENV = "REPRINTS_RULES"
RULES_HELP = (
    "A rule file, or a folder of *.toml rule files, layered on the shipped rules (repeat; "
    f"after the config folder's and {RULES_ENV}'s)."
)


def config_folder() -> Path:
    """The per-user rules folder, in the platform's config directory."""
    return Path(click.get_app_dir("reprints")) / "rules"


def user_rule_paths(given: tuple[str, ...]) -> list[str]:
    """The user's rule files in order: the config folder, REPRINTS_RULES, then `given`."""
    paths = [str(config_folder())] if config_folder().is_dir() else []
    paths += [p for p in os.environ.get(RULES_ENV, "").split(os.pathsep) if p]
    return paths + list(given)


def rules_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--rules",
        "rule_files",
        multiple=True,
        type=click.Path(path_type=str),
        metavar="PATH",
        help=RULES_HELP,
    )(command)


def resolve_rules(given: tuple[str, ...]) -> Rules:
    """The rules a command runs with; a bad rule is one line and exit code 2."""
    try:
        return cleaners.load_rules(*user_rule_paths(given))
    except RuleError as exc:
        raise OptionError(
            f"rules: {exc}; fix the rule file (`reprints rules schema` lists every key)"
        ) from None


def with_learned(rules: Rules, store: Any) -> Rules:
    """`rules` plus the rules learned in the database `store`."""
    return rules.with_learned(db.learned_rules(store))


@click.group(name="rules")
def rules_group() -> None:
    """See, check and test the rules; accept or reject learned ones."""


@rules_group.command(name="list")
@rules_option
@click.option(
    "--rules-db", type=click.Path(exists=True, dir_okay=False), help="Add its learned rules."
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def list_rules(rule_files: tuple[str, ...], rules_db: str | None, output_format: str) -> None:
    """Every rule in force: name, kind, the file it came from, and whether it is on."""
    rules = resolve_rules(rule_files)
    rows = [
        {
            "name": info.name,
            "section": info.section,
            "kind": info.kind,
            "origin": info.origin,
            "enabled": info.enabled,
        }
        for info in rules.catalogue
    ]
    if rules_db:
        rows += _learned_rows(rules_db)
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        state = "on" if row["enabled"] else "off"
        click.echo(f"{row['name']}\t{row['section']}\t{row['kind']}\t{state}\t{row['origin']}")


def _learned_rows(path: str) -> list[dict[str, Any]]:
    store = open_store(path)
    with database_failures(path):
        found = store.execute(
            "SELECT name, kind, state, works, source_works FROM learned_rules ORDER BY name"
        ).fetchall()
    return [
        {
            "name": name,
            "section": "learned",
            "kind": kind,
            "origin": f"{path} ({state}, in {works} of {total} works)",
            "enabled": state != db.RuleState.REJECTED,
        }
        for name, kind, state, works, total in found
    ]


@rules_group.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
def check(paths: tuple[str, ...]) -> None:
    """Check rule files (or folders of them) layered on the shipped rules; exit 2 if invalid."""
    try:
        rules = cleaners.load_rules(*paths)
    except RuleError as exc:
        raise OptionError(f"rules: {exc}") from None
    mine = [i for i in rules.catalogue if not i.origin.startswith("shipped:")]
    click.echo(f"ok: {len(mine)} rules from {len(paths)} path(s); {len(rules.catalogue)} in all")


@rules_group.command(name="test")
@click.argument("page", type=click.Path(dir_okay=False, allow_dash=True, path_type=str))
@click.option("--url", help="The page's URL, when the file does not say it.")
@rules_option
@click.option(
    "--rules-db", type=click.Path(exists=True, dir_okay=False), help="Add its learned rules."
)
def test_page(
    page: str, url: str | None, rule_files: tuple[str, ...], rules_db: str | None
) -> None:
    """Clean PAGE and show which rule removed which block."""
    rules = resolve_rules(rule_files)
    if rules_db:
        rules = with_learned(rules, open_store(rules_db))
    try:
        article = cleaners.clean(read_page(page, cleaners.MAX_PAGE_BYTES), url=url, rules=rules)
    except cleaners.CleanerError as exc:
        raise click.ClickException(f"{page_name(page)}: {exc}") from None
    click.echo(f"status {article.status}, body {len(article.body)} characters")
    for removal in article.removed:
        text = " ".join(removal.text.split())
        click.echo(f"{removal.rule}\t{removal.kind}\t{text[:80]}")


@rules_group.command()
def schema() -> None:
    """Every kind of rule, its keys and the kinds a rule may give."""
    click.echo("\n".join(describe()))


def _judge(database: str, names: tuple[str, ...], state: db.RuleState) -> None:
    store = open_store(database)
    with database_failures(database):
        for name in names:
            try:
                db.set_state(store, name, state)
            except db.UnknownRule as exc:
                raise click.ClickException(f"{database}: {exc}") from None


@rules_group.command()
@click.argument("database", type=click.Path(exists=True, dir_okay=False))
@click.argument("names", nargs=-1, required=True)
def reject(database: str, names: tuple[str, ...]) -> None:
    """Stop applying these learned rules, now and after any relearning."""
    _judge(database, names, db.RuleState.REJECTED)


@rules_group.command()
@click.argument("database", type=click.Path(exists=True, dir_okay=False))
@click.argument("names", nargs=-1, required=True)
def accept(database: str, names: tuple[str, ...]) -> None:
    """Apply these learned rules, even if relearning no longer finds them."""
    _judge(database, names, db.RuleState.ACCEPTED)


@click.command()
@click.argument("database", type=click.Path(exists=True, dir_okay=False))
@rules_option
@click.option("--min-works", type=click.IntRange(min=2), help="Works a block must stand in.")
@click.option("--min-share", type=click.FloatRange(0, 1), help="Share of a source's works.")
@click.option("--max-chars", type=click.IntRange(min=1), help="Longest block learned.")
@click.option("-v", "--verbose", is_flag=True, help="Print what was learned.")
def learn(
    database: str,
    rule_files: tuple[str, ...],
    min_works: int | None,
    min_share: float | None,
    max_chars: int | None,
    verbose: bool,
) -> None:
    """Learn each source's own boilerplate from the articles in DATABASE.

    Defaults come from the rules' [learning] settings; then `reprints reclean DATABASE
    --outdated` applies what changed.
    """
    rules = resolve_rules(rule_files)
    given = {"min_works": min_works, "min_share": min_share, "max_chars": max_chars}
    settings = _settings(rules, {k: v for k, v in given.items() if v is not None})
    store = open_store(database)
    with database_failures(database), db.recorded_run(store, "learn", [database], rules) as run:
        result = db.learn(store, run.run_id, rules, settings)
        run.counts["discovered"] = result.sources
        run.exit_code = 0
    if verbose:
        click.echo(
            f"{result.sources} sources with enough works, {result.learned_sources} with "
            f"boilerplate; {result.rules} rules in force ({result.added} new, "
            f"{result.dropped} dropped)",
            err=True,
        )
    sys.exit(run.exit_code)


def _settings(rules: Rules, given: dict[str, Any]) -> LearningSettings:
    return dataclasses.replace(rules.learning, **given)
