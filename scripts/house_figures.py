"""The house's figures (issue 13): app sizes, large modules and functions, app import cycles.

Usage: .venv/bin/python scripts/house_figures.py

Production Python is every .py file of the apps except migrations. Imports are read with
`ast`, those inside functions included; the wiring modules (kmv/__init__.py, kmv/urls.py,
kmv/api_urls.py, kmv/wsgi.py, kmv/asgi.py) import every app by design and are left out of
the app graph. No Django set-up, no database.
"""

import ast
import sys
import tomllib
from collections import defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["kmv", "participants", "resourcegroups", "network", "reports"]
WIRING = {"kmv", "kmv.urls", "kmv.api_urls", "kmv.wsgi", "kmv.asgi"}
MODULE_LIMIT = 600
FUNCTION_LIMIT = 120


def app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "kmv":
        return f"kmv.{parts[1]}" if len(parts) > 1 and parts[1] in {"access", "notify"} else "kmv"
    return parts[0] if parts[0] in PACKAGES else None


def modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if not node.level:
            return [node.module]
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        return [".".join(base + ([node.module] if node.module else []))]
    return []


def main() -> None:
    lines_by_app: dict[str, int] = defaultdict(int)
    big_modules, big_functions = [], []
    edges: dict[tuple[str, str], int] = defaultdict(int)
    in_functions = 0
    for module, path in modules():
        text = path.read_text(encoding="utf-8")
        count = len(text.splitlines())
        app = app_of(module)
        lines_by_app[app] += count
        rel = path.relative_to(ROOT)
        if count > MODULE_LIMIT:
            big_modules.append((count, str(rel)))
        tree = ast.parse(text)
        inner = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > FUNCTION_LIMIT:
                    big_functions.append((length, f"{rel}:{node.lineno} {node.name}"))
                inner |= {
                    id(n) for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)
                }
        if module in WIRING:
            continue
        for node in ast.walk(tree):
            for target in imported(node, module, path.name == "__init__.py"):
                other = app_of(target)
                if other and other != app:
                    edges[(app, other)] += 1
                    in_functions += id(node) in inner

    total = sum(lines_by_app.values())
    print(f"Production Python: {total:,} lines (apps, without migrations)")
    for app, count in sorted(lines_by_app.items(), key=lambda item: -item[1]):
        print(f"  {app:15} {count:7,}  {count / total:5.1%}")
    largest = max(lines_by_app, key=lines_by_app.get)
    print(f"Largest app's share: {largest} {lines_by_app[largest] / total:.0%}")

    print(f"\nModules over {MODULE_LIMIT} lines: {len(big_modules)}")
    for count, name in sorted(big_modules, reverse=True):
        print(f"  {count:5}  {name}")
    print(f"\nFunctions over {FUNCTION_LIMIT} lines: {len(big_functions)}")
    for count, name in sorted(big_functions, reverse=True):
        print(f"  {count:5}  {name}")

    apps = sorted({a for edge in edges for a in edge})
    cycles = [(a, b) for a, b in combinations(apps, 2) if (a, b) in edges and (b, a) in edges]
    print(f"\nApp-level import cycles (pairs importing each other): {len(cycles)}")
    for a, b in cycles:
        print(f"  {a} ⇄ {b}  ({edges[(a, b)]} / {edges[(b, a)]} imports)")
    print(f"Cross-app import statements: {sum(edges.values())}, inside functions: {in_functions}")

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    ignored = sum(len(c.get("ignore_imports", [])) for c in config["contracts"])
    print(f"Ignored imports in the layer contracts (pyproject.toml): {ignored}")


if __name__ == "__main__":
    sys.exit(main())
