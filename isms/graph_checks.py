"""Checks on the dependency graph (family G): governance of third-party access, and orphans."""

from __future__ import annotations

from collections.abc import Iterator

from isms.checks import Context, at, check
from isms.findings import Finding, Severity, rule
from isms.model import Repo

# ISO/IEC 27001:2022 Annex A controls that govern a third party's access to our systems.
SUPPLIER_FAMILY = tuple(f"iso27001-2022:A.5.{n}" for n in range(19, 24))
ACCESS_FAMILY = ("iso27001-2022:A.8.2", *(f"iso27001-2022:A.5.{n}" for n in range(15, 19)))
GOVERNED_ACCESS = ("privileged", "remote")

G_ACCESS_UNGOVERNED = rule(
    "G001", "third-party-access-ungoverned", Severity.ERROR,
    "Third-party privileged or remote access without supplier and access controls",
    """
    A third-party activity has `privileged` or `remote` access, but no applicable control from
    the supplier family (ISO/IEC 27001:2022 A.5.19 to A.5.23) or none from the access family
    (A.8.2, A.5.15 to A.5.18) governs it. Vendor administrators with remote or privileged
    access are the largest outsourcing risk; the contract and the access rules must both cover
    the activity. A control governs an activity when the activity's `controls` list it or the
    control's `activities` list the activity. Add the missing controls to the activity.
    """,
)
G_ORPHAN = rule(
    "G002", "orphan", Severity.WARNING, "Entity that nothing uses or that leads nowhere",
    """
    An entity is disconnected from the rest of the ISMS. Precisely: an approved policy with no
    procedure under it; an approved procedure that produces no document set and implements no
    control; an approved document set that no control is implemented or evidenced by, that has
    no evidence record and addresses no requirement; an asset that no activity or risk names; a
    third party that performs no activity and maintains no asset; an activity that no control
    governs; a risk that names no asset or activity; an evidence record that supports no
    control (its `controls` list is empty and no control expects its document set). Drafts,
    documents in review and retired ones are exempt. The check runs only on a complete
    repository: one with a Statement of Applicability (at least one control) in which every
    file loaded; otherwise nearly everything would look disconnected. Connect the entity (the
    message says what is missing) or retire or remove it.
    """,
)


@check(G_ACCESS_UNGOVERNED)
def third_party_access(ctx: Context) -> Iterator[Finding]:
    repo = ctx.repo
    g = ctx.graph
    activities = [a for a in repo.of_kind("activity") if repo.by_id.get(a.id) is a]
    for activity in ctx.each(activities):
        if not activity.get("third_party"):
            continue
        access = activity.get("access")
        if not isinstance(access, list) or not any(a in GOVERNED_ACCESS for a in access):
            continue
        governing = set()
        for control, _, d in g.in_edges(activity.id, data=True):
            if d["type"] != "governs" or g.nodes[control].get("kind") != "control":
                continue
            entity = repo.by_id[control]
            if entity.get("applicable") is False:
                continue
            requirement = entity.get("requirement")
            if isinstance(requirement, str):
                governing.add(requirement)
        missing = []
        if not governing & set(SUPPLIER_FAMILY):
            missing.append("the supplier family (A.5.19-A.5.23)")
        if not governing & set(ACCESS_FAMILY):
            missing.append("the access family (A.8.2, A.5.15-A.5.18)")
        if missing:
            kinds = "/".join(a for a in GOVERNED_ACCESS if a in access)
            yield at(G_ACCESS_UNGOVERNED, activity, ("access",),
                     f"{activity.id} has {kinds} access but no applicable control from "
                     + " or from ".join(missing) + " governs it",
                     "add the missing controls to the activity's `controls`")


def complete(repo: Repo) -> bool:
    """Whether orphans can be judged: the repository has a Statement of Applicability (at least
    one control) and every file it found became an entity. In a document library without
    controls, or when a file failed to load, nearly everything would look disconnected."""
    loaded = {e.path for e in repo.entities}
    return bool(repo.of_kind("control")) and all(f in loaded for f in repo.files)


@check(G_ORPHAN)
def orphan_entities(ctx: Context) -> Iterator[Finding]:
    repo = ctx.repo
    if not complete(repo):
        return
    from isms.graph import node_adjacency, orphan_reason

    adjacency = node_adjacency(ctx.graph)
    # (in the repository's order: findings are sorted when reported)
    for e in ctx.each(repo.by_id.values()):
        reason = orphan_reason(adjacency, e)
        if reason:
            yield at(G_ORPHAN, e, ("id",), f"{e.kind} {e.id}: {reason}",
                     "connect it to the ISMS, or retire or remove it")
