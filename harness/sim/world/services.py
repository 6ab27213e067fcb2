"""The vendor's cloud: one class per service, each answering HTTP requests and logging the truth.

Services share a :class:`WorldState` (the terms in force, the remote switch, the chat mailboxes).
Every answer that matters for a verdict is written to the ground-truth log by the service itself.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
import time
from dataclasses import dataclass, field

from harness.sim.world import blacklist, telemetry_crypto
from harness.sim.world.config import EU_EEA, WorldConfig
from harness.sim.world.tls_http import Reply, Request
from harness.sim.world.truth import TruthLog

#: event properties that identify the device (present only in the violating telemetry variant)
IDENTIFIER_KEYS = ("android_id", "serial_no", "imei", "oaid", "device_model")

#: longest a chat poll may wait, seconds
MAX_POLL_WAIT = 10.0


@dataclass
class ChatMessage:
    id: int
    sender: str
    to: str
    text: str
    ts: float


@dataclass
class WorldState:
    config: WorldConfig
    truth: TruthLog
    terms: list[str]
    version: int
    update_time: int
    remote_switch: bool
    lock: threading.Lock = field(default_factory=threading.Lock)
    chat: list[ChatMessage] = field(default_factory=list)
    chat_cond: threading.Condition = field(default_factory=threading.Condition)
    stopping: threading.Event = field(default_factory=threading.Event)

    def active_terms(self) -> list[str]:
        with self.lock:
            return list(self.terms) if self.config.ad_config.serve else []

    def filtering_terms(self) -> list[str]:
        """Terms a violating app would filter with right now (for ground-truth annotations)."""
        return self.active_terms()

    def enforced(self, surface: str) -> bool:
        """Whether the apps' filtering class for ``surface`` acts on the list (the world file's
        ``filtering.*`` switch): ``browser_ads``, ``browser_suggestions``, ``video_ads``, ``messenger``.
        Written into the ground truth so a verdict can tell "list present" from "list enforced"."""
        return bool(getattr(self.config.filtering, surface))


class _Base:
    name = "base"

    def __init__(self, state: WorldState, host: str) -> None:
        self.state = state
        self.host = host

    def log(self, event: str, request: Request | None = None, **fields: object) -> None:
        extra: dict[str, object] = {"service": self.name, "host": self.host}
        if request is not None:
            extra["client"] = request.client
            extra["path"] = request.path
        self.state.truth.record(event, **extra, **fields)

    def on_tls_error(self, client: str, error: str) -> None:
        self.state.truth.record("tls_error", service=self.name, host=self.host, client=client, error=error)

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError


class AdConfigService(_Base):
    """``globalapi.ad.vendor.test``: serves ``MiAdBlacklistConfig``, region-gated."""

    name = "adconfig"

    def __init__(self, state: WorldState, host: str) -> None:
        super().__init__(state, host)
        #: apps (``pkg``) that downloaded the config at least once
        self._downloaded: set[str] = set()

    def _list_for(self, app: str) -> tuple[list[str], int, int]:
        """(terms, version, update time) this download of ``app`` gets: the list in force, or from
        the app's second download on, the world's ``ad_config.next_version`` update of it (one day
        later, ``added_terms`` added, ``removed_terms`` removed) when the world has one and no
        list was published since (:meth:`World.publish_list` wins)."""
        cfg = self.state.config.ad_config
        with self.state.lock:
            terms, version, update_time = list(self.state.terms), self.state.version, self.state.update_time
            again = app in self._downloaded
            self._downloaded.add(app)
        if not (again and cfg.next_version and version == cfg.version):  # a published list replaces the update
            return terms, version, update_time
        removed = set(cfg.removed_terms)
        terms = [t for t in terms if t not in removed] + [t for t in cfg.added_terms if t not in terms]
        return terms, cfg.next_version, update_time + 86_400_000

    def handle(self, request: Request) -> Reply:
        if request.path != "/api/v1/config":
            return Reply.json({"code": 404, "msg": "not found"}, 404)
        name = request.query.get("name", "")
        app = request.query.get("pkg", "")
        region = request.query.get("region", "").upper()
        have = request.query.get("version", "")
        cfg = self.state.config.ad_config
        if name != blacklist.CONFIG_NAME or not cfg.serve:
            self.log("config_served", request, app=app, region=region, served=False, enable=False,
                     version=None, terms_count=0, terms_digest=None, gated=False,
                     remote_switch=self.state.remote_switch, client_version=have)
            return Reply.json({"code": 404, "msg": "no such config", "data": None}, 200)
        terms, version, update_time = self._list_for(app)
        with self.state.lock:
            remote = self.state.remote_switch
        gated = cfg.region_gate.eu_disabled and region in EU_EEA and not remote
        served_terms = [] if gated else terms
        doc = blacklist.config_document(version=version, update_time=update_time, enable=not gated,
                                        region=region, terms=served_terms)
        self.log("config_served", request, app=app, region=region, served=True, enable=not gated,
                 version=version, terms_count=len(served_terms),
                 terms_digest=blacklist.terms_digest(served_terms) if served_terms else None,
                 gated=gated, remote_switch=remote, client_version=have)
        return Reply.json(doc)


def _ad(prefix: str, key: str, n: int, title: str, advertiser: str, url: str) -> dict:
    ad_id = f"{prefix}-{hashlib.sha1(key.encode()).hexdigest()[:8]}-{n}"
    return {"id": ad_id, "title": title, "advertiser": advertiser, "click_url": url}


class AdsService(_Base):
    """``api.ad.vendor.test``: paid ads for browser searches and video slots."""

    name = "ads"

    def ads_for(self, slot: str, subject: str) -> list[dict]:
        prefix = "vad" if slot.startswith("video") else "ad"
        return [
            _ad(prefix, slot + subject, 1, f"{subject}: best offers today", "ShopNow",
                "https://cdn.pages.test/p/shop"),
            _ad(prefix, slot + subject, 2, "Samsung Galaxy S21 trade-in bonus", "Galaxy Store",
                "https://cdn.pages.test/p/phones"),
            _ad(prefix, slot + subject, 3, "Cheap flights from Kaunas to Riga", "BalticAir",
                "https://cdn.pages.test/p/flights"),
        ]

    def handle(self, request: Request) -> Reply:
        if request.path != "/v1/ads":
            return Reply.json({"code": 404, "msg": "not found"}, 404)
        slot = request.query.get("slot", "browser_search")
        subject = request.query.get("query") or request.query.get("title") or ""
        app = request.query.get("app", "")
        ads = self.ads_for(slot, subject)
        terms = self.state.filtering_terms()
        annotated = [{**ad, "terms": blacklist.matching_terms(ad["title"], terms)} for ad in ads]
        surface = "video_ads" if slot.startswith("video") else "browser_ads"
        self.log("ads_served", request, app=app, slot=slot, subject=subject, ads=annotated,
                 enforced=self.state.enforced(surface))
        return Reply.json({"code": 0, "slot": slot, "ads": ads})


class SearchService(_Base):
    """``search.vendor.test``: suggestions and results (EU-geolocated)."""

    name = "search"

    @staticmethod
    def suggestions_for(query: str) -> list[str]:
        return [query, f"{query} news", f"{query} wikipedia", f"{query} 2021", "weather in Kaunas"]

    @staticmethod
    def slug(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "page"

    def handle(self, request: Request) -> Reply:
        query = request.query.get("q", "")
        terms = self.state.filtering_terms()
        if request.path == "/v1/suggest":
            items = self.suggestions_for(query)
            self.log("suggestions_served", request, query=query,
                     suggestions=[{"text": s, "terms": blacklist.matching_terms(s, terms)} for s in items],
                     enforced=self.state.enforced("browser_suggestions"))
            return Reply.json({"q": query, "suggestions": items})
        if request.path == "/v1/search":
            slug = self.slug(query)
            results = [
                {"title": f"{query} - Encyclopedia", "url": f"https://cdn.pages.test/p/{slug}"},
                {"title": f"{query} - latest news", "url": f"https://cdn.pages.test/p/{slug}-news"},
            ]
            self.log("results_served", request, query=query, results=results)
            return Reply.json({"q": query, "results": results})
        return Reply.json({"code": 404, "msg": "not found"}, 404)


class TelemetryService(_Base):
    """A "Sensors Data"-style collector (one instance in Singapore, one in the EU)."""

    def __init__(self, state: WorldState, host: str, name: str) -> None:
        super().__init__(state, host)
        self.name = name

    def handle(self, request: Request) -> Reply:
        if request.path != "/sa":
            return Reply.json({"code": 404, "msg": "not found"}, 404)
        try:
            events, encrypted = telemetry_crypto.decode_body(request.body)
        except ValueError as exc:
            self.log("telemetry_rejected", request, error=str(exc), size=len(request.body))
            return Reply.json({"code": 400, "msg": "cannot decode"}, 400)
        props = [e.get("properties") or {} for e in events]
        identifiers = sorted({k for p in props for k in IDENTIFIER_KEYS if k in p})
        self.log("telemetry_received", request, project=request.query.get("project", ""),
                 encrypted=encrypted, events=events, event_names=[e.get("event") for e in events],
                 parameter_count=max((len(p) for p in props), default=0), identifiers=identifiers)
        return Reply.json({"code": 0})


class CdnService(_Base):
    """``cdn.pages.test``: web pages for browsing (Lithuania)."""

    name = "cdn"

    def handle(self, request: Request) -> Reply:
        if not request.path.startswith("/p/"):
            return Reply.html("<html><head><title>Not found</title></head><body></body></html>", 404)
        slug = request.path[3:] or "index"
        title = slug.replace("-", " ").title()
        body = (f"<html><head><title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
                f"<p>{'Lorem ipsum dolor sit amet. ' * 20}</p></body></html>")
        self.log("page_served", request, slug=slug, title=title, size=len(body))
        return Reply.html(body)


class ConsentService(_Base):
    """``consent.vendor.test``: the user's analytics consent as recorded by the vendor (EU)."""

    name = "consent"

    def handle(self, request: Request) -> Reply:
        if request.path != "/v1/consent":
            return Reply.json({"code": 404, "msg": "not found"}, 404)
        granted = self.state.config.telemetry.user_consent
        self.log("consent_served", request, app=request.query.get("app", ""), eid=request.query.get("eid", ""),
                 analytics=granted)
        return Reply.json({"analytics": granted, "personalised_ads": granted})


