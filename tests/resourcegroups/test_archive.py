"""Minutes as PDF/A and each agency's archive copy (resourcegroups.pdf / archive / noark)."""

import hashlib
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kmv.access.models import AuditEvent
from participants.models import CaseReference, ProfileFact
from resourcegroups import archive, noark, pdf
from resourcegroups import services as rg
from resourcegroups.models import Meeting, Minutes

pytestmark = pytest.mark.django_db

NS = {"n": noark.NS}
PRIVATE_NAV = "PRIVAT-NAV-NOTAT-7Q"
PRIVATE_SCHOOL = "PRIVAT-SKOLE-NOTAT-9Z"
HEALTH_FACT = "HELSEOPPLYSNING-3X"


def _answer(user, meeting, text_start, value):
    item = meeting.stage.items.get(text__startswith=text_start)
    rg.answer_save(user=user, meeting=meeting, item=item, value=value, version=0)


@pytest.fixture
def held_meeting(personas, participant):
    """Meeting 1 for Amina (NAV owns her; adult education is in the group with consent),
    booked, checklist partly answered, private notes from both agencies, minutes out for
    approval. The participant is renamed to a Tigrinya + Arabic name."""
    alice, bob = personas["nav_adviser"], personas["teacher"]
    participant.first_name, participant.last_name = "ሰላም", "محمد"
    participant.save(update_fields=["first_name", "last_name"])
    rg.meetings_sync(participant=participant, by=alice)
    meeting = participant.meetings.get(stage__number=1)
    start = timezone.make_aware(datetime(2025, 4, 8, 10, 0))
    meeting = rg.meeting_schedule(
        user=alice,
        meeting=meeting,
        start=start,
        end=start + timedelta(hours=1),
        place="Møterom Blåbær, Rådhuset",
    )
    _answer(bob, meeting, "Engelskferdigheter", {"answer": "intermediate", "comment": "Kurs B1"})
    _answer(bob, meeting, "Progresjon i norsk", {"answer": "as_planned", "comment": ""})
    _answer(bob, meeting, "Informasjon om utdanningssystemet", {"text": "Går på modul 3 i FVO."})
    rg.note_save(user=alice, meeting=meeting, text=PRIVATE_NAV, version=None)
    rg.note_save(user=bob, meeting=meeting, text=PRIVATE_SCHOOL, version=None)
    ProfileFact.objects.create(
        participant=participant,
        key="adaptation_need",
        value=HEALTH_FACT,
        recorded_on=timezone.localdate(),
        agency=alice.agency,
        recorded_by=alice,
    )
    minutes = rg.minutes_compose(
        user=alice,
        meeting=meeting,
        decisions="Søknad på vigo.no sendes før 1. mars. Dokumentasjon oversettes.",
        next_meeting="Ressursgruppemøte 2, høsten 2025",
        actions=[
            {
                "text": "Bestille realkompetansevurdering i engelsk",
                "agency": bob.agency_id,
                "owner": bob.pk,
                "due_date": "2025-05-01",
            }
        ],
    )
    rg.minutes_submit(user=alice, minutes=minutes)
    return minutes


