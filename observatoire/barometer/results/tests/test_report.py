import io

import pypdf
from django.core.management import call_command
from django.urls import reverse

from .. import commands
from ..models import EditionReport


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_report_has_cover_key_figures_method_and_charts(charlie, small):
    EditionReport.objects.create(edition=small.edition, introduction="Une année de transition.")
    response = charlie.get(reverse("barometer_results:report", args=[2018]))
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    assert "Baromètre 2018 de la démocratie" in text
    assert "Une année de transition." in text
    assert "Collectivités répondantes" in text and "15" in text
    assert "Pondération" in text
    assert "Prévoyez-vous de nouveaux dispositifs ?" in text
    assert "50,0" in text


def test_report_function_and_command_write_a_pdf(small, tmp_path):
    output = tmp_path / "a.pdf"
    commands.handle_report(year=2018, output=str(output))
    assert output.read_bytes().startswith(b"%PDF")
    output = tmp_path / "b.pdf"
    call_command("barometer", "report", "2018", "--output", str(output))
    assert "Méthodologie" in text_of(output.read_bytes())


def test_the_site_builds_the_pdf_once_per_state_of_the_results(charlie, small, monkeypatch):
    from .. import report

    builds = []
    render = report._render
    monkeypatch.setattr(report, "_render", lambda *args: builds.append(1) or render(*args))
    url = reverse("barometer_results:report", args=[2018])
    first = charlie.get(url).content
    assert charlie.get(url).content == first and len(builds) == 1
    EditionReport.objects.create(edition=small.edition, introduction="Nouvelle introduction.")
    assert "Nouvelle introduction." in text_of(charlie.get(url).content)
    assert len(builds) == 2


def test_the_report_stays_french_from_the_english_pages(charlie, small):
    text = text_of(charlie.get("/en/barometre/2018/rapport.pdf").content)
    assert "Méthodologie" in text and "Base de sondage" in text
    assert "Sampling frame" not in text
