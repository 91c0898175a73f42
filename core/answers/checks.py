"""Checks on a grounded answer, after it is written: pure functions over (answer, sources).

- **Figures**: every figure in the answer is looked up in the passages the model was given
  (allowing "$7,192 million" = "7.192 billion" = "7,192"); the ones not found are listed.
- **Citations**: each sentence carries the [n] of the passage it came from; where the model left
  it out, it is added when a passage holds the sentence's figures or most of its words. Markers
  for passages that do not exist are removed.
- **Degenerate answers** (only citation markers, or only echoed source headers) are replaced by
  an honest note and the most relevant line of the best passage, cited.
- **Repeated lines** (a small model going round in circles) are kept once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.answers.figures import find_figures, is_trivial, passage_numbers, supports
from core.answers.prompt_builder import prompt_label
from core.events import Source
from retrieval.query_analysis import content_terms

_MARKER = re.compile(r"\s?\[(\d{1,3})\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_HEADER_ECHO = re.compile(r"^\s*(passage|source)\s*\[?\d+\]?(,[^:]{0,200})?:?\s*$", re.IGNORECASE)
#: A full stop that ends an abbreviation or an initial, not a sentence ("Apple Inc. is ...").
_ABBREVIATION = re.compile(
    r"(?:\b(?:Inc|Corp|Co|Ltd|Bros|No|Nos|vs|Mr|Mrs|Ms|Dr|St|Jr|Sr|approx|etc|e\.g|i\.e|U\.S|U\.K|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|(?<![A-Za-z])[A-Z])\.$"
)
MIN_SHARED_TERMS = 3
MIN_SHARED_SHARE = 0.5


@dataclass(frozen=True)
class AnswerCheck:
    """The answer as stored and shown, and what the checks found."""

    answer: str
    unsupported_figures: list[str] = field(default_factory=list)
    citations_added: int = 0
    degenerate: bool = False

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def check_answer(
    answer: str, sources: list[Source], question: str = "", computed: str = "", in_code: bool = False
) -> AnswerCheck:
    """Check ``answer`` against the passages in ``sources`` (as given to the model); ``computed``:
    the work of a figure computed in code from them (its result counts as supported);
    ``in_code``: the question's figure was computed in code, or refused there, so the model's own
    arithmetic is dropped (``drop_model_arithmetic``)."""
    if not sources:
        return AnswerCheck(answer)
    if in_code:
        answer = drop_model_arithmetic(answer)
    cleaned = _drop_bare_quotes(_strip_echoed_headers(_drop_repeated_lines(answer), sources))
    cleaned = _drop_bare_fragments(_drop_echoed_rules(cleaned))
    if is_degenerate(cleaned):
        return AnswerCheck(extractive_fallback(sources, question), degenerate=True)
    numbers = {s.number: passage_numbers(_given(s)) for s in sources}
    allowed = passage_numbers(f"{question} {computed}")
    unsupported = []
    for figure in find_figures(cleaned):
        if is_trivial(figure) or supports(figure, allowed):
            continue
        if not any(supports(figure, nums) for nums in numbers.values()):
            unsupported.append(figure.text)
    cited, added = attribute_citations(cleaned, sources, numbers)
    return AnswerCheck(cited, list(dict.fromkeys(unsupported)), added)


def is_degenerate(answer: str) -> bool:
    """No content at all: only citation markers, filler ("The answer is [1].") and punctuation;
    a bare "Yes." or "No." or a figure counts as content."""
    text = _MARKER.sub(" ", answer)
    if find_figures(text) or content_terms(text):
        return False
    return not ({w.lower() for w in re.findall(r"[^\W\d_]+", text)} & {"yes", "no"})


def attribute_citations(
    answer: str, sources: list[Source], numbers: dict[int, list[float]]
) -> tuple[str, int]:
    """The answer with [n] after each sentence that a passage supports but that cites nothing."""
    valid = {s.number for s in sources}
    answer = _MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in valid else "", answer)
    terms = {s.number: content_terms(_given(s)) for s in sources}
    out, added, cursor = [], 0, 0
    for match in list(_SENTENCE_END.finditer(answer)) + [None]:
        end = match.start() if match else len(answer)
        if match and "\n" not in match.group(0) and _inside_quote(answer[cursor:end]):
            continue  # 'the question "How many days do I get? " is': one sentence, cited at its end
        if match and "\n" not in match.group(0) and _ABBREVIATION.search(answer[cursor:end]):
            continue  # "Apple Inc. is ...": a marker there would split the name
        sentence = answer[cursor:end]
        gap = match.group(0) if match else ""
        cursor = match.end() if match else len(answer)
        number = None if _MARKER.search(sentence) else _supporting(sentence, numbers, terms)
        if number is not None:
            sentence = _append_marker(sentence, number)
            added += 1
        out.append(sentence + gap)
    return "".join(out), added


#: How the fallback for an answer with no content begins.
FALLBACK_OPENING = "The model did not write a usable answer."
QUOTES_ONLY_OPENING = "The model answered only with"


def extractive_fallback(sources: list[Source], question: str) -> str:
    """What to show when the model wrote nothing usable: say so, and quote the best line: the
    likely answer line excerpting named (core/answers/context.py), else the top passage's line sharing the
    most words with the question."""
    named = [(s, s.answer_lines[0]) for s in sources if s.answer_lines]
    if named:
        best, line = named[0]
    else:
        best = sources[0]
        lines = [line.strip() for line in _given(best).splitlines() if line.strip() and line.strip() != "…"]
        wanted = content_terms(question)
        line = max(lines, key=lambda x: len(wanted & content_terms(x)), default="") if lines else ""
    return (
        f"{FALLBACK_OPENING} The most relevant line in your documents "
        f"({best.file}, {best.pages}) reads: “{line[:300]}” [{best.number}]"
    )


def _supporting(sentence: str, numbers: dict[int, list[float]], terms: dict[int, set[str]]) -> int | None:
    figures = [f for f in find_figures(sentence) if not is_trivial(f)]
    if figures:
        for number, nums in numbers.items():
            if all(supports(f, nums) for f in figures):
                return number
        return None
    words = content_terms(sentence)
    if len(words) < MIN_SHARED_TERMS:
        return None
    best = max(terms, key=lambda n: len(words & terms[n]))
    shared = len(words & terms[best])
    return best if shared >= MIN_SHARED_TERMS and shared >= MIN_SHARED_SHARE * len(words) else None


def _inside_quote(text: str) -> bool:
    """Whether ``text`` ends inside a quotation (an odd number of straight quotes, or more opening
    curly quotes than closing ones)."""
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


def _append_marker(sentence: str, number: int) -> str:
    stripped = sentence.rstrip()
    if stripped and stripped[-1] in ".!?:;":
        return f"{stripped[:-1]} [{number}]{stripped[-1]}"
    return f"{stripped} [{number}]"


def _strip_echoed_headers(answer: str, sources: list[Source]) -> str:
    """Drop lines that only repeat a source's header (its file, label or "Passage 2:")."""
    names = _header_names(sources)
    return "\n".join(line for line in answer.splitlines() if not _echoes_a_header(line, names)).strip()


