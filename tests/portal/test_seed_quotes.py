"""Issue 16: the clinical-safety tests quote the seed documents word for word.

A test of a pathway rule says which seed sentence it follows, in its docstring, as
`<seed file>.txt: "<the sentence>"`. These checks read every test module and the seed documents
(`../shared/seeds/`, beside the repository) and fail on a quote that is not in its document, so
a paraphrase cannot pass for the pathway's words. Whitespace is compared loosely (the documents
break lines mid-sentence); every other character must match, the documents' own typing included.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
QUOTE = re.compile(r"([\w-]+\.txt): \"(.+?)\"", re.DOTALL)

# Every numbered point of issue 16 has at least one test quoting its seed sentence.
ISSUE_16_ITEMS = range(1, 17)


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _docstrings() -> list[tuple[str, str]]:
    """(where, docstring) of every test function in tests/."""
    found = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                docstring = ast.get_docstring(node, clean=False)
                if docstring:
                    found.append((f"{path.relative_to(ROOT)}::{node.name}", docstring))
    return found


def _quotes() -> list[tuple[str, str, str]]:
    return [
        (where, document, quote)
        for where, docstring in _docstrings()
        for document, quote in QUOTE.findall(docstring)
    ]


needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed documents are not at {SEEDS}")


@needs_seeds
def test_every_seed_quote_in_a_test_docstring_is_in_its_document_word_for_word():
    documents = {path.name: _normalised(path.read_text(encoding="utf-8")) for path in SEEDS.glob("*.txt")}
    quotes = _quotes()
    assert quotes, "no test quotes a seed document"
    wrong = [
        f"{where}: {document}: {quote!r}"
        for where, document, quote in quotes
        if document not in documents or _normalised(quote) not in documents[document]
    ]
    assert not wrong, "Not in the seed document, word for word:\n" + "\n".join(wrong)


def test_every_numbered_point_of_issue_16_has_a_test_quoting_its_seed():
    items = set()
    for _where, docstring in _docstrings():
        if QUOTE.search(docstring):
            items.update(int(number) for number in re.findall(r"\bItems? (\d+)\b", docstring))
    missing = sorted(set(ISSUE_16_ITEMS) - items)
    assert not missing, f"issue 16 items without a test quoting the seed: {missing}"


@needs_seeds
def test_the_rule_modules_quote_the_seed_sentences_word_for_word():
    """The sentences the rules show users (refusals, reasons) are the documents' own."""
    from diagnostics import rules as diagnostics_rules
    from referrals import policy_rules
    from referrals import rules as referral_rules

    text = _normalised(" ".join(path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")))
    quoted = [
        referral_rules.LSS_MDT_RULE,
        referral_rules.URGENT_MDT_RULE,
        referral_rules.SARCOMA_MDT_ROLE,
        referral_rules.BONE_DEFAULT_RULE,
        referral_rules.CHILD_RULE,
        referral_rules.BONE_AT_LSS,
        policy_rules.MDT_BEFORE_TREATMENT_RULE,
        diagnostics_rules.PATHOLOGY_RULE,
    ]
    wrong = [sentence for sentence in quoted if _normalised(sentence).rstrip(".") not in text]
    assert not wrong, wrong


@needs_seeds
def test_the_network_choices_in_the_hazard_log_quote_the_seeds_word_for_word():
    """docs/clinical-safety.md, "The network's choices": the sentence each choice interprets is the
    document's own, so the SAG reviews the portal's reading against what the pathway says."""
    text = _normalised(" ".join(path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")))
    log = (ROOT / "docs" / "clinical-safety.md").read_text(encoding="utf-8")
    section = log.split("## The network's choices", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    quotes = [quote for row in rows[1:] for quote in re.findall(r'"(.+?)"', row.split(" | ")[1])]
    assert len(quotes) >= 10
    wrong = [quote for quote in quotes if _normalised(quote) not in text]
    assert not wrong, wrong
