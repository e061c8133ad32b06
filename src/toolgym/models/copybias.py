"""Copy bias: a logit bonus, inside a call's argument values, for tokens that continue a span of the conversation.

A small model often writes a value the question never said ("Munich United" for "Manchester United", 2019 for
1980). With `CallPolicy.copy_bias` > 0, while the model writes a string value the tokens that extend the value along
some occurrence of it in the conversation (the prompt after the tool documentation) get `copy_bias` added to their
logits; a string starts at a word of the conversation, a number at a number of it (number characters only, so a
bonus never ends a number early). The bonus shifts the model's own choice; it never forbids a token, so values
the question does not spell (dates in ISO form, unit conversions) stay possible.

Two more logit bonuses follow the answer's text the same way: `RowContinueBias` (another parameter rather than
closing a call) and `RowNextCallBias` (another call block rather than ending the answer).

xgrammar's matcher does not expose where in the JSON it stands (checked: GrammarMatcher has no parse-state API),
so `ArgumentCursor` follows the argument text itself; the standard library's json has no incremental parser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from toolgym.core.formats import CALL_CLOSE, CALL_OPEN

NUMBER_CHARS = frozenset("0123456789.eE+-")
_WORD_START = re.compile(r"(?<![\w])\w")
_NUMBER_START = re.compile(r"(?<![\w.])-?\d")
_PUNCTUATION = frozenset(",}] \n")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
LONGEST_TOKEN = 24  # characters; longer vocabulary entries are not looked up as continuations


def copy_source(prompt: str) -> str:
    """The text values may be copied from: the prompt after its tool documentation (all of it when it has none)."""
    cut = prompt.rfind("</tools>")
    return prompt[cut + len("</tools>"):] if cut >= 0 else prompt


class TokenTexts:
    """Each vocabulary entry's decoded text, and the ids behind each text (built once per tokenizer)."""

    def __init__(self, tokenizer: Any, vocab_size: int) -> None:
        size = min(vocab_size, len(tokenizer))
        texts = tokenizer.batch_decode([[i] for i in range(size)], skip_special_tokens=False)
        self.texts: list[str] = list(texts)
        self.ids: dict[str, list[int]] = {}
        for token_id, text in enumerate(self.texts):
            if text and "\ufffd" not in text and len(text) <= LONGEST_TOKEN:
                self.ids.setdefault(text, []).append(token_id)
        # tokens that end a value and go on with JSON punctuation only: `"`, `",`, `"}}` / `,`, `]`, `}}`
        self.closers = {kind: {i for i, t in enumerate(self.texts) if t[:1] in first and set(t[1:]) <= _PUNCTUATION}
                        for kind, first in (("string", '"'), ("number", ",}]"))}
        # another key or item next: after a value, or closing a string value in the same token (`",`)
        self.commas = {kind: sorted(i for i, t in enumerate(self.texts) if t.startswith(lead))
                       for kind, lead in (("after", ","), ("string", '",'))}
        self.newlines = sorted(i for i, t in enumerate(self.texts) if t.startswith("\n"))  # the calls' separator

    def continuations(self, source: str, starts: Iterable[int], numeric: bool) -> set[int]:
        """Ids of tokens whose text is the start of `source[p:]` for some p in `starts` (number characters only
        when `numeric`); never a token with a quote or backslash, which would end or escape a JSON string."""
        found: set[int] = set()
        for p in starts:
            for end in range(p + 1, min(len(source), p + LONGEST_TOKEN) + 1):
                piece = source[p:end]
                if piece[-1] in '"\\' or (numeric and not _in_number(source, end - 1)):
                    break
                found.update(self.ids.get(piece, ()))
        return found


