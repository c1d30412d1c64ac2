"""Translations: Norwegian bokmål is the default UI language, English the second.

These tests fail when a string in the code is not in locale/nb/LC_MESSAGES/django.po, is left
untranslated or fuzzy there, when the .mo catalogue does not load, or when language
negotiation (browser header, the user's own choice) stops working.
"""

import fcntl
import hashlib
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test.signals import setting_changed
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from kmv.access.models import Agency, Role
from participants.validators import validate_national_id
from tests.factories import UserFactory

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PROJECT_DIR = Path(settings.BASE_DIR)
NB_PO = LOCALE_DIR / "nb" / "LC_MESSAGES" / "django.po"
# The same exclusions as the documented `makemessages` command.
MAKEMESSAGES_IGNORE = [".venv/*", "node_modules/*", "tests/*"]
# Top-level entries that are not source (or are generated) and are not scanned for strings.
NOT_SOURCE = {"locale", "tests", "node_modules", "staticfiles", "media", "kmv.egg-info"}


# --- A small .po reader (the stdlib has none; polib is not a dependency) ------------------


def _unquote(s: str) -> str:
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s[1:-1])


def read_po(path: Path) -> list[dict]:
    """Entries as dicts: msgctxt, msgid, msgid_plural, msgstr (list), flags (set)."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = {"msgctxt": None, "msgid_plural": None, "msgstr": {}, "flags": set()}
        key = None
        obsolete = False
        for line in block.splitlines():
            if line.startswith("#~"):
                obsolete = True
            elif line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            else:
                m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
                if m:
                    key = m.group(1)
                    if key.startswith("msgstr"):
                        key = ("msgstr", int(m.group(2) or 0))
                        entry["msgstr"][key[1]] = _unquote(m.group(3))
                    else:
                        entry[key] = _unquote(m.group(3))
                elif isinstance(key, tuple):
                    entry["msgstr"][key[1]] += _unquote(line)
                else:
                    entry[key] += _unquote(line)
        if "msgid" in entry and not obsolete:
            entry["msgstr"] = [entry["msgstr"][i] for i in sorted(entry["msgstr"])]
            entries.append(entry)
    return entries


def _placeholders(s: str) -> list[str]:
    return sorted(re.findall(r"%\([a-zA-Z_]\w*\)[sdif]|\{[a-zA-Z_]\w*\}", s))


def _problems(entries: list[dict]) -> list[str]:
    problems = []
    for e in entries:
        if e["msgid"] == "":
            continue
        label = repr(e["msgid"][:70])
        if "fuzzy" in e["flags"]:
            problems.append(f"fuzzy: {label}")
        if not all(e["msgstr"]):
            problems.append(f"untranslated: {label}")
        elif e["msgid_plural"] is not None and len(e["msgstr"]) != 2:
            problems.append(f"needs 2 plural forms: {label}")
        elif "python-format" in e["flags"]:
            allowed = {
                tuple(_placeholders(e["msgid"])),
                tuple(_placeholders(e["msgid_plural"] or e["msgid"])),
            }
            for form in e["msgstr"]:
                if tuple(_placeholders(form)) not in allowed:
                    problems.append(f"placeholders differ: {label} -> {form!r}")
    return problems


# --- Compiled catalogues ------------------------------------------------------------------


def _reset_translation_caches():
    """Forget catalogues loaded before the .mo files were (re)compiled."""
    import gettext as stdlib_gettext

    getattr(stdlib_gettext, "_translations", {}).clear()
    # Django's own reset, as when a test changes LOCALE_PATHS.
    setting_changed.send(
        sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False
    )
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def compiled_messages():
    """Compile the .po files unless every .mo is newer (`make test` compiles them first)."""
    pos = list(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
    assert pos, f"no .po files under {LOCALE_DIR}"

    def stale():
        return [
            po
            for po in pos
            if not po.with_suffix(".mo").exists()
            or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
        ]

    if stale():
        # pytest-xdist workers share the locale dir: one compiles, the others wait.
        digest = hashlib.sha256(bytes(LOCALE_DIR)).hexdigest()[:12]
        lock_path = Path(tempfile.gettempdir()) / f"kmv-compilemessages-{digest}.lock"
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if stale():
                call_command(
                    "compilemessages",
                    locale=sorted({po.parts[-3] for po in pos}),
                    ignore_patterns=[".venv", "node_modules"],
                    verbosity=0,
                )
        _reset_translation_caches()
    yield


# --- Key strings are translated -------------------------------------------------------------


def test_key_strings_are_norwegian_by_default():
    with translation.override("nb"):
        assert gettext("Participants") == "Deltakere"
        assert gettext("Resource group") == "Ressursgruppe"
        assert gettext("Log in") == "Logg inn"
        assert gettext("Audit log") == "Revisjonslogg"
        assert (
            ngettext("%(counter)s participant", "%(counter)s participants", 1) % {"counter": 1}
            == "1 deltaker"
        )
        assert (
            ngettext("%(counter)s participant", "%(counter)s participants", 3) % {"counter": 3}
            == "3 deltakere"
        )
    with translation.override("en"):
        assert gettext("Participants") == "Participants"


@pytest.mark.parametrize("choices", [Role, Agency.Kind], ids=["Role", "Agency.Kind"])
def test_choice_labels_are_translated(choices):
    with translation.override("en"):
        english = {value: str(label) for value, label in choices.choices}
    with translation.override("nb"):
        norwegian = {value: str(label) for value, label in choices.choices}
    untranslated = [value for value in english if norwegian[value] == english[value]]
    assert not untranslated, f"labels not translated to bokmål: {untranslated}"
    with translation.override("nb"):
        assert Role.PROGRAMME_ADVISER.label == "Programrådgiver"
        assert Role.CAREER_COUNSELLOR.label == "Karriereveileder"


def test_validation_messages_are_translated():
    def message(number):
        with pytest.raises(ValidationError) as exc:
            validate_national_id(number)
        return exc.value.messages[0]

    # a valid date (01.01.90) with wrong check digits
    with translation.override("en"):
        english = message("01019012345")
    with translation.override("nb"):
        norwegian = message("01019012345")
        assert message("123") == "Et fødselsnummer eller D-nummer har nøyaktig 11 sifre."
    assert english.startswith("The check digits do not match")
    assert norwegian != english
    assert norwegian.startswith("Kontrollsifrene stemmer ikke")


# --- The committed catalogue is complete -----------------------------------------------------


def test_committed_nb_catalogue_is_complete_and_valid():
    entries = read_po(NB_PO)
    header = next(e for e in entries if e["msgid"] == "")["msgstr"][0]
    assert "Language: nb\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header
    assert "charset=UTF-8" in header
    problems = _problems(entries)
    assert not problems, "\n".join(problems[:30])


def test_every_string_in_the_code_is_translated(tmp_path, monkeypatch, settings):
    """Run makemessages on the current code into a copy of locale/ and check the result.

    makemessages walks the current directory and writes next to the nearest LOCALE_PATHS
    entry, so it runs in a mirror of the project (symlinks to the source) whose own locale/
    is the copy: the committed files are never touched.
    """
    assert shutil.which("xgettext") and shutil.which("msgmerge"), (
        "GNU gettext is needed (sudo apt-get install -y gettext / brew install gettext)"
    )
    mirror = tmp_path / "project"
    mirror.mkdir()
    for item in PROJECT_DIR.iterdir():
        if item.name.startswith(".") or item.name in NOT_SOURCE:
            continue
        (mirror / item.name).symlink_to(item, target_is_directory=item.is_dir())
    shutil.copytree(LOCALE_DIR, mirror / "locale", ignore=shutil.ignore_patterns("*.mo"))
    settings.LOCALE_PATHS = [mirror / "locale"]
    monkeypatch.chdir(mirror)

    call_command(
        "makemessages",
        locale=["nb"],
        ignore_patterns=MAKEMESSAGES_IGNORE,
        symlinks=True,
        keep_pot=True,
        no_obsolete=True,
        verbosity=0,
    )

    extracted = {(e["msgctxt"], e["msgid"]) for e in read_po(mirror / "locale" / "django.pot")}
    committed = {(e["msgctxt"], e["msgid"]): e for e in read_po(NB_PO)}
    assert len(extracted) > 100, "makemessages found suspiciously few strings"
    missing = sorted(msgid for key in extracted if key not in committed for msgid in [key[1]])
    assert not missing, (
        f"{len(missing)} string(s) in the code are not in {NB_PO.relative_to(PROJECT_DIR)}; "
        "run makemessages and translate them: " + "; ".join(repr(m[:70]) for m in missing[:20])
    )
    merged = read_po(mirror / "locale" / "nb" / "LC_MESSAGES" / "django.po")
    problems = _problems(merged)
    assert not problems, "\n".join(problems[:30])


# --- Language negotiation -------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_page_is_norwegian_without_accept_language(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nb"' in html
    assert "Logg inn" in html
    assert "Log in" not in html


@pytest.mark.django_db
def test_anonymous_page_follows_accept_language_en(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Log in" in html
    assert "Logg inn" not in html


@pytest.mark.django_db
def test_logged_in_user_sees_own_language(client):
    english_user = UserFactory(language="en", role=Role.PROGRAMME_ADVISER)
    client.force_login(english_user)
    html = client.get(reverse("participants:list")).content.decode()
    assert '<html lang="en"' in html
    assert "Participants" in html
    assert "Deltakere" not in html

    norwegian_user = UserFactory(language="nb", role=Role.PROGRAMME_ADVISER)
    client.force_login(norwegian_user)
    response = client.get(reverse("participants:list"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="nb"' in html
    assert "Deltakere" in html
    assert "Participants" not in html