class ChatService(_Base):
    """``chat.chatapp.test``: the third-party messenger's own server (Ireland); long-poll delivery."""

    name = "chat"

    def post(self, sender: str, to: str, text: str, origin: str) -> ChatMessage:
        with self.state.chat_cond:
            msg = ChatMessage(len(self.state.chat) + 1, sender, to, text, time.time())
            self.state.chat.append(msg)
            self.state.chat_cond.notify_all()
        self.log("chat_accepted", None, id=msg.id, sender=sender, to=to, text=text, origin=origin,
                 terms=blacklist.matching_terms(text, self.state.filtering_terms()),
                 enforced=self.state.enforced("messenger"))
        if to in self.state.config.chat_echo_users:
            self.post(to, sender, text, origin="echo")
        return msg

    def handle(self, request: Request) -> Reply:
        if request.path != "/v1/messages":
            return Reply.json({"code": 404, "msg": "not found"}, 404)
        if request.method == "POST":
            doc = request.json()
            if not isinstance(doc, dict) or not all(isinstance(doc.get(k), str) for k in ("from", "to", "text")):
                return Reply.json({"code": 400, "msg": "need from, to, text"}, 400)
            msg = self.post(doc["from"], doc["to"], doc["text"], origin="client")
            return Reply.json({"code": 0, "id": msg.id})
        user = request.query.get("user", "")
        after = int(request.query.get("after", "0"))
        wait = min(float(request.query.get("wait", "0")), MAX_POLL_WAIT)
        deadline = time.monotonic() + wait
        with self.state.chat_cond:
            while True:
                pending = [m for m in self.state.chat if m.to == user and m.id > after]
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0 or self.state.stopping.is_set():
                    break
                self.state.chat_cond.wait(min(remaining, 0.5))
        for m in pending:
            self.log("chat_delivered", request, id=m.id, sender=m.sender, to=m.to, text=m.text)
        return Reply.json({"messages": [{"id": m.id, "from": m.sender, "to": m.to, "text": m.text, "ts": m.ts}
                                        for m in pending]})
