"""Read rule files and merge them in layers: the shipped files, then each of the user's.

Named rules (see ruleschema.py) merge by name: the same name replaces the rule where it stood,
a new name adds one, and an entry of only `name` and `enabled` turns a rule off or on.
Settings merge by key: a value replaces the one before it, and a list extends it.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import RuleError
from .ruleschema import COMMON_KEYS, OPEN_TABLES, SECTIONS, check_entry

# Shipped files in the order their rules apply; any other *.toml in the folder comes after.
SHIPPED_ORDER = ("zh.toml", "ja.toml", "en.toml", "status.toml", "sites.toml", "tail.toml")
SHIPPED_ORDER += ("wechat.toml", "textdump.toml")
SHIPPED_PREFIX = "shipped:"


@dataclass(frozen=True)
class RuleFile:
    """One rule file as read: where it came from, its bytes and its parsed document."""

    origin: str
    data: bytes
    document: dict[str, Any]


@dataclass
class Entry:
    """A named rule after merging: its section, the file it came from, and whether it is on."""

    section: str
    name: str
    origin: str
    data: dict[str, Any]
    enabled: bool = True


@dataclass
class Merged:
    """Every layer merged: settings, named rules by section, and the files that made them."""

    settings: dict[str, Any] = field(default_factory=dict)
    entries: dict[str, dict[str, Entry]] = field(default_factory=dict)
    files: list[RuleFile] = field(default_factory=list)

    def enabled(self, section: str) -> list[dict[str, Any]]:
        """The section's rules that are on, in order."""
        return [e.data for e in self.entries.get(section, {}).values() if e.enabled]

    def digest(self) -> str:
        """A digest of every file in use, by base name and content, in order."""
        digest = hashlib.sha256()
        for rule_file in self.files:
            name = rule_file.origin.replace("\\", "/").rsplit("/", 1)[-1]
            digest.update(name.encode() + b"\0" + rule_file.data + b"\0")
        return digest.hexdigest()[:10]


def shipped_files() -> list[RuleFile]:
    """Every *.toml in the package's rules folder."""
    folder = resources.files("cleaners").joinpath("rules")
    names = {entry.name for entry in folder.iterdir() if entry.name.endswith(".toml")}
    ordered = [n for n in SHIPPED_ORDER if n in names] + sorted(names - set(SHIPPED_ORDER))
    return [_parse(SHIPPED_PREFIX + n, folder.joinpath(n).read_bytes()) for n in ordered]


def rule_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Each path, a file or a folder of *.toml files (sorted), as the files to read."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix == ".toml" and p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise RuleError(str(path), "no such rule file or folder")
    return found


def read_rule_file(path: Path) -> RuleFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RuleError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    return _parse(str(path), data)


def _parse(origin: str, data: bytes) -> RuleFile:
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RuleError(origin, f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(origin, f"is not valid TOML ({exc})") from None
    return RuleFile(origin, data, document)


def merge(files: Iterable[RuleFile]) -> Merged:
    """Merge shipped files (each free to add settings) and then user files (which may only
    set settings the shipped files have)."""
    merged = Merged()
    for rule_file in files:
        shipped = rule_file.origin.startswith(SHIPPED_PREFIX)
        _merge_table(merged, rule_file.document, "", rule_file.origin, shipped=shipped)
        merged.files.append(rule_file)
    return merged


def _merge_table(
    merged: Merged, table: dict[str, Any], path: str, origin: str, shipped: bool
) -> None:
    for key, value in table.items():
        full = f"{path}{key}"
        if full in SECTIONS:
            if not isinstance(value, list):
                raise RuleError(origin, f"[[{full}]] must be an array of tables", key=full)
            seen: set[str] = set()
            for entry in value:
                name = check_entry(full, entry, origin)
                if name in seen:
                    raise RuleError(origin, f"a second [[{full}]] rule of this name", rule=name)
                seen.add(name)
                _merge_entry(merged, full, name, entry, origin)
        elif isinstance(value, dict):
            if not shipped and not isinstance(_setting(merged.settings, full), dict):
                raise RuleError(origin, "unknown table (the shipped files have none)", key=full)
            _merge_table(merged, value, f"{full}.", origin, shipped)
        else:
            _merge_setting(merged, full, value, origin, shipped)


def _merge_entry(
    merged: Merged, section: str, name: str, entry: dict[str, Any], origin: str
) -> None:
    rules = merged.entries.setdefault(section, {})
    enabled = entry.get("enabled", True)
    if set(entry) <= set(COMMON_KEYS):
        if name not in rules:
            raise RuleError(origin, f"no [[{section}]] rule of that name to turn on or off", name)
        rules[name].enabled = enabled
        return
    rules[name] = Entry(section, name, origin, entry, enabled)


def _merge_setting(merged: Merged, full: str, value: Any, origin: str, shipped: bool) -> None:
    parent_path, _, key = full.rpartition(".")
    parent = merged.settings
    for part in parent_path.split(".") if parent_path else ():
        parent = parent.setdefault(part, {})
    current = parent.get(key)
    if not shipped and parent_path in OPEN_TABLES and not isinstance(value, str):
        raise RuleError(origin, "must be a string", key=full)
    if not shipped and parent_path not in OPEN_TABLES:
        if current is None:
            raise RuleError(origin, "unknown setting (see the shipped rule files)", key=full)
        if _type_name(value) != _type_name(current):
            raise RuleError(origin, f"must be {_type_name(current)}, as shipped", key=full)
    if isinstance(current, list) and isinstance(value, list):
        parent[key] = current + [item for item in value if item not in current]
    else:
        parent[key] = value


def _setting(settings: dict[str, Any], full: str) -> Any:
    value: Any = settings
    for part in full.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a table"
