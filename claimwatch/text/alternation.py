"""Regex alternations of many literal words, written as tries.

Python's ``re`` tries the branches of ``a|b|c`` one after another at every position it reaches: with hundreds of
names (actors, months) that is most of a pattern's time. Written as a trie (``س(?:تهد|ق(?:اط|ط))``), the engine
follows the one branch of the character it is on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["Gated", "gate_test", "literal_alternation"]

_Trie = dict[str, "_Trie"]  # a character to the words' continuations after it; "" marks a word's end


def literal_alternation(words: Iterable[str], space: str | None = None) -> str:
    """A regex that matches exactly as ``"|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))``
    does, written as a trie.

    The words a text can match at one position all lie on one path of the trie (each is a prefix of the text
    there), so trying a node's longer continuations before ending at it is the longest-first order of the flat
    alternation, and backtracking reaches the next-shorter word as there. ``space``: the pattern a space in a word
    stands for (``r"\\s+"``: any run of whitespace), else the space itself."""
    root: _Trie = {}
    for word in set(words):
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: _Trie) -> str:
        alts = [
            (space if ch == " " and space is not None else re.escape(ch)) + branch(child)
            for ch, child in sorted(node.items())
            if ch
        ]
        if "" in node:
            alts.append("")  # end here only once the longer words have failed
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return branch(root)


def gate_test(words: Iterable[str]) -> Callable[[str], bool]:
    """A fast "may this text match?" test: does one of ``words`` occur in the text? One or two words are plain
    ``in`` checks (C fastsearch, no Python loop), more words one literal trie scanned at C speed."""
    unique = sorted(set(words))
    if len(unique) == 1:
        (a,) = unique
        return lambda text: a in text
    if len(unique) == 2:
        a, b = unique
        return lambda text: a in text or b in text
    gate = re.compile(literal_alternation(unique))
    return lambda text: gate.search(text) is not None


class Gated:
    """A regex behind a substring gate: it runs only when one of ``words`` occurs in the text.

    Python's ``re`` tries a big alternation at every position of a text; a C-speed ``in`` check on a few words
    skips that for the (large) majority of texts that cannot match. Every word given must be a substring of
    every possible match (each match contains at least one of them), so gating never changes a result.
    """

    __slots__ = ("_open", "pattern")

    def __init__(self, pattern: re.Pattern[str], words: Iterable[str]) -> None:
        self.pattern = pattern
        self._open: Callable[[str], bool] = gate_test(words)

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self._open(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self._open(text) else iter(())

    def sub(self, repl: Any, text: str) -> str:
        return self.pattern.sub(repl, text) if self._open(text) else text
