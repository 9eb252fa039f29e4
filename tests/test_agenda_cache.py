"""The incremental agenda: each statement laid out once and taken from the PDF cache that
`build` shares while nothing it is made from changes; the packet the same bytes as a clean
build's."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from test_agenda import item_pages, list_column
from utlatande import api
from utlatande.cli import main

from conftest import MEETING_HEAD, ROOT

STATEMENT = """mall: tjänsteutlåtande
profil: stockholm
datum: 2024-03-19
rubrik: Utlåtande {n}
sammanfattning: |
  {text}
"""
MEETING = MEETING_HEAD + """  - ../answers/a1.yaml
  - ../answers/a2.yaml
  - ../answers/a3.yaml
  - rubrik: Anmälan av delegationsbeslut
    bilagor:
      - {titel: Delegationslista, fil: bilagor/delegationslista.pdf}
"""
SENTENCE = "Förvaltningen föreslår att nämnden godkänner redovisningen av uppdraget. "


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "answers").mkdir()
    for n in (1, 2, 3):
        _write(tmp_path, n, f"Sammanfattning nummer {n}.")
    (tmp_path / "moten" / "bilagor").mkdir(parents=True)
    shutil.copy(ROOT / "moten" / "bilagor" / "delegationslista.pdf",
                tmp_path / "moten" / "bilagor")
    (tmp_path / "moten" / "m.yaml").write_text(MEETING, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(project: Path, n: int, text: str) -> None:
    (project / "answers" / f"a{n}.yaml").write_text(STATEMENT.format(n=n, text=text),
                                                     encoding="utf-8")


def _agenda(out: str = "build") -> api.AgendaBuilt:
    return api.build_agenda(Path("moten/m.yaml"), Path(out))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _names(built) -> list[str]:
    return sorted(p.name for p in built.rendered)


def test_only_a_changed_statement_is_laid_out_again_and_the_packet_is_a_clean_builds(
        project):
    assert _names(_agenda()) == ["a1.yaml", "a2.yaml", "a3.yaml"]
    first = _files(project / "build" / "m")
    again = _agenda()
    assert again.rendered == []  # every statement from the cache
    assert _files(project / "build" / "m") == first
    _write(project, 2, "En annan sammanfattning.")
    changed = _agenda()
    assert _names(changed) == ["a2.yaml"]
    after = _files(project / "build" / "m")
    assert after["m.pdf"] != first["m.pdf"]
    assert after["01-utlatande-1.pdf"] == first["01-utlatande-1.pdf"]
    # A clean build of the same inputs, in a folder of its own, gives the same bytes.
    clean = _agenda("ren")
    assert _names(clean) == ["a1.yaml", "a2.yaml", "a3.yaml"]
    assert _files(project / "ren" / "m") == after


def test_the_command_says_nothing_changed_without_building(project):
    runner = CliRunner()
    first = runner.invoke(main, ["agenda", "moten/m.yaml"])
    assert first.exit_code == 0, first.output
    assert "3 utlåtanden gjorda på nytt" in first.output
    second = runner.invoke(main, ["agenda", "moten/m.yaml"])
    assert second.exit_code == 0, second.output
    assert second.output.startswith("build/m: oförändrad, ")
    # A file that is only touched is no change; a changed one is.
    answer = project / "answers" / "a3.yaml"
    answer.write_bytes(answer.read_bytes())
    assert "oförändrad" in runner.invoke(main, ["agenda", "moten/m.yaml"]).output
    _write(project, 3, "Ny text.")
    third = runner.invoke(main, ["agenda", "moten/m.yaml"])
    assert "1 utlåtande gjort på nytt" in third.output, third.output
    # The public version is a build of its own, with statements of its own (they carry no
    # answer file), kept beside the full version's.
    public = runner.invoke(main, ["agenda", "moten/m.yaml", "--offentlig"])
    assert "build/m-offentlig: 4 ärenden" in public.output, public.output
    assert "3 utlåtanden gjorda på nytt" in public.output
    _write(project, 1, "Ändrad igen.")
    for version in ([], ["--offentlig"]):
        again = runner.invoke(main, ["agenda", "moten/m.yaml", *version])
        assert "1 utlåtande gjort på nytt" in again.output, again.output


def test_an_agenda_after_build_takes_the_statements_build_made(project):
    result = CliRunner().invoke(main, ["build", "-q"])
    assert result.exit_code == 0, result.output
    assert _agenda().rendered == []
    # Built alone, the statement is the same PDF that build wrote.
    folder = project / "build" / "m"
    assert (folder / "02-utlatande-2.pdf").read_bytes() == \
        (project / "build" / "a2.pdf").read_bytes()


def test_list_page_numbers_follow_a_statement_that_grows_a_page(project):
    _agenda()
    packet = project / "build" / "m" / "m.pdf"
    before = item_pages(packet)
    _write(project, 1, (SENTENCE * 12 + "\n\n  ") * 10)  # a page or more longer
    grown = _agenda()
    assert _names(grown) == ["a1.yaml"]
    after = item_pages(packet)
    growth = len(pypdf.PdfReader(project / "build" / "m" / "01-utlatande-1.pdf").pages) - 1
    assert growth >= 1
    assert after[1] == before[1]
    assert {n: after[n] - before[n] for n in (2, 3, 4)} == {2: growth, 3: growth, 4: growth}
    column = list_column(packet, range(2, min(after.values())))
    assert {n: int(v) for n, v in column.items()} == after
    total = len(pypdf.PdfReader(packet).pages)
    assert f"sida {total} av {total}" in pypdf.PdfReader(packet).pages[-1].extract_text()
    assert _files(project / "build" / "m") == _files_of_clean_build(project)


def _spy_on_the_merge_ahead(monkeypatch) -> list[tuple[str, object]]:
    """What the merge begun ahead did: ('begun', parts merged before the statement) or
    ('begun', None), and ('taken', whether compose carried it on)."""
    import sys

    import utlatande.agenda as agenda

    compose = sys.modules["utlatande.agenda.compose"]
    seen: list[tuple[str, object]] = []
    merge_ahead, taken = compose.merge_ahead, compose._taken

    def spy_merge_ahead(*args):
        begun = merge_ahead(*args)
        seen.append(("begun", begun.next_part if begun is not None else None))
        return begun

    def spy_taken(*args):
        seen.append(("taken", taken(*args)))
        return seen[-1][1]

    monkeypatch.setattr(agenda, "merge_ahead", spy_merge_ahead)
    monkeypatch.setattr(compose, "_taken", spy_taken)
    return seen


def test_the_packet_is_begun_while_the_changed_statement_is_laid_out(project, monkeypatch):
    """The kallelse and the parts before the changed statement are merged while it is
    laid out; it keeps its pages, so the merge is carried on, and the packet is a clean
    build's."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("the spare worker needs two cores")
    _agenda()
    _write(project, 3, "En annan sammanfattning.")
    seen = _spy_on_the_merge_ahead(monkeypatch)
    changed = _agenda()
    assert _names(changed) == ["a3.yaml"]
    assert seen == [("begun", 2), ("taken", True)]  # a1 and a2 merged ahead
    assert _files(project / "build" / "m") == _files_of_clean_build(project)


