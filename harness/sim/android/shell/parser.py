"""Parse the Android shell lines that adb clients and the device layer send.

Covers what ``adb shell`` users send in practice: ``;``, ``&&``, ``||``, ``|``, ``&``, newlines,
single/double quotes, backslash escapes, ``$?``/``$VAR``/``${VAR}``/``$(cmd)`` and redirects
(``>``, ``>>``, ``<``, ``2>&1``, ``N>file``). No loops, functions or subshells: those raise
:class:`ShellSyntaxError`. :mod:`shlex` cannot tell ``2>&1`` from ``2 >&1`` or keep ``$?``
unexpanded inside single quotes, hence this small tokenizer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OPERATORS = (";", "&&", "||", "|", "&")


class ShellSyntaxError(Exception):
    pass


@dataclass(frozen=True)
class Part:
    """One piece of a word: literal text, a variable (``$?``) or a command substitution."""

    kind: str  # "lit" | "var" | "cmd"
    value: str
    quoted: bool


@dataclass
class Word:
    parts: list[Part] = field(default_factory=list)

    def literal(self) -> str | None:
        """The text if the word has no expansions, else None."""
        if all(p.kind == "lit" for p in self.parts):
            return "".join(p.value for p in self.parts)
        return None


@dataclass
class Redirect:
    fd: int
    op: str  # ">", ">>", "<", ">&"
    target: Word


@dataclass
class Command:
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class Pipeline:
    commands: list[Command]


@dataclass
class ListItem:
    """A pipeline and the operator that joins it to the previous one (None for the first)."""

    joiner: str | None
    pipeline: Pipeline
    background: bool = False


_SPECIAL_VARS = "?$#!0123456789"


class _Lexer:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.tokens: list[object] = []  # Word | str (operator) | Redirect

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def run(self) -> list[object]:
        while self.i < len(self.s):
            c = self.peek()
            if c in " \t":
                self.i += 1
            elif c == "\n":
                self.tokens.append(";")
                self.i += 1
            elif c == "#":
                while self.i < len(self.s) and self.s[self.i] != "\n":
                    self.i += 1
            elif c in ";&|":
                two = self.s[self.i : self.i + 2]
                if two in ("&&", "||"):
                    self.tokens.append(two)
                    self.i += 2
                elif two == ";;":
                    raise ShellSyntaxError("syntax error: unexpected ';;'")
                else:
                    self.tokens.append(c)
                    self.i += 1
            elif c in "<>":
                self.tokens.append(self.redirect(None))
            elif c in "()`":
                raise ShellSyntaxError(f"syntax error: '{c}' unexpected")
            else:
                word = self.word()
                lit = word.literal()
                if lit is not None and lit.isdigit() and self.peek() and self.peek() in "<>" and not _has_quotes(word):
                    self.tokens.append(self.redirect(int(lit)))
                else:
                    self.tokens.append(word)
        return self.tokens

    def redirect(self, fd: int | None) -> Redirect:
        c = self.peek()
        if c == "<":
            op = "<"
            self.i += 1
        elif self.s.startswith(">>", self.i):
            op = ">>"
            self.i += 2
        elif self.s.startswith(">&", self.i):
            op = ">&"
            self.i += 2
        else:
            op = ">"
            self.i += 1
        while self.peek() in (" ", "\t"):
            self.i += 1
        if not self.peek() or self.peek() in ";&|<>\n":
            raise ShellSyntaxError("syntax error: redirect without a target")
        target = self.word()
        return Redirect(fd if fd is not None else (0 if op == "<" else 1), op, target)

    def word(self) -> Word:
        parts: list[Part] = []
        buf: list[str] = []

        def flush(quoted: bool) -> None:
            if buf:
                parts.append(Part("lit", "".join(buf), quoted))
                buf.clear()

        while self.i < len(self.s):
            c = self.peek()
            if c in " \t\n;&|<>()`":
                break
            if c == "\\":
                flush(False)
                nxt = self.peek(1)
                self.i += 2
                if nxt and nxt != "\n":
                    parts.append(Part("lit", nxt, True))
            elif c == "'":
                flush(False)
                end = self.s.find("'", self.i + 1)
                if end < 0:
                    raise ShellSyntaxError("syntax error: unterminated quoted string")
                parts.append(Part("lit", self.s[self.i + 1 : end], True))
                self.i = end + 1
            elif c == '"':
                flush(False)
                self.i += 1
                parts.extend(self.double_quoted())
            elif c == "$":
                flush(False)
                parts.append(self.dollar(quoted=False))
            else:
                buf.append(c)
                self.i += 1
        flush(False)
        return Word(parts)

    def double_quoted(self) -> list[Part]:
        parts: list[Part] = []
        buf: list[str] = []
        while True:
            if self.i >= len(self.s):
                raise ShellSyntaxError("syntax error: unterminated quoted string")
            c = self.peek()
            if c == '"':
                self.i += 1
                break
            if c == "\\" and self.peek(1) in ('"', "\\", "$", "`", "\n"):
                if self.peek(1) != "\n":
                    buf.append(self.peek(1))
                self.i += 2
            elif c == "$":
                if buf:
                    parts.append(Part("lit", "".join(buf), True))
                    buf = []
                parts.append(self.dollar(quoted=True))
            else:
                buf.append(c)
                self.i += 1
        if buf or not parts:
            parts.append(Part("lit", "".join(buf), True))
        return parts

    def dollar(self, *, quoted: bool) -> Part:
        nxt = self.peek(1)
        if nxt and nxt in _SPECIAL_VARS:
            self.i += 2
            return Part("var", nxt, quoted)
        if nxt == "{":
            end = self.s.find("}", self.i + 2)
            if end < 0:
                raise ShellSyntaxError("syntax error: bad substitution")
            name = self.s[self.i + 2 : end]
            self.i = end + 1
            return Part("var", name, quoted)
        if nxt == "(":
            depth = 0
            j = self.i + 1
            while j < len(self.s):
                if self.s[j] == "(":
                    depth += 1
                elif self.s[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            else:
                raise ShellSyntaxError("syntax error: unterminated $(")
            src = self.s[self.i + 2 : j]
            self.i = j + 1
            return Part("cmd", src, quoted)
        if nxt.isalpha() or nxt == "_":
            j = self.i + 1
            while j < len(self.s) and (self.s[j].isalnum() or self.s[j] == "_"):
                j += 1
            name = self.s[self.i + 1 : j]
            self.i = j
            return Part("var", name, quoted)
        self.i += 1
        return Part("lit", "$", quoted)


def _has_quotes(word: Word) -> bool:
    return any(p.quoted for p in word.parts)


def parse(text: str) -> list[ListItem]:
    """Parse a command line into list items (pipelines joined by ``;``/``&&``/``||``/``&``)."""
    tokens = _Lexer(text).run()
    items: list[ListItem] = []
    joiner: str | None = None
    commands: list[Command] = []
    cmd = Command()

    def end_command() -> None:
        nonlocal cmd
        if not cmd.words and not cmd.redirects:
            raise ShellSyntaxError("syntax error: unexpected operator")
        commands.append(cmd)
        cmd = Command()

    def end_pipeline(background: bool) -> None:
        nonlocal commands, joiner
        end_command()
        items.append(ListItem(joiner, Pipeline(commands), background))
        commands = []

    pending: str | None = None
    for tok in tokens:
        if isinstance(tok, Word):
            cmd.words.append(tok)
        elif isinstance(tok, Redirect):
            cmd.redirects.append(tok)
        elif tok == "|":
            end_command()
        else:
            assert isinstance(tok, str)
            if not cmd.words and not cmd.redirects and not commands:
                if tok == ";" and (not items or pending is None):
                    continue  # empty statement, e.g. trailing or doubled newline
                raise ShellSyntaxError(f"syntax error: '{tok}' unexpected")
            end_pipeline(background=(tok == "&"))
            joiner = ";" if tok in (";", "&") else tok
            pending = tok if tok in ("&&", "||") else None
    if cmd.words or cmd.redirects or commands:
        end_pipeline(background=False)
    elif pending:
        raise ShellSyntaxError(f"syntax error: unexpected end of input after '{pending}'")
    return items