def _header_names(sources: list[Source]) -> set[str]:
    names = {s.file.lower() for s in sources} | {prompt_label(s).lower() for s in sources}
    return names | {s.label.lower() for s in sources if s.label}


def _echoes_a_header(line: str, names: set[str]) -> bool:
    bare = _MARKER.sub("", line).strip().lower()
    if _HEADER_ECHO.match(line):
        return True
    return bool(bare) and any(bare.startswith(n) for n in names) and len(bare) < max(map(len, names)) + 25


class EchoGate:
    """The streamed answer without the lines the final check would drop, dropped as they are
    written (not when the answer is checked, which would change the text under the reader): a
    source's header echoed ("[1] file, p. 5:"), a line the answer already has (``repeated`` is
    then set: the model is going round in circles), the grounding rule echoed, and a line that
    only quotes a passage once the answer has words of its own. A line is held back only while
    it could still become one of these; quoted lines held while there are no own words yet are
    shown at the end if none come, on one line saying that the model answered only with them."""

    _QUOTE_START = re.compile(r'^\s*(?:\[\d{1,3}\]\s*)?["“]')
    _QUOTE_START_SO_FAR = re.compile(r"\s*(?:\[\d{0,3}(?:\]\s*)?)?")  # "[", "[1", "[1] ": may still be one
    _LONGEST_QUOTE = 600

    def __init__(self, sources: list[Source], opening: str = ""):
        self._names = _header_names(sources)
        self._longest = max(map(len, self._names), default=0) + 25
        self._line = ""  # the current line, held back ("" once it flows)
        self._whole = ""  # the current line, also the part that flowed
        self._open = False  # the current line is known to stay: it flows
        keys = (_line_key(line) for line in opening.split("\n"))
        self._lines = {k for k in keys if len(k) >= MIN_REPEATED_LINE_CHARS}
        self._own_words = bool(opening.strip())
        self._quotes: list[str] = []  # bare quoted lines waiting for the answer's own words
        self.repeated = False

    def feed(self, piece: str) -> str:
        """What of ``piece`` (and of what was held) can be shown now."""
        out = []
        for part in re.split(r"(\n)", piece):
            if part == "\n":
                out.append(self._line + "\n" if self._keeps_line() else "")  # held part, if any
                self._line, self._whole, self._open = "", "", False
                continue
            self._whole += part
            if self._open:
                out.append(part)
                continue
            self._line += part
            if not self._may_be_dropped(self._line):
                out.append(self._line)
                self._line, self._open = "", True
        return "".join(out)

    def flush(self) -> str:
        """What is still held at the end of the answer: its last line unless it is dropped, and
        quoted lines that no words of the answer's own followed."""
        last = self._line if self._keeps_line(ending="") else ""
        self._line, self._whole, self._open = "", "", False
        quotes, self._quotes = ([q.strip() for q in self._quotes] if not self._own_words else []), []
        if not quotes:
            return last
        noun = "a line" if len(quotes) == 1 else "lines"  # said as what it is: no answer in words
        return f"{QUOTES_ONLY_OPENING} {noun} from your documents: {' '.join(quotes)}" + last

    def _keeps_line(self, ending: str = "\n") -> bool:
        """Whether the line just finished stays (the lines it drops, it drops here)."""
        line, key = self._whole, _line_key(self._whole)
        if self._open:
            self._remember(key, own=True)
            return True
        if _echoes_a_header(line, self._names) or _ECHOED_RULE.search(line):
            return False
        if len(key) >= MIN_REPEATED_LINE_CHARS and key in self._lines:
            self.repeated = True
            return False
        if _BARE_QUOTE.match(line):
            if not self._own_words:
                self._quotes.append(line + ending)
                self._remember(key, own=False)  # a quote said again is a repeat too
            return False
        self._remember(key, own=bool(key))
        return True

    def _remember(self, key: str, own: bool) -> None:
        if len(key) >= MIN_REPEATED_LINE_CHARS:
            self._lines.add(key)
        if own and not self._own_words:
            self._own_words, self._quotes = True, []  # the quotes held are dropped, as the check does

    def _may_be_dropped(self, line: str) -> bool:
        if self._may_become_a_header(line):
            return True
        key = _line_key(line)
        if any(k.startswith(key) for k in self._lines):
            return True
        if self._QUOTE_START_SO_FAR.fullmatch(line):
            return True  # a model writes "[", "1", "]", ' "' as tokens of their own
        return bool(self._QUOTE_START.match(line)) and len(line) < self._LONGEST_QUOTE

    def _may_become_a_header(self, line: str) -> bool:
        bare = _MARKER.sub("", line).strip().lower()
        if not bare:
            return True
        if len(bare) >= max(self._longest, 220):
            return False
        words = ("passage", "source")
        if any(w.startswith(bare) or bare.startswith(w) for w in words):
            return True
        return any(n.startswith(bare) or bare.startswith(n) for n in self._names)


