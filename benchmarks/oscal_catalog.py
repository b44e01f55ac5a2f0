#!/usr/bin/env python3
"""A synthetic OSCAL catalog the size of NIST SP 800-53 rev 5, and how fast isms imports it.

    python benchmarks/oscal_catalog.py [--families 20] [--controls 24] [--enhancements 2] [--repeat 3]

The catalog has the shape of NIST's (no NIST text): families as groups, controls with
parameters, label and sort-id props, related-control links, a statement with items and
sub-items, guidance, assessment objectives and methods; enhancements nested in their controls;
some controls and enhancements withdrawn (prop status=withdrawn). The defaults give 1,304
controls and enhancements (480 controls, 824 enhancements, 142 withdrawn) in 14.7 MB of JSON.
The benchmark times `isms import oscal-catalog` (read, convert, write YAML), in-process and
through the CLI, and then `isms gap` over a repository using the imported catalog.
`tests/test_oscal_import.py` imports the same generator.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

WORDS = (
    "account", "access", "audit", "authorize", "baseline", "boundary", "capability",
    "component", "configuration", "control", "credential", "data", "define", "develop",
    "disseminate", "document", "enforce", "establish", "event", "flow", "identify",
    "implement", "incident", "information", "integrity", "monitor", "organization",
    "personnel", "policy", "privilege", "procedure", "process", "protect", "record", "remote",
    "review", "risk", "role", "security", "service", "session", "system", "technical",
    "update", "user", "validate", "vulnerability",
)


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def _prose(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(sentences))


def _control(rng: random.Random, cid: str, label: str, title: str, params: int,
             related: list[str], withdrawn: bool) -> dict[str, Any]:
    props = [{"name": "label", "value": label}, {"name": "sort-id", "value": cid}]
    if withdrawn:
        props.append({"name": "status", "value": "withdrawn"})
        return {"id": cid, "class": "SP800-53", "title": title, "props": props,
                "links": [{"href": f"#{related[0]}", "rel": "incorporated-into"}]}
    prm = [{"id": f"{cid}_prm_{i + 1}", "props": [{"name": "aggregates", "value": f"{cid}_odp.{i}"}],
            "label": "organization-defined " + " ".join(rng.choice(WORDS) for _ in range(3)),
            "guidelines": [{"prose": _prose(rng, 1)}]} for i in range(params)]
    items = []
    for i in range(rng.randint(2, 5)):
        letter = "abcdefgh"[i]
        sub = [{"id": f"{cid}_smt.{letter}.{j + 1}", "name": "item",
                "props": [{"name": "label", "value": f"{j + 1}."}],
                "prose": _sentence(rng, 14) + (f" {{{{ insert: param, {cid}_prm_1 }}}}" if prm else "")}
               for j in range(rng.randint(0, 3))]
        item: dict[str, Any] = {"id": f"{cid}_smt.{letter}", "name": "item",
                                "props": [{"name": "label", "value": f"{letter}."}],
                                "prose": _prose(rng, 1)}
        if sub:
            item["parts"] = sub
        items.append(item)
    objectives = [{"id": f"{cid}_obj.{k + 1}", "name": "assessment-objective",
                   "props": [{"name": "label", "value": f"{label}[{k + 1:02d}]"}],
                   "prose": _prose(rng, 1)} for k in range(rng.randint(3, 8))]
    methods = [{"id": f"{cid}_asm-{m.lower()}", "name": "assessment-method",
                "props": [{"name": "method", "ns": "http://csrc.nist.gov/ns/rmf", "value": m}],
                "parts": [{"name": "assessment-objects", "prose": _prose(rng, 2)}]}
               for m in ("EXAMINE", "INTERVIEW", "TEST")]
    return {
        "id": cid, "class": "SP800-53", "title": title, "params": prm, "props": props,
        "links": [{"href": f"#{r}", "rel": "related"} for r in related],
        "parts": [
            {"id": f"{cid}_smt", "name": "statement", "parts": items},
            {"id": f"{cid}_gdn", "name": "guidance", "prose": _prose(rng, rng.randint(3, 9))},
            {"id": f"{cid}_obj", "name": "assessment-objective", "parts": objectives},
            *methods,
        ],
    }


def synthetic_catalog(families: int = 20, controls: int = 24, enhancements: int = 2,
                      seed: int = 1) -> dict[str, Any]:
    """An OSCAL 1.2.1 catalog of families × controls × (1 + enhancements) controls."""
    rng = random.Random(seed)
    groups = []
    n = 0
    for f in range(families):
        fam = "".join(chr(ord("a") + (f * 7 + k) % 26) for k in range(2)) + f"{f:02d}"
        ctrls = []
        for c in range(1, controls + 1):
            cid = f"{fam}-{c}"
            n += 1
            related = [f"{fam}-{rng.randint(1, controls)}" for _ in range(3)]
            control = _control(rng, cid, f"{fam.upper()}-{c}", " ".join(
                rng.choice(WORDS) for _ in range(3)).title(), rng.randint(1, 3), related,
                withdrawn=n % 7 == 0)
            if "parts" in control:
                control["controls"] = [
                    _control(rng, f"{cid}.{e}", f"{fam.upper()}-{c}({e})",
                             " ".join(rng.choice(WORDS) for _ in range(4)).title(), 1, [cid],
                             withdrawn=(n + e) % 11 == 0)
                    for e in range(1, enhancements + 1)]
            ctrls.append(control)
        groups.append({"id": fam, "class": "family", "title": f"Family {fam.upper()}",
                       "controls": ctrls})
    return {"catalog": {
        "uuid": "9c3a1f0e-5b7d-4e2a-8f6c-1d2e3f4a5b6c",
        "metadata": {"title": "Synthetic Security and Privacy Controls",
                     "last-modified": "2026-01-01T00:00:00Z", "version": "5.1.1",
                     "oscal-version": "1.2.1"},
        "groups": groups}}


def count_controls(document: dict[str, Any]) -> int:
    stack = [c for g in document["catalog"]["groups"] for c in g["controls"]]
    n = 0
    while stack:
        c = stack.pop()
        n += 1
        stack.extend(c.get("controls", []))
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=20)
    parser.add_argument("--controls", type=int, default=24)
    parser.add_argument("--enhancements", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from isms.oscal_import import catalog_from_oscal, read_oscal_catalog, render_catalog_yaml

    work = Path(tempfile.mkdtemp(prefix="isms-oscal-bench-"))
    try:
        document = synthetic_catalog(args.families, args.controls, args.enhancements)
        source = work / "catalog.json"
        source.write_text(json.dumps(document, indent=2), encoding="utf-8")
        size = source.stat().st_size
        print(f"catalog: {count_controls(document)} controls and enhancements, "
              f"{size / 1e6:.1f} MB")
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            imported = catalog_from_oscal(read_oscal_catalog(source), "synthetic")
            text = render_catalog_yaml(imported)
            times.append(time.perf_counter() - start)
        print(f"in-process import (read + convert + YAML): median {statistics.median(times):.2f} s "
              f"of {args.repeat}; {imported.summary()}; YAML {len(text.encode()) / 1e6:.1f} MB")

        repo = work / "repo"
        (repo / "catalogs").mkdir(parents=True)
        (repo / "isms.yaml").write_text(
            "organisation: Bench\nframeworks: [synthetic]\ncatalogs: catalogs\nfolders: []\n",
            encoding="utf-8")
        isms = [sys.executable, "-m", "isms"]
        start = time.perf_counter()
        subprocess.run([*isms, "import", "oscal-catalog", str(source), "--id", "synthetic",
                        "--out", str(repo / "catalogs")], check=True, capture_output=True)
        print(f"CLI `isms import oscal-catalog` (process start included): "
              f"{time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        gap = subprocess.run([*isms, "gap", str(repo), "--framework", "synthetic", "--today",
                              "2026-11-15", "--format", "json"], check=True, capture_output=True)
        rows = len(json.loads(gap.stdout)["frameworks"][0]["rows"])
        print(f"CLI `isms gap --framework synthetic` on the imported catalog: "
              f"{time.perf_counter() - start:.2f} s ({rows} rows)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
