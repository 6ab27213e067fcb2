"""``harness packs [--json]``: the installed scenario packs (entry points ``harness.packs`` and the
packs shipped in ``harness.packs``) with their title, public source and the claim each test
checks (read from the ``claim`` markers by collecting the tests). Exit 0; 2 when a pack cannot be
collected (the line names the file and place)."""

from __future__ import annotations

import argparse
import json

from harness.cli.context import Env
from harness.cli.status import ExitStatus


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("packs", help="list installed scenario packs and the claims they test",
                       description="List the installed scenario packs with their title, public source and the "
                                   "claim sentence of each test (run one with `harness run NAME`).")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.scenario.packs import collect, installed_packs, pack_of

    packs = list(installed_packs().values())
    if not packs:
        env.out("no scenario packs installed (fix: reinstall harness, or register one under the entry point "
                "group `harness.packs`)")
        return int(ExitStatus.OK)
    found = collect([pack.path for pack in packs])
    claims: dict[str, list[dict[str, object]]] = {pack.name: [] for pack in packs}
    for item in found.items:
        pack = pack_of(str(item["file"]), packs)
        if pack is not None:
            claims[pack.name].append({"test": str(item["nodeid"]).rsplit("::", 1)[-1], "claim": item.get("claim")})
    if args.json:
        env.out(json.dumps([{"name": p.name, "title": p.title, "source": p.source, "module": p.module,
                             "path": str(p.path), "origin": p.origin, "claims": claims[p.name]} for p in packs],
                           indent=2))
    else:
        for pack in packs:
            env.out(f"{pack.name} - {pack.title or '(no title)'}")
            env.out(f"  source: {pack.source or '-'}")
            env.out(f"  from: {pack.module or pack.path} ({pack.origin})")
            for claim in claims[pack.name]:
                env.out(f"  - {claim['claim'] or '(no claim marker)'}  [{claim['test']}]")
    for error in found.errors:
        where = f"{error.get('file')}:{error.get('line')}" if error.get("line") else str(error.get("file"))
        env.err(f"harness: error: cannot collect {where}: {error.get('message')} (fix: correct the pack's file)")
    return int(ExitStatus.ERROR) if found.errors else int(ExitStatus.OK)
