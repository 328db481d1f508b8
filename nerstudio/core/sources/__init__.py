"""Suggestion sources: trained runs, existing models, dictionaries, zero-shot models, all
behind ``SuggestionSource`` (see ``base``); ``running`` stores what they suggest."""

from nerstudio.core.sources.base import (
    SOURCE_KINDS,
    SOURCE_STATUS,
    SourceOptions,
    Suggested,
    SuggestionSource,
    open_source,
    parse_label_map,
    source_kind,
)
from nerstudio.core.sources.labels import LabelMapping, build_mapping

__all__ = [
    "SOURCE_KINDS",
    "SOURCE_STATUS",
    "LabelMapping",
    "SourceOptions",
    "Suggested",
    "SuggestionSource",
    "build_mapping",
    "open_source",
    "parse_label_map",
    "source_kind",
]
