"""Filtering verdicts: OONI web_connectivity's HTTP comparison of an experiment step and its control.

The experiment step searches (or loads) a sensitive term; the control step does the same with a
control term, or with the same term while the vendor config is withheld. The main response of each
side is compared with OONI's rules (ooni/probe-cli ``internal/experiment/webconnectivitylte/
analysishttpdiff.go``; spec ``ooni/spec nettests/ts-017-web-connectivity.md``):

- ``status_match``: status codes equal; unknown (None) when either side has no status, or when they
  differ and the control's status is not 2xx (OONI does not compare against a failing control);
- ``body_length_match``: ``min/max`` of the *decoded* body lengths ``> 0.7``, compared unrounded;
  unknown when either body is empty or was cut (truncated) when recorded;
- ``headers_match``: True when both sides have the same set of header names, or share at least one
  header name that is not in :data:`COMMON_HEADERS` (OONI's list); unknown when either side has
  no headers;
- ``title_match``: the ``<title>`` (OONI's pattern, :data:`TITLE_PATTERN`) split on whitespace into
  words of at least 5 bytes of UTF-8 (OONI measures Go string length, i.e. bytes), lower-cased;
  True when every word of either title occurs in both; unknown when either title is missing or a
  body was truncated.

Verdict, as OONI's: status match and (body length, else headers, else title) match ->
``not_filtered``; otherwise ``filtered``. Where the harness differs from OONI (documented in
docs/analysis.md): a control without a usable response, an unknown status comparison, or no
comparison at all possible (body, headers and title all unknown) is ``inconclusive`` - a finding
needs positive evidence; the pair's search terms are left out of the title words (a results page
repeats its query); and what the app rendered (agent events) is compared too.

A control is a baseline only when nothing filters it: when the control term is on a keyword list
found in the same run (matched as the virtual world's and a vendor SDK's list matcher does: a
listed term, case-folded, occurring in the control term), both sides may have been cut alike and a
``not_filtered`` verdict would exonerate on no evidence. Such a comparison is ``inconclusive`` with
the reason ``control term 'X' is on the list NAME found in flow F`` (:func:`listed_in`); a
``filtered`` verdict stands (the experiment got less than an already-listed control).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

#: OONI's ``bodyProportionFactor``: lengths match when min/max is strictly greater
BODY_RATIO_THRESHOLD = 0.7
RENDER_RATIO_THRESHOLD = 0.7
#: OONI's ``minWordLength`` for title words, in bytes of UTF-8
MIN_TITLE_WORD = 5

#: header names OONI web_connectivity treats as common (analysishttpdiff.go ``commonHeaders``)
COMMON_HEADERS = frozenset(
    """date content-type server cache-control vary set-cookie location expires x-powered-by
    content-encoding last-modified accept-ranges pragma x-frame-options etag x-content-type-options
    age via p3p x-xss-protection content-language cf-ray strict-transport-security link x-varnish""".split()
)
#: OONI's title pattern (measurexlite ``WebGetTitle``): at most 512 characters, no ``<`` inside.
#: Linear: the bounded class cannot run past the next ``<`` (a body of repeated ``<title>`` costs
#: one step per tag; issue 12 item 6).
TITLE_PATTERN = re.compile(rb"<title>([^<]{1,512})</title>", re.IGNORECASE)


def title_of(body: bytes | None) -> str | None:
    """The page title as OONI extracts it, or None when there is none."""
    if not body:
        return None
    m = TITLE_PATTERN.search(body)
    return m.group(1).decode("utf-8", "replace") if m else None


def title_words(title: str | None, exclude: str = "") -> set[str]:
    """Lower-cased whitespace-separated words of at least :data:`MIN_TITLE_WORD` UTF-8 bytes,
    without the words of ``exclude``."""
    skip = {w.lower() for w in exclude.split()}
    return {w.lower() for w in (title or "").split()
            if len(w.encode("utf-8", "surrogatepass")) >= MIN_TITLE_WORD} - skip


def uncommon_headers(headers: list[tuple[str, str]]) -> set[str]:
    return {k.lower() for k, _ in headers} - COMMON_HEADERS


def headers_match(exp: list[tuple[str, str]], ctl: list[tuple[str, str]]) -> bool | None:
    """OONI's header rule: same names, or at least one uncommon name on both sides; None if either
    side has no headers."""
    if not exp or not ctl:
        return None
    ours, theirs = {k.lower() for k, _ in exp}, {k.lower() for k, _ in ctl}
    return ours == theirs or bool(uncommon_headers(exp) & uncommon_headers(ctl))


def body_length_ratio(exp: int | None, ctl: int | None) -> float | None:
    """``min/max`` of two body lengths, unrounded; None when either is unknown or empty."""
    if not exp or not ctl or exp <= 0 or ctl <= 0:
        return None
    return min(exp, ctl) / max(exp, ctl)


def titles_match(exp: str | None, ctl: str | None, exclude: str = "") -> bool | None:
    """OONI's title rule on whitespace-split words; None when either title is missing."""
    if not exp or not ctl:
        return None
    we, wc = title_words(exp, exclude), title_words(ctl, exclude)
    return we == wc


