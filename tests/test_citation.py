"""Table-driven tests of indexer.citation: APA citation lines of the PPRNet blog."""

import time

import pytest

from indexer.citation import Citation, looks_like_citation, parse_citation

FIRTH = (
    "Firth, N., Saxon, D., Stiles, W. B., & Barkham, M. (2019). Therapist and clinic "
    "effects in psychotherapy: A three-level model of outcome variability. Journal of "
    "Consulting and Clinical Psychology, 87(4), 345–356."
)
FIRTH_AUTHORS = ("Firth, N.", "Saxon, D.", "Stiles, W. B.", "Barkham, M.")
FIRTH_TITLE = "Therapist and clinic effects in psychotherapy: A three-level model of outcome variability"
JCCP = "Journal of Consulting and Clinical Psychology"

SUMMERS = (
    "Summers, E.M., Morris, R.C., Bhutani, G.E., Rao, A.S., & Clarke, J.C. (2020). A survey "
    "of psychological practitioner workplace well-being. Clinical Psychology and "
    "Psychotherapy. Online first publication: https://doi.org/10.1002/cpp.2509"
)
BRUGNERA = (
    "Brugnera, A., Zarbo, C., Compare, A., Talia, A., Tasca, G.A., … & Lo Coco, G. (2020). "
    "Self-reported reflective functioning mediates the association between attachment "
    "insecurity and well-being among psychotherapists, Psychotherapy Research, "
    "https://doi.org/10.1080/10503307.2020.1762946."
)
ENSINK = (
    "Ensink, K., Maheux, J., Normandin, L., Sabourin, S., … & Parent, K. (2013). The impact "
    "of mentalization training on the reflective function of novice therapists: A "
    "randomized controlled trial, Psychotherapy Research, 23, 526-538, DOI: "
    "10.1080/10503307.2013.800950"
)
HIEBLER = (
    "Hiebler-Rager, M., Nausner, L., Blaha, A., Grimmer, K., Korlath, S., Mernyi, M., & "
    "Unterrainer, H.F. (2020). The supervisory relationship from an attachment perspective: "
    "Connections to burnout and sense of coherence in health professionals. Clinical "
    "Psychology and Psychotherapy, Online First Publication: https://doi.org/10.1002/cpp.2494."
)
LAMBERT = (
    "Lambert, M. J. (2013). The efficacy and effectiveness of psychotherapy. In M. J. Lambert "
    "(Ed.), Bergin and Garfield's handbook of psychotherapy and behavior change (6th ed., "
    "pp. 169-218). Wiley."
)
WERBART = (
    "Andrzej Werbart & Mo Wang (2012). Predictors of not starting and dropping out from "
    "psychotherapy in Swedish public service settings. Nordic Psychology, 64(2), 128–146."
)
UNPARSED_FIELDS = dict(
    authors=(), article_title=None, journal=None, volume=None, issue=None, pages=None,
    kind="unparsed",
)

