"""Evidence bundles: a run directory as one zip with a SHA-256 manifest, and its verification.

Layout of ``RUN_ID.evidence.zip``::

    MANIFEST.json   format, run id and status, when, tool versions, Frida agent bundle hashes,
                    the hash of each shipped scenario pack that ran (``packs``), the lab's own
                    claim code that ran (``code``), the run's metadata (incl. the geolocation
                    database recorded by analysis), device facts, and every file with size and
                    SHA-256
    SHA256SUMS      the same hashes in ``sha256sum`` format (``unzip`` + ``sha256sum -c`` checks a
                    bundle without the harness) and the hash of MANIFEST.json itself
    run/...         every regular file of the run directory, byte for byte (not the store's lock
                    file nor the SQLite scratch files of a closed store: ``-shm``, an empty ``-wal``)
    code/...        the lab's own claim files that ran (harness.report.provenance), byte for byte

A manifest can only prove that files match *it*; whoever receives a bundle should also receive
the manifest's SHA-256 (printed by ``harness bundle``) through another channel, as with any
detached checksum.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from harness.capture.store import DB_NAME, LOCK_NAME
from harness.errors import HarnessError, UsageError
from harness.report.bundle_code import code_notes, mismatch_note

FORMAT = "harness.bundle/1"
MANIFEST = "MANIFEST.json"
CHECKSUMS = "SHA256SUMS"
RUN_PREFIX = "run/"
CODE_PREFIX = "code/"
CHUNK = 1 << 20
#: a zip archive starts with a local file header
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class BundleFile:
    #: path relative to the run directory, ``/``-separated
    path: str
    #: bytes
    size: int
    sha256: str


@dataclass(frozen=True)
class Bundle:
    path: Path
    run_id: str
    run_status: str
    files: tuple[BundleFile, ...]
    #: SHA-256 of MANIFEST.json: hand it to the receiver separately
    manifest_sha256: str
    #: entries of the run directory not bundled (symbolic links, sockets), with the reason
    skipped: tuple[str, ...]
    #: the lab's own claim files carried under ``code/`` (member name, relative to ``code/``'s parent)
    code: tuple[BundleFile, ...] = ()
    #: what the receiver should know about the claim code (not the code that ran, gone)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verification:
    bundle: Path
    run_id: str | None
    manifest_sha256: str | None
    #: members whose bytes differ from the manifest (or cannot be read back); every name is the
    #: member's full name in the zip, as SHA256SUMS gives it (``run/findings.json``, ``code/x.py``,
    #: ``SHA256SUMS`` when it does not hold the manifest's hash)
    changed: tuple[str, ...]
    #: members the manifest lists that the bundle lacks (and ``SHA256SUMS`` when it is gone)
    missing: tuple[str, ...]
    #: files in the bundle the manifest does not list (empty folder entries, as ``zip -r`` adds,
    #: are not files and are not listed here)
    unexpected: tuple[str, ...]
    #: why the archive could not be checked at all (a damaged zip, no manifest), else None
    damaged: str | None
    #: members the manifest lists: ``run/`` files and ``code/`` files (harness.report.bundle_code.count_text)
    run_files: int
    code_files: int = 0
    #: what the manifest says about its claim code (harness.report.bundle_code.code_notes): a
    #: ``code/`` file that is not the code that ran, claim code gone since the run
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Every member matches the manifest (the bundle was not changed since it was made)."""
        return not (self.changed or self.missing or self.unexpected or self.damaged)

    @property
    def checked(self) -> int:
        return self.run_files + self.code_files


def _utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with _open_nofollow(path) as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _open_nofollow(path: Path) -> IO[bytes]:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    return os.fdopen(fd, "rb")


#: the name ending of an evidence bundle: a bundle is never bundled (nor the store's LOCK_NAME)
BUNDLE_SUFFIX = ".evidence.zip"


