"""The board pack (`rca trends --format ... -o DIR`): aggregates only, through the report
writers. Identifiers planted in every free-text and patient field of a generated set are
searched for in every format (and inside the DOCX and XLSX archives); counts below the
threshold print as "<5"; the threshold is a setting."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from click.testing import CliRunner
from learning_set import SECRET, create, plan

from exports.board import BOARD_FORMATS, build_pack, parse_board_formats, write_pack
from models.errors import ExportError, TargetExistsError

BOTH_BACKENDS = True
TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def generated(service):
    ids = create(service, plan(12))
    root = next(c for c in service.list_causes(ids[0]) if c.kind == "root")
    service.add_action(ids[0], f"Action {SECRET}-action", addresses=[root.id], strength="weaker",
                       owner=f"Owner {SECRET}-owner")  # fmt: skip
    return ids


def texts_of(path) -> str:
    """Every character a reader of the file could find, whatever the format."""
    data = path.read_bytes()
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if path.suffix == ".pdf":
        import io

        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        meta = " ".join(str(v) for v in (reader.metadata or {}).values())
        return meta + "\n".join(p.extract_text() for p in reader.pages)
    return data.decode("utf-8-sig")


def test_small_cells_and_the_threshold(service, generated):
    rows = service.trends("code")
    data = service.learning(today=TODAY)
    pack = build_pack("code", rows, data, start=None, end=None, today=TODAY)
    counted = {r[0]: r[1:] for r in pack.sections[0].rows}
    assert counted["LP-TASK Task and technology factors"] == ("8", "8")
    assert counted["TJC-MED.LASA Look-alike, sound-alike"] == ("6", "7")
    assert counted["TJC-COMM Communication"] == ("<5", "<5")
    quality = dict(pack.sections[1].rows)
    assert quality["Investigations in the window"] == "12"
    assert quality["Actions rated weaker"] == "<5"  # one action
    assert quality["Actions rated stronger"] == "0"  # none is not a small cell
    strict = build_pack("code", rows, data, start=None, end=None, today=TODAY, threshold=10)
    assert (
        dict((r[0], r[1]) for r in strict.sections[0].rows)["LP-TASK Task and technology factors"]
        == "<10"
    )
    assert "Counts from 1 to 9 are shown as <10" in strict.note


def test_no_planted_identifier_in_any_format(url_for, service, generated, tmp_path):
    from rca_tui.cli import cli

    out = CliRunner().invoke(
        cli,
        ["--db", url_for("alice"), "trends", "--by", "event_type", "--format",
         "pdf,docx,xlsx,md,csv", "-o", str(tmp_path / "board")],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    written = [tmp_path / "board" / f"board-pack-event_type{s}" for s in BOARD_FORMATS.values()]
    assert out.output.split() == [str(p) for p in written]
    for path in written:
        text = texts_of(path)
        assert "Investigations by event type" in " ".join(text.split()), path
        for planted in ("ZQX", "MRN-ZQX-0001", SECRET):
            assert planted not in text, (path, planted)
        assert (path.stat().st_mode & 0o777) == 0o600
    md = (tmp_path / "board" / "board-pack-event_type.md").read_text()
    assert "| Fall | \\<5 |" in md  # four falls: a small cell
    # a second run refuses to overwrite; --force replaces
    again = CliRunner().invoke(
        cli,
        ["--db", url_for("alice"), "trends", "--by", "event_type", "--format", "md",
         "-o", str(tmp_path / "board")],
    )  # fmt: skip
    assert again.exit_code == 1 and "already exists" in again.output


def test_formats_and_targets(tmp_path, service, generated):
    assert parse_board_formats("PDF, markdown,word") == ["pdf", "md", "docx"]
    with pytest.raises(ExportError, match="a board pack is one or more of"):
        parse_board_formats("html")
    pack = build_pack(
        "harm", service.trends("harm"), service.learning(today=TODAY), start=None, end=None,
        today=TODAY,
    )  # fmt: skip
    (tmp_path / "x.csv").write_text("keep")
    with pytest.raises(TargetExistsError):
        write_pack(pack, ["md", "csv"], tmp_path, stem="x")
    assert not (tmp_path / "x.md").exists()  # nothing written when one target is refused
    assert (tmp_path / "x.csv").read_text() == "keep"


def test_the_command_line_needs_both_format_and_folder(url_for, service):
    from rca_tui.cli import cli

    out = CliRunner().invoke(
        cli, ["--db", url_for("alice"), "trends", "--by", "harm", "--format", "md"]
    )
    assert out.exit_code == 1 and "needs both --format and -o DIR" in out.output


def test_the_threshold_is_a_setting():
    from rca_tui.config import SYSTEM_ONLY, Settings, SettingsError

    assert Settings().small_cell == 5
    assert Settings.from_mapping({"small_cell": 11}).small_cell == 11
    with pytest.raises(SettingsError, match="small_cell"):
        Settings.from_mapping({"small_cell": 1})
    assert "small_cell" in SYSTEM_ONLY  # a policy: a user cannot lower it