PARSE_CASES = [
    # 1. The common form: volume(issue), en-dash page range, final period.
    (FIRTH, dict(
        authors=FIRTH_AUTHORS, year=2019, article_title=FIRTH_TITLE, journal=JCCP,
        volume="87", issue="4", pages="345–356", doi=None, kind="article",
    )),
    # 2. Unspaced initials "E.M."; no volume; "Online first publication:" then a DOI URL.
    (SUMMERS, dict(
        authors=("Summers, E. M.", "Morris, R. C.", "Bhutani, G. E.", "Rao, A. S.", "Clarke, J. C."),
        year=2020, article_title="A survey of psychological practitioner workplace well-being",
        journal="Clinical Psychology and Psychotherapy", volume=None, issue=None, pages=None,
        doi="10.1002/cpp.2509", kind="article",
    )),
    # 3. "…" in the author list; commas instead of periods around the journal; DOI ends in ".".
    (BRUGNERA, dict(
        authors=("Brugnera, A.", "Zarbo, C.", "Compare, A.", "Talia, A.", "Tasca, G. A.", "Lo Coco, G."),
        year=2020,
        article_title=(
            "Self-reported reflective functioning mediates the association between "
            "attachment insecurity and well-being among psychotherapists"
        ),
        journal="Psychotherapy Research", volume=None, issue=None, pages=None,
        doi="10.1080/10503307.2020.1762946", kind="article",
    )),
    # 4. Comma form with volume, hyphen pages and "DOI:" label; no final period.
    (ENSINK, dict(
        authors=("Ensink, K.", "Maheux, J.", "Normandin, L.", "Sabourin, S.", "Parent, K."),
        year=2013,
        article_title=(
            "The impact of mentalization training on the reflective function of novice "
            "therapists: A randomized controlled trial"
        ),
        journal="Psychotherapy Research", volume="23", issue=None, pages="526–538",
        doi="10.1080/10503307.2013.800950", kind="article",
    )),
    # 5. Hyphenated surname; ", Online First Publication:" after the journal.
    (HIEBLER, dict(
        authors=(
            "Hiebler-Rager, M.", "Nausner, L.", "Blaha, A.", "Grimmer, K.", "Korlath, S.",
            "Mernyi, M.", "Unterrainer, H. F.",
        ),
        year=2020,
        article_title=(
            "The supervisory relationship from an attachment perspective: Connections to "
            "burnout and sense of coherence in health professionals"
        ),
        journal="Clinical Psychology and Psychotherapy", volume=None, issue=None, pages=None,
        doi="10.1002/cpp.2494", kind="article",
    )),
    # 6. Book chapter with one editor "(Ed.)": journal holds the book title.
    (LAMBERT, dict(
        authors=("Lambert, M. J.",), year=2013,
        article_title="The efficacy and effectiveness of psychotherapy",
        journal="Bergin and Garfield's handbook of psychotherapy and behavior change",
        volume=None, issue=None, pages="169–218", doi=None, kind="chapter",
    )),
    # 6b. Book chapter with several editors "(Eds.)", a volume and a DOI.
    (
        "Eubanks, C. F., Muran, J. C., & Safran, J. D. (2019). Repairing alliance ruptures. "
        "In J. C. Norcross & M. J. Lambert (Eds.), Psychotherapy relationships that work "
        "(3rd ed., Vol. 1, pp. 549–579). Oxford University Press. "
        "https://doi.org/10.1093/med-psych/9780190843953.003.0016",
        dict(
            authors=("Eubanks, C. F.", "Muran, J. C.", "Safran, J. D."), year=2019,
            article_title="Repairing alliance ruptures",
            journal="Psychotherapy relationships that work", volume="1", issue=None,
            pages="549–579", doi="10.1093/med-psych/9780190843953.003.0016", kind="chapter",
        ),
    ),
    # 6c. Chapter whose title ends with "?" and editors without a page range.
    (
        "Stiles, W. B. (2021). Does responsiveness matter? In J. C. Watson & H. Wiseman (Eds.), "
        "The responsive psychotherapist. American Psychological Association.",
        dict(
            authors=("Stiles, W. B.",), article_title="Does responsiveness matter?",
            journal="The responsive psychotherapist", pages=None, kind="chapter",
        ),
    ),
    # 7a. "doi:" prefix without a space.
    (
        "Hill, C. E., & Knox, S. (2018). Therapist self-disclosure. Psychotherapy, 55(4), "
        "399–404. doi:10.1037/pst0000172",
        dict(journal="Psychotherapy", volume="55", issue="4", pages="399–404",
             doi="10.1037/pst0000172", kind="article"),
    ),
    # 7b. "http://dx.doi.org/" resolver address.
    (
        "Hill, C. E. (2018). Therapist self-disclosure. Psychotherapy, 55(4), 399-404. "
        "http://dx.doi.org/10.1037/pst0000172.",
        dict(article_title="Therapist self-disclosure", pages="399–404", doi="10.1037/pst0000172"),
    ),
    # 7c. "DOI 10..." label with neither colon nor URL, inside parentheses.
    (
        "Hill, C. E. (2018). Therapist self-disclosure. Psychotherapy, 55(4), 399-404 "
        "(DOI 10.1037/pst0000172)",
        dict(pages="399–404", doi="10.1037/pst0000172"),
    ),
    # 8a. Article number instead of pages.
    (
        "Müller, T., & Støre, A. (2020). Online therapy in Norway. PLOS ONE, 15(3), e0229876.",
        dict(authors=("Müller, T.", "Støre, A."), journal="PLOS ONE", volume="15",
             issue="3", pages="e0229876", kind="article"),
    ),
    # 8b. "Article 102345" label before the article number.
    (
        "Lutz, W. (2021). Outcome feedback. Clinical Psychology Review, 84, Article 101976.",
        dict(journal="Clinical Psychology Review", volume="84", issue=None, pages="101976"),
    ),
    # 8c. Double issue "4-5" is kept as printed.
    (
        "Barkham, M. (2017). Practice-based evidence. Psychotherapy Research, 27(4-5), 400-410.",
        dict(volume="27", issue="4-5", pages="400–410"),
    ),
    # 8d. Supplement issue.
    (
        "Barkham, M. (2017). Practice-based evidence. Psychotherapy Research, 27(Suppl 1), S12-S18.",
        dict(volume="27", issue="Suppl 1", pages="S12–S18"),
    ),
    # 8e. "Advance online publication." between the journal and the DOI.
    (
        "Tasca, G. A. (2021). Attachment and group therapy. Psychotherapy. Advance online "
        "publication. https://doi.org/10.1037/pst0000374",
        dict(article_title="Attachment and group therapy", journal="Psychotherapy",
             volume=None, doi="10.1037/pst0000374", kind="article"),
    ),
    # 8f. Year with a month.
    (
        "Norcross, J. C. (2021, March). Psychotherapist self-care. The Clinical Psychologist, 74(1), 5-9.",
        dict(year=2021, article_title="Psychotherapist self-care",
             journal="The Clinical Psychologist", pages="5–9"),
    ),
    # 8g. "(in press)" has no year.
    (
        "Lo Coco, G., & Tasca, G. A. (in press). Group cohesion. Psychotherapy Research.",
        dict(authors=("Lo Coco, G.", "Tasca, G. A."), year=None, article_title="Group cohesion",
             journal="Psychotherapy Research", kind="article"),
    ),
    # 9a. A title ending with "?" keeps it and still splits from the journal.
    (
        "Smith, J. (2021). Does it work? Psychotherapy, 58(2), 1-10.",
        dict(article_title="Does it work?", journal="Psychotherapy", volume="58", issue="2",
             pages="1–10"),
    ),
    # 9b. Same with "!".
    (
        "Smith, J. (2021). Mind the gap! Psychotherapy Research, 31, 1-2.",
        dict(article_title="Mind the gap!", journal="Psychotherapy Research", volume="31"),
    ),
    # 10. Names written "Given Surname" before the year.
    (WERBART, dict(
        authors=("Werbart, A.", "Wang, M."), year=2012,
        article_title=(
            "Predictors of not starting and dropping out from psychotherapy in Swedish "
            "public service settings"
        ),
        journal="Nordic Psychology", volume="64", issue="2", pages="128–146", doi=None,
        kind="article",
    )),
    # Names-first with a middle initial, a hyphenated given name and a particle.
    (
        "William B. Stiles, Mary-Ann Jones and Kim de Jong (2015). Assimilation. "
        "Psychotherapy Research, 25, 1-2.",
        dict(authors=("Stiles, W. B.", "Jones, M.-A.", "de Jong, K."), year=2015),
    ),
    # Trailing period missing after the pages.
    (FIRTH.removesuffix("."), dict(journal=JCCP, volume="87", issue="4", pages="345–356")),
    # Double spaces everywhere, spaced hyphen in the pages.
    (
        "Firth,  N.,  &  Saxon, D.  (2019).  Therapist effects.  " + JCCP + ",  87(4),  345 - 356.",
        dict(authors=("Firth, N.", "Saxon, D."), article_title="Therapist effects",
             journal=JCCP, pages="345–356"),
    ),
    # Non-breaking spaces (as pasted from the web page) and a zero-width space.
    (
        FIRTH.replace(" ", "\u00a0", 12).replace("Journal", "\u200bJournal"),
        dict(authors=FIRTH_AUTHORS, year=2019, article_title=FIRTH_TITLE, journal=JCCP,
             pages="345–356"),
    ),
    # Em dash in the page range.
    (FIRTH.replace("345–356", "345—356"), dict(pages="345–356", kind="article")),
    # DOI with parentheses inside, from The Lancet.
    (
        "Horton, R. (2020). Offline: 2019-nCoV. The Lancet, 395(10223), 497–506. "
        "https://doi.org/10.1016/S0140-6736(20)30183-5",
        dict(article_title="Offline: 2019-nCoV", journal="The Lancet", volume="395",
             issue="10223", pages="497–506", doi="10.1016/S0140-6736(20)30183-5"),
    ),
    # Same DOI wrapped in parentheses: only the unbalanced ")" is dropped.
    (
        "Horton, R. (2020). Offline. The Lancet, 395. (doi:10.1016/S0140-6736(20)30183-5)",
        dict(doi="10.1016/S0140-6736(20)30183-5", volume="395"),
    ),
    # Single author; two authors joined by "and"; "..." three-dot ellipsis.
    (
        "Smith, J., and Jones, K. L. (2019). Short title. Psychotherapy, 56, 10.",
        dict(authors=("Smith, J.", "Jones, K. L."), pages="10"),
    ),
    (
        "Tasca, G.A., Compare, A., ... & Lo Coco, G. (2019). Short title. Psychotherapy, 56, 10.",
        dict(authors=("Tasca, G. A.", "Compare, A.", "Lo Coco, G.")),
    ),
    # Surnames with particles, apostrophes and hyphenated initials; misspelt names kept.
    (
        "Hill, C.-E., van der Zwan, R., O'Brien, K., De Jong, K., d'Elia, L., & Barkhamm, M. "
        "(2018). Title. Psychotherapy, 55, 1.",
        dict(authors=("Hill, C.-E.", "van der Zwan, R.", "O'Brien, K.", "De Jong, K.",
                      "d'Elia, L.", "Barkhamm, M.")),
    ),
    # "et al." and a "Jr." suffix in the author list.
    (
        "Wampold, B. E., Smith, J., Jr., et al. (2017). Title. Psychotherapy, 54, 1.",
        dict(authors=("Wampold, B. E.", "Smith, J., Jr.")),
    ),
    # A period inside "U.S." is not where the title ends.
    (
        "Olfson, M. (2016). Psychotherapy in the U.S. Population. Psychiatric Services, 67(1), 1-3.",
        dict(article_title="Psychotherapy in the U.S. Population", journal="Psychiatric Services"),
    ),
    # An organisation as author.
    (
        "American Psychological Association. (2017). Ethical principles of psychologists and "
        "code of conduct.",
        dict(authors=("American Psychological Association",), year=2017,
             article_title="Ethical principles of psychologists and code of conduct",
             journal=None, kind="article"),
    ),
    # Unparseable garbage.
    ("See the article online.", dict(UNPARSED_FIELDS, year=None, doi=None)),
    # Empty string.
    ("", dict(UNPARSED_FIELDS, year=None, doi=None)),
    # Garbage that still holds a DOI: the DOI is always found.
    ("Read it at https://doi.org/10.1037/pst0000172.", dict(UNPARSED_FIELDS, year=None,
                                                           doi="10.1037/pst0000172")),
    # Prose that mentions a study: unparsed, but its parenthesised year is kept.
    (
        "In this large survey of over 2100 American psychologists, Pierce and colleagues "
        "(2020) documented past use.",
        dict(UNPARSED_FIELDS, year=2020, doi=None),
    ),
    # An edited book ("(Ed.)" before the year) is a book by its editor.
    (
        "Lambert, M. J. (Ed.). (2013). Bergin and Garfield's handbook of psychotherapy and "
        "behavior change (6th ed.). Wiley.",
        dict(authors=("Lambert, M. J.",), year=2013,
             article_title="Bergin and Garfield's handbook of psychotherapy and behavior change",
             journal=None, volume=None, issue=None, pages=None, doi=None, kind="book"),
    ),
]