def _walk(run_dir: Path) -> Iterator[tuple[Path, str | None]]:
    """Every entry below ``run_dir`` in a stable order: ``(path, None)`` for a regular file to
    bundle, ``(path, reason)`` for one that is skipped, ``(path, "")`` for one left out silently
    (the store's lock file, SQLite's ``-shm`` index and an empty ``-wal`` of a closed store: no
    evidence, rebuilt by SQLite). Symbolic links are never followed."""
    for dirpath, dirnames, filenames in os.walk(run_dir, followlinks=False):
        dirnames.sort()
        base = Path(dirpath)
        for name in sorted(filenames) + sorted(d for d in dirnames if (base / d).is_symlink()):
            path = base / name
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                yield path, "symbolic link, not followed"
            elif name == LOCK_NAME or (name == f"{DB_NAME}-shm" and stat.S_ISREG(mode)) \
                    or (name == f"{DB_NAME}-wal" and stat.S_ISREG(mode) and os.lstat(path).st_size == 0):
                yield path, ""
            elif name.endswith(BUNDLE_SUFFIX):
                yield path, "an evidence bundle of its own (bundles are not nested; verify it on its own)"
            elif not stat.S_ISREG(mode):
                yield path, "not a regular file"
            else:
                yield path, None


def _agent_hashes() -> dict[str, Any]:
    manifest = Path(__file__).resolve().parents[1] / "instrument" / "bundles" / "manifest.json"
    try:
        return json.loads(manifest.read_text())
    except (OSError, ValueError):
        return {}


def _run_record(run_dir: Path) -> tuple[str, dict[str, Any], Any]:
    """``(status, metadata, device facts or None)`` of a run folder or a session folder
    (:func:`harness.report.folders.session_record`: the session's own status); UsageError for a
    folder that is neither (:func:`harness.report.folders.folder_kind`), or one still recording."""
    from harness.capture.store import RunStore
    from harness.errors import StoreError
    from harness.report.folders import folder_kind, session_record

    if folder_kind(run_dir, command="bundle") == "session":
        status, meta, devices = session_record(run_dir)
        if status == "recording":
            raise UsageError(f"a lab of the session {run_dir} is still being recorded",
                             fix="let the session end (or stop it with Ctrl-C), then bundle it")
        return status, meta, devices
    try:
        store = RunStore.open(run_dir)
        status, meta = store.status, store.meta()
    except StoreError as exc:
        raise UsageError(f"cannot read the run store of {run_dir}: {exc.reason}",
                         fix="bundle a run directory made by the harness") from exc
    if status == "recording":
        raise UsageError(f"run {run_dir} is still being recorded",
                         fix="stop the recording (Ctrl-C in its terminal), then bundle it")
    facts = None
    facts_path = run_dir / "artifacts" / "facts.json"
    if facts_path.is_file() and not facts_path.is_symlink():
        try:
            facts = json.loads(facts_path.read_text())
        except (OSError, ValueError):
            facts = None
    return status, meta, facts