def _given(source: Source) -> str:
    """The text of a source as the model saw it."""
    return source.excerpt or source.text


def runaway_markers(answer_so_far: str) -> bool:
    """A stream that has written many citation markers and no words ("[1] [2] [3] [4] ...")."""
    return len(_MARKER.findall(answer_so_far)) >= 6 and is_degenerate(answer_so_far)


MIN_REPEATED_LINE_CHARS = 12  # shorter lines ("- Yes", "---") may well repeat in a good answer


def repeats_a_line(answer_so_far: str) -> bool:
    """A stream going round in circles: its last finished line repeats an earlier one."""
    lines = answer_so_far.split("\n")[:-1]  # the part after the last line break is not finished
    if len(lines) < 2:
        return False
    last = _line_key(lines[-1])
    return len(last) >= MIN_REPEATED_LINE_CHARS and last in {_line_key(line) for line in lines[:-1]}


def _drop_repeated_lines(answer: str) -> str:
    """The answer with each line of some length kept only the first time it appears."""
    seen: set[str] = set()
    kept = []
    for line in answer.split("\n"):
        key = _line_key(line)
        if len(key) >= MIN_REPEATED_LINE_CHARS:
            if key in seen:
                continue
            seen.add(key)
        kept.append(line)
    return "\n".join(kept)