class ArgumentCursor:
    """Follows a hermes answer character by character: whether it is writing a string or number value inside a
    call's arguments, and that value's text so far."""

    def __init__(self) -> None:
        self.tail = ""  # the text since the last call, up to the length of the call opener
        self.calling = False
        self.stack: list[str] = []
        self.expect_key = False
        self.in_string = False
        self.is_key = False
        self.escaped = False
        self.kind: str | None = None  # "string" | "number" while a value is written
        self.value = ""
        self.last = ""  # the last character outside strings, spaces excepted

    def feed(self, text: str) -> None:
        for ch in text:
            self._char(ch)

    def _char(self, ch: str) -> None:
        if not self.calling:  # prose, or between calls: wait for a call opener
            self.tail = (self.tail + ch)[-len(CALL_OPEN):]
            self.calling = self.tail == CALL_OPEN
            return
        if self.in_string:
            self._string_char(ch)
            return
        if self.kind == "number":
            if ch in NUMBER_CHARS:
                self.value += ch
                return
            self.kind, self.value = None, ""
        if self.stack or ch == "{":
            self._structure_char(ch)

    def _string_char(self, ch: str) -> None:
        if self.escaped:
            self.escaped = False
        elif ch == "\\":
            self.escaped = True
        elif ch == '"':
            self.in_string, self.kind, self.value = False, None, ""
            self.last = ch
            return
        if not self.is_key:
            self.value += ch

    def _structure_char(self, ch: str) -> None:
        if ch == " ":
            return
        if ch in "{[":
            self.stack.append(ch)
            self.expect_key = ch == "{"
        elif ch in "}]":
            self.stack.pop()
            if not self.stack:  # the call object closed
                self.calling, self.tail = False, ""
        elif ch == '"':
            self.in_string, self.is_key = True, self.stack[-1] == "{" and self.expect_key
            self.expect_key = False
            self.kind, self.value = (None if self.is_key else "string"), ""
        elif ch == ",":
            self.expect_key = self.stack[-1] == "{"
        elif ch in "-0123456789" and self._in_arguments():
            self.kind, self.value = "number", ch
        self.last = ch

    def after_argument(self) -> str | None:
        """Where a comma may open another parameter of the arguments object (its own, top-level keys) and a brace
        may close the call: "after" a value (or inside a number or literal value), "string" inside a string value,
        whose closing quote may carry the comma in the same token; None elsewhere."""
        if not (self.calling and len(self.stack) == 2 and self.stack[-1] == "{"):
            return None
        if self.in_string:
            return "string" if not self.is_key else None
        return "after" if self.last not in ":,{" and not (self.last == '"' and self.is_key) else None

    def _in_arguments(self) -> bool:
        """Inside the arguments object (the call object is depth 1; only "arguments" holds an object)."""
        return len(self.stack) >= 2

    def writing(self) -> str | None:
        """"string" or "number" while an argument value is written; "start" where a value may begin."""
        if not self._in_arguments():
            return None
        if self.kind == "string" and self.in_string and not self.is_key:
            return "string"
        if self.kind == "number":
            return "number"
        if not self.in_string and (self.last == ":" or (self.last in "[," and self.stack[-1] == "[")):
            return "start"
        return None


def _in_number(text: str, i: int) -> bool:
    """Whether text[i] goes on a number: a digit, or a point or exponent with a digit after it ("6." ends)."""
    ch = text[i]
    return ch.isdigit() or (ch in NUMBER_CHARS and i + 1 < len(text) and text[i + 1].isdigit())


def _span_ends(text: str, at: int, numeric: bool) -> bool:
    """Whether a copied value may end at `at`: the end of a word (of a number) in `text`."""
    if at >= len(text):
        return True
    return not (_in_number(text, at) if numeric else text[at].isalnum())


class CursorBias:
    """A logit bonus that follows the answer's text through an `ArgumentCursor` (one per answer)."""

    def __init__(self, texts: TokenTexts, bias: float) -> None:
        self.texts = texts
        self.bias = bias
        self.cursor = ArgumentCursor()

    def accept(self, token: int) -> None:
        if token < len(self.texts.texts):
            self.cursor.feed(self.texts.texts[token])


