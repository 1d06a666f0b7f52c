"""The crawl settings: one dataclass, the ``crawl`` command's options, defaults shown in ``--help``."""
from __future__ import annotations

import dataclasses

import pytest

import run
from indexer.crawl_settings import CrawlSettings


def test_every_setting_is_an_option_whose_help_shows_its_default(capsys):
    with pytest.raises(SystemExit) as done:
        run.main(["crawl", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    defaults = CrawlSettings()
    for setting in dataclasses.fields(CrawlSettings):
        option = f"--{setting.name.replace('_', '-')}"
        assert option in text, option
        # a switch is shown as "--crossref, --no-crossref", any other option with its metavar
        shown_as = f"{option}, --no-{option[2:]} " if setting.type in (bool, "bool") else f"{option} {setting.metadata['metavar']} "
        after = text[text.index(shown_as):]
        shown = after[after.index("(default: "):]
        assert shown.startswith(f"(default: {getattr(defaults, setting.name)})"), option
    assert "--report" in text and "--corpus" in text


def test_options_reach_the_settings(tmp_path, monkeypatch):
    seen = {}

    def fake_crawl(settings, corpus, **kwargs):
        seen.update(settings=settings, corpus=corpus)
        raise OSError("stop here")

    monkeypatch.setattr("indexer.crawl.crawl", fake_crawl)
    command = ["crawl", "--corpus", str(tmp_path), "--base-url", "http://127.0.0.1:9/blog", "--archive-url", "",
               "--delay", "0.5", "--timeout", "7", "--max-pages", "12", "--max-bytes", "1000", "--retries", "0",
               "--user-agent", "test-agent/1", "--no-crossref", "--mailto", "me@example.org"]
    assert run.main(command) == 1
    assert seen["settings"] == CrawlSettings(
        base_url="http://127.0.0.1:9/blog", archive_url="", delay=0.5, timeout=7.0, max_pages=12, max_bytes=1000,
        retries=0, user_agent="test-agent/1", crossref=False, mailto="me@example.org",
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--delay", "-1"], "--delay must be 0 or more"),
        (["--timeout", "0"], "--timeout must be more than 0"),
        (["--max-bytes", "0"], "--max-bytes must be more than 0"),
        (["--archive-start", "2013-13"], "--archive-start must be a month such as 2013-01"),
        (["--archive-url", "ftp://example.org/eng/"], "--archive-url must be an http(s) URL"),
        (["--base-url", "example.org/blog"], "--base-url must be an http(s) URL"),
        (["--crossref-url", ""], "--crossref-url must be an http(s) URL"),
        (["--mailto", "me at example.org"], "--mailto must be an e-mail address"),
    ],
)
def test_bad_settings_are_refused_before_anything_is_written(tmp_path, capsys, options, message):
    assert run.main(["crawl", "--corpus", str(tmp_path / "corpus"), *options]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "corpus").exists()


def test_the_defaults_point_at_the_live_blog_and_its_old_archive():
    settings = CrawlSettings()
    assert settings.base_url == "https://socialsciences.uottawa.ca/pprnet/blog"
    assert settings.archive_url == "http://www.med.uottawa.ca/pprnet/eng/"
    assert settings.delay >= 1 and settings.max_bytes == 16 * 1024 * 1024
