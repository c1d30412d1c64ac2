"""Locust users for `bench/load.py` (run by it; not imported by Django).

Each simulated person logs in as a real user would (password, then the TOTP code computed
from the key of their device, as an authenticator app does) and then walks their journey,
following the links the pages show, with 1–2 s of think time:

- adviser: participant list, search, participant page, group/meeting plan, rounds;
- teacher / counsellor: my meetings, meeting page, checklist answer saved as-you-type
  (JSON, with its version), notes, minutes;
- coordinator: dashboard, drill-down behind a number, one table as CSV.

The roster (usernames, TOTP keys, password) comes from the file in KMV_LOAD_ROSTER.
Request names group URLs by page ("/deltakere/[id]/"), so the figures are per request type.
"""

from __future__ import annotations

import hmac
import itertools
import json
import os
import random
import re
import struct
import time
from hashlib import sha1
from html import unescape

from locust import HttpUser, between, events, task

ROSTER = json.loads(open(os.environ["KMV_LOAD_ROSTER"], encoding="utf-8").read())  # noqa: SIM115
_next = {role: itertools.count() for role in ROSTER["users"]}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def totp(key_hex: str, step: int = 30, digits: int = 6) -> str:
    """RFC 6238, as django_otp's TOTPDevice checks it (t0 = 0, SHA-1)."""
    counter = struct.pack(">Q", int(time.time()) // step)
    mac = hmac.new(bytes.fromhex(key_hex), counter, sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


def links(html: str, pattern: str) -> list[str]:
    return sorted({unescape(h) for h in re.findall(rf'href="({pattern})"', html)})


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 2)
    role = ""

    def _fix_cookies(self):
        # DEBUG=0 marks cookies Secure; on plain-http loopback the client must still send them.
        for cookie in self.client.cookies:
            cookie.secure = False

    def _csrf(self, html: str) -> str:
        match = CSRF.search(html)
        return match.group(1) if match else ""

    def get(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            self._fix_cookies()
            return r.text or ""

    def post(self, url: str, name: str, data: dict, ok=(200, 302), **kw) -> str:
        with self.client.post(
            url, data=data, name=name, catch_response=True, allow_redirects=False, **kw
        ) as r:
            if r.status_code not in ok:
                r.failure(f"HTTP {r.status_code}")
            self._fix_cookies()
            return r.text or ""

    def on_start(self):
        users = ROSTER["users"][self.role]
        self.username = users[next(_next[self.role]) % len(users)]
        page = self.get("/konto/logg-inn/", "[login] form")
        self.post(
            "/konto/logg-inn/",
            "[login] password",
            {
                "username": self.username,
                "password": ROSTER["password"],
                "csrfmiddlewaretoken": self._csrf(page),
            },
            ok=(302,),
        )
        page = self.get("/konto/tofaktor/", "[login] 2fa form")
        self.post(
            "/konto/tofaktor/",
            "[login] 2fa code",
            {"token": totp(ROSTER["keys"][self.username]), "csrfmiddlewaretoken": self._csrf(page)},
            ok=(302,),
        )
        self.get("/", "/")  # the start page after login


class Adviser(Person):
    role = "programme_adviser"
    fixed_count = 8

    @task(3)
    def participants(self):
        page = self.get("/deltakere/", "/deltakere/")
        found = links(page, r"/deltakere/\d+/")
        if random.random() < 0.5:
            page = self.get(
                f"/deltakere/?q={random.choice(['Amina', 'Last-Haile', 'Yonas'])}",
                "/deltakere/?q=[name]",
            )
            found = links(page, r"/deltakere/\d+/") or found
        if not found:
            return
        url = random.choice(found)
        self.get(url, "/deltakere/[id]/")
        pk = url.rstrip("/").rsplit("/", 1)[1]
        self.get(f"/ressursgrupper/deltaker/{pk}/plan/", "/ressursgrupper/deltaker/[id]/plan/")

    @task(1)
    def rounds(self):
        page = self.get("/runder/", "/runder/")
        found = links(page, r"/runder/\d+/")
        if found:
            url = random.choice(found)
            self.get(url, "/runder/[id]/")
            self.get(f"{url}forslag/", "/runder/[id]/forslag/")


class CaseWorker(Person):
    abstract = True

    @task
    def meeting(self):
        page = self.get("/ressursgrupper/mine-moter/", "/ressursgrupper/mine-moter/")
        found = links(page, r"/ressursgrupper/mote/\d+/")
        if not found:
            return
        url = random.choice(found)
        page = self.get(url, "/ressursgrupper/mote/[id]/")
        csrf = self._csrf(page)
        # one of my checklist items, saved the way the page's script saves it (JSON)
        forms = re.findall(
            r'<form[^>]+action="(/ressursgrupper/mote/\d+/sjekkliste/(\d+)/)"(.*?)</form>',
            page,
            re.S,
        )
        if forms:
            action, item, body = random.choice(forms)
            prefix = f"item-{item}"
            version = re.search(rf'name="{prefix}-version" value="(\d*)"', body)
            data = {
                "csrfmiddlewaretoken": csrf,
                f"{prefix}-version": version.group(1) if version else "0",
            }
            if f'name="{prefix}-text"' in body:
                data[f"{prefix}-text"] = f"Notat {random.randint(1, 10**6)}"
            elif f'name="{prefix}-date"' in body:
                data[f"{prefix}-date"] = "2026-12-01"
            else:
                values = [
                    v for v in re.findall(rf'name="{prefix}-answer"[^>]*value="([^"]+)"', body) if v
                ]
                values += re.findall(r'<option value="([^"]+)"', body)
                if values:
                    data[f"{prefix}-answer"] = random.choice(values)
                data[f"{prefix}-comment"] = "Lasttest"
            # a 409 (someone saved in between) is an answer the page handles, not an error
            self.post(
                action,
                "/ressursgrupper/mote/[id]/sjekkliste/[item]/ (json)",
                data,
                ok=(200, 409),
                headers={"Accept": "application/json"},
            )
        note = re.search(
            r'<form[^>]+action="(/ressursgrupper/mote/\d+/notater/)"(.*?)</form>', page, re.S
        )
        if note and random.random() < 0.5:
            version = re.search(r'name="version" value="(\d*)"', note.group(2))
            self.post(
                note.group(1),
                "/ressursgrupper/mote/[id]/notater/ (json)",
                {
                    "csrfmiddlewaretoken": csrf,
                    "text": f"Våre notater {random.randint(1, 10**6)}",
                    "version": version.group(1) if version else "",
                },
                ok=(200, 409),
                headers={"Accept": "application/json"},
            )
        self.get(f"{url}referat/", "/ressursgrupper/mote/[id]/referat/")


class Teacher(CaseWorker):
    role = "teacher"
    fixed_count = 5


class Counsellor(CaseWorker):
    role = "career_counsellor"
    fixed_count = 3


class Coordinator(Person):
    role = "network_coordinator"
    fixed_count = 4

    @task
    def dashboard(self):
        page = self.get("/rapporter/", "/rapporter/")
        drill = links(page, r"/rapporter/utvalg/\?[^\"]+")
        if drill:
            self.get(random.choice(drill), "/rapporter/utvalg/?[cell]")
        csv = links(page, r"/rapporter/tabell/[\w-]+\.csv[^\"]*")
        if csv:
            self.get(random.choice(csv), "/rapporter/tabell/[key].csv")


SAMPLES: list[tuple[str, float, str]] = []


@events.request.add_listener
def _sample(name, response_time, exception=None, **_kw):
    SAMPLES.append((name, response_time, str(exception)[:200] if exception else ""))


@events.quitting.add_listener
def _write_samples(environment, **_kw):
    """Every response time, for exact percentiles in bench/load.py."""
    with open(os.environ["KMV_LOAD_SAMPLES"], "w", encoding="utf-8") as f:
        json.dump(SAMPLES, f)
