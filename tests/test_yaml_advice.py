"""YAML mistakes a new handläggare makes: each message at the line to change, with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from utlatande.cli import main
from utlatande.pipeline import check

GOOD = """mall: tjänsteutlåtande
datum: 2024-03-19
rubrik: Ett utlåtande
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _problems(tmp_path: Path, text: str) -> list[str]:
    answers = tmp_path / "answers"
    answers.mkdir(exist_ok=True)
    path = answers / "x.yaml"
    path.write_text(text, encoding="utf-8")
    return [str(p) for p in check(path, tmp_path).problems]


OFFICER = "handläggare:\n  - namn: Sofia Linder\n"


@pytest.mark.parametrize(("text", "expected"), [
    # 7: a straight opening quote closed by a typographic one, many lines before the end
    (GOOD + OFFICER + '    telefon: "0300-83 40 00”\n    epost: sofia@kommun.se\n'
     + "sammanfattning: |\n" + "  Text.\n" * 15,
     'answers/x.yaml:6:14: fel: texten börjar med det raka citattecknet " men slutar med det '
     "typografiska ”, så YAML letar efter slutet längre ned i filen; skriv raka citattecken "
     """i båda ändar: 'telefon: "0300-83 40 00"' [yaml.citat]"""),
    # 9: a list item with a colon in its running text
    (GOOD + "förslag_till_beslut:\n  - Kommunfullmäktige beslutar: att anse motionen "
     "besvarad\n",
     "answers/x.yaml:5:5: fel: texten innehåller kolon följt av mellanslag, så YAML läser den "
     "som nyckel: värde; sätt hela texten inom citattecken: '- \"Kommunfullmäktige beslutar: "
     "att anse motionen besvarad\"' [yaml.kolon]"),
    # 9: the same colon in a value
    ("mall: tjänsteutlåtande\ndatum: 2024-03-19\nrubrik: Svar: om bänkar\n",
     "answers/x.yaml:3:9: fel: texten innehåller kolon följt av mellanslag, som YAML läser som "
     "en ny nyckel; sätt hela texten inom citattecken: 'rubrik: \"Svar: om bänkar\"' "
     "[yaml.kolon]"),
    # 13: a forgotten '- ' before the second section
    (GOOD + "avsnitt:\n  - rubrik: Bakgrund\n    text: Hur det började.\n"
     "    rubrik: Beredning\n    text: Hur det bereddes.\n",
     "answers/x.yaml:7:5: fel: nyckeln 'rubrik' finns redan i samma punkt (rad 5); en ny punkt "
     "i listan 'avsnitt' börjar med '- ', så skriv raden så här: '  - rubrik: Beredning' "
     "[yaml.ny_punkt]"),
    # 13: a key indented one space too far
    (GOOD + OFFICER + "     titel: Utredare\n",
     "answers/x.yaml:6:6: fel: 'titel' är indragen längre än 'namn' på raden ovanför; nycklar "
     "på samma nivå ska börja i samma kolumn som 'namn' (kolumn 5) [yaml.indrag]"),
    # 8: typographic quotes around a whole value
    (GOOD + OFFICER + "    telefon: ”0300-83 40 00”\n",
     "answers/x.yaml:6:14: varning: texten står inom typografiska citattecken (”…”), som skrivs "
     "ut som de står; använd raka citattecken: 'telefon: \"0300-83 40 00\"' "
     "[yaml.typografiska_citattecken]"),
    # 12: a '#' in a title
    ("mall: tjänsteutlåtande\ndatum: 2024-03-19\nrubrik: Svar på medborgarförslag #12 om "
     "bänkar\n",
     "answers/x.yaml:3:34: varning: texten efter # räknas som kommentar och kommer inte med; "
     "sätt hela texten inom citattecken: 'rubrik: \"Svar på medborgarförslag #12 om bänkar\"' "
     "[yaml.kommentar]"),
    # 12: paragraphs without '|'
    (GOOD + "sammanfattning: Första stycket.\n\n  Andra stycket.\n",
     "answers/x.yaml:4:17: varning: texten har flera stycken men står utan |, så YAML slår ihop "
     "dem till ett; skriv | efter kolonet och texten indragen på raderna under "
     "[yaml.stycken]"),
])
def test_a_yaml_mistake_gets_advice_at_its_line(tmp_path, text, expected):
    assert _problems(tmp_path, text) == [expected]


def test_following_the_colon_advice_gives_a_valid_file(tmp_path):
    wrong = GOOD + "förslag_till_beslut:\n  - Kommunfullmäktige beslutar: att anse den besvarad\n"
    advice = _problems(tmp_path, wrong)[0]
    fixed_line = advice.split("citattecken: '")[1].split("' [")[0]
    assert _problems(tmp_path, GOOD + "förslag_till_beslut:\n  " + fixed_line + "\n") == []


def test_following_the_new_item_advice_keeps_both_sections(tmp_path):
    wrong = GOOD + "avsnitt:\n  - rubrik: A\n    text: Ett.\n    rubrik: B\n    text: Två.\n"
    advice = _problems(tmp_path, wrong)[0]
    fixed_line = advice.split("så här: '")[1].split("' [")[0]
    fixed = wrong.replace("    rubrik: B\n", fixed_line + "\n")
    assert _problems(tmp_path, fixed) == []
    from ruamel.yaml import YAML

    assert [s["rubrik"] for s in YAML(typ="safe").load(fixed)["avsnitt"]] == ["A", "B"]


def test_strict_check_refuses_a_title_cut_by_a_comment(tmp_path):
    _problems(tmp_path, "mall: tjänsteutlåtande\ndatum: 2024-03-19\nrubrik: Svar #12\n")
    runner = CliRunner()
    assert runner.invoke(main, ["check", "answers/x.yaml"]).exit_code == 0
    assert runner.invoke(main, ["check", "--strikt", "answers/x.yaml"]).exit_code == 1


def test_a_comment_after_a_name_a_quoted_value_or_a_date_is_no_warning(tmp_path):
    text = ("mall: tjänsteutlåtande  # dokumenttypen\ndatum: 2024-03-19  # idag\n"
            'rubrik: "Svar #12"  # numret står med\n')
    assert _problems(tmp_path, text) == []