@dataclass
class Side:
    """What one step produced: its main response and what the app rendered."""

    step_id: str
    term: str = ""
    flow_id: str | None = None
    status_code: int | None = None
    #: decoded response body length in bytes (None: unknown)
    body_length: int | None = None
    #: the recorded body was cut: its length and title cannot be compared (as in OONI)
    truncated: bool = False
    title: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: items the app showed (``payload.count`` of its last render event in the step), if any
    rendered: float | None = None
    #: the same items per surface (``payload.surfaces``, e.g. suggestions/results/ads), where known
    rendered_surfaces: dict[str, int] = field(default_factory=dict)
    event_ids: list[str] = field(default_factory=list)
    failed: str | None = None


@dataclass
class Comparison:
    experiment: str
    control: str
    verdict: str  # filtered | not_filtered | inconclusive
    reasons: list[str]
    status_match: bool | None = None
    body_length_ratio: float | None = None
    body_length_match: bool | None = None
    title_match: bool | None = None
    headers_match: bool | None = None
    rendered_ratio: float | None = None
    rendered_match: bool | None = None
    term: str = ""
    control_term: str = ""
    #: the keyword lists (``NAME found in flow F``) the control term is on: no baseline, not ``not_filtered``
    control_listed: list[str] = field(default_factory=list)
    #: the flow of the list version in force for the experiment (the last one downloaded before the
    #: experiment began whose entries match its term; None: none known): what a ``filtered`` verdict enforces
    list_in_force: str | None = None
    flow_ids: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)

    def numbers(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("flow_ids", "event_ids"):
            d.pop(k)
        return d


def _items(n: float, surface: str | None = None) -> str:
    """``4 items``, ``1 suggestion``, ``2 results`` (a surface name is plural; one item drops its s)."""
    name = surface or "items"
    return f"{n:g} {name[:-1] if n == 1 and name.endswith('s') else name}"


def rendered_text(exp: Side, ctl: Side) -> str:
    """What the two sides rendered, in words: ``4 items (1 suggestion, 2 results, 1 ad) vs control
    9 (5, 2, 2)`` (per surface where the render events give it; the control's in the same order,
    named when its surfaces differ). The counts are items on every surface, not only results."""
    def per(side: Side) -> str:
        return ", ".join(_items(v, k) for k, v in side.rendered_surfaces.items())

    text = f"{_items(exp.rendered or 0)}" + (f" ({per(exp)})" if exp.rendered_surfaces else "")
    text += f" vs control {ctl.rendered or 0:g}"
    if ctl.rendered_surfaces and list(ctl.rendered_surfaces) == list(exp.rendered_surfaces):
        text += f" ({', '.join(f'{v:g}' for v in ctl.rendered_surfaces.values())})"
    elif ctl.rendered_surfaces:
        text += f" ({per(ctl)})"
    return text


def _ratio(a: float, b: float) -> float:
    hi = max(a, b)
    return 1.0 if hi == 0 else min(a, b) / hi


def _status_match(exp: int | None, ctl: int | None) -> bool | None:
    if not exp or not ctl or exp <= 0 or ctl <= 0:
        return None
    if exp != ctl and ctl // 100 != 2:
        return None  # OONI: no comparison against a control that itself failed
    return exp == ctl


def _http(c: Comparison, exp: Side, ctl: Side) -> str:
    """OONI's HTTP diff on two responses; fills ``c`` and returns the network verdict."""
    c.status_match = _status_match(exp.status_code, ctl.status_code)
    if not (exp.truncated or ctl.truncated):
        c.body_length_ratio = body_length_ratio(exp.body_length, ctl.body_length)
        c.title_match = titles_match(exp.title, ctl.title, exp.term + " " + ctl.term)
    if c.body_length_ratio is not None:
        c.body_length_match = c.body_length_ratio > BODY_RATIO_THRESHOLD
    c.headers_match = headers_match(exp.headers, ctl.headers)
    if c.status_match is None:
        c.reasons.append(f"status {exp.status_code} vs control {ctl.status_code} cannot be compared")
        return "inconclusive"
    if not c.status_match:
        c.reasons.append(f"status {exp.status_code} vs control {ctl.status_code}")
        return "filtered"
    for name, ok in (("body length", c.body_length_match), ("headers", c.headers_match), ("title", c.title_match)):
        if ok:
            c.reasons.append(f"status equal and {name} match")
            return "not_filtered"
    if c.body_length_match is None and c.headers_match is None and c.title_match is None:
        c.reasons.append("status equal; body length, headers and title cannot be compared")
        return "inconclusive"
    ratio = "unknown" if c.body_length_ratio is None else f"{c.body_length_ratio:.4f}"
    c.reasons.append(f"body length ratio {ratio} (needs > {BODY_RATIO_THRESHOLD}), headers "
                     f"{_word(c.headers_match)}, title {_word(c.title_match)}")
    return "filtered"


def _word(match: bool | None) -> str:
    return "unknown" if match is None else ("match" if match else "differ")


class ListedTerms(Protocol):
    """A keyword list found in a run (:class:`harness.analysis.lists.TermList` is one)."""

    name: str
    terms: list[str]
    flow_id: str | None


def _fold(text: str) -> str:
    """Text as a list matcher compares it: NFKC, case-folded, runs of whitespace as one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def listed_in(term: str, lists: Iterable[ListedTerms]) -> list[tuple[ListedTerms, str]]:
    """The lists of ``lists`` that would match ``term``, each with the list entry that matches:
    an entry matches when, case-folded (:func:`_fold`), it occurs in the term (the matcher of the
    virtual world's services, ``harness.sim.world.blacklist.matching_terms``, and of the vendor
    SDK NCSC Lithuania describes: a listed word inside a query cuts it). ``[]`` for an empty term."""
    folded = _fold(term)
    if not folded:
        return []
    out = []
    for tl in lists:
        entry = next((t for t in tl.terms if (ft := _fold(str(t))) and ft in folded), None)
        if entry is not None:
            out.append((tl, entry))
    return out


def compare(exp: Side, ctl: Side, lists: Iterable[ListedTerms] = ()) -> Comparison:
    """Apply the rules (module docstring); see docs/analysis.md, 'Filtering verdicts'. ``lists``:
    the keyword lists found in the run; a control term on one of them gives no baseline (a
    would-be ``not_filtered`` verdict is ``inconclusive``, its list flows cited)."""
    c = Comparison(exp.step_id, ctl.step_id, "inconclusive", [], term=exp.term, control_term=ctl.term)
    c.flow_ids = [f for f in (exp.flow_id, ctl.flow_id) if f]
    c.event_ids = exp.event_ids + ctl.event_ids
    network: str | None = None
    if ctl.flow_id is None or ctl.failed:
        c.reasons.append("control has no usable response" + (f" ({ctl.failed})" if ctl.failed else ""))
    elif exp.flow_id is None or exp.failed:
        c.reasons.append("experiment got no response while control did" + (f" ({exp.failed})" if exp.failed else ""))
        network = "filtered"
    else:
        network = _http(c, exp, ctl)
    if exp.rendered is not None and ctl.rendered is not None:
        c.rendered_ratio = _ratio(exp.rendered, ctl.rendered)
        c.rendered_match = c.rendered_ratio > RENDER_RATIO_THRESHOLD
        if not c.rendered_match:
            c.reasons.append(f"app rendered {rendered_text(exp, ctl)}")
            network = "filtered"
        elif network in (None, "inconclusive"):
            network = "not_filtered"
            c.reasons.append(f"app rendered comparable items: {rendered_text(exp, ctl)}")
    c.verdict = network or "inconclusive"
    for tl, entry in listed_in(ctl.term, lists):
        where = f"flow {tl.flow_id}" if tl.flow_id else "the run"
        c.control_listed.append(f"{tl.name} found in {where}")
        c.reasons.append(f"control term '{ctl.term}' is on the list {tl.name} found in {where}"
                         + (f" (as '{entry}')" if _fold(entry) != _fold(ctl.term) else ""))
        if tl.flow_id and tl.flow_id not in c.flow_ids:
            c.flow_ids.append(tl.flow_id)
    if c.control_listed and c.verdict != "filtered":
        c.verdict = "inconclusive"  # both sides may have been cut alike: no baseline, no exoneration
    return c
