"""brat's ``annotation.conf``: the labels a folder declares, and the one a writer leaves.

Spec: https://brat.nlplab.org/configuration.html. The ``[entities]`` types are the labels
(flattened: indentation is brat's type hierarchy, and a flat project keeps every concrete
type, never the abstract ``!`` ones); ``[events]`` types name triggers, which are no
entities. Macros (``<NAME>=...``) are expanded. A document's conf is the first one found
from its folder upwards to the folder read, as brat looks it up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nerstudio.core.errors import LabelError
from nerstudio.core.formats.textfile import read_text

CONFIG_NAME = "annotation.conf"
# What brat stores a type under (projectconfig.normalize_to_storage_form).
_STORAGE_FORM = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Config:
    """The concrete ``[entities]`` types in order, and the ``[events]`` types."""

    entities: tuple[str, ...]
    events: frozenset[str]


NO_CONFIG = Config((), frozenset())


def _storage_form(term: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "_", term.replace(" ", "_"))


def _skipped(line: str) -> bool:
    """A blank line, a comment or a ``---`` separator."""
    return not line.strip() or bool(re.match(r"^\s*#", line) or re.match(r"^\s*-+\s*$", line))


def parse_config(path: Path) -> Config:
    """``[entities]`` types (flattened, concrete ones) and ``[events]`` types of a conf."""
    entities: list[str] = []
    events: set[str] = set()
    section = ""
    macros: dict[str, str] = {}
    for line in read_text(path).split("\n"):
        header = re.match(r"^\s*\[(.*)\]\s*$", line)
        if header:
            section, macros = header.group(1).strip(), {}
            continue
        if _skipped(line):
            continue
        macro = re.match(r"^<([a-zA-Z_-]+)>=\s*(.*?)\s*$", line)
        if macro:
            macros[f"<{macro.group(1)}>"] = macro.group(2)
            continue
        if section not in ("entities", "events"):
            continue
        for name, value in macros.items():
            line = line.replace(name, value)
        found = re.match(r"^\s*(\S+)", line)
        terms = [t.strip() for t in found.group(1).split("|") if t.strip()] if found else []
        if not terms or (terms[0].startswith("<") and terms[0].endswith(">")):
            continue
        name = _storage_form(terms[0].lstrip("!"))
        if section == "events":
            events.add(name)
        elif not any(t.startswith("!") for t in terms) and name not in entities:
            entities.append(name)
    return Config(tuple(entities), frozenset(events))


def config_for(folder: Path, root: Path, cache: dict[Path, Config | None]) -> Config | None:
    """The first annotation.conf from ``folder`` up to ``root``, as brat looks it up."""
    for candidate in (folder, *folder.parents):
        if candidate not in cache:
            conf = candidate / CONFIG_NAME
            cache[candidate] = parse_config(conf) if conf.is_file() else None
        if cache[candidate] is not None:
            return cache[candidate]
        if candidate == root:
            break
    return None


def check_label(label: str) -> None:
    """Refuse a label brat would store under another name (it rewrites other characters)."""
    if not _STORAGE_FORM.fullmatch(label) or set(label) == {"-"}:
        raise LabelError(
            f"label {label!r} cannot be written to brat, whose type names are letters, digits,"
            " '_' and '-' (brat would rename it); rename the label and export again"
        )


def config_text(labels: Sequence[str]) -> str:
    """An ``annotation.conf`` declaring ``labels`` as entity types and nothing else."""
    conf = "[entities]\n" + "".join(f"{n}\n" for n in labels)
    return conf + "\n[relations]\n\n[events]\n\n[attributes]\n"
