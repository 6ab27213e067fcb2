"""App profiles as files: the shipped ones load with sources; a missing role and each kind of bad
file is one ProfileError line naming the profile or file and the key (no device needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import HarnessError, UsageError
from harness.scenario.profile import (
    APP_ROLES,
    HOST_ROLES,
    MAX_PROFILE_BYTES,
    AppRole,
    ProfileError,
    Search,
    load_profile,
    shipped_profiles,
)

MINIMAL = """\
name: lab-phone
apps:
  browser:
    package: com.example.browser
    sources: [{url: "https://example.org/a", title: lab notes, verified_on_device: true}]
"""


def _write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _one_line(err: ProfileError) -> str:
    text = str(err)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_shipped_profiles_are_listed_and_load():
    assert {"virtual-vendor", "xiaomi-miui12-global"} <= set(shipped_profiles())
    for name in shipped_profiles():
        profile = load_profile(name)
        assert profile.name == name and profile.path.is_file()
        for entry in [*profile.apps.values(), *profile.hosts.values()]:
            assert entry.sources, f"{name}: {entry.role} has no source"


def test_xiaomi_profile_names_the_report_apps_and_the_list_host():
    p = load_profile("xiaomi-miui12-global")
    expected = {"browser": "com.mi.globalbrowser", "security": "com.miui.securitycenter",
                "cleaner": "com.miui.cleanmaster", "package_installer": "com.miui.packageinstaller",
                "themes": "com.android.thememanager", "video": "com.miui.videoplayer"}
    assert {role: p.app(role).package for role in expected} == expected
    assert p.roles_of_host("globalapi.ad.xiaomi.com") == ("ad_config",)
    assert p.roles_of_host("GlobalAPI.AD.Xiaomi.com.") == ("ad_config",)  # case, trailing dot
    assert p.roles_of_host("api.ad.xiaomi.com") == ()
    # nothing in it was checked on a device here, and no activity is invented
    entries = [*p.apps.values(), *p.hosts.values()]
    assert not any(s.verified_on_device for e in entries for s in e.sources)
    assert all(a.activity is None and a.component is None for a in p.apps.values())
    urls = {s.url for e in entries for s in e.sources}
    assert any("nksc.lt" in u for u in urls) and any("2003770963" in u for u in urls)
    assert p.app("browser").search == Search(kind="intent", action="android.intent.action.WEB_SEARCH",
                                             extra="query")


def test_virtual_vendor_uses_the_scenario_role_names():
    p = load_profile("virtual-vendor")
    assert set(p.apps) <= set(APP_ROLES) and set(p.hosts) == set(HOST_ROLES)
    browser = p.app("browser")
    assert isinstance(browser, AppRole) and browser.component == "com.vendor.browser/.BrowserApp"
    assert browser.verified_on_device and "Render" in browser.log_tags


def test_missing_role_names_profile_and_key():
    p = load_profile("xiaomi-miui12-global")
    with pytest.raises(ProfileError) as exc:
        p.app("messenger")
    text = _one_line(exc.value)
    assert "'xiaomi-miui12-global'" in text and "apps.messenger" in text and "browser" in text
    with pytest.raises(ProfileError) as exc:
        p.host_role("telemetry")
    text = _one_line(exc.value)
    assert "'xiaomi-miui12-global'" in text and "hosts.telemetry" in text and "ad_config" in text
    assert isinstance(exc.value, UsageError) and isinstance(exc.value, HarnessError) and exc.value.fix


def test_a_lab_profile_by_path(tmp_path):
    p = load_profile(_write(tmp_path, MINIMAL))
    assert p.name == "lab-phone" and p.app("browser").search is None and dict(p.hosts) == {}
    assert p.app("browser").activity is None and p.app("browser").log_tags == ()


@pytest.mark.parametrize(("body", "key", "words"), [
    # wrong types
    (MINIMAL.replace("package: com.example.browser", "package: 42"), "apps.browser.package", "expected a string"),
    (MINIMAL.replace("verified_on_device: true", "verified_on_device: yes-ish"),
     "apps.browser.sources.0.verified_on_device", "true/false"),
    (MINIMAL.replace("apps:\n", "apps: []\nx:\n"), "(top level)", "unknown key 'x'"),
    (MINIMAL + "hosts:\n  ads:\n    patterns: ads.example\n    sources: [{url: 'https://a.b', title: t, verified_on_device: false}]\n", "hosts.ads.patterns",
     "expected a list"),
    # unknown search kind
    (MINIMAL.replace("    sources:", "    search: {kind: voice}\n    sources:"), "apps.browser.search.kind",
     "'voice' is not one of intent, deeplink, input"),
    # an intent search without its action
    (MINIMAL.replace("    sources:", "    search: {kind: intent, extra: query}\n    sources:"),
     "apps.browser.search", "missing action"),
    # a deep link without {term}
    (MINIMAL.replace("    sources:", "    search: {kind: deeplink, url: 'https://x.test/s'}\n    sources:"),
     "apps.browser.search.url", "not a valid url"),
    # missing package
    (MINIMAL.replace("    package: com.example.browser\n", ""), "apps.browser", "missing package"),
    # an entry without a source
    (MINIMAL.replace('[{url: "https://example.org/a", title: lab notes, verified_on_device: true}]', "[]"),
     "apps.browser.sources", "empty"),
    # a role name that is not an identifier
    (MINIMAL.replace("  browser:", "  Web Browser:"), "apps", "Web Browser"),
    # a misspelt key inside an entry
    (MINIMAL.replace("    package:", "    pakage: x\n    package:"), "apps.browser", "unknown key 'pakage'"),
])
def test_bad_file_is_one_line_naming_file_and_key(tmp_path, body, key, words):
    path = _write(tmp_path, body)
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    text = _one_line(exc.value)
    assert str(path) in text and f"key {key}:" in text and words in text, text


def test_not_yaml_missing_and_oversized_files(tmp_path):
    with pytest.raises(ProfileError, match=r"not valid YAML at line \d+"):
        load_profile(_write(tmp_path, "name: x\napps: {browser: [\n"))
    with pytest.raises(ProfileError, match=r"no profile file or shipped profile named 'nope'.*virtual-vendor"):
        load_profile("nope")
    big = _write(tmp_path, "# " + "x" * MAX_PROFILE_BYTES + "\n" + MINIMAL, "big.yaml")
    with pytest.raises(ProfileError, match=r"larger than"):
        load_profile(big)
    with pytest.raises(ProfileError, match=r"key \(top level\): expected a mapping"):
        load_profile(_write(tmp_path, "- just\n- a list\n", "list.yaml"))


def test_long_bad_values_are_quoted_short(tmp_path):
    path = _write(tmp_path, MINIMAL.replace("package: com.example.browser", "package: '" + "x y" * 40 + "'"))
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    assert len(str(exc.value)) < 400 and "..." in str(exc.value)


def test_deeplink_search_fills_the_term():
    search = Search(kind="deeplink", url="https://m.example/search?q={term}")
    assert search.deeplink("Free%20Tibet") == "https://m.example/search?q=Free%20Tibet"
    with pytest.raises(ProfileError):
        Search(kind="intent", action="a", extra="query").deeplink("x")


def test_duplicate_key_is_an_error_not_a_silent_overwrite(tmp_path):
    body = MINIMAL + "  browser:\n    package: com.other.browser\n    sources: []\n"
    with pytest.raises(ProfileError) as exc:
        load_profile(_write(tmp_path, body))
    text = _one_line(exc.value)
    assert "key browser: given twice (line 6)" in text, text


def test_alias_bomb_is_refused_before_the_schema_check(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    with pytest.raises(ProfileError, match=r"more than 20000 values once YAML aliases are expanded"):
        load_profile(_write(tmp_path, "\n".join(lines) + "\n"))


def test_to_json_keeps_sources_for_the_record():
    doc = load_profile("xiaomi-miui12-global").to_json()
    assert json.loads(json.dumps(doc)) == doc
    assert doc["apps"]["browser"]["package"] == "com.mi.globalbrowser"
    assert doc["apps"]["browser"]["search"]["kind"] == "intent"
    assert doc["hosts"]["ad_config"]["patterns"] == ["globalapi.ad.xiaomi.com"]
    assert doc["hosts"]["ad_config"]["sources"][0]["verified_on_device"] is False
