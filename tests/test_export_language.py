"""The document language is a setting (issue 15): a BCP 47 tag, checked at start, that every
report declares (the PDF's /Lang and XMP, the HTML's lang, the DOCX's and XLSX's properties),
so a screen reader reads a French hospital's report in a French voice."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest

from exports import render_formats
from exports.language import LanguageTagError, language_tag
from models.demo import demo_document

TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def demo(service):
    inv = service.import_document(demo_document(TODAY))
    return service.dossier(inv.id)


@pytest.mark.parametrize(
    ("typed", "tag"),
    [
        ("en", "en"),
        ("EN-us", "en-US"),
        (" fr-CA ", "fr-CA"),
        ("sr-latn-rs", "sr-Latn-RS"),
        ("es-419", "es-419"),
        ("de-CH-1996", "de-CH-1996"),
        ("zh-yue-HK", "zh-yue-HK"),
    ],
)
def test_a_language_tag_is_kept_in_its_usual_case(typed, tag):
    assert language_tag(typed) == tag


@pytest.mark.parametrize("typed", ["english", "en_US", "", "en-", "fr CA", "e", "i-klingon", 3])
def test_what_is_not_a_language_tag_is_refused_saying_what_is_expected(typed):
    with pytest.raises(LanguageTagError, match=r"BCP 47 language tag.*en-US"):
        language_tag(typed)
    if typed == "en_US":
        with pytest.raises(LanguageTagError, match="a hyphen, not '_'"):
            language_tag(typed)


def test_a_bad_language_in_the_settings_stops_rca_at_start(tmp_path, monkeypatch, db_path):
    from click.testing import CliRunner

    from rca_tui.cli import cli
    from rca_tui.config import SettingsError, load_settings

    config = tmp_path / "config.toml"
    monkeypatch.setenv("RCA_CONFIG", str(config))
    monkeypatch.setenv("RCA_DB", str(db_path))
    config.write_text('language = "fr-ca"\n')
    assert load_settings().language == "fr-CA"
    config.write_text('language = "French"\n')
    with pytest.raises(SettingsError, match=r"config.toml: setting 'language': 'French' is not"):
        load_settings()
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code != 0
    assert "setting 'language'" in result.output and "BCP 47" in result.output
    config.write_text("")
    assert load_settings().language == "en"  # the default


def pdf_language(data: bytes) -> tuple[str, str]:
    lang = re.search(rb"/Lang \(([^)]*)\)", data)
    xmp = re.search(rb"<dc:language><rdf:Bag><rdf:li>([^<]*)</rdf:li>", data)
    assert lang and xmp
    return lang.group(1).decode(), xmp.group(1).decode()


def test_every_report_declares_the_language_of_the_setting(demo):
    from docx import Document
    from openpyxl import load_workbook

    out = render_formats(
        demo, ["pdf", "html", "docx", "xlsx"], today=TODAY, pictures=False, language="fr-CA"
    )
    assert pdf_language(out["pdf"]) == ("fr-CA", "fr-CA")
    assert '<html lang="fr-CA">' in out["html"]
    doc = Document(io.BytesIO(out["docx"]))
    assert doc.core_properties.language == "fr-CA"
    styles = zipfile.ZipFile(io.BytesIO(out["docx"])).read("word/styles.xml").decode()
    default = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", styles, re.S).group(0)
    assert re.search(r'<w:lang w:val="fr-CA"', default)  # what Word proofs the text in
    assert load_workbook(io.BytesIO(out["xlsx"])).properties.language == "fr-CA"
    # unset: English, as before
    plain = render_formats(demo, ["pdf", "html"], today=TODAY, pictures=False)
    assert pdf_language(plain["pdf"]) == ("en", "en")
    assert '<html lang="en">' in plain["html"]
    with pytest.raises(ValueError, match="BCP 47"):
        render_formats(demo, ["md"], today=TODAY, language="english")


def test_the_app_exports_in_the_language_of_its_settings(service, tmp_path):
    from rca_tui.app import make_app
    from rca_tui.config import Settings

    inv = service.import_document(demo_document(TODAY))
    app = make_app(service, Settings(language="de-CH"), today=TODAY)
    files = app.run_export(inv.id, ["html"], str(tmp_path))
    assert len(files) == 1
    with open(files[0], encoding="utf-8") as f:
        assert '<html lang="de-CH">' in f.read()
