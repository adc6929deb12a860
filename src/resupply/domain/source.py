"""Reading a YAML or JSON file into plain data, remembering where every value stood.

Safe by construction: the YAML is only *composed* into nodes (no constructor ever runs a tag),
then converted here with a budget on nodes (alias bombs), a nesting limit and a size limit.
Every key and value gets its 1-based (line, column) in a `Locations` map keyed by field path.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from resupply.errors import Issue, ScenarioError

MAX_BYTES = 5 * 1024 * 1024
"""Largest scenario file accepted. [bytes]"""
MAX_NODES = 500_000
"""Most values a file may expand to, aliases included (guards against alias bombs)."""
MAX_DEPTH = 40
"""Deepest nesting of mappings and lists accepted."""

PathKey = tuple[str | int, ...]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's composer when installed (13x faster, nesting capped at 1000), else pure Python."""


@dataclass
class Locations:
    """Where each field path stood in the file: value positions and key positions."""

    file: str
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    """Problems found while reading (duplicate keys, tags); the value there reads as None."""

    def find(self, path: PathKey, *, key: bool = False) -> tuple[int, int]:
        """Position of `path`, else of its nearest recorded ancestor, else (1, 1)."""
        table = self.keys if key and path in self.keys else self.values
        if path in table:
            return table[path]
        for cut in range(len(path) - 1, -1, -1):
            if path[:cut] in self.values:
                return self.values[path[:cut]]
        return (1, 1)

    def issue(self, path: PathKey, message: str, *, key: bool = False) -> Issue:
        """An `Issue` at `path`, located as precisely as the file allows."""
        line, col = self.find(path, key=key)
        return Issue(self.file, line, col, dotted(path), message)


def dotted(path: PathKey) -> str:
    """``("depots", 2, "capacity_t")`` -> ``"depots.2.capacity_t"``."""
    return ".".join(str(p) for p in path)


def read_source(path: Path, display: str | None = None) -> tuple[Any, Locations]:
    """Read `path` (YAML, or JSON when it ends in .json) into data and its locations.

    Raises `ScenarioError` with located issues for anything unreadable.
    """
    name = display or str(path)
    raw = read_bounded(path, name)
    return parse_bytes(raw, name, as_json=path.suffix.lower() == ".json")


