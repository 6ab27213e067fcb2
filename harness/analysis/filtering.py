"""Filtering verdicts: OONI web_connectivity-style comparison of an experiment step and its control.

The experiment step searches (or loads) a sensitive term; the control step does the same with a
control term, or with the same term while the vendor config is withheld. For the main response of
each side the rules compare: status codes equal; body length ratio min/max > 0.7; title words of
5+ characters; uncommon header names; and, where agents report it, what the app rendered.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

BODY_RATIO_THRESHOLD = 0.7
RENDER_RATIO_THRESHOLD = 0.7

#: header names so common their presence says nothing (OONI keeps a similar list), lower-case
COMMON_HEADERS = frozenset(
    """accept-ranges age cache-control connection content-encoding content-language content-length
    content-location content-security-policy content-type date etag expires keep-alive last-modified
    location p3p pragma server set-cookie strict-transport-security transfer-encoding vary via
    x-cache x-content-type-options x-frame-options x-powered-by x-xss-protection alt-svc
    access-control-allow-origin access-control-allow-credentials access-control-allow-headers
    access-control-allow-methods access-control-expose-headers referrer-policy report-to nel
    cf-ray cf-cache-status x-request-id x-served-by x-timer""".split()
)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_WORD = re.compile(r"\w{5,}", re.UNICODE)


def title_of(body: bytes | None) -> str | None:
    if not body:
        return None
    m = _TITLE.search(body[:262144])
    return m.group(1).decode("utf-8", "replace").strip() if m else None


def title_words(title: str | None, exclude: str = "") -> set[str]:
    skip = {w.lower() for w in _WORD.findall(exclude)}
    return {w.lower() for w in _WORD.findall(title or "")} - skip


def uncommon_headers(headers: list[tuple[str, str]]) -> set[str]:
    return {k.lower() for k, _ in headers} - COMMON_HEADERS


@dataclass
class Side:
    """What one step produced: its main response and what the app rendered."""

    step_id: str
    term: str = ""
    flow_id: str | None = None
    status_code: int | None = None
    body_length: int | None = None
    title: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: results the app showed (count), from agent events, if any
    rendered: float | None = None
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
    flow_ids: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)

    def numbers(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("flow_ids", "event_ids"):
            d.pop(k)
        return d


def _ratio(a: float, b: float) -> float:
    hi = max(a, b)
    return 1.0 if hi == 0 else min(a, b) / hi


def compare(exp: Side, ctl: Side) -> Comparison:
    """Apply the rules; see docs/analysis.md, 'Filtering verdicts'."""
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
        c.status_match = exp.status_code == ctl.status_code
        c.body_length_ratio = round(_ratio(exp.body_length or 0, ctl.body_length or 0), 4)
        c.body_length_match = c.body_length_ratio > BODY_RATIO_THRESHOLD
        tw_e = title_words(exp.title, exp.term + " " + ctl.term)
        tw_c = title_words(ctl.title, exp.term + " " + ctl.term)
        c.title_match = (tw_e == tw_c) if (tw_e or tw_c) else None
        c.headers_match = uncommon_headers(exp.headers) == uncommon_headers(ctl.headers)
        if not c.status_match:
            network = "filtered"
            c.reasons.append(f"status {exp.status_code} vs control {ctl.status_code}")
        elif c.body_length_match or c.title_match or c.headers_match:
            network = "not_filtered"
            c.reasons.append("status equal and " + ", ".join(
                n for n, ok in (("body length", c.body_length_match), ("title", c.title_match),
                                ("headers", c.headers_match)) if ok) + " match")
        else:
            network = "filtered"
            c.reasons.append(f"body length ratio {c.body_length_ratio} <= {BODY_RATIO_THRESHOLD}, "
                             "title and uncommon headers differ")
    if exp.rendered is not None and ctl.rendered is not None:
        c.rendered_ratio = round(_ratio(exp.rendered, ctl.rendered), 4)
        c.rendered_match = c.rendered_ratio > RENDER_RATIO_THRESHOLD
        if not c.rendered_match:
            c.reasons.append(f"app rendered {exp.rendered:g} results vs control {ctl.rendered:g}")
            network = "filtered"
        elif network is None:
            network = "not_filtered"
            c.reasons.append("app rendered comparable results")
    c.verdict = network or "inconclusive"
    return c