@pytest.fixture
def approved(held_meeting, personas):
    rg.minutes_approve(user=personas["teacher"], minutes=held_meeting)
    rg.minutes_approve(user=personas["nav_adviser"], minutes=held_meeting)
    held_meeting.refresh_from_db()
    return held_meeting


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _font_names(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


# --- Layer 1: HTML ----------------------------------------------------------------------


def test_minutes_html_has_the_shared_record_and_nothing_private(held_meeting, personas):
    html = pdf.minutes_html(held_meeting, agency=None, language="nb")
    assert "KMV – Referat fra ressursgruppemøte" in html
    for expected in [
        "Middels",  # choice answer, via display_value
        "Kurs B1",  # its comment
        "Går på modul 3 i FVO.",
        "Søknad på vigo.no sendes før 1. mars.",
        "Bestille realkompetansevurdering i engelsk",
        "01.05.2025",
        "Møterom Blåbær, Rådhuset",
        "08.04.2025",
        "Ressursgruppemøte 2, høsten 2025",
        "Voksenopplæringen",
        "14.03.1991",  # date of birth
        "KMV ressursgrupperutine",
    ]:
        assert expected in html, expected
    for private in [PRIVATE_NAV, PRIVATE_SCHOOL, HEALTH_FACT]:
        assert private not in html
    assert 'counter(page) " av " counter(pages)' in html


def test_minutes_html_in_english(held_meeting):
    html = pdf.minutes_html(held_meeting, agency=None, language="en")
    assert "KMV – Minutes of resource-group meeting" in html
    assert "Intermediate" in html


def test_page_counter_css_escapes_quotes():
    assert pdf.page_counter_css('Side %(page)s "av" %(pages)s') == (
        '"Side " counter(page) " \\"av\\" " counter(pages)'
    )


# --- Layer 2: PDF/A, fonts, restricted fetcher ------------------------------------------


def test_pdf_is_pdfa_text_extractable_with_fonts_and_no_private_notes(held_meeting):
    data = pdf.render_pdf(pdf.minutes_html(held_meeting, agency=None, language="nb"))
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(="|>)2', xmp)
    assert re.search(r'pdfaid:conformance(="|>)A', xmp)  # level A: tagged, accessible
    root = reader.trailer["/Root"]
    assert "/OutputIntents" in root
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    text = _pdf_text(data)
    for expected in [
        "Referat fra ressursgruppemøte",
        "Søknad på vigo.no sendes før 1. mars.",
        "Middels",
        "Bestille realkompetansevurdering i engelsk",
        "Blåbær",
        "ሰላም",
        "Side 1 av",
    ]:
        assert expected in text, expected
    for private in [PRIVATE_NAV, PRIVATE_SCHOOL, HEALTH_FACT]:
        assert private not in text
    fonts = _font_names(data)
    assert any("Noto-Sans-Arabic" in name for name in fonts), fonts
    assert any("Noto-Sans-Ethiopic" in name for name in fonts), fonts
    assert not any("DejaVu" in name for name in fonts), fonts


def test_latin_and_cyrillic_names_keep_their_own_glyphs():
    """Regression: one family for several subset files mixed up glyphs ("Олена" → "C` ZbU")."""
    html = (
        f"<html><head><style>{pdf.font_face_css()} html {{ font-family: {pdf.FONT_STACK} }}"
        "</style></head><body><p>Blåbærsyltetøy Şükrü Олена</p></body></html>"
    )
    text = _pdf_text(pdf.render_pdf(html))
    assert "Blåbærsyltetøy Şükrü Олена" in text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/x.png",
        "https://example.org/font.woff",
        "data:text/plain,hello",
        "kmv-font:../../../../etc/passwd",
        "kmv-font:not-allow-listed.woff",
    ],
)
def test_url_fetcher_refuses_everything_but_allow_listed_fonts(url):
    fetcher = pdf.restricted_fetcher()
    with pytest.raises(pdf.RefusedURL):
        fetcher.fetch(url)


def test_url_fetcher_serves_allow_listed_font():
    fetcher = pdf.restricted_fetcher()
    response = fetcher.fetch("kmv-font:noto-sans-arabic-arabic-400-normal.woff")
    assert response.read(4) == b"wOFF"


@pytest.mark.parametrize(
    "tag",
    [
        '<img src="file:///etc/hostname">',
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
        "<style>@import url(file:///etc/hostname);</style>",
    ],
)
def test_render_stops_on_a_refused_url(tag):
    with pytest.raises(pdf.PdfRenderError, match="may not fetch"):
        pdf.render_pdf(f"<html><body>{tag}<p>x</p></body></html>")


def test_render_refuses_oversized_html():
    with pytest.raises(pdf.PdfRenderError, match="too large"):
        pdf.render_pdf("x" * (pdf.MAX_HTML_BYTES + 1))


def test_render_is_stopped_after_its_time_limit():
    html = "<html><body>" + "<table><tr><td>celle</td></tr></table>" * 20000 + "</body></html>"
    with pytest.raises(pdf.PdfRenderError, match="longer than"):
        pdf.render_pdf(html, timeout=0.2)


def test_render_is_stopped_by_its_memory_cap():
    with pytest.raises(pdf.PdfRenderError, match="failed"):
        pdf.render_pdf("<html><body><p>x</p></body></html>", memory_mb=64)


def test_missing_fonts_fail_loudly(settings, tmp_path):
    settings.NODE_MODULES_DIR = tmp_path
    with pytest.raises(pdf.FontsMissing, match="make npm"):
        pdf.font_face_css()
    with pytest.raises(pdf.FontsMissing):
        pdf.render_pdf("<p>x</p>")


# --- Layer 3: storage -------------------------------------------------------------------


