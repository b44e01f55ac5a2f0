"""`isms bundle` and `isms bundle verify`: reproducible bytes, a manifest that proves the
content, tampering found, hostile zips reported without being followed."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from gitrepo import GitRepo

from conftest import REPO, TODAY, run_cli
from isms.bundle import unsafe_name
from isms.config import load_config

EVIDENCE = "files/evidence/2026/vendor-access-2026-10.csv"


@pytest.fixture(scope="module")
def reference_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "audit.zip"
    run = run_cli("bundle", "-C", str(REPO), "--out", str(out), "--today", TODAY)
    assert run.code == 0, run.err
    return out


def _bundle(root: Path, out: Path, *extra: str) -> int:
    return run_cli("bundle", "-C", str(root), "--out", str(out), "--today", TODAY,
                   "--allow-missing", *extra).code


def _rewrite(src: Path, dst: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None
             = None) -> None:
    """Copy a zip, replacing (or dropping, for None) the named entries' content."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    zout.writestr(info, change[info.filename])  # type: ignore[arg-type]
                continue
            zout.writestr(info, zin.read(info))
        for name, data in (add or {}).items():
            zout.writestr(name, data)


def test_reference_bundle_is_reproducible_and_intact(reference_bundle: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.zip"
    assert run_cli("bundle", "-C", str(REPO), "--out", str(again), "--today", TODAY).code == 0
    assert again.read_bytes() == reference_bundle.read_bytes()
    run = run_cli("bundle", "verify", str(reference_bundle))
    assert run.code == 0, run.out
    assert run.out.startswith(f"{reference_bundle}: intact: 452 files match manifest.json")


def test_reference_bundle_layout_and_manifest(reference_bundle: Path) -> None:
    with zipfile.ZipFile(reference_bundle) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {"index.html", "soa.html", "manifest.json", "SHA256SUMS"} <= set(names)
        for info in infos:
            assert info.date_time == (2026, 11, 15, 0, 0, 0)
            assert info.external_attr == 0o100644 << 16
            assert info.extra == b""
            assert info.compress_type == zipfile.ZIP_DEFLATED
        manifest = json.loads(zf.read("manifest.json"))
        listed = {f["path"]: f for f in manifest["files"]}
        assert set(listed) == set(names) - {"manifest.json", "SHA256SUMS"}
        for name, entry in listed.items():
            data = zf.read(name)
            assert entry["size"] == len(data)
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        sums = zf.read("SHA256SUMS").decode()
        assert f"{hashlib.sha256(zf.read('manifest.json')).hexdigest()}  manifest.json\n" in sums
        assert len(sums.splitlines()) == len(listed) + 1
    assert manifest["today"] == TODAY
    assert manifest["tool"] == {"name": "isms", "version": "0.1.0"}
    assert manifest["config_digest"] == load_config(REPO).digest
    assert manifest["frameworks"] == ["iso27001-2022", "gbt22239-2019-l3"]
    assert manifest["missing_evidence"] == []
    assert len([n for n in listed if n.startswith("files/evidence/")]) == 49
    assert set(manifest["repository"]) == {"commit", "dirty"}


def test_flipped_byte_in_evidence_is_named(reference_bundle: Path, tmp_path: Path) -> None:
    name = "files/evidence/2026/approved-service-providers-2026.csv"
    with zipfile.ZipFile(reference_bundle) as zf:
        data = bytearray(zf.read(name))
    data[10] ^= 0x01
    tampered = tmp_path / "tampered.zip"
    _rewrite(reference_bundle, tampered, {name: bytes(data)})
    run = run_cli("bundle", "verify", str(tampered))
    assert run.code == 1
    assert run.out.splitlines() == [f"modified: {name} (SHA-256 differs from the manifest)"]
    assert "NOT intact: 1 problem(s)" in run.err


def test_flipped_byte_in_the_zip_itself_is_named(tmp_path: Path, make_repo) -> None:
    root = make_repo("report")
    out = tmp_path / "b.zip"
    assert _bundle(root, out) == 0
    raw = bytearray(out.read_bytes())
    with zipfile.ZipFile(out) as zf:
        info = zf.getinfo(EVIDENCE)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + info.compress_size // 2] ^= 0xFF
    out.write_bytes(bytes(raw))
    run = run_cli("bundle", "verify", str(out))
    assert run.code == 1
    assert len(run.out.splitlines()) == 1
    assert run.out.startswith(f"modified: {EVIDENCE} (")


def test_missing_extra_and_edited_manifest(tmp_path: Path, make_repo) -> None:
    root = make_repo("report")
    out = tmp_path / "b.zip"
    assert _bundle(root, out) == 0
    changed = tmp_path / "changed.zip"
    _rewrite(out, changed, {"findings.html": None}, {"notes/extra.txt": b"added later"})
    run = run_cli("bundle", "verify", str(changed))
    assert run.code == 1
    assert run.out.splitlines() == [
        "missing: findings.html (listed in the manifest, not in the zip)",
        "extra: notes/extra.txt (in the zip, not in the manifest)",
    ]
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["today"] = "2026-01-01"
    forged = tmp_path / "forged.zip"
    _rewrite(out, forged, {"manifest.json": json.dumps(manifest).encode()})
    run = run_cli("bundle", "verify", str(forged))
    assert run.code == 1
    assert run.out.splitlines() == ["modified: manifest.json (SHA-256 differs from SHA256SUMS)"]


def test_hostile_entries_are_reported_and_nothing_is_written(tmp_path: Path, make_repo) -> None:
    root = make_repo("report")
    good = tmp_path / "good.zip"
    assert _bundle(root, good) == 0
    hostile = tmp_path / "work" / "hostile.zip"
    hostile.parent.mkdir()
    link = zipfile.ZipInfo("files/link")
    link.create_system = 3
    link.external_attr = 0o120777 << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(buffer, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("../evil.txt", b"escaped")
        zout.writestr("/tmp/isms-absolute-evil.txt", b"absolute")
        zout.writestr("C:/evil.txt", b"drive")
        zout.writestr("files/..\\..\\evil.txt", b"backslash")
        zout.writestr(link, b"/etc/passwd")
    hostile.write_bytes(buffer.getvalue())
    before = sorted(p.name for p in tmp_path.iterdir())
    cwd = os.getcwd()
    try:
        os.chdir(hostile.parent)
        run = run_cli("bundle", "verify", str(hostile))
    finally:
        os.chdir(cwd)
    assert run.code == 1
    assert run.out.splitlines() == [
        "unsafe: ../evil.txt ('..' in path; not followed)",
        "unsafe: /tmp/isms-absolute-evil.txt (absolute path; not followed)",
        "unsafe: C:/evil.txt (drive letter; not followed)",
        "unsafe: files/..\\..\\evil.txt (backslash in name; not followed)",
        "unsafe: files/link (symbolic link; not followed)",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert sorted(p.name for p in hostile.parent.iterdir()) == ["hostile.zip"]
    assert not Path("/tmp/isms-absolute-evil.txt").exists()
    assert not (tmp_path.parent / "evil.txt").exists()


def test_unsafe_names() -> None:
    assert unsafe_name("index.html") == ""
    assert unsafe_name("files/evidence/a..b.csv") == ""
    assert unsafe_name("a/../b") == "'..' in path"
    assert unsafe_name("/x") == "absolute path"
    assert unsafe_name("d:x") == "drive letter"


def test_not_a_zip(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip at all")
    run = run_cli("bundle", "verify", str(bad))
    assert run.code == 1
    assert run.out.startswith(f"zip: {bad} (not a readable zip:")


def test_missing_evidence_fails_the_bundle(tmp_path: Path, make_repo) -> None:
    root = make_repo("report")
    out = tmp_path / "b.zip"
    run = run_cli("bundle", "-C", str(root), "--out", str(out), "--today", TODAY)
    assert run.code == 1
    assert run.err.splitlines() == [
        "isms: 2 evidence file(s) missing; no bundle written:",
        "  EV-2026-0001: evidence/2026/not-there.csv (missing)",
        "  EV-2026-0001: ../outside.txt (outside)",
        "  hint: add the files, fix the paths, or pass --allow-missing",
    ]
    assert not out.exists()
    run = run_cli("bundle", "-C", str(root), "--out", str(out), "--today", TODAY,
                  "--allow-missing")
    assert run.code == 0, run.err
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert [n for n in zf.namelist() if n.startswith("files/")] == [EVIDENCE]
    assert manifest["missing_evidence"] == [
        {"record": "EV-2026-0001", "path": "evidence/2026/not-there.csv", "problem": "missing"},
        {"record": "EV-2026-0001", "path": "../outside.txt", "problem": "outside"},
    ]
    assert manifest["repository"] == {"commit": None, "dirty": None}


def test_git_commit_and_dirty_flag_in_manifest(tmp_path: Path) -> None:
    repo = GitRepo.from_fixture(tmp_path, "report")
    sha = repo.git("rev-parse", "HEAD")
    first, second = tmp_path / "1.zip", tmp_path / "2.zip"
    assert _bundle(repo.root, first) == 0
    assert _bundle(repo.root, second) == 0
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        assert json.loads(zf.read("manifest.json"))["repository"] == {"commit": sha,
                                                                      "dirty": False}
    repo.edit("registers/risks/RSK-001.yaml", ("likelihood: 4", "likelihood: 3"))
    dirty = tmp_path / "3.zip"
    assert _bundle(repo.root, dirty, "--since", "HEAD") == 0
    with zipfile.ZipFile(dirty) as zf:
        assert json.loads(zf.read("manifest.json"))["repository"] == {"commit": sha,
                                                                      "dirty": True}
        changes = zf.read("changes.html").decode()
    assert "RSK-001" in changes and "4 → 3" not in changes and "20 → 15" in changes


def test_framework_limits_pages_and_evidence(tmp_path: Path) -> None:
    out = tmp_path / "gbt.zip"
    run = run_cli("bundle", "-C", str(REPO), "--out", str(out), "--today", TODAY,
                  "--framework", "gbt22239-2019-l3")
    assert run.code == 0, run.err
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["frameworks"] == ["gbt22239-2019-l3"]
    assert "gap-gbt22239-2019-l3.html" in names
    assert "soa.html" not in names and "gap-iso27001-2022.html" not in names
    evidence = sorted(n for n in names if n.startswith("files/"))
    assert 0 < len(evidence) < 49


def test_bundle_needs_out(tmp_path: Path) -> None:
    run = run_cli("bundle", "-C", str(REPO))
    assert run.code == 2
    assert "give --out FILE.zip" in run.err
