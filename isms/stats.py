"""`isms stats`: the shape of the ISMS in numbers (tiers, themes, statuses, coverage)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from isms.catalogs import Catalogs
from isms.model import Repo, iter_spec

TIER_KINDS = (("policy", "policies"), ("procedure", "procedures"), ("document", "document sets"))


@dataclass(frozen=True)
class Coverage:
    framework: str
    total: int
    addressed: int
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Stats:
    kinds: dict[str, int]
    tiers: dict[str, int]
    document_status: dict[str, int]
    control_status: dict[str, int]
    applicability: dict[str, int]
    themes: dict[str, dict[str, int]]
    coverage: tuple[Coverage, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kinds": self.kinds,
            "tiers": self.tiers,
            "document_status": self.document_status,
            "control_status": self.control_status,
            "applicability": self.applicability,
            "themes": self.themes,
            "coverage": [
                {"framework": c.framework, "total": c.total, "addressed": c.addressed,
                 "missing": list(c.missing)} for c in self.coverage
            ],
        }


def procedure_coverage(repo: Repo, catalogs: Catalogs, framework: str) -> Coverage:
    """Requirements of ``framework`` addressed by at least one procedure.

    A procedure addresses a requirement it lists in `requirements`, or one implemented by a
    control whose `implemented_by` names the procedure.
    """
    catalog = catalogs.catalogs[framework]
    addressed: set[str] = set()
    for procedure in repo.of_kind("procedure"):
        for _, ref in iter_spec(procedure.data, "requirements"):
            if isinstance(ref, str) and ref.startswith(framework + ":"):
                addressed.add(ref.split(":", 1)[1])
    procedures = {p.id for p in repo.of_kind("procedure")}
    for control in repo.of_kind("control"):
        ref = control.get("requirement")
        implementers = {v for _, v in iter_spec(control.data, "implemented_by")}
        if isinstance(ref, str) and ref.startswith(framework + ":") and implementers & procedures:
            addressed.add(ref.split(":", 1)[1])
    wanted = [r.id for r in catalog.requirements.values() if r.kind != "clause"]
    missing = tuple(r for r in wanted if r not in addressed)
    return Coverage(framework, len(wanted), len(wanted) - len(missing), missing)


def compute(repo: Repo, catalogs: Catalogs) -> Stats:
    kinds = Counter(e.kind for e in repo.entities)
    tiers = {label: kinds.get(kind, 0) for kind, label in TIER_KINDS}
    docs = [e for e in repo.entities if e.kind in ("policy", "procedure", "document")]
    document_status = Counter(str(e.get("status")) for e in docs)
    controls = repo.of_kind("control")
    control_status = Counter(str(c.get("status")) for c in controls)
    applicability = Counter("applicable" if c.get("applicable") is True else "excluded"
                            for c in controls)
    themes: dict[str, Counter[str]] = {}
    for c in controls:
        ref = c.get("requirement")
        if not isinstance(ref, str) or ":" not in ref:
            continue
        framework, req = ref.split(":", 1)
        catalog = catalogs.catalogs.get(framework)
        requirement = catalog.requirements.get(req) if catalog else None
        group = requirement.group if requirement and requirement.group else "other"
        themes.setdefault(f"{framework}:{group}", Counter())[str(c.get("status"))] += 1
    coverage = tuple(procedure_coverage(repo, catalogs, fw) for fw in repo.config.frameworks
                     if fw in catalogs.catalogs)
    return Stats(
        kinds=dict(sorted(kinds.items())),
        tiers=tiers,
        document_status=dict(sorted(document_status.items())),
        control_status=dict(sorted(control_status.items())),
        applicability=dict(sorted(applicability.items())),
        themes={k: dict(sorted(v.items())) for k, v in sorted(themes.items())},
        coverage=coverage,
    )


def render_text(stats: Stats) -> str:
    lines = ["Tiers: " + " / ".join(f"{n} {label}" for label, n in stats.tiers.items()), ""]
    lines.append("Entities by kind:")
    lines += [f"  {kind:<12} {n:>5}" for kind, n in stats.kinds.items()]
    lines += ["", "Policies, procedures and document sets by status:"]
    lines += [f"  {status:<12} {n:>5}" for status, n in stats.document_status.items()]
    lines += ["", "Controls by status:"]
    lines += [f"  {status:<16} {n:>5}" for status, n in stats.control_status.items()]
    lines += ["  " + ", ".join(f"{n} {k}" for k, n in stats.applicability.items())]
    lines += ["", "Controls by theme:"]
    for theme, counts in stats.themes.items():
        total = sum(counts.values())
        detail = ", ".join(f"{n} {s}" for s, n in counts.items())
        lines.append(f"  {theme:<22} {total:>4}  ({detail})")
    lines += ["", "Requirements addressed by at least one procedure:"]
    for c in stats.coverage:
        pct = 100.0 * c.addressed / c.total if c.total else 100.0
        lines.append(f"  {c.framework:<22} {c.addressed}/{c.total} ({pct:.1f}%)"
                     + (f"; missing: {', '.join(c.missing)}" if c.missing else ""))
    return "\n".join(lines) + "\n"