@pytest.mark.parametrize(("line", "expected"), PARSE_CASES, ids=[line[:50] for line, _ in PARSE_CASES])
def test_parse_citation(line, expected):
    citation = parse_citation(line)
    assert {field: getattr(citation, field) for field in expected} == expected


def test_parse_citation_returns_a_frozen_citation():
    citation = parse_citation(FIRTH)
    assert isinstance(citation, Citation)
    with pytest.raises(AttributeError):
        citation.year = 2000


@pytest.mark.parametrize("not_text", [None, 42, b"Firth, N. (2019). T. J, 1, 1."])
def test_parse_citation_never_raises_on_non_text(not_text):
    assert parse_citation(not_text).kind == "unparsed"
    assert looks_like_citation(not_text) is False


CITATION_PARAGRAPHS = [
    FIRTH,
    SUMMERS,
    BRUGNERA,
    ENSINK,
    HIEBLER,
    LAMBERT,
    WERBART,
    "Andrzej Werbart & Mo Wang (2012)",
    "Lo Coco, G., & Tasca, G. A. (in press). Group cohesion. Psychotherapy Research.",
    "Norcross, J. C. (2021, March). Psychotherapist self-care.",
    FIRTH.replace(" ", "\u00a0"),
]

PROSE_PARAGRAPHS = [
    "In this large survey of over 2100 American psychologists, Pierce and colleagues (2020) "
    "documented past use.",
    "Why Does Where a Patient Lives Affect Their Outcomes in Psychotherapy?",
    "The COVID-19 Telepsychology Revolution",
    "Practice Implications",
    "February 2021",
    "John Smith (2020) found that therapists vary in their effectiveness.",
    "Firth and colleagues (2019), who studied 26,000 patients, found clinic effects.",
    "Summers and colleagues conducted a large-scale survey of psychological practitioners.",
    "Before the pandemic, on average only 7.07% (SD = 14.86) of practices involved telepsychology.",
    "The American Psychological Association (2017) recommends informed consent.",
    "(2019). A title without authors. Psychotherapy, 56, 1.",
    "",
]