def test_last_approval_stores_the_pdf_once(approved):
    assert approved.status == Minutes.Status.APPROVED
    assert approved.meeting.status == Meeting.Status.MINUTES_APPROVED
    data = archive.read_pdf(approved)
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == approved.pdf_sha256
    name = approved.pdf.name
    with mock.patch.object(pdf, "render_pdf", side_effect=AssertionError("rendered again")):
        assert archive.store_minutes_pdf(approved) is False
    approved.refresh_from_db()
    assert approved.pdf.name == name


def test_draft_minutes_are_not_stored(held_meeting):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        archive.store_minutes_pdf(held_meeting)


# --- Archive copy -----------------------------------------------------------------------


def _get_copy(client, user, minutes):
    client.force_login(user)
    return client.get(reverse("archive:copy", args=[minutes.pk]))


def test_archive_copy_zip_has_pdf_and_arkivmelding(client, personas, approved):
    CaseReference.objects.create(
        participant=approved.meeting.participant,
        agency=personas["teacher"].agency,
        reference="2025/1234",
    )
    response = _get_copy(client, personas["teacher"], approved)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive_zip:
        assert sorted(archive_zip.namelist()) == ["arkivmelding.xml", "referat.pdf"]
        data = archive_zip.read("referat.pdf")
        xml = archive_zip.read("arkivmelding.xml")
    # adult education may see only "education and mapping": its copy is an excerpt, with the
    # decisions (plan and meetings) replaced by the marker and its own next step kept
    assert data != archive.read_pdf(approved)
    text = " ".join(_pdf_text(data).split())
    assert "Kurs B1" in text and "Går på modul 3 i FVO." in text
    assert "Bestille realkompetansevurdering i engelsk" in text
    assert "vigo.no sendes" not in text
    assert "Skjult: ikke delt med din virksomhet" in text
    root = ET.fromstring(xml)
    assert root.tag == f"{{{noark.NS}}}arkivmelding"
    assert root.findtext("n:system", namespaces=NS) == "KMV"
    assert root.findtext("n:antallFiler", namespaces=NS) == "1"
    folder = root.find("n:mappe", NS)
    assert folder.findtext("n:mappeID", namespaces=NS) == "2025/1234"
    assert folder.findtext("n:saksaar", namespaces=NS) == "2025"
    assert folder.findtext("n:sakssekvensnummer", namespaces=NS) == "1234"
    entry = folder.find("n:registrering", NS)
    assert entry.findtext("n:journalposttype", namespaces=NS) == "X"
    assert entry.findtext("n:offentligTittel", namespaces=NS) == (
        "Referat fra ressursgruppemøte 1 – ******"
    )
    assert "ሰላም" in entry.findtext("n:tittel", namespaces=NS)
    assert entry.findtext("n:skjerming/n:tilgangsrestriksjon", namespaces=NS) == "13"
    assert entry.findtext("n:skjerming/n:skjermingshjemmel", namespaces=NS) == (
        "Offl. § 13, jf. fvl. § 13"
    )
    parties = {
        p.findtext("n:korrespondansepartNavn", namespaces=NS): p.findtext(
            "n:korrespondanseparttype", namespaces=NS
        )
        for p in entry.findall("n:korrespondansepart", NS)
    }
    assert parties == {"Voksenopplæringen": "IA", "NAV Kristiansand": "EK"}
    doc = entry.find("n:dokumentbeskrivelse", NS)
    assert doc.findtext("n:dokumenttype", namespaces=NS) == "Referat"
    assert doc.findtext("n:dokumentstatus", namespaces=NS) == "F"
    obj = doc.find("n:dokumentobjekt", NS)
    assert obj.findtext("n:format", namespaces=NS) == "PDF/A-2"
    assert obj.findtext("n:filnavn", namespaces=NS) == "referat.pdf"
    assert obj.findtext("n:sjekksumAlgoritme", namespaces=NS) == "SHA256"
    assert obj.findtext("n:sjekksum", namespaces=NS) == hashlib.sha256(data).hexdigest()
    assert obj.findtext("n:filstoerrelse", namespaces=NS) == str(len(data))
    assert doc.findtext("n:beskrivelse", namespaces=NS) == noark.EXCERPT_NOTE


def test_owner_agency_copy_is_the_stored_complete_document(client, personas, approved):
    response = _get_copy(client, personas["nav_adviser"], approved)
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive_zip:
        data = archive_zip.read("referat.pdf")
        xml = archive_zip.read("arkivmelding.xml")
    assert data == archive.read_pdf(approved)
    assert "vigo.no sendes" in _pdf_text(data)
    doc = ET.fromstring(xml).find("n:mappe/n:registrering/n:dokumentbeskrivelse", NS)
    assert doc.find("n:beskrivelse", NS) is None


