"""The README tells the truth about the configuration and the layout."""

import ast
import re
from pathlib import Path

import pytest

from kmv import env

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
ENV_HELPERS = {"env_str", "env_int", "env_bool", "env_list"}


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def variables_read_in_settings() -> set[str]:
    """Every environment variable name kmv/settings.py reads (helpers or os.environ)."""
    names = set()
    for node in ast.walk(ast.parse((ROOT / "kmv" / "settings.py").read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            helper = isinstance(func, ast.Name) and func.id in ENV_HELPERS
            environ = isinstance(func, ast.Attribute) and (
                func.attr == "getenv"
                or (func.attr == "get" and ast.unparse(func.value) == "os.environ")
            )
            if (helper or environ) and node.args and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def test_every_setting_read_from_the_environment_is_in_the_configuration_section():
    names = variables_read_in_settings()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "KMV_CELERY_QUEUE"} <= names
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section("Configuration")))
    assert sorted(names - documented) == []


def test_settings_read_the_environment_only_through_the_helpers():
    """So `<NAME>_FILE` works for every variable, as the README says."""
    tree = ast.parse((ROOT / "kmv" / "settings.py").read_text())
    direct = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and (ast.unparse(node) in {"os.environ", "os.getenv", "dj_database_url.config"})
    ]
    assert direct == []


def test_the_layout_table_names_every_app_and_script():
    layout = section("Layout")
    apps = {p.parent for p in ROOT.glob("*/apps.py")} | {
        p.parent for p in ROOT.glob("kmv/*/apps.py")
    }
    for app in apps:
        assert f"| `{app.relative_to(ROOT)}/` |" in layout, app
    for script in (ROOT / "scripts").iterdir():
        if script.suffix in {".py", ".sh"}:
            assert f"`{script.name}`" in layout, script.name
    assert "no models" not in layout


@pytest.mark.parametrize(
    ("helper", "text", "value"),
    [
        (env.env_str, " s3cret\n", "s3cret"),
        (env.env_int, "42\n", 42),
        (env.env_bool, "0\n", False),
        (env.env_list, "a.example, b.example\n", ["a.example", "b.example"]),
    ],
)
def test_any_variable_can_be_read_from_its_file(helper, text, value, tmp_path, monkeypatch):
    """The README's promise: `<NAME>_FILE` names a file whose content is the value."""
    secret = tmp_path / "secret"
    secret.write_text(text)
    monkeypatch.setenv("KMV_PROBE", "1")  # the file wins over the variable itself
    monkeypatch.setenv("KMV_PROBE_FILE", str(secret))
    assert helper("KMV_PROBE", None) == value


def test_without_its_file_a_variable_is_read_as_before(monkeypatch):
    monkeypatch.delenv("KMV_PROBE_FILE", raising=False)
    monkeypatch.setenv("KMV_PROBE", "7")
    assert env.env_int("KMV_PROBE", 1) == 7
    assert env.env_str("KMV_PROBE") == "7"
    monkeypatch.delenv("KMV_PROBE")
    assert env.env_int("KMV_PROBE", 1) == 1
    assert env.env_str("KMV_PROBE", "x") == "x"
