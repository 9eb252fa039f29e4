"""Bad input: one clear Swedish message per problem, with file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from utlatande.pipeline import check

from conftest import own_profile

GOOD = """mall: tjänsteutlåtande
datum: 2024-03-19
rubrik: Ett utlåtande
"""


def _problems(tmp_path: Path, text: str, name: str = "x.yaml") -> list[str]:
    answers = tmp_path / "answers"
    answers.mkdir(exist_ok=True)
    path = answers / name
    path.write_text(text, encoding="utf-8")
    result = check(path, tmp_path)
    return [str(p) for p in result.problems]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_a_good_answer_has_no_problems(tmp_path):
    assert _problems(tmp_path, GOOD) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("mall: tjänsteutlåtande\n\trubrik: x\n",
     "answers/x.yaml:2:1: fel: tabbtecken får inte användas för indrag i YAML; använd "
     "mellanslag [yaml.tabb]"),
    ('mall: tjänsteutlåtande\nrubrik: "Ett utlåtande\n',
     "answers/x.yaml:2:9: fel: citattecknet som börjar här stängs aldrig; avsluta texten med "
     "samma citattecken som den började med [yaml.citat]"),
    (GOOD + "rubrik: Igen\n",
     "answers/x.yaml:4:1: fel: nyckeln 'rubrik' finns redan på rad 3; ta bort den ena "
     "[yaml.dubblett]"),
    ("", "answers/x.yaml:1:1: fel: filen är tom; en svarsfil börjar med 'mall:' och 'rubrik:' "
     "[fil.tom]"),
    ("- en lista\n", "answers/x.yaml:1:1: fel: en svarsfil ska vara en tabell med nycklar "
     "(mall:, rubrik: …), inte en lista [fil.inte_tabell]"),
    (GOOD + "sammanfatning: text\n",
     "answers/x.yaml:4:1: fel: okänd nyckel 'sammanfatning'; menade du 'sammanfattning'? "
     "[schema.okänd_nyckel]"),
    (GOOD + "handläggare: Sofia Linder\n",
     "answers/x.yaml:4:14: fel: 'handläggare' ska vara en lista av personer (- namn: …), inte "
     "texten 'Sofia Linder' [schema.typ]"),
    (GOOD.replace("2024-03-19", "2024-13-45"),
     "answers/x.yaml:2:8: fel: 'datum': '2024-13-45' är inget giltigt datum; skriv ÅÅÅÅ-MM-DD, "
     "till exempel 2024-03-19 [schema.datum]"),
    (GOOD.replace("2024-03-19", "igår"),
     "answers/x.yaml:2:8: fel: 'datum': 'igår' är inget giltigt datum; skriv ÅÅÅÅ-MM-DD, till "
     "exempel 2024-03-19 [schema.datum]"),
    (GOOD.replace("tjänsteutlåtande", "tjänsteutlåtnde"),
     "answers/x.yaml:1:7: fel: okänd mall 'tjänsteutlåtnde'; menade du 'tjänsteutlåtande'? "
     "kända mallar: frågesvar, rapport, tjänsteskrivelse, tjänsteutlåtande [schema.mall]"),
    ("mall: tjänsteutlåtande\ndatum: 2024-03-19\n",
     "answers/x.yaml:1:1: fel: nyckeln 'rubrik' saknas i filen [schema.saknas]"),
    (GOOD + "handläggare:\n  - {namn: Sofia, telefon: 850801682}\n",
     "answers/x.yaml:5:28: fel: 'telefon' ska vara en text, inte talet 850801682; sätt värdet "
     "inom citattecken [schema.typ]"),
    (GOOD + "attestering:\n  - {namn: Sofia}\n",
     "answers/x.yaml:5:5: fel: nyckeln 'datum' saknas under 'attestering' [schema.saknas]"),
    (GOOD + "profil: göteborg\n",
     "answers/x.yaml:4:9: fel: okänd profil 'göteborg'; kända profiler: neutral "
     "[schema.profil]"),
    (GOOD + "rubriker: {sammanfatning: Sammanfattning av ärendet}\n",
     "answers/x.yaml:4:12: fel: okänd nyckel 'sammanfatning'; menade du 'sammanfattning'? "
     "[schema.okänd_nyckel]"),
    (GOOD + "x: !!python/object:os.system ls\n",
     "answers/x.yaml:4:4: fel: YAML-taggen tag:yaml.org,2002:python/object:os.system är inte "
     "tillåten i en svarsfil; ta bort den [yaml.tagg]"),
])
def test_bad_input_gives_one_exact_message(tmp_path, text, expected):
    assert _problems(tmp_path, text) == [expected]


def test_every_problem_is_reported_at_once(tmp_path):
    problems = _problems(tmp_path, "mall: tjänsteutlåtande\ndatum: igår\nsammanfatning: x\n"
                         "handläggare: Sofia\n")
    assert [p.split(": fel: ")[0] for p in problems] == [
        "answers/x.yaml:1:1", "answers/x.yaml:2:8", "answers/x.yaml:3:1", "answers/x.yaml:4:14"]


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    problems = _problems(tmp_path, GOOD + "\n".join(lines) + "\n")
    assert any("[yaml.för_stor]" in p for p in problems)


def test_not_utf8_is_a_clear_error(tmp_path):
    path = tmp_path / "answers"
    path.mkdir()
    (path / "x.yaml").write_bytes(GOOD.replace("Ett", "Ett \xe5").encode("latin-1"))
    problems = [str(p) for p in check(path / "x.yaml", tmp_path).problems]
    assert problems == ["answers/x.yaml:1:9: fel: filen är inte sparad som UTF-8; spara om den "
                        "med teckenkodningen UTF-8 [fil.kodning]"]


def test_missing_file(tmp_path):
    problems = [str(p) for p in check(tmp_path / "answers" / "nej.yaml", tmp_path).problems]
    assert problems == ["answers/nej.yaml:1:1: fel: filen finns inte [fil.saknas]"]


@pytest.mark.parametrize(("fil", "code"), [
    ("saknas.pdf", "bilaga.saknas"), ("../../utanför.pdf", "bilaga.utanför"),
    ("text.pdf", "bilaga.inte_pdf")])
def test_bad_appendix_files(tmp_path, fil, code):
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "text.pdf").write_text("inte en pdf", encoding="utf-8")
    problems = _problems(tmp_path, GOOD + f"bilagor:\n  - {{titel: Bilagan, fil: {fil}}}\n")
    assert len(problems) == 1
    assert problems[0].startswith(f"answers/x.yaml:5:27: fel: bilagan '{fil}'")
    assert problems[0].endswith(f"[{code}]")


PERSONNUMMER = "811218-9876"  # a valid check digit (Skatteverket's example number)


def test_personnummer_without_sekretess_is_a_warning(tmp_path):
    text = GOOD + f"sammanfattning: |\n  Den enskilde, {PERSONNUMMER}, har ansökt.\n"
    assert _problems(tmp_path, text) == [
        "answers/x.yaml:5:17: varning: personnummer 811218-**** i ett dokument utan "
        "'sekretess'; ta bort det, eller markera dokumentet med sekretess: {grund: …} om det "
        "inte får publiceras [sekretess.personnummer]"]


def test_personnummer_with_sekretess_is_fine_and_bad_check_digit_is_no_personnummer(tmp_path):
    secret = GOOD + 'sekretess: {grund: "OSL 26 kap. 1 §"}\n' + \
        f"sammanfattning: Den enskilde, {PERSONNUMMER}, har ansökt.\n"
    assert _problems(tmp_path, secret) == []
    wrong = GOOD + "sammanfattning: Ärende 811218-9875 och telefon 08-508 251 64.\n"
    assert _problems(tmp_path, wrong) == []


def test_approval_warnings(tmp_path):
    text = GOOD + ("handläggare:\n  - {namn: Sofia Linder}\nattestering:\n"
                   "  - {namn: Sofia Linder, datum: 2024-03-20}\n")
    assert _problems(tmp_path, text) == [
        "answers/x.yaml:7:12: varning: Sofia Linder är både handläggare och attesterar; "
        "attesteringen bör göras av någon annan [attestering.jäv]",
        "answers/x.yaml:7:33: varning: attesteringen 2024-03-20 är senare än utlåtandets "
        "datum 2024-03-19 [attestering.datum]"]


def test_control_characters_are_dropped_with_a_warning(tmp_path):
    text = GOOD.replace("rubrik: Ett utlåtande", 'rubrik: "Ett\\u0007 utlåtande"')
    problems = _problems(tmp_path, text)
    assert problems == ["answers/x.yaml:3:9: varning: styrtecken (U+0007) kan inte skrivas ut "
                        "och tas bort [text.styrtecken]"]
    result = check(tmp_path / "answers" / "x.yaml", tmp_path)
    assert result.ok and result.answer.rubrik == "Ett utlåtande"


def test_a_folded_text_has_no_control_characters(tmp_path):
    """'>' folds lines into one: no warning, and the text as YAML reads it."""
    text = GOOD + "sammanfattning: >\n  Första raden\n  och den andra.\n\n  Nytt stycke.\n"
    assert _problems(tmp_path, text) == []
    result = check(tmp_path / "answers" / "x.yaml", tmp_path)
    assert result.answer.sammanfattning == "Första raden och den andra.\nNytt stycke.\n"


def test_raw_control_character_in_the_file_is_an_error(tmp_path):
    assert _problems(tmp_path, GOOD + "sammanfattning: a\x01b\n") == [
        "answers/x.yaml:4:18: fel: otillåtet tecken U+0001 i filen; ta bort det [yaml.tecken]"]


def test_check_strict_makes_warnings_errors(tmp_path):
    from click.testing import CliRunner

    from utlatande.cli import main

    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "x.yaml").write_text(
        GOOD + f"sammanfattning: {PERSONNUMMER}\n", encoding="utf-8")
    plain = CliRunner().invoke(main, ["check"])
    assert plain.exit_code == 0 and "varning: personnummer" in plain.output
    strict = CliRunner().invoke(main, ["check", "--strict"])
    assert strict.exit_code == 1


def test_a_broken_profile_template_is_an_error_at_its_line(tmp_path):
    from utlatande.pipeline import build

    own_profile(tmp_path, "{{ a.finns_inte.alls }}")
    path = tmp_path / "answers" / "x.yaml"
    path.parent.mkdir()
    path.write_text(GOOD + "profil: egen\n", encoding="utf-8")
    result = build(path, tmp_path / "build", ("html",), tmp_path)
    assert [str(p).split(": fel:")[0] for p in result.problems] == [
        "templates/egen/mallar/tjänsteutlåtande.html.j2:3:1"]
    assert result.problems[0].code == "mall.fel"
    own_profile(tmp_path, "<video>x</video>")
    from utlatande import theme as theme_module

    theme_module.clear_cache()
    result = build(path, tmp_path / "build", ("docx",), tmp_path)
    assert [p.code for p in result.problems] == ["mall.element"]
    assert "<video>" in result.problems[0].message
    assert not (tmp_path / "build").exists()
