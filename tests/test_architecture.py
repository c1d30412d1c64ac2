"""The layer contracts between the apps (docs/architecture.md, "Apps") hold.

The contracts are in pyproject.toml (`[tool.importlinter]`); import-linter reads every import,
those inside functions included. The imports that break the direction today are listed there
as `ignore_imports`, each with its reason (issue 13 removes them); any other forbidden import
fails here.
"""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOT_PACKAGES = ["kmv", "participants", "resourcegroups", "network", "reports"]
# modules of `kmv` that wire every app together and so may import all of them
KMV_WIRING = {"__init__", "urls", "api_urls", "wsgi", "asgi"}
KMV_APPS = {"access", "notify"}


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(exe), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def test_the_layer_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_new_forbidden_import_breaks_them(tmp_path):
    """On a copy of the code with one upward import added, the contracts fail."""
    for package in ROOT_PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    assert lint_imports(tmp_path).returncode == 0  # the copy itself passes

    selectors = tmp_path / "participants" / "selectors.py"
    selectors.write_text(
        selectors.read_text() + "\n\ndef late():\n    from reports import cache  # noqa\n"
    )
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "participants is not allowed to import reports" in result.stdout
    assert "participants.selectors -> reports.cache" in result.stdout


def test_every_kmv_module_is_infrastructure_or_wiring():
    """A new module in `kmv/` must be placed: in the infrastructure contract, or as wiring."""
    listed = {
        name.removeprefix("kmv.")
        for name in contracts()["project-infrastructure"]["source_modules"]
    }
    found = {
        path.stem if path.is_file() else path.name
        for path in (ROOT / "kmv").iterdir()
        if (path.suffix == ".py") or (path / "__init__.py").exists()
    }
    assert found - listed - KMV_WIRING - KMV_APPS == set()
    assert listed <= found  # no stale names


def test_every_ignored_import_names_its_reason():
    """Each exception sits under a comment that says why and that issue 13 removes it."""
    text = (ROOT / "pyproject.toml").read_text()
    lines = [line.strip() for line in text[text.index("[tool.importlinter]") :].splitlines()]
    entries = [entry for c in contracts().values() for entry in c.get("ignore_imports", [])]
    assert entries
    for entry in entries:
        index = lines.index(f'"{entry}",')
        above = index - 1
        while lines[above].startswith('"'):  # the other entries of the same group
            above -= 1
        comment = []
        while lines[above].startswith("#"):
            comment.insert(0, lines[above])
            above -= 1
        assert "issue 13" in " ".join(comment), entry
