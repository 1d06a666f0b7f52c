"""The post page, citation export (APA, BibTeX, RIS) and the Atom feed."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from bs4 import BeautifulSoup

FIRTH = "2020-08-why-does-where-a-patient-lives-affect"
SUPERVISION = "2020-09-supervision-in-psychotherapy-the-impact"
ATOM = "{http://www.w3.org/2005/Atom}"


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def seed(seed_posts, post_id):
    return next(p for p in seed_posts if p["id"] == post_id)


def test_post_page_content(client, seed_posts):
    expected = seed(seed_posts, SUPERVISION)
    page = soup(client.get(f"/posts/{SUPERVISION}"))
    assert page.h1.get_text() == expected["title"]
    assert "September 2020" in page.select_one("main").get_text()
    citation = page.select_one(".citation")
    assert expected["citation"] in citation.get_text()
    doi = citation.select_one('a[href="https://doi.org/10.1002/cpp.2494"]')
    assert doi is not None
    assert page.select_one(".summary").get_text(" ").split()[-3:] == expected["summary"].split()[-3:]
    implications = page.select_one(".implications")
    assert implications.h2.get_text() == "Practice implications"
    assert expected["implications"][:60] in implications.get_text()
    topic_links = {a.get_text(): a["href"] for a in page.select(".facts a.topic")}
    assert set(topic_links) == set(expected["topics"])
    assert topic_links["Training"] == "/search?topic=Training"
    assert "Survey" in page.select_one(".facts").get_text()
    assert "346" in page.select_one(".sample-size").get_text()
    assert page.select_one("a.original") is None  # the seed posts have no url


def test_post_page_related_lists(client, seed_posts):
    page = soup(client.get(f"/posts/{SUPERVISION}"))
    similar = page.select("#more-like-this a")
    assert 3 <= len(similar) <= 5
    assert all(a["href"].startswith("/posts/") and a["href"] != f"/posts/{SUPERVISION}" for a in similar)
    same_journal = [a.get_text() for a in page.select("#same-journal a")]
    expected = [p["title"] for p in seed_posts if p["journal"] == "Clinical Psychology and Psychotherapy" and p["id"] != SUPERVISION]
    assert same_journal == expected
    assert page.select_one("#same-author") is not None
    assert not page.select("#same-author a")  # no other posts by Hiebler-Rager


def test_post_without_citation(client):
    page = soup(client.get("/posts/2021-02-the-covid-19-telepsychology-revolution"))
    assert page.h1.get_text() == "The COVID-19 Telepsychology Revolution"
    assert page.select_one("#apa").get_text()
    assert client.get("/posts/2021-02-the-covid-19-telepsychology-revolution.bib").status_code == 200
    assert client.get("/posts/2021-02-the-covid-19-telepsychology-revolution.ris").status_code == 200


def test_citation_export_controls(client):
    page = soup(client.get(f"/posts/{FIRTH}"))
    apa = page.select_one("#apa")
    assert apa.get_text() == (
        "Firth, N., Saxon, D., Stiles, W. B., & Barkham, M. (2019). Therapist and clinic effects in psychotherapy: "
        "A three-level model of outcome variability. Journal of Consulting and Clinical Psychology, 87(4), 345–356."
    )
    assert [i.get_text() for i in apa.select("i")] == ["Journal of Consulting and Clinical Psychology", "87"]
    button = page.select_one("button.copy")
    assert button["data-target"] == "apa" and button.get_text() == "Copy"
    bib = page.select_one("a.bibtex")
    ris = page.select_one("a.ris")
    assert bib["href"] == f"/posts/{FIRTH}.bib" and bib.has_attr("download")
    assert ris["href"] == f"/posts/{FIRTH}.ris" and ris.has_attr("download")


def test_bibtex_download_for_firth(client):
    response = client.get(f"/posts/{FIRTH}.bib")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{FIRTH}.bib"'
    assert response.mimetype == "application/x-bibtex"
    text = response.get_data(as_text=True)
    assert text.startswith("@article{Firth2019")
    assert "author = {Firth, N. and Saxon, D. and Stiles, W. B. and Barkham, M.}" in text
    assert "year = {2019}" in text
    assert "journal = {Journal of Consulting and Clinical Psychology}" in text
    assert "volume = {87}" in text and "number = {4}" in text
    assert "pages = {345--356}" in text
    assert "title = {Therapist and clinic effects in psychotherapy: A three-level model of outcome variability}" in text
    assert text.count("{") == text.count("}")
    assert text.rstrip().endswith("}")


def test_ris_download_for_firth(client):
    response = client.get(f"/posts/{FIRTH}.ris")
    assert response.status_code == 200
    assert response.mimetype == "application/x-research-info-systems"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{FIRTH}.ris"'
    lines = response.get_data(as_text=True).split("\r\n")
    assert lines[0] == "TY  - JOUR"
    assert [line for line in lines if line.startswith("AU  - ")] == [
        "AU  - Firth, N.", "AU  - Saxon, D.", "AU  - Stiles, W. B.", "AU  - Barkham, M."]
    for expected in ("PY  - 2019", "T2  - Journal of Consulting and Clinical Psychology", "VL  - 87",
                     "IS  - 4", "SP  - 345", "EP  - 356"):
        assert expected in lines
    assert lines[-2:] == ["ER  - ", ""]
    assert all(line == "" or line[2:6] == "  - " for line in lines)


def test_ris_and_bibtex_carry_the_doi(client):
    assert "doi = {10.1002/cpp.2494}" in client.get(f"/posts/{SUPERVISION}.bib").get_data(as_text=True)
    assert "DO  - 10.1002/cpp.2494\r\n" in client.get(f"/posts/{SUPERVISION}.ris").get_data(as_text=True)


def test_atom_feed_parses_with_entries(client, seed_posts):
    response = client.get("/search.atom?q=burnout")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    assert "burnout" in root.find(f"{ATOM}title").text
    assert root.find(f"{ATOM}updated").text.endswith("Z")
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    months = [e.find(f"{ATOM}updated").text for e in entries]
    assert months == sorted(months, reverse=True)  # a feed is newest first
    titles = {p["title"] for p in seed_posts}
    for entry in entries:
        assert entry.find(f"{ATOM}title").text in titles
        assert entry.find(f"{ATOM}id").text.startswith("http://localhost/posts/")
        assert entry.find(f"{ATOM}link").get("href") == entry.find(f"{ATOM}id").text
        assert entry.find(f"{ATOM}summary").text.count("Practice implications:") == 1
        assert entry.find(f"{ATOM}content") is None  # the post's text once, not twice


def test_atom_feed_of_a_topic_and_of_nothing(client):
    topic = ET.fromstring(client.get("/search.atom?topic=Training").data)
    assert len(topic.findall(f"{ATOM}entry")) == 2
    empty = ET.fromstring(client.get("/search.atom?q=zzzqqqxx").data)
    assert empty.findall(f"{ATOM}entry") == [] and empty.find(f"{ATOM}updated").text