def test_a_packet_begun_ahead_is_let_go_when_the_statement_grows_a_page(project,
                                                                         monkeypatch):
    if (os.cpu_count() or 1) < 2:
        pytest.skip("the spare worker needs two cores")
    _agenda()
    _write(project, 2, (SENTENCE * 12 + "\n\n  ") * 10)  # a page or more longer
    seen = _spy_on_the_merge_ahead(monkeypatch)
    grown = _agenda()
    assert _names(grown) == ["a2.yaml"]
    assert seen == [("begun", 1), ("taken", False)]
    assert _files(project / "build" / "m") == _files_of_clean_build(project)


def test_only_a_changed_answer_is_checked_again_and_its_warnings_stay(project, monkeypatch):
    from utlatande import pipeline

    # A warning of an answer that is not checked again must still be reported.
    _write(project, 3, "Kontakt: 19121212-1212.")
    first = _agenda()
    warned = [str(w) for w in first.warnings if "a3.yaml" in w.path]
    assert warned
    checked: list[str] = []
    real = pipeline.check

    def counted(path, project_, *rest):
        checked.append(path.name)
        return real(path, project_, *rest)

    monkeypatch.setattr(pipeline, "check", counted)
    _write(project, 2, "En annan sammanfattning.")
    second = _agenda()
    assert checked == ["a2.yaml"]
    assert [str(w) for w in second.warnings if "a3.yaml" in w.path] == warned
    assert _names(second) == ["a2.yaml"]
    # An answer whose appendix changes is checked again too: it is part of what it is
    # made from.
    checked.clear()
    shutil.copy(project / "moten" / "bilagor" / "delegationslista.pdf",
                project / "answers" / "bilaga.pdf")
    with (project / "answers" / "a1.yaml").open("a", encoding="utf-8") as handle:
        handle.write("bilagor:\n  - {titel: Lista, fil: bilaga.pdf}\n")
    _agenda()
    assert checked == ["a1.yaml"]
    checked.clear()
    (project / "answers" / "bilaga.pdf").write_bytes(
        (project / "answers" / "bilaga.pdf").read_bytes() + b"\n% ny rad\n")
    assert _names(_agenda()) == ["a1.yaml"]
    assert checked == ["a1.yaml"]


