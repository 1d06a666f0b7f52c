"""The ``pprnet-search`` command (``webui/cli.py``; ``python run.py`` calls it): help for every
subcommand, the installed console script, the newcomer's first run, ``serve`` on an index it cannot
read, and every damaged index state end to end (one line and exit 2 in the CLI, a 503 with the reason
on the web, ``index`` repairs it, a full disk during a build leaves the old index serving)."""
from __future__ import annotations

import argparse
import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from whoosh.filedb.filestore import FileStorage

from search.store import current_build, verify_index
from webui import ENGINE_KEY, cli, create_app

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "corpus"


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_the_cli_has_the_documented_subcommands():
    assert set(_subcommands()) == {"extract", "index", "search", "crawl", "serve"}


@pytest.mark.parametrize("command", [None, "extract", "index", "search", "crawl", "serve"])
def test_every_subcommand_has_help_text(command, capsys):
    argv = [command, "--help"] if command else ["--help"]
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage:")
    description = cli.build_parser().description if command is None else _subcommands()[command].description
    assert description and description.split()[0] in out
    for action in (cli.build_parser() if command is None else _subcommands()[command])._actions:
        if action.option_strings and action.dest != "help":
            assert action.help, (command, action.option_strings)  # every option says what it does


def test_the_installed_command_runs():
    """``pprnet-search --help`` as installed by ``pip install -e .`` into the environment running the
    tests (CI installs it); without an install, the same module through ``python -m webui.cli``."""
    script = Path(sys.executable).parent / "pprnet-search"
    command = [str(script), "--help"] if script.is_file() else [sys.executable, "-m", "webui.cli", "--help"]
    result = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "serve" in result.stdout and "index" in result.stdout and "Traceback" not in result.stderr


def test_pyproject_declares_the_console_script():
    import tomllib

    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["pprnet-search"] == "webui.cli:main"


