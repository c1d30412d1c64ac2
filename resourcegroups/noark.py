"""Noark 5 *arkivmelding* for one agency's archive copy of approved minutes.

The minutes are shared between the agencies, but each agency files its own copy in its own
case/archive system (the archive act limits cross-agency access). The XML describes the
PDF/A for import there: a case folder (saksmappe) identified by the agency's OWN case
reference, one registry entry (journalpost, internal note "X"), one document description and
one document object with its SHA-256 checksum.

Element names and code values follow the Noark 5 metadata catalogue. The metadata is
Norwegian by nature (it is read by Norwegian archive systems), so it is not translated.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

NS = "http://www.arkivverket.no/standarder/noark5/arkivmelding/v2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SYSTEM = "KMV"
PDF_FILENAME = "referat.pdf"
PDF_FORMAT = "PDF/A-2"
CHECKSUM_ALGORITHM = "SHA256"
# offentleglova § 13 (duty of confidentiality), with forvaltningsloven § 13
ACCESS_RESTRICTION = "13"
RESTRICTION_AUTHORITY = "Offl. § 13, jf. fvl. § 13"
MASK = "******"
EXCERPT_NOTE = (
    "Utdrag for virksomheten: opplysninger i kategorier virksomheten ikke har samtykke "
    "eller hjemmel til å se, er utelatt."
)
# "2025/123" or "25/123": case year and sequence number, as most Noark systems write them
CASE_NUMBER_RE = re.compile(r"^\s*(\d{2}|\d{4})\s*/\s*(\d{1,7})(?:\s*-\s*\d+)?\s*$")

ET.register_namespace("", NS)
ET.register_namespace("xsi", XSI)


@dataclass(frozen=True)
class ArchiveFile:
    sha256: str
    size: int
    filename: str = PDF_FILENAME


def _el(parent, tag: str, text=None, **attrs):
    element = ET.SubElement(parent, f"{{{NS}}}{tag}", {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = str(text)
    return element


def _typed(parent, tag: str, xsi_type: str):
    return ET.SubElement(parent, f"{{{NS}}}{tag}", {f"{{{XSI}}}type": xsi_type})


def _iso(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def minutes_title(minutes, *, masked: bool = False) -> str:
    """Title like "Referat fra ressursgruppemøte 2 – Amina Haile" (masked: name → ******)."""
    stage = minutes.meeting.stage.name  # bokmål, whatever the reader's language
    stage = stage[:1].lower() + stage[1:]
    name = MASK if masked else minutes.meeting.participant.full_name
    return f"Referat fra {stage} – {name}"


def split_case_reference(reference: str) -> tuple[int, int] | None:
    """(saksaar, sakssekvensnummer) from "2025/123", or None for another format."""
    match = CASE_NUMBER_RE.match(reference or "")
    if not match:
        return None
    year = int(match.group(1))
    if year < 100:
        year += 2000
    return year, int(match.group(2))


def arkivmelding_xml(
    minutes,
    *,
    agency,
    file: ArchiveFile,
    case_reference: str | None,
    attending: list,
    created_by: str = "",
    now: datetime | None = None,
    message_id: str | None = None,
    excerpt: bool = False,
) -> bytes:
    """The arkivmelding.xml for `agency`'s copy, as UTF-8 bytes. `excerpt`: the PDF leaves
    out what the agency has no consent to see (said in the document description)."""
    now = now or timezone.now()
    meeting = minutes.meeting
    document_date = minutes.locked_at or now
    title = minutes_title(minutes)
    public_title = minutes_title(minutes, masked=True)

    root = ET.Element(f"{{{NS}}}arkivmelding")
    _el(root, "system", SYSTEM)
    _el(root, "meldingId", message_id or str(uuid.uuid4()))
    _el(root, "tidspunkt", _iso(now))
    _el(root, "antallFiler", 1)

    folder = _typed(root, "mappe", "saksmappe")
    _el(folder, "systemID", f"kmv-deltaker-{meeting.participant_id}")
    reference = (case_reference or "").strip()
    if reference:
        _el(folder, "mappeID", reference)
    else:
        folder.append(
            ET.Comment(
                " Saksreferanse mangler: virksomheten har ikke registrert sitt eget "
                "saksnummer for deltakeren i KMV. Fyll inn mappeID (eller saksaar og "
                "sakssekvensnummer) før import, eller registrer saksnummeret i KMV. "
            )
        )
        _el(folder, "mappeID", "")
    _el(folder, "tittel", f"Kvalifisering – {meeting.participant.full_name}")
    _el(folder, "offentligTittel", f"Kvalifisering – {MASK}")
    parts = split_case_reference(reference) if reference else None
    if parts:
        _el(folder, "saksaar", parts[0])
        _el(folder, "sakssekvensnummer", parts[1])
    _el(folder, "administrativEnhet", agency.name)
    _restriction(folder)

    entry = _typed(folder, "registrering", "journalpost")
    _el(entry, "systemID", f"kmv-referat-{minutes.pk}")
    _el(entry, "opprettetDato", _iso(document_date))
    _el(entry, "opprettetAv", created_by or SYSTEM)
    _el(entry, "tittel", title)
    _el(entry, "offentligTittel", public_title)
    _restriction(entry)

    document = _el(entry, "dokumentbeskrivelse")
    _el(document, "systemID", f"kmv-referat-{minutes.pk}-dok")
    _el(document, "dokumenttype", "Referat")
    _el(document, "dokumentstatus", "F")  # ferdigstilt: approved by every attending agency
    _el(document, "tittel", title)
    if excerpt:
        _el(document, "beskrivelse", EXCERPT_NOTE)
    _el(document, "opprettetDato", _iso(document_date))
    _el(document, "opprettetAv", created_by or SYSTEM)
    _el(document, "tilknyttetRegistreringSom", "H")  # hoveddokument
    _el(document, "dokumentnummer", 1)
    obj = _el(document, "dokumentobjekt")
    _el(obj, "versjonsnummer", 1)
    _el(obj, "variantformat", "A")  # arkivformat
    _el(obj, "format", PDF_FORMAT)
    _el(obj, "opprettetDato", _iso(document_date))
    _el(obj, "opprettetAv", SYSTEM)
    _el(obj, "referanseDokumentfil", file.filename)
    _el(obj, "filnavn", file.filename)
    _el(obj, "mimeType", "application/pdf")
    _el(obj, "sjekksum", file.sha256)
    _el(obj, "sjekksumAlgoritme", CHECKSUM_ALGORITHM)
    _el(obj, "filstoerrelse", file.size)

    # Internal note: the filing agency is the internal sender (IA); the other agencies at the
    # meeting are external copy recipients (EK) — they file their own copies.
    for party in [agency] + [a for a in attending if a.pk != agency.pk]:
        correspondent = _el(entry, "korrespondansepart")
        _el(correspondent, "korrespondanseparttype", "IA" if party.pk == agency.pk else "EK")
        _el(correspondent, "korrespondansepartNavn", party.name)
    _el(entry, "journalposttype", "X")  # internt notat uten oppfølging
    _el(entry, "journalstatus", "F")  # ferdigstilt fra saksbehandler
    _el(entry, "dokumentetsDato", timezone.localtime(document_date).date().isoformat())

    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _restriction(parent) -> None:
    shield = _el(parent, "skjerming")
    _el(shield, "tilgangsrestriksjon", ACCESS_RESTRICTION)
    _el(shield, "skjermingshjemmel", RESTRICTION_AUTHORITY)
    _el(shield, "skjermingMetadata", "tittel")
    _el(shield, "skjermingDokument", "Hele")