def read_bounded(path: Path, name: str | None = None, limit: int = MAX_BYTES) -> bytes:
    """The bytes of `path`, refused before reading when the file is larger than `limit`
    (checked on the size the file claims, then by reading at most `limit` + 1 bytes, so a file
    that grows, or a FIFO, cannot make it read more). `ScenarioError` when unreadable."""
    name = name or str(path)
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise _too_big(name, size, limit)
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise _fail(name, 1, 1, f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise _too_big(name, len(raw), limit)
    return raw


def _too_big(name: str, size: int, limit: int) -> ScenarioError:
    return _fail(name, 1, 1, f"file is {size:,} bytes or more; the limit is {limit:,} bytes")


def parse_bytes(raw: bytes, name: str, *, as_json: bool = False) -> tuple[Any, Locations]:
    """Parse file contents; see `read_source`."""
    if len(raw) > MAX_BYTES:
        raise _too_big(name, len(raw), MAX_BYTES)
    text = _decode(raw, name)
    if as_json:
        _check_json(text, name)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"not valid YAML: {exc.problem or exc.context}"
        if "nesting depth" in str(exc.problem):
            message = f"nesting is too deep; at most {MAX_DEPTH} levels"
        elif exc.context and exc.context_mark and exc.problem:
            message += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise _fail(name, line, col, message) from None
    except yaml.YAMLError as exc:
        raise _fail(name, 1, 1, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise _fail(name, 1, 1, f"nesting is too deep; at most {MAX_DEPTH} levels") from None
    if node is None:
        raise _fail(name, 1, 1, "file is empty; a scenario is a mapping of fields")
    locations = Locations(name)
    return _Converter(locations).convert(node, ()), locations


def _fail(name: str, line: int, col: int, message: str) -> ScenarioError:
    return ScenarioError([Issue(name, line, col, "", message)])


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        head = raw[: exc.start]
        line = head.count(b"\n") + 1
        col = exc.start - (head.rfind(b"\n") + 1) + 1
        raise _fail(name, line, col, f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file "
                    "as UTF-8") from None


def _check_json(text: str, name: str) -> None:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        return dict(pairs)

    try:
        json.loads(text, object_pairs_hook=no_duplicates, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise _fail(name, exc.lineno, exc.colno, f"not valid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise _fail(name, 1, 1, f"not valid JSON: {exc}") from None
    except RecursionError:
        raise _fail(name, 1, 1, f"nesting is too deep; at most {MAX_DEPTH} levels") from None


def _reject_constant(token: str) -> float:
    raise ValueError(f"{token} is not a number; give a finite number")


_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


_YAML12_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
"""A number of YAML 1.2's core schema. PyYAML resolves YAML 1.1, whose floats need a dot and a
signed exponent (``1.0e+12``), so it reads ``1e12``, ``1.0e12`` and ``+1e3`` as strings; those
plain (unquoted) scalars are read as floats here. Quoted scalars stay strings."""
_YAML12_OCTAL = re.compile(r"0o[0-7]+")
"""A YAML 1.2 octal integer (``0o17``); YAML 1.1 writes it ``017``."""


def _yaml12_number(node: yaml.Node) -> float | int | None:
    """The YAML 1.2 number a plain scalar that PyYAML left a string stands for, else None."""
    if node.tag != "tag:yaml.org,2002:str" or getattr(node, "style", None) not in (None, ""):
        return None
    text = str(node.value)
    if _YAML12_FLOAT.fullmatch(text):
        try:
            value = float(text)
        except OverflowError:  # pragma: no cover - float() gives inf, never raises
            return None
        return value
    if _YAML12_OCTAL.fullmatch(text):
        return int(text[2:], 8)
    return None


class _Converter:
    """Turns composed YAML nodes into plain data, recording positions and enforcing limits."""

    def __init__(self, locations: Locations) -> None:
        self.locations = locations
        self.constructor = yaml.SafeLoader("")
        self.budget = MAX_NODES
        self.issues = locations.issues

    def convert(self, node: yaml.Node, path: PathKey) -> Any:
        return self._node(node, path)

    def _node(self, node: yaml.Node, path: PathKey) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise self._stop(node, path, f"file expands to more than {MAX_NODES:,} values "
                             "(aliases included); write it out plainly")
        if len(path) > MAX_DEPTH:
            raise self._stop(node, path, f"nesting is too deep; at most {MAX_DEPTH} levels")
        self.locations.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
            line, col = self.locations.values[path]
            self._add(line, col, path, f"tag {_short(node.tag)} is not allowed; use plain values")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self._node(child, (*path, i)) for i, child in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, path)
            if key is None:
                continue
            self.locations.keys[(*path, key)] = (key_node.start_mark.line + 1,
                                                 key_node.start_mark.column + 1)
            if key in out:
                self.issues.append(self.locations.issue(
                    (*path, key), f"duplicate key `{key}`; give each key once", key=True))
                continue
            out[key] = self._node(value_node, (*path, key))
        return out

    def _key(self, node: yaml.Node, path: PathKey) -> str | None:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if not isinstance(node, yaml.ScalarNode):
            self._add(line, col, path, "a key must be a plain name, not a list or mapping")
            return None
        if node.tag == "tag:yaml.org,2002:merge":
            self._add(line, col, path, "merge keys (<<) are not supported; write the fields out")
            return None
        return str(node.value)

    def _scalar(self, node: yaml.Node, path: PathKey) -> Any:
        if node.tag not in _SCALAR_TAGS:
            line, col = self.locations.values[path]
            self._add(line, col, path, f"tag {_short(node.tag)} is not allowed; use plain values")
            return None
        number = _yaml12_number(node)
        if number is not None:
            return number
        try:
            value = self.constructor.construct_object(node, deep=False)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            line, col = self.locations.values[path]
            self._add(line, col, path, _unreadable_scalar(node, exc))
            return None
        if isinstance(value, dt.datetime):
            return value.date() if value.time() == dt.time() else value
        return value

    def _add(self, line: int, col: int, path: PathKey, message: str) -> None:
        self.issues.append(Issue(self.locations.file, line, col, dotted(path), message))

    def _stop(self, node: yaml.Node, path: PathKey, message: str) -> ScenarioError:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        return ScenarioError([*self.issues, Issue(self.locations.file, line, col, dotted(path),
                                                  message)])


def _unreadable_scalar(node: yaml.Node, exc: Exception) -> str:
    """What is wrong with a scalar YAML could not construct: an impossible calendar date, an
    integer too long to read (Python's 4,300-digit limit), ..."""
    shown = str(node.value) if len(str(node.value)) <= 40 else f"{str(node.value)[:37]}..."
    if node.tag == "tag:yaml.org,2002:timestamp":
        return f"{shown} is not a calendar date ({exc}); give a real date like 2022-02-24"
    if node.tag == "tag:yaml.org,2002:int":
        return (f"integer of {len(str(node.value)):,} characters is too long to read; give a "
                "number of at most 4,300 digits")
    return f"{shown} cannot be read ({exc})"


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")
