"""The resolvers of typed restrictions and facet filters (search.restrict): year forms and spans."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("2019", (2019, 2019)),
        (" 2019 ", (2019, 2019)),
        ("2015-2020", (2015, 2020)),
        ("2015 – 2020", (2015, 2020)),  # an en dash, as a page prints a span
        ("2015..2020", (2015, 2020)),
        ("[2015 TO 2020]", (2015, 2020)),
        ("{2015 TO 2020}", (2016, 2019)),  # exclusive ends
        ("[2015 to]", (2015, 9999)),
        ("[TO 2020]", (0, 2020)),
        (">2019", (2020, 9999)),
        (">=2019", (2019, 9999)),
        ("<2015", (0, 2014)),
        ("<=2015", (0, 2015)),
        ("abc", None),
        ("2019-", None),
        ("20190", None),
        ("2019 2020", None),
        ("", None),
    ],
)
def test_year_bounds_read_the_forms_a_query_takes(text, bounds):
    from search.restrict import year_bounds

    assert year_bounds(text) == bounds  # an open end is year 0 or 9999


def test_a_span_of_years_selects_the_years_in_it():
    from search.restrict import Resolver

    resolver = Resolver({"year": ["2013", "2015", "2016", "2019", "2020", "2024"]})
    assert sorted(resolver.resolve("year", "2015-2019").values) == ["2015", "2016", "2019"]
    assert sorted(resolver.resolve("year", ">2019").values) == ["2020", "2024"]
    assert sorted(resolver.resolve("year", "[2014 TO 2016]").values) == ["2015", "2016"]
    assert resolver.resolve("year", "2016").values == ("2016",)
    nothing = resolver.resolve("year", "2001-2005")  # no post in it: selects nothing, and is no unknown form
    assert nothing.values == () and not nothing.unknown
    assert resolver.resolve("year", "abc").unknown


def test_requests_refuse_a_year_they_cannot_read_and_page_numbers_in_other_digits():
    from search.request import InvalidRequest, SearchRequest

    assert SearchRequest.from_params(filters={"year": ["2015-2020", ">2019"]}).filters == {"year": ("2015-2020", ">2019")}
    for wrong in ("abc", "2019-", "19th century"):
        with pytest.raises(InvalidRequest, match=r"year takes a year \(2019\), a range .* not '" + wrong):
            SearchRequest.from_params(filters={"year": ["2019", wrong]})
    assert SearchRequest.from_params(page=" 3 ").page == 3
    for wrong in ("３", "1_0", "+1", "2.0"):
        with pytest.raises(InvalidRequest, match="page must be a whole number"):
            SearchRequest.from_params(page=wrong)
    with pytest.raises(InvalidRequest, match="page must be between 1 and 1000, not -1"):
        SearchRequest.from_params(page="-1")