class _Payload:
    """What a planted cache entry would run if it were unpickled without restriction."""

    def __reduce__(self):
        return (Path.touch, (Path("planterad"),))


def test_a_planted_check_entry_runs_nothing_and_is_checked_anew(project):
    import pickle

    _agenda()
    entries = sorted((project / "build" / ".utlatande-cache").glob("a1-*.kontroll"))
    assert len(entries) == 1
    entries[0].write_bytes(pickle.dumps(_Payload()))
    _write(project, 2, "Ändrad.")  # the agenda is built again
    built = _agenda()
    assert not (project / "planterad").exists()
    assert _names(built) == ["a2.yaml"]  # a1's statement is the cached one all the same
    *_, kept = pickle.loads(entries[0].read_bytes())  # written anew: a real check
    assert kept.path.name == "a1.yaml" and kept.answer.rubrik == "Utlåtande 1"


def test_running_numbers_laid_out_a_few_pages_at_a_time_stand_on_the_right_pages(
        project, monkeypatch):
    """The numbers are laid out (and kept) a few pages at a time, so that a council's packet
    is never laid out whole: every page still carries its own number, and only the pages
    whose numbers change are laid out again."""
    import re
    import sys

    from test_agenda import boxes

    compose = sys.modules["utlatande.agenda.compose"]
    monkeypatch.setattr(compose, "NUMBERS_AT_A_TIME", 4)
    _agenda()
    packet = project / "build" / "m" / "m.pdf"
    pages = boxes(packet)
    assert len(pages) % 4  # a full lot of numbers and one that is not
    stamp = re.compile(r"Socialnämnden 2024-03-19 · sida (\d+) av (\d+)")
    for number, page in enumerate(pages, start=1):
        line = " ".join(w for *_, w in page)
        assert stamp.findall(line) == [(str(number), str(len(pages)))], number
    cache = project / "build" / ".utlatande-cache"
    lots = sorted(p.name for p in cache.glob("*-sidnummer-*.pdf"))
    assert len(lots) == -(-len(pages) // 4) >= 2
    # The same number of pages: every lot of numbers comes from the cache.
    _write(project, 2, "En annan sammanfattning.")
    _agenda()
    assert sorted(p.name for p in cache.glob("*-sidnummer-*.pdf")) == lots
    assert _files(project / "build" / "m") == _files_of_clean_build(project)


def test_an_answer_checked_anew_does_not_read_the_brand_again(project, monkeypatch):
    """The brand's problems are kept with the checks: reading `_brand.yml` (and loading its
    reader) is left to the process that lays the statement out, unless the brand changes."""
    from utlatande import brand, theme

    read: list[Path] = []
    real = brand.read_brand

    def counted(folders, project_):
        read.append(folders[0])
        return real(folders, project_)

    monkeypatch.setattr(brand, "read_brand", counted)
    _agenda()
    assert read  # the first build reads it
    read.clear()
    _write(project, 2, "En annan sammanfattning.")
    # Laid out by the spare worker (which reads the brand in its own process): this one
    # reads it only if its check does.
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(theme, "_CACHE", {})  # profiles loaded anew, as in a new command
    built = _agenda()
    assert _names(built) == ["a2.yaml"]
    assert read == []
    read.clear()
    brand_file = project / "templates" / "stockholm" / "_brand.yml"
    brand_file.write_text(brand_file.read_text(encoding="utf-8") + "\n# ändrad\n",
                          encoding="utf-8")
    _write(project, 3, "Ändrad igen.")
    monkeypatch.setattr(theme, "_CACHE", {})
    built = _agenda()
    assert _names(built) == ["a1.yaml", "a2.yaml", "a3.yaml"]  # a new profile: all anew
    assert read  # and the changed brand is read again


def test_only_the_changed_pages_are_read_for_where_their_numbers_go(project, monkeypatch):
    import sys

    packet = sys.modules["utlatande.agenda.packet"]
    read: list[int] = []
    real = packet._page_text

    def counted(page):
        read.append(1)
        return real(page)

    monkeypatch.setattr(packet, "_page_text", counted)
    _agenda()
    total = len(pypdf.PdfReader(project / "build" / "m" / "m.pdf").pages)
    assert len(read) == total
    read.clear()
    _write(project, 2, "En annan sammanfattning.")
    _agenda()
    changed = len(pypdf.PdfReader(project / "build" / "m" / "02-utlatande-2.pdf").pages)
    assert len(read) == changed
    # And the packet is a clean build's, which reads every page.
    read.clear()
    assert _files(project / "build" / "m") == _files_of_clean_build(project)
    assert len(read) == total


def _brand_reads(monkeypatch, log: Path) -> None:
    """Every reading of a `_brand.yml` chain, in this process or a worker forked from it,
    is logged to a file."""
    from utlatande import brand

    real = brand.read_brand

    def logged(folders, project_):
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {folders[0].name}\n")
        return real(folders, project_)

    monkeypatch.setattr(brand, "read_brand", logged)


def test_a_changed_statement_is_laid_out_with_the_kept_brand(project, monkeypatch, tmp_path):
    """The worker that lays out a changed statement is sent the brand the agenda kept: no
    process reads `_brand.yml` again, and the packet is a clean build's."""
    from utlatande import theme

    log = tmp_path / "brand.log"
    _brand_reads(monkeypatch, log)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # the spare worker, on any machine
    _agenda()
    assert log.read_text(encoding="utf-8")  # the first build reads it
    log.write_text("", encoding="utf-8")
    _write(project, 2, "En annan sammanfattning.")
    monkeypatch.setattr(theme, "_CACHE", {})  # profiles loaded anew, as in a new command
    built = _agenda()
    assert _names(built) == ["a2.yaml"]
    assert log.read_text(encoding="utf-8") == ""
    monkeypatch.setattr(theme, "_CACHE", {})
    assert _files(project / "build" / "m") == _files_of_clean_build(project)


def test_a_kept_brand_whose_logo_outside_the_profile_changed_is_read_again(
        project, monkeypatch, tmp_path):
    """A logo may lie anywhere in the project: the brand is kept with its files' contents,
    and a changed logo is read, and printed, anew."""
    from utlatande import theme

    (project / "grafik").mkdir()
    logo = project / "grafik" / "logga.svg"
    shutil.copy(project / "templates" / "stockholm" / "logga.svg", logo)
    brand_file = project / "templates" / "stockholm" / "_brand.yml"
    brand_file.write_text(brand_file.read_text(encoding="utf-8").replace(
        "logga: logga.svg", "logga: ../../grafik/logga.svg").replace(
        "path: logga.svg", "path: ../../grafik/logga.svg"), encoding="utf-8")
    log = tmp_path / "brand.log"
    _brand_reads(monkeypatch, log)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    _agenda()
    log.write_text("", encoding="utf-8")
    logo.write_text(logo.read_text(encoding="utf-8").replace("#", "#0"), encoding="utf-8")
    monkeypatch.setattr(theme, "_CACHE", {})
    built = _agenda()
    assert _names(built) == ["a1.yaml", "a2.yaml", "a3.yaml"]
    assert log.read_text(encoding="utf-8")  # the changed logo's brand is read again
    monkeypatch.setattr(theme, "_CACHE", {})
    assert _files(project / "build" / "m") == _files_of_clean_build(project)


def test_a_statement_laid_out_after_the_warm_up_is_the_same_bytes(project):
    """The spare worker lays out a line before its statement comes (pipeline.warm_layout):
    what that leaves behind in WeasyPrint changes no byte of the statement."""
    import hashlib
    import subprocess
    import sys

    code = ("import hashlib, sys\nfrom pathlib import Path\nfrom utlatande import pipeline\n"
            "if sys.argv[1] == 'varm':\n    pipeline.warm_layout()\n"
            "checked = pipeline.check(Path('answers/a1.yaml'), Path.cwd())\n"
            "print(hashlib.sha256(pipeline.statement_pdf(checked, Path.cwd())).hexdigest())\n")
    digests = {how: subprocess.run([sys.executable, "-c", code, how], capture_output=True,
                                   text=True, check=True, cwd=project).stdout.strip()
               for how in ("kall", "varm")}
    assert len(digests["kall"]) == len(hashlib.sha256().hexdigest())
    assert digests["kall"] == digests["varm"]


def test_a_file_saved_during_the_build_is_named_and_the_agenda_is_built_again(
        project, monkeypatch):
    """An appendix saved while the agenda is written may not be the one in the packet: the
    build says so, and the next run builds again instead of calling it unchanged."""
    import utlatande.agenda as agenda

    appendix = project / "moten" / "bilagor" / "delegationslista.pdf"
    real = agenda._docx

    def docx_while_saved(*args):
        with appendix.open("ab") as handle:
            handle.write(b"\n% sparad igen\n")
        return real(*args)

    monkeypatch.setattr(agenda, "_docx", docx_while_saved)
    runner = CliRunner()
    first = runner.invoke(main, ["agenda", "moten/m.yaml"])
    assert first.exit_code == 0, first.output
    assert ("moten/bilagor/delegationslista.pdf:1:1: varning: filen ändrades medan "
            "kallelsen byggdes; kallelsen byggs om nästa gång [kallelse.ändrad]") \
        in first.output
    # make's target is older than the file, so `make agenda` builds it again as well.
    index = project / "build" / "m" / "index.html"
    assert index.stat().st_mtime_ns < appendix.stat().st_mtime_ns
    monkeypatch.setattr(agenda, "_docx", real)
    second = runner.invoke(main, ["agenda", "moten/m.yaml"])
    assert second.exit_code == 0, second.output
    assert "oförändrad" not in second.output
    assert "varning" not in second.output
    assert "oförändrad" in runner.invoke(main, ["agenda", "moten/m.yaml"]).output


def test_the_other_files_are_read_while_a_changed_statement_is_laid_out(project,
                                                                         monkeypatch):
    from utlatande.agenda.compose import Ahead

    if (os.cpu_count() or 1) < 2:
        pytest.skip("the spare worker needs two cores")
    _agenda()
    _write(project, 2, "En annan sammanfattning.")
    read, taken = [], []
    original_read = Ahead.read

    def spy_read(self, parts, pending):
        read.append(len(pending))
        original_read(self, parts, pending)
        taken.append(len(self.surveyed))

    monkeypatch.setattr(Ahead, "read", spy_read)
    changed = _agenda()
    assert _names(changed) == ["a2.yaml"]
    # Two statements and the appendix meanwhile; the statement laid out when merged.
    assert read == [1] and taken == [3]
    after = _files(project / "build" / "m")
    monkeypatch.setattr(Ahead, "read", original_read)
    assert _files_of_clean_build(project) == after


def _spy_on_the_spare(monkeypatch) -> list[str]:
    """What happens, in order: each answer checked ('kontroll a2.yaml'), each call the
    spare worker is handed ('till reserven a2.yaml') and each result taken from it ('från
    reserven')."""
    from utlatande.agenda import checks
    from utlatande.pool import Spare

    events: list[str] = []
    check, submit, result = checks.Checker.__call__, Spare.submit, Spare.result

    def spy_check(self, path, project):
        events.append(f"kontroll {path.name}")
        return check(self, path, project)

    def spy_submit(self, function, *args):
        events.append(f"till reserven {args[0].name}")
        return submit(self, function, *args)

    def spy_result(self):
        events.append("från reserven")
        return result(self)

    monkeypatch.setattr(checks.Checker, "__call__", spy_check)
    monkeypatch.setattr(Spare, "submit", spy_submit)
    monkeypatch.setattr(Spare, "result", spy_result)
    return events


def test_a_changed_answer_goes_to_the_spare_as_soon_as_it_is_checked(project, monkeypatch):
    """The one answer that changed is laid out while the answers after it are loaded."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("the spare worker needs two cores")
    _agenda()
    _write(project, 2, "En annan sammanfattning.")
    events = _spy_on_the_spare(monkeypatch)
    changed = _agenda()
    assert _names(changed) == ["a2.yaml"]
    assert events == ["kontroll a1.yaml", "kontroll a2.yaml", "till reserven a2.yaml",
                      "kontroll a3.yaml", "från reserven"]
    assert _files(project / "build" / "m") == _files_of_clean_build(project)


def test_a_statement_handed_over_early_is_let_go_when_more_changed(project, monkeypatch):
    """Two answers changed: the first, handed to the spare as it was checked, is not the
    one statement to lay out; the spare is ended and both are laid out by the pool."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("the spare worker needs two cores")
    _agenda()
    _write(project, 2, "En annan sammanfattning.")
    _write(project, 3, "En tredje sammanfattning.")
    events = _spy_on_the_spare(monkeypatch)
    changed = _agenda()
    assert _names(changed) == ["a2.yaml", "a3.yaml"]
    assert events == ["kontroll a1.yaml", "kontroll a2.yaml", "till reserven a2.yaml",
                      "kontroll a3.yaml"]  # and no result taken from the spare
    assert _files(project / "build" / "m") == _files_of_clean_build(project)


def test_a_statement_handed_over_early_is_let_go_when_its_appendix_changes_meanwhile(
        project, monkeypatch):
    """The statement's appendix is replaced after the changed answer went to the spare:
    the statement laid out there ends with the older appendix. It is let go, and the
    packet is the one a clean build of the files as they are now gives."""
    import pikepdf

    import utlatande.agenda as agenda

    if (os.cpu_count() or 1) < 2:
        pytest.skip("the spare worker needs two cores")
    appendix = project / "answers" / "bilaga.pdf"
    shutil.copy(project / "moten" / "bilagor" / "delegationslista.pdf", appendix)
    with_appendix = "bilagor:\n  - {titel: Lista, fil: bilaga.pdf}\n"
    _write(project, 2, "Sammanfattning nummer 2.\n" + with_appendix)
    _agenda()
    _write(project, 2, "En annan sammanfattning.\n" + with_appendix)
    events = _spy_on_the_spare(monkeypatch)
    real = agenda.lay_out_early

    def then_replaced(ws, checked, offentlig):
        real(ws, checked, offentlig)
        assert ws.spare._connection.poll(60)  # laid out, with the appendix as it was
        with pikepdf.new() as pdf:
            pdf.add_blank_page(page_size=(300, 400))
            pdf.add_blank_page(page_size=(300, 400))
            pdf.save(appendix)

    monkeypatch.setattr(agenda, "lay_out_early", then_replaced)
    changed = _agenda()
    assert _names(changed) == ["a2.yaml"]
    assert events.count("till reserven a2.yaml") == 1 and "från reserven" not in events
    after = _files(project / "build" / "m")
    monkeypatch.setattr(agenda, "lay_out_early", real)
    assert _files_of_clean_build(project) == after
    assert len(pypdf.PdfReader(project / "build" / "m" / "02-utlatande-2.pdf").pages) \
        == len(pypdf.PdfReader(project / "ren" / "m" / "02-utlatande-2.pdf").pages)


def test_a_secret_answer_is_not_handed_to_the_spare_for_the_public_version(project,
                                                                         monkeypatch):
    if (os.cpu_count() or 1) < 2:
        pytest.skip("the spare worker needs two cores")
    secret = (project / "answers" / "a2.yaml")
    secret.write_text(secret.read_text(encoding="utf-8")
                      + 'sekretess: {grund: "OSL 26 kap. 1 §"}\n', encoding="utf-8")
    api.build_agenda(Path("moten/m.yaml"), Path("build"), offentlig=True)
    secret.write_text(secret.read_text(encoding="utf-8").replace("nummer 2", "nummer två"),
                      encoding="utf-8")
    events = _spy_on_the_spare(monkeypatch)
    built = api.build_agenda(Path("moten/m.yaml"), Path("build"), offentlig=True)
    assert built.rendered == []
    assert not [e for e in events if e.startswith("till reserven")]


def test_a_plain_items_own_pdf_comes_from_the_cache_until_its_appendix_changes(
        project, monkeypatch):
    from utlatande.pdfmerge import TaggedMerge

    _agenda()
    first = _files(project / "build" / "m")
    saved: list[object] = []
    original = TaggedMerge.save

    def spy(self, path, meta=None):
        saved.append(path)
        original(self, path, meta)

    monkeypatch.setattr(TaggedMerge, "save", spy)
    _write(project, 2, "En annan sammanfattning.")
    _agenda()
    assert [Path(p).name for p in saved] == ["paket.pdf"]  # the plain item's from the cache
    after = _files(project / "build" / "m")
    assert after["04-anmalan-av-delegationsbeslut.pdf"] \
        == first["04-anmalan-av-delegationsbeslut.pdf"]
    # Another appendix: merged again.
    appendix = project / "moten" / "bilagor" / "delegationslista.pdf"
    with pypdf.PdfWriter(clone_from=appendix) as writer:
        writer.add_blank_page(595, 842)
        writer.write(appendix)
    saved.clear()
    _agenda()
    assert sorted(Path(p).name for p in saved) == ["arende-4-med-bilagor.pdf", "paket.pdf"]
    assert _files(project / "build" / "m") == _files_of_clean_build(project)


def _files_of_clean_build(project: Path) -> dict[str, bytes]:
    _agenda("ren")
    return _files(project / "ren" / "m")
