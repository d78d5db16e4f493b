"""Regex alternations of many literal words, written as tries.

Python's ``re`` tries the branches of ``a|b|c`` one after another at every position it reaches: with hundreds of
names (actors, months) that is most of a pattern's time. Written as a trie (``س(?:تهد|ق(?:اط|ط))``), the engine
follows the one branch of the character it is on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["literal_alternation"]

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