def test_archive_copy_without_case_reference_has_named_empty_element(client, personas, approved):
    response = _get_copy(client, personas["nav_adviser"], approved)
    xml = zipfile.ZipFile(io.BytesIO(response.content)).read("arkivmelding.xml").decode()
    assert "Saksreferanse mangler" in xml
    folder = ET.fromstring(xml).find("n:mappe", NS)
    assert folder.find("n:mappeID", NS) is not None
    assert not folder.findtext("n:mappeID", namespaces=NS)
    assert folder.find("n:saksaar", NS) is None


def test_every_download_is_audited(client, personas, approved):
    bob = personas["teacher"]
    _get_copy(client, bob, approved)
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD, actor=bob)
    assert event.channel == "pdf"
    assert event.participant_id == approved.meeting.participant_id
    assert event.object_type == "minutes"
    assert event.object_id == str(approved.pk)


@pytest.mark.parametrize("persona", ["counsellor", "follow_up", "school_adviser", "interpreter"])
def test_agencies_without_access_get_404(client, personas, approved, persona):
    assert _get_copy(client, personas[persona], approved).status_code == 404
    assert client.get(reverse("archive:detail", args=[approved.pk])).status_code == 404


def test_teacher_of_another_agency_without_access_gets_404(client, approved, agencies):
    from kmv.access.models import Agency, Role
    from tests.factories import AgencyFactory, UserFactory

    other = AgencyFactory(name="Voksenopplæringen Vest", kind=Agency.Kind.ADULT_EDUCATION)
    teacher = UserFactory(username="tina", agency=other, role=Role.TEACHER)
    assert _get_copy(client, teacher, approved).status_code == 404
    assert AuditEvent.objects.filter(actor=teacher, action=AuditEvent.Action.DENIED).exists()


def test_visible_participant_but_agency_not_at_meeting_gets_404(client, personas, approved):
    """May see the participant (consent + membership) but the agency did not attend."""
    from participants import services as participant_services

    alice, charlie = personas["nav_adviser"], personas["counsellor"]
    participant = approved.meeting.participant
    participant_services.consent_record(
        user=alice,
        participant=participant,
        agency=charlie.agency,
        category="plan_meetings",
        purpose="RG",
    )
    rg.membership_add(user=alice, participant=participant, staff=charlie)
    assert _get_copy(client, charlie, approved).status_code == 404


def test_no_copy_before_approval(client, personas, held_meeting):
    assert _get_copy(client, personas["teacher"], held_meeting).status_code == 404
    page = client.get(reverse("archive:detail", args=[held_meeting.pk]))
    assert page.status_code == 200
    assert reverse("archive:copy", args=[held_meeting.pk]) not in page.content.decode()


def test_download_page_and_case_reference_form(client, personas, approved):
    bob = personas["teacher"]
    client.force_login(bob)
    url = reverse("archive:detail", args=[approved.pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert reverse("archive:copy", args=[approved.pk]) in body
    # bob's agency gets an excerpt: the complete document's checksum is not its copy's
    assert approved.pdf_sha256 not in body
    assert "Virksomhetens kopi er et utdrag" in body
    client.force_login(personas["nav_adviser"])
    owner_page = client.get(url).content.decode()
    assert approved.pdf_sha256 in owner_page and "kopi er et utdrag" not in owner_page
    client.force_login(bob)
    assert reverse("participants:detail", args=[approved.meeting.participant_id]) in body
    response = client.post(url, {"reference": "25/77"})
    assert response.status_code == 302
    ref = CaseReference.objects.get(participant=approved.meeting.participant, agency=bob.agency)
    assert ref.reference == "25/77"
    assert not CaseReference.objects.exclude(agency=bob.agency).exists()
    xml = zipfile.ZipFile(io.BytesIO(_get_copy(client, bob, approved).content)).read(
        "arkivmelding.xml"
    )
    folder = ET.fromstring(xml).find("n:mappe", NS)
    assert folder.findtext("n:saksaar", namespaces=NS) == "2025"
    assert folder.findtext("n:sakssekvensnummer", namespaces=NS) == "77"
    client.post(url, {"reference": ""})
    assert not CaseReference.objects.filter(agency=bob.agency).exists()


@pytest.mark.parametrize(
    "reference, parts",
    [("2025/1234", (2025, 1234)), ("25/7", (2025, 7)), ("2024/12-3", (2024, 12)), ("A-99", None)],
)
def test_split_case_reference(reference, parts):
    assert noark.split_case_reference(reference) == parts