class RowCopyBias(CursorBias):
    """One answer's copy bias: `bonus_ids()` after each accepted token's text is fed in."""

    def __init__(self, texts: TokenTexts, source: str, bias: float) -> None:
        super().__init__(texts, bias)
        self.source = source
        self.numbers = _THOUSANDS.sub("", source)  # "12,000 miles": the number 12000
        words = [m.start() for m in _WORD_START.finditer(source)]
        # a string starts at a word, or at the space before it: the model's own tokens (" rosemary") carry it
        self.word_starts = sorted(set(words) | {p - 1 for p in words if source[p - 1:p] == " "})
        self.number_starts = [m.start() for m in _NUMBER_START.finditer(self.numbers)]
        self.openers: dict[str, set[int]] = {}  # per state, the bonus before any character (the same every time)

    def bonus_ids(self) -> set[int]:
        state = self.cursor.writing()
        if state is None:
            return set()
        value, numeric = self.cursor.value, state != "string"
        text, starts = (self.numbers, self.number_starts) if numeric else (self.source, self.word_starts)
        if state == "start" or not value:  # a number's first characters, or an opened string's first
            if state not in self.openers:
                self.openers[state] = self.texts.continuations(text, starts, numeric=numeric)
            return self.openers[state]
        ends = [p + len(value) for p in starts if text.startswith(value, p)]
        found = self.texts.continuations(text, ends, numeric=numeric)
        if any(_span_ends(text, p, numeric) for p in ends):  # ending here is as good as going on
            found |= self.texts.closers[state]
        return found

    def apply(self, logits: Any) -> None:
        ids = self.bonus_ids()
        if ids:
            logits[sorted(ids)] += self.bias


class RowContinueBias(CursorBias):
    """One answer's continue bias: `bias` on the comma tokens where the model chooses between another parameter of
    the arguments object and closing the call. A small model trained with required parameters first often closes
    after them and leaves out an optional value the question states (BFCL's `missing_optional`); the bonus shifts
    that choice and forbids nothing (the grammar still masks a comma when no parameter is left). Inside a number a
    comma competes with the number's next digit, and inside a string value `",` with the string's next character,
    so only a bias the model nearly agrees with flips a choice."""

    def apply(self, logits: Any) -> None:
        where = self.cursor.after_argument()
        if where is not None:
            logits[self.texts.commas[where]] += self.bias


CALL_BLOCK = re.compile(re.escape(CALL_OPEN) + r"(.*?)" + re.escape(CALL_CLOSE) + r"\n?", re.S)


def call_key(block: str) -> str | None:
    """A call block's JSON with sorted keys (equal for the same call, key order aside); None if it does not parse."""
    try:
        return json.dumps(json.loads(block), sort_keys=True)
    except ValueError:
        return None


class RowNextCallBias:
    """One answer's next-call bias: `bias` on the newline tokens right after a call block closes, where the
    constrained answer either opens another block (the separator is a newline) or ends. A small model trained
    mostly on two-call requests stops early on three- and four-call ones (BFCL parallel_multiple: `wrong_count`).
    Once a block repeats an earlier call word for word the model is looping, not reading the question, and the
    bonus stops (`distinct_calls` drops the repeat)."""

    def __init__(self, texts: TokenTexts, bias: float) -> None:
        self.texts = texts
        self.bias = bias
        self.text = ""
        self.looping = False

    def accept(self, token: int) -> None:
        if token >= len(self.texts.texts) or self.looping:
            return
        self.text += self.texts.texts[token]
        if self.text.endswith(CALL_CLOSE):
            keys = [call_key(m.group(1)) for m in CALL_BLOCK.finditer(self.text)]
            self.looping = keys[-1] is not None and keys[-1] in keys[:-1]

    def apply(self, logits: Any) -> None:
        if not self.looping and self.text.endswith(CALL_CLOSE):
            logits[self.texts.newlines] += self.bias