def test_run_py_is_the_same_command():
    result = subprocess.run([sys.executable, "run.py", "serve", "--help"], cwd=PROJECT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and "--port" in result.stdout


# --------------------------------------------------------------------------------------------------
# Folders come from the working directory (or PPRNET_INDEX_DIR), never from the installed package
# --------------------------------------------------------------------------------------------------
def test_default_folders_are_in_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PPRNET_INDEX_DIR", raising=False)
    args = cli.build_parser().parse_args([])
    assert Path(args.index).resolve() == tmp_path / "index"
    assert Path(args.corpus).resolve() == tmp_path / "corpus"
    app = create_app()
    try:
        assert app.config["INDEX_DIR"] == str(tmp_path / "index")
    finally:
        app.extensions[ENGINE_KEY].close()
    monkeypatch.setenv("PPRNET_INDEX_DIR", str(tmp_path / "elsewhere"))
    assert cli.build_parser().parse_args(["serve"]).index == tmp_path / "elsewhere"


@pytest.mark.parametrize("argv", [["--port", "8000"], ["serve", "--port", "8000"], ["--port", "8000", "serve"]])
def test_port_option_reaches_the_server(argv, index_root, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(Flask, "run", lambda self, **kwargs: calls.append((self.config["INDEX_DIR"], kwargs)))
    monkeypatch.setenv("PPRNET_INDEX_DIR", str(index_root))
    monkeypatch.setattr(cli, "rebuild_reason", lambda corpus, index: None)  # the default command: serve as is
    assert cli.main(argv) == 0
    (index_dir, kwargs), = calls
    assert kwargs["port"] == 8000 and kwargs["host"] == "127.0.0.1" and index_dir == str(index_root)
    assert "http://127.0.0.1:8000" in capsys.readouterr().out


def test_first_run_says_what_it_does_without_contradicting_itself(tmp_path, monkeypatch, capsys):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PPRNET_INDEX_DIR", raising=False)
    served = []
    monkeypatch.setattr(Flask, "run", lambda self, **kwargs: served.append(self.config["INDEX_DIR"]))
    assert cli.main(["--port", "8000"]) == 0
    err = capsys.readouterr()
    lines = err.err.strip().splitlines()
    assert lines[0] == "There is no index in index/ yet: building it from the pages in corpus/ ..."
    assert lines[-1].startswith("indexed 6 posts from 1 page into")
    assert "run.py index" not in err.err and "error" not in err.err  # no advice to do what it is doing
    assert served == [str(tmp_path / "index")]
    assert "Serving pprnet-search on http://127.0.0.1:8000" in err.out
    assert cli.main([]) == 0  # the second run serves what is there
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------------------------------------
# Damaged index states, end to end
# --------------------------------------------------------------------------------------------------
def _replace_current(root: Path, make) -> None:
    current = root / "current"
    current.unlink()
    make(current)


DAMAGED_STATES = {
    "no index at all": lambda root: shutil.rmtree(root),
    "current is a symlink loop": lambda root: _replace_current(root, lambda link: link.symlink_to("current")),
    "current is a directory": lambda root: _replace_current(root, lambda link: link.mkdir()),
    "current points at a missing build": lambda root: _replace_current(
        root, lambda link: link.symlink_to(Path("builds") / "20200101T000000000000-1")),
    "current points at a file": lambda root: _replace_current(
        root, lambda link: (root / "builds" / "stray").write_text("x") or link.symlink_to(Path("builds") / "stray")),
    "the build's files are gone": lambda root: [p.unlink() for p in current_build(root).iterdir()],
}


def _one_line_error(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in text, text
    return lines[0]


@pytest.mark.parametrize("state", list(DAMAGED_STATES))
def test_an_unreadable_index_is_one_line_exit_2_then_index_repairs_it(state, index_copy, monkeypatch, capsys):
    DAMAGED_STATES[state](index_copy)
    started = []
    monkeypatch.setattr(Flask, "run", lambda self, **kwargs: started.append(kwargs))

    assert cli.main(["search", "--index", str(index_copy), "--", "burnout"]) == 2
    _one_line_error(capsys.readouterr().err)
    assert cli.main(["serve", "--index", str(index_copy)]) == 2
    _one_line_error(capsys.readouterr().err)
    assert started == []  # serve said so on the console instead of starting to answer 503

    app = create_app({"INDEX_DIR": str(index_copy)})  # production settings: no TESTING
    client = app.test_client()
    try:
        page = client.get("/search?q=burnout")
        assert page.status_code == 503 and "Traceback" not in page.get_data(as_text=True)
        assert "Reason:" in page.get_data(as_text=True)
        api = client.get("/api/search?q=burnout")
        assert api.status_code == 503 and api.get_json()["reason"]
        assert client.get("/healthz").status_code == 503

        assert cli.main(["index", "--corpus", str(CORPUS), "--index", str(index_copy)]) == 0
        assert "indexed 6 posts" in capsys.readouterr().err
        assert verify_index(index_copy) is None
        assert client.get("/search?q=burnout").status_code == 200  # the running app picks the repair up
        assert client.get("/healthz").get_json()["posts"] == 6
    finally:
        app.extensions[ENGINE_KEY].close()
    assert cli.main(["search", "--index", str(index_copy), "--json", "--", "burnout"]) == 0


def test_a_full_disk_during_a_build_is_one_line_and_the_old_index_keeps_serving(index_copy, monkeypatch, capsys):
    before = current_build(index_copy)
    app = create_app({"INDEX_DIR": str(index_copy)})
    client = app.test_client()
    try:
        answer = client.get("/api/search?q=burnout").get_json()
        real_create_file = FileStorage.create_file
        calls = []

        def disk_fills_up(self, name, **kwargs):
            calls.append(name)
            if ".toc" in name and len(calls) > 1:  # the segments are written: the disk is full
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
            return real_create_file(self, name, **kwargs)

        monkeypatch.setattr(FileStorage, "create_file", disk_fills_up)
        assert cli.main(["index", "--corpus", str(CORPUS), "--index", str(index_copy)]) == 1
        line = _one_line_error(capsys.readouterr().err)
        assert "No space left on device" in line
        assert ".toc" in calls[-1] and len(calls) > 2
        monkeypatch.undo()

        assert current_build(index_copy) == before and verify_index(index_copy) is None
        assert [p.name for p in (index_copy / "builds").iterdir()] == [before.name]  # nothing half-built left
        assert client.get("/api/search?q=burnout").get_json() == answer
        assert client.get("/healthz").status_code == 200
        assert cli.main(["search", "--index", str(index_copy), "--", "burnout"]) == 0
    finally:
        app.extensions[ENGINE_KEY].close()


def test_readme_has_two_set_up_commands_and_ci_runs_the_test_one_verbatim():
    import re

    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    set_up = [line for block in blocks for line in block.splitlines() if "pip install" in line]
    assert set_up == ["python3 -m venv .venv && . .venv/bin/activate && pip install -e . && python run.py",
                      "pip install -e '.[test]' && python -m pytest"]
    ci = (PROJECT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert set_up[1] in ci  # a line of its own, exactly as written
