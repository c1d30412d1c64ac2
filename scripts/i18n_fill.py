"""Fill locale/nb from a JSON file of translations, after makemessages.

Usage: make makemessages                             # runs makemessages for nb and en
       .venv/bin/python scripts/i18n_fill.py new.json  # {"msgid": "msgstr", "pl": ["sg", "pl"]}
Keys "context\u0004msgid" fill pgettext entries. Prints the msgids still untranslated
(tests/test_i18n.py fails while any are left).
"""

import json
import re
import sys
from pathlib import Path


def unq(s):
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    return s[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def parse_block(lines):
    e = {"comments": [], "fields": {}, "order": []}
    cur = None
    for ln in lines:
        if ln.startswith("#"):
            e["comments"].append(ln)
            continue
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', ln)
        if m:
            cur = m.group(1)
            e["fields"][cur] = unq(m.group(2))
            e["order"].append(cur)
        else:
            e["fields"][cur] += unq(ln)
    return e


def fill(path, tr, header=None):
    text = Path(path).read_text(encoding="utf-8")
    blocks = text.strip("\n").split("\n\n")
    out, missing, filled = [], [], 0
    for b in blocks:
        lines = b.split("\n")
        e = parse_block(lines)
        f = e["fields"]
        if "msgid" not in f:
            out.append(b)
            continue
        fuzzy = any(c.startswith("#,") and "fuzzy" in c for c in e["comments"])
        mid0 = f["msgid"]
        has_tr = ((f.get("msgctxt"), mid0) in tr) or (mid0 in tr)
        if fuzzy and not has_tr and mid0:
            missing.append(mid0)
        comments = []
        for c in e["comments"]:
            if c.startswith("#,"):
                flags = [
                    x.strip()
                    for x in c[2:].split(",")
                    if x.strip() and (x.strip() != "fuzzy" or (not has_tr and mid0))
                ]
                if flags:
                    comments.append("#, " + ", ".join(flags))
            elif c.startswith("#|"):
                if has_tr or not mid0:
                    continue
                comments.append(c)  # previous msgid of a fuzzy match
            else:
                comments.append(c)
        mid = f["msgid"]
        new = [*comments]
        if "msgctxt" in f:
            new.append("msgctxt " + q(f["msgctxt"]))
        if mid == "":
            hdr = f["msgstr"]
            for k, v in (header or {}).items():
                hdr = re.sub(rf"^{re.escape(k)}: .*$", f"{k}: {v}", hdr, flags=re.M)
            new.append('msgid ""')
            new.append('msgstr ""')
            new += [q(line + "\n") for line in hdr.split("\n") if line]
            out.append("\n".join(new))
            continue
        key = (f.get("msgctxt"), mid) if (f.get("msgctxt"), mid) in tr else mid
        t = tr.get(key)
        new.append("msgid " + q(mid))
        if "msgid_plural" in f:
            new.append("msgid_plural " + q(f["msgid_plural"]))
            cur = [f.get("msgstr[0]", ""), f.get("msgstr[1]", "")]
            if t is not None and (fuzzy or not all(cur)):
                assert isinstance(t, tuple), mid
                cur = list(t)
                filled += 1
            elif not all(cur):
                missing.append(mid)
            new += [f"msgstr[{i}] " + q(s) for i, s in enumerate(cur)]
        else:
            cur = f.get("msgstr", "")
            if t is not None and (fuzzy or not cur):
                assert isinstance(t, str), mid
                cur = t
                filled += 1
            elif not cur:
                missing.append(mid)
            new.append("msgstr " + q(cur))
        out.append("\n".join(new))
    Path(path).write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return filled, missing


if __name__ == "__main__":
    raw = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")) if len(sys.argv) > 1 else {}
    translations = {}
    for k, v in raw.items():
        # "context\u0004msgid" (gettext's own separator) is a pgettext entry
        key = tuple(k.split("\x04", 1)) if "\x04" in k else k
        translations[key] = tuple(v) if isinstance(v, list) else v
    filled, missing = fill("locale/nb/LC_MESSAGES/django.po", translations, {})
    print(f"filled {filled}; untranslated {len(missing)}")
    for msgid in missing:
        print("  MISSING:", msgid)
    sys.exit(1 if missing else 0)