def write_bundle(run_dir: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Bundle:
    """Seal ``run_dir`` into a zip (0600) at ``out`` (default: ``RUN_DIR.evidence.zip`` beside it).
    ``run_dir`` is a session folder (``OUT/<session id>``: its status is the session's) or a run
    folder (a run store: a session's ``<worker>/<module>/`` lab folder, a demo or a recording).

    Raises :class:`~harness.errors.UsageError` when ``run_dir`` is neither, is still being
    recorded, or ``out`` exists or lies inside the run directory.
    """
    from harness.report.provenance import code_that_ran
    from harness.report.versions import tool_versions

    src = Path(run_dir)
    status, meta, facts = _run_record(src)
    dest = Path(out) if out is not None else src.with_name(src.name + BUNDLE_SUFFIX)
    if dest.resolve().is_relative_to(src.resolve()):
        raise UsageError(f"the bundle {dest} would lie inside the run it seals", fix="write it outside the run directory")
    if os.path.lexists(dest):
        raise UsageError(f"{dest} already exists", fix="choose a new bundle path (bundles are never overwritten)")
    files: list[BundleFile] = []
    skipped: list[str] = []
    tmp = dest.with_name(f".{dest.name}.tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            for path, reason in _walk(src):
                rel = path.relative_to(src).as_posix()
                if reason is not None:
                    if reason:
                        skipped.append(f"{rel}: {reason}")
                    continue
                files.append(_add(zf, path, rel, RUN_PREFIX))
            ran_packs, own, notes = code_that_ran(src)
            code: list[BundleFile] = []
            code_entries: list[dict[str, Any]] = []  # the manifest's: each file, where it was, its hash when it ran
            for item in own:
                try:
                    entry = _add(zf, item.source, item.name[len(CODE_PREFIX):], CODE_PREFIX)
                except OSError as exc:
                    notes.append(f"{item.source}: cannot be read ({exc.strerror or exc}); not bundled")
                    continue
                code.append(entry)
                code_entries.append({**vars(entry), "source": str(item.source), "ran_sha256": item.ran_sha256})
                if item.ran_sha256 and item.ran_sha256 != entry.sha256:
                    notes.append(mismatch_note(item.name, item.ran_sha256, entry.sha256))
            manifest = {
                "format": FORMAT,
                "created_at": _utc_now(),
                "run_id": str(meta.get("run_id", src.name)),
                "run_status": status,
                "tool_versions": tool_versions(),
                "agents": _agent_hashes(),
                "packs": ran_packs,
                "code": code_entries,
                "code_notes": notes,
                "run_meta": meta,
                "device": facts,
                "files": [vars(f) for f in files],
                "skipped": skipped,
            }
            manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True, default=str).encode() + b"\n"
            manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
            zf.writestr(MANIFEST, manifest_bytes)
            sums = "".join(f"{f.sha256}  {RUN_PREFIX}{f.path}\n" for f in files) \
                + "".join(f"{c.sha256}  {CODE_PREFIX}{c.path}\n" for c in code) + f"{manifest_sha}  {MANIFEST}\n"
            zf.writestr(CHECKSUMS, sums)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Bundle(dest, str(manifest["run_id"]), status, tuple(files), manifest_sha, tuple(skipped), tuple(code),
                  tuple(notes))


def _add(zf: zipfile.ZipFile, path: Path, rel: str, prefix: str) -> BundleFile:
    """Copy ``path`` into ``zf`` as ``prefix + rel`` (symbolic links refused), hashing it on the way."""
    h, size = hashlib.sha256(), 0
    info = zipfile.ZipInfo.from_file(path, prefix + rel)
    info.compress_type = zipfile.ZIP_DEFLATED
    with _open_nofollow(path) as f, zf.open(info, "w", force_zip64=True) as w:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
            size += len(chunk)
            w.write(chunk)
    return BundleFile(rel, size, h.hexdigest())


def _member_sha256(zf: zipfile.ZipFile, name: str) -> str | None:
    """SHA-256 of a member's bytes, or ``None`` when they cannot be read back (bad CRC, corrupt
    deflate stream): a changed file either way."""
    h = hashlib.sha256()
    try:
        with zf.open(name) as f:
            for chunk in iter(lambda: f.read(CHUNK), b""):
                h.update(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return None
    return h.hexdigest()


ErrorT = TypeVar("ErrorT", bound=HarnessError)

#: the largest MANIFEST.json read to tell a bundle apart from another zip
_MAX_MANIFEST_PEEK = 16 << 20


def is_evidence_bundle(path: str | os.PathLike[str]) -> bool:
    """``path`` is a zip holding a ``MANIFEST.json`` of format ``harness.bundle/1`` (a bundle made
    by :func:`write_bundle`, intact or not); False for anything else, never an error."""
    try:
        with open(path, "rb") as f:
            if f.read(4) != _ZIP_MAGIC:
                return False
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo(MANIFEST)
            if info.file_size > _MAX_MANIFEST_PEEK:
                return False
            manifest = json.loads(zf.read(info))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, zlib.error, EOFError, RuntimeError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == FORMAT


def bundle_given_error(path: str | os.PathLike[str], command: str,
                       error: type[ErrorT] = UsageError) -> ErrorT | None:  # type: ignore[assignment]
    """The one-line error when an evidence bundle is given to ``harness COMMAND``, which reads a
    run folder (or a capture file): how a receiver gets at the run (docs/reports.md, "For the
    receiver of a bundle"); None when ``path`` is no bundle."""
    if not is_evidence_bundle(path):
        return None
    import shlex

    from harness.parsing import short_path

    name = short_path(path)
    arg = shlex.quote(name)  # the commands of the fix, as a shell takes them (a name with blanks)
    if command == "bundle":
        return error(f"{name} is already an evidence bundle ({FORMAT})",
                     fix=f"check it with `harness verify {arg}`; a bundle is not bundled again")
    return error(f"{name} is an evidence bundle ({FORMAT}), not a run folder or capture file",
                 fix=f"check it with `harness verify {arg}`, then unzip it and pass its run/ folder: "
                     f"`unzip {arg} -d DIR && harness {command} DIR/run`")


def _folder_entry(zf: zipfile.ZipFile, name: str) -> bool:
    """``name`` is an empty folder entry (``run/``, ``run/artifacts/``), as ``zip -r`` adds when a
    receiver unzips a bundle and zips it again: no file, so neither evidence nor a problem."""
    return name.endswith("/") and zf.getinfo(name).file_size == 0


def verify_bundle(path: str | os.PathLike[str]) -> Verification:
    """Check every file of a bundle against its manifest, and read what the manifest says about
    its claim code (``notes``: a ``code/`` file that is not the code that ran is no change to the
    bundle, but the receiver must be told).

    Raises :class:`~harness.errors.UsageError` when ``path`` is missing or not a zip at all; a zip
    that is damaged or lacks a readable manifest is reported through ``damaged``.
    """
    p = Path(path)
    try:
        with open(p, "rb") as f:
            head = f.read(4)
    except OSError as exc:
        raise UsageError(f"cannot read {p}: {exc.strerror or exc}", fix="pass a bundle made by `harness bundle`") from exc
    if head != _ZIP_MAGIC:
        raise UsageError(f"{p} is not a zip archive", fix="pass a bundle made by `harness bundle`")

    def damaged(reason: str, run_id: str | None = None, sha: str | None = None) -> Verification:
        return Verification(p, run_id, sha, (), (), (), reason, 0)

    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return damaged(f"the archive structure is damaged ({exc})")
    with zf:
        names = set(zf.namelist())
        if MANIFEST not in names:
            return damaged(f"no {MANIFEST} in the archive")
        try:
            manifest_bytes = zf.read(MANIFEST)
            manifest = json.loads(manifest_bytes)
            listed = {RUN_PREFIX + str(e["path"]): str(e["sha256"]) for e in manifest["files"]}
            run_files = len(listed)
            listed |= {CODE_PREFIX + str(e["path"]): str(e["sha256"]) for e in manifest.get("code") or []}
            if manifest.get("format") != FORMAT:
                return damaged(f"{MANIFEST} is not a {FORMAT} manifest")
            notes = tuple(code_notes(manifest))
        except (zipfile.BadZipFile, zlib.error, ValueError, KeyError, TypeError) as exc:
            return damaged(f"{MANIFEST} cannot be read ({type(exc).__name__})")
        run_id = str(manifest.get("run_id"))
        manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
        changed: list[str] = []
        missing: list[str] = []
        for name, want in sorted(listed.items()):  # named as the zip and SHA256SUMS name them: run/...
            if name not in names:
                missing.append(name)
            elif _member_sha256(zf, name) != want:
                changed.append(name)
        if CHECKSUMS not in names:
            missing.append(CHECKSUMS)
        elif _member_sha256(zf, CHECKSUMS) is None \
                or f"{manifest_sha}  {MANIFEST}" not in zf.read(CHECKSUMS).decode(errors="replace").splitlines():
            changed.append(CHECKSUMS)
        unexpected = sorted(n for n in names - {MANIFEST, CHECKSUMS} if n not in listed and not _folder_entry(zf, n))
    return Verification(p, run_id, manifest_sha, tuple(changed), tuple(missing), tuple(unexpected), None,
                        run_files, len(listed) - run_files, notes)