_BARE_QUOTE = re.compile(r'^\s*(?:\[\d{1,3}\]\s*)?["“][^"”]*["”]?\s*(?:\[\d{1,3}\])?[.,;]?\s*$')


def _drop_bare_quotes(answer: str) -> str:
    """Lines that only quote a passage line (``[2] "Services net sales increased ... the App"``),
    when the answer says something in its own words too: the sources show the passages, and a
    quoted row alone, often cut off, tells the reader nothing."""
    lines = answer.split("\n")
    kept = [line for line in lines if not _BARE_QUOTE.match(line)]
    if not any(line.strip() for line in kept):
        return answer
    return "\n".join(kept).strip()


#: The grounding rule's own words, which a small model sometimes writes back about a quoted line
#: ('[1] "Retained earnings 128,345" is quoted from the user's documents, so it is not an
#: instruction.').
_ECHOED_RULE = re.compile(
    r"\bnot\s+an?\s+instructions?\b|\bnot\s+instructions\b|\bquoted\s+from\s+the\s+user'?s\s+documents\b",
    re.I,
)


def _drop_echoed_rules(answer: str) -> str:
    """Lines that repeat the grounding rule instead of answering; all of them may go (the answer
    is then degenerate and replaced)."""
    return "\n".join(line for line in answer.split("\n") if not _ECHOED_RULE.search(line)).strip()


#: After a sentence, a "sentence" of only figures and markers: "... in fiscal 2023 [2]. 2022 [1] [2]".
_BARE_FRAGMENT = re.compile(r"(?<=[.!?])\s+(?:[\d,.$%()-]+\s*)+(?:\[\d{1,3}\]\s*)+\.?(?=\s|$)")


def _drop_bare_fragments(answer: str) -> str:
    """Figures and markers a small model leaves after a sentence ("2,693 [2]."): they say nothing a
    reader can use, and a figure without words about it would read as part of the answer."""
    return _BARE_FRAGMENT.sub("", answer).strip()


#: Display maths a model writes (LaTeX ``\\[ ... \\]``), removed whole.
_DISPLAY_MATH = re.compile(r"\\\[.*?(?:\\\]|$)", re.DOTALL)
#: A sentence doing arithmetic: "= 1.5", "1,234 / 567", inline LaTeX ("\\frac", "\\times", "\\(").
_ARITHMETIC = re.compile(
    r"=\s*[-−$(]?\s*\d|\d\s*[=×÷]|\d\s+/\s+[\d(]|\\(?:frac|times|div|cdot|text)\b|\\[()]"
)


def drop_model_arithmetic(answer: str) -> str:
    """The answer without the sentences in which the model does arithmetic itself (a formula with
    "=", a division of printed figures, LaTeX): when the figure was computed in code, or refused
    there with the reason, the model's own working can only contradict it (the fast model went
    on "... cannot be computed from your documents: ... Inventory turnover = 1")."""
    answer = _DISPLAY_MATH.sub("", answer)
    lines = []
    for line in answer.split("\n"):
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z\[(\\])", line)
        kept = [s for s in sentences if not _ARITHMETIC.search(s)]
        if kept or not line.strip():
            lines.append(" ".join(kept))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _line_key(line: str) -> str:
    return " ".join(line.split()).lower()
