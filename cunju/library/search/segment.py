"""Chinese word segmentation for the library search (jieba, search mode).

Index and query go through the same function, so that a word segmented one way in a
document is segmented the same way when somebody types it. Search mode (``cut_for_search``)
also emits the dictionary words inside longer words, which is what lets a two-character
query (积分) find a page that says 积分制.

HMM word discovery is off: it guesses unknown words from their context, so a name like
石舍村 came out whole in a query but split in a sentence. Without it an unknown word becomes
single characters, the same on both sides; and so that it is found where it is written
whole, not wherever its characters occur apart, a run of single characters also gives the
pairs of neighbours in it (石舍, 舍村), which a query asks for instead of the characters.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    import jieba

# Party-work words the general dictionary lacks or splits; kept whole in index and query.
PARTY_WORDS = (
    "党费",
    "积分",
    "积分制",
    "村居合一",
    "三会一课",
    "两学一做",
    "流动党员",
    "主题党日",
    "党小组会",
    "支委会",
    "组织生活会",
    "民主评议",
    "入党积极分子",
    "发展对象",
    "预备党员",
    "正式党员",
    "入党介绍人",
    "培养联系人",
    "组织关系",
    "流动党员活动证",
    "临时党支部",
    "党支部",
    "党总支",
    "失地农民",
    "征地拆迁",
    "三集中",
    "低保",
    "特困",
    "联系户",
    "学习强国",
    "社区股份合作",
    "土地股份合作",
    "农民专业合作社",
    "党建",
)

# What counts as part of a word, after NFKC folding: ASCII letters and digits, and letters of
# any script (CJK ideographs are letters). Everything else separates words. Both databases
# store such runs as they are (neither parses them again), so a token means the same on each.
_WORD = re.compile(r"[a-z0-9]+|[^\W\d_a-z]+|\d+")

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    """The process's tokenizer: jieba's dictionary (cached under the data folder, not the
    system's temporary folder) plus the Party-work words; loaded once."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba  # a tenth of a second: only once something is segmented

                jieba.setLogLevel(logging.WARNING)
                made = jieba.Tokenizer()
                cache = settings.DATA_DIR / "cache"
                cache.mkdir(parents=True, exist_ok=True)
                made.tmp_dir = str(cache)
                made.initialize()
                for word in PARTY_WORDS:
                    made.add_word(word)
                _tokenizer = made
    return _tokenizer


def normalize(text: str) -> str:
    """Full-width forms folded to their plain forms, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def split_word(piece: str) -> list[str]:
    """The word characters of one segment, split at anything else (punctuation, spaces)."""
    return _WORD.findall(piece)


# One CJK ideograph: the characters an unknown word falls apart into.
_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def tokens(text: str, *, query: bool = False) -> list[str]:
    """The search tokens of ``text``, in order, repeats kept: the words, and for each run of
    single characters (an unknown word, as 石 舍 村) the pairs of neighbours in it. The index
    keeps the characters too; a query asks for the pairs only, so that the characters must
    be written together."""
    if not text:
        return []
    out: list[str] = []
    run: list[str] = []

    def end_run() -> None:
        if len(run) > 1:
            if not query:
                out.extend(run)
            out.extend(a + b for a, b in zip(run, run[1:], strict=False))
        else:
            out.extend(run)
        run.clear()

    # Search mode puts a longer word after the words inside it, so two single characters
    # follow each other here only when they do in the text (punctuation ends a run too).
    for piece in tokenizer().cut_for_search(normalize(text), HMM=False):
        if len(piece) == 1 and _IDEOGRAPH.match(piece):
            run.append(piece)
            continue
        end_run()
        out.extend(split_word(piece))
    end_run()
    return out


def index_text(text: str) -> str:
    """What the index stores for ``text``: its tokens joined by spaces."""
    return " ".join(tokens(text))


def query_tokens(query: str, limit: int = 32) -> list[str]:
    """The distinct tokens of a query, in order; all of them must occur (AND)."""
    return unique(tokens(query, query=True))[:limit]


def required(tokens: Sequence[str]) -> list[str]:
    """The tokens a match needs: ``tokens`` without the dictionary words of two or three
    characters inside a longer token of the list. Search mode emits those wherever it emits
    the longer token (流动党员活动证 brings 流动, 党员, 活动), so asking for them too changes
    nothing but the cost of the query."""
    freq = tokenizer().FREQ  # prefixes of words are in it with a count of 0
    longer = [t for t in tokens if len(t) > 2]
    return [
        t
        for t in tokens
        if not (
            len(t) in (2, 3) and freq.get(t) and any(len(w) > len(t) and t in w for w in longer)
        )
    ]


def unique(words: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(words))