@pytest.mark.parametrize("paragraph", CITATION_PARAGRAPHS)
def test_looks_like_citation_accepts_citation_lines(paragraph):
    assert looks_like_citation(paragraph) is True


@pytest.mark.parametrize("paragraph", PROSE_PARAGRAPHS)
def test_looks_like_citation_rejects_prose_and_titles(paragraph):
    assert looks_like_citation(paragraph) is False


HUGE_LINES = [
    "a" * 100_000,
    "(" * 100_000,
    "." * 100_000,
    "Smith, J., " * 9_000,
    "Firth, N. (2019). " + "Title. " * 14_000,
    "Firth, N. (2019). " + "Title, " * 14_000 + "Journal, 1(2), 3-4.",
    "Firth, N. (2019). " + "x. In y (Eds.), " * 6_000,
    "Firth, N. (2019). Title. Journal. " + "https://a " * 10_000,
    "10.1000/" + "a(" * 50_000,
    "A " * 50_000 + "(2019).",
]


@pytest.mark.parametrize("line", HUGE_LINES, ids=range(len(HUGE_LINES)))
def test_huge_lines_are_handled_quickly(line):
    started = time.perf_counter()
    parse_citation(line)
    looks_like_citation(line)
    assert time.perf_counter() - started < 0.5
