"""The ``pprnet-search`` command (``cli.py``; ``python run.py`` calls it): help for every subcommand,
the installed console script, what each command imports, the newcomer's first run (also outside the
project folder), errors that name what was wrong (unknown options and commands with the closest known
ones, page numbers, years, a page past the end, a port in use) and the command as it was run, ``serve``
on an index it cannot read, and every damaged index state end to end (one line and exit 2 in the CLI,
a 503 with the reason on the web, ``index`` repairs it, a full disk during a build leaves the old index
serving)."""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import BaseWSGIServer
from whoosh.filedb.filestore import FileStorage

import cli
from search.engine import SearchEngine
from search.request import SearchRequest
from search.store import current_build, verify_index
from webui import ENGINE_KEY, create_app

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "corpus"


def test_the_cli_has_the_documented_subcommands():
    assert set(cli.build_parser().commands) == {"extract", "index", "search", "crawl", "serve"}


@pytest.mark.parametrize("command", [None, "extract", "index", "search", "crawl", "serve"])
def test_every_subcommand_has_help_text(command, capsys):
    argv = [command, "--help"] if command else ["--help"]
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage:")
    parser = cli.build_parser()
    parser = parser if command is None else parser.commands[command]
    assert parser.description and parser.description.split()[0] in out
    for option in (option for option in parser.options if option.startswith("--")):  # its help: same line or next
        assert re.search(rf"^  (?:-\w, )?{option}(?: \S+|, --no-\S+)?(?: {{2,}}\S|\n {{20,}}\S)", out, re.M), (command, option)


def test_the_installed_command_runs():
    """``pprnet-search --help`` as installed by ``pip install -e .`` into the environment running the
    tests (CI installs it); without an install, the same module through ``python -m cli``."""
    script = Path(sys.executable).parent / "pprnet-search"
    command = [str(script), "--help"] if script.is_file() else [sys.executable, "-m", "cli", "--help"]
    result = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "serve" in result.stdout and "index" in result.stdout and "Traceback" not in result.stderr


def test_pyproject_declares_the_console_script():
    import tomllib

    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["pprnet-search"] == "cli:main"
    assert "cli" in pyproject["tool"]["setuptools"]["py-modules"]


def test_run_py_is_the_same_command():
    result = subprocess.run([sys.executable, "run.py", "serve", "--help"], cwd=PROJECT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and "--port" in result.stdout
    assert result.stdout.startswith("usage: python run.py serve")


_IMPORTED_WEB_MODULES = """
import contextlib, io, sys
import cli
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    status = cli.main(sys.argv[1:])
web = sorted(name for name in sys.modules if name.split(".")[0] in ("flask", "webui", "werkzeug", "jinja2"))
print(status, " ".join(web))
"""


@pytest.mark.parametrize("command", [
    ["search", "--json", "--", "burnout"],
    ["search", "--year", "2019-2020", "--", "therapists"],
    ["extract", "corpus", "--json"],
    ["index"],
    ["crawl", "--report"],
])
def test_only_serve_imports_the_web_app(command, index_copy):
    """Each command imports what it uses: neither Flask nor the web app outside ``serve``."""
    result = subprocess.run([sys.executable, "-c", _IMPORTED_WEB_MODULES, "--index", str(index_copy), *command],
                            cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    status, _, web = result.stdout.strip().partition(" ")
    assert status == ("2" if command[0] == "crawl" else "0")  # corpus/ holds no crawl to report on
    assert web == ""


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(monkeypatch) -> list[dict]:
    """The servers started, recorded instead of run (each bound its port): index, host and port."""
    started = []

    def record(server, *args, **kwargs):
        started.append({"index": server.app.config["INDEX_DIR"], "debug": server.app.debug,
                        "host": server.host, "port": server.port})

    monkeypatch.setattr(BaseWSGIServer, "serve_forever", record)
    return started


@pytest.mark.parametrize("argv", [["--port", "{port}"], ["serve", "--port", "{port}"], ["--port", "{port}", "serve"]])
def test_port_option_reaches_the_server(argv, index_root, monkeypatch, capsys, served):
    port = _free_port()
    monkeypatch.setenv("PPRNET_INDEX_DIR", str(index_root))
    monkeypatch.setattr(cli, "rebuild_reason", lambda corpus, index: None)  # the default command: serve as is
    assert cli.main([arg.format(port=port) for arg in argv]) == 0
    assert served == [{"index": str(index_root), "debug": False, "host": "127.0.0.1", "port": port}]
    assert f"http://127.0.0.1:{port}" in capsys.readouterr().out


def test_first_run_says_what_it_does_without_contradicting_itself(tmp_path, monkeypatch, capsys, served):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PPRNET_INDEX_DIR", raising=False)
    port = _free_port()
    assert cli.main(["--port", str(port)]) == 0
    err = capsys.readouterr()
    lines = err.err.strip().splitlines()
    assert lines[0] == "There is no index in index/ yet: building it from the pages in corpus/ ..."
    assert lines[-1].startswith("indexed 6 posts from 1 page into")
    assert "run.py index" not in err.err and "error" not in err.err  # no advice to do what it is doing
    assert [server["index"] for server in served] == [str(tmp_path / "index")]
    assert f"Serving pprnet-search on http://127.0.0.1:{port}" in err.out
    assert cli.main(["--port", str(port)]) == 0  # the second run serves what is there
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
def test_an_unreadable_index_is_one_line_exit_2_then_index_repairs_it(state, index_copy, capsys, served):
    DAMAGED_STATES[state](index_copy)

    assert cli.main(["search", "--index", str(index_copy), "--", "burnout"]) == 2
    _one_line_error(capsys.readouterr().err)
    assert cli.main(["serve", "--index", str(index_copy)]) == 2
    _one_line_error(capsys.readouterr().err)
    assert served == []  # serve said so on the console instead of starting to answer 503

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


# --------------------------------------------------------------------------------------------------
# Nothing fails silently
# --------------------------------------------------------------------------------------------------
def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_counts_are_singular_for_one_and_pages_are_said_only_when_there_are_several(index_root, years_index, capsys):
    engine = SearchEngine(years_index)
    try:
        total = engine.search(SearchRequest(query="alliance")).total
    finally:
        engine.close()
    assert total > 20  # three pages of 10
    status, out, _ = _run(["search", "--index", str(index_root), "--", "Firth"], capsys)
    assert status == 0 and out.splitlines()[0] == "1 result"
    status, out, _ = _run(["search", "--index", str(years_index), "--page", "3", "--", "alliance"], capsys)
    assert status == 0 and out.splitlines()[0] == f"{total} results, 21-{total} shown"
    status, out, _ = _run(["search", "--index", str(years_index), "--year", "2018", "--", "alliance"], capsys)
    assert status == 0 and out.splitlines()[0] == "3 results"  # one page: no "1-3 shown"


@pytest.mark.parametrize("output", [[], ["--json"]])
def test_a_page_past_the_end_says_so(years_index, capsys, output):
    status, out, err = _run(["search", "--index", str(years_index), "--page", "99", *output, "--", "alliance"], capsys)
    assert status == 2 and out == ""
    line = _one_line_error(err)
    assert re.fullmatch(r"error: page 99 is past the end: \d+ results fill 3 pages of 10", line), line
    status, out, err = _run(["search", "--index", str(years_index), "--page", "2", "--", "zzzqqq"], capsys)
    assert status == 2 and "page 2 is past the end: 0 results fill 1 page" in err


@pytest.mark.parametrize("page", ["３", "٣", "1_0", "+1", "two"])
def test_page_numbers_are_ascii_digits(index_root, capsys, page):
    status, out, err = _run(["search", "--index", str(index_root), "--page", page, "--", "therapists"], capsys)
    assert status == 2 and out == ""
    assert _one_line_error(err) == f"error: page must be a whole number, not {page!r}"


@pytest.mark.parametrize(("value", "years"), [
    ("2019", {2019}),
    ("2015-2019", {2015, 2017, 2018, 2019}),
    (">2019", {2020, 2021}),
    (">=2019", {2019, 2020, 2021}),
    ("<=2010", {2008, 2009, 2010}),
    ("[2012 TO 2014]", {2012, 2013, 2014}),
])
def test_year_takes_what_the_web_takes(years_index, capsys, value, years):
    """``--year`` takes the forms ``year:`` takes in a query, and lists the posts of those years: the
    same as the ``year`` parameter of the web."""
    status, out, _ = _run(["search", "--index", str(years_index), "--json", "--year", value, "--", "alliance"], capsys)
    assert status == 0
    data = json.loads(out)
    engine = SearchEngine(years_index)
    try:
        every_post = engine.search(SearchRequest(page_size=50)).hits
    finally:
        engine.close()
    assert {hit["year"] for hit in data["hits"]} == years
    assert data["total"] == len(data["hits"]) == sum(hit.post.year in years for hit in every_post)
    app = create_app({"INDEX_DIR": str(years_index), "TESTING": True})
    try:
        web = app.test_client().get("/api/search", query_string={"q": "alliance", "year": value}).get_json()
    finally:
        app.extensions[ENGINE_KEY].close()
    assert web["total"] == data["total"]


@pytest.mark.parametrize("value", ["abc", "2019-", "20190", "19th century"])
def test_a_year_it_cannot_read_is_refused_with_the_forms_it_takes(years_index, capsys, value):
    status, out, err = _run(["search", "--index", str(years_index), "--year", value, "--", "alliance"], capsys)
    assert status == 2 and out == ""
    line = _one_line_error(err)
    assert "year takes a year (2019), a range (2015-2020 or [2015 TO 2020]) or a comparison (>2019, <=2015)" in line
    assert repr(value) in line


@pytest.mark.parametrize(("argv", "named"), [
    (["--prot", "5302"], "unknown option --prot (did you mean --port?)"),
    (["serve", "--prot", "5302"], "unknown option --prot (did you mean --port?)"),
    (["search", "--yaer", "2019", "--", "alliance"], "unknown option --yaer (did you mean --year?)"),
    (["search", "--jsno=1", "--", "alliance"], "unknown option --jsno (did you mean --json?)"),
    (["crawl", "--dealy", "2"], "unknown option --dealy (did you mean --delay?)"),
    (["index", "--zzz"], "unknown option --zzz"),
    (["serach", "burnout"], "unknown command 'serach' (did you mean search?)"),
    (["--index", "/tmp/x", "sevre"], "unknown command 'sevre' (did you mean serve?)"),
])
def test_an_unknown_option_or_command_names_itself_and_the_closest(argv, named, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].endswith(f"error: {named}") or named in err.strip().splitlines()[-1], err
    assert "invalid choice" not in err and "unrecognized arguments" not in err


def test_abbreviated_options_still_work(index_root, capsys):
    status, out, _ = _run(["search", "--ind", str(index_root), "--jso", "--", "therapists"], capsys)
    assert status == 0 and json.loads(out)["total"] > 0


def test_messages_name_the_command_as_it_was_run(tmp_path, monkeypatch):
    assert cli.command_name("run.py") == "python run.py"
    assert cli.command_name("../pprnet/run.py") == "python ../pprnet/run.py"
    script = tmp_path / "bin" / "pprnet-search"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(script.parent))
    assert cli.command_name(str(script)) == "pprnet-search"  # found on the PATH under its name
    monkeypatch.setenv("PATH", str(tmp_path))
    assert cli.command_name(str(script)) == str(script)  # not on the PATH: the path that runs it


@pytest.mark.parametrize(("command", "named"), [
    ([sys.executable, str(PROJECT / "run.py")], f"python {PROJECT / 'run.py'}"),
    ([str(Path(sys.executable).parent / "pprnet-search")], str(Path(sys.executable).parent / "pprnet-search")),
])
def test_outside_the_project_folder_each_command_says_what_is_missing(tmp_path, command, named):
    """Run where there is neither corpus/ nor index/: one line each, exit 2, naming the command as run,
    and no word of an index "left as it was" (there was none)."""
    assert Path(command[0]).exists()  # the README's test command installs the console script
    environment = {key: value for key, value in os.environ.items() if key != "PPRNET_INDEX_DIR"}
    # The script's folder off the PATH: the command can only be named by the path that ran it.
    environment["PATH"] = os.pathsep.join(folder for folder in environment.get("PATH", "").split(os.pathsep)
                                          if Path(folder).resolve() != Path(sys.executable).parent.resolve())
    for argv, expected in (([], "there is no index in index/ yet, and there is no folder corpus/"),
                           (["index"], "there is no folder corpus/"),
                           (["search", "--", "burnout"], f"run `{named} index` to build it")):
        result = subprocess.run([*command, *argv], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=environment)
        assert result.returncode == 2 and result.stdout == "", (argv, result)
        line = _one_line_error(result.stderr)
        assert expected in line and "left as it was" not in line and "Serving" not in line, line
        if argv != ["search", "--", "burnout"]:
            assert f"run {named} in the folder that holds corpus/" in line, line
    assert not (tmp_path / "index").exists()


def test_a_port_in_use_is_one_line_before_any_serving_message(index_root, capsys, served):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, out, err = _run(["serve", "--index", str(index_root), "--port", str(port)], capsys)
    assert status == 2 and out == "" and served == []
    assert _one_line_error(err) == (f"error: cannot serve on 127.0.0.1:{port}: port {port} is in use by another "
                                    "program (another pprnet-search?); choose another with --port")


def test_a_second_server_on_the_same_port_stops_at_once_and_the_first_keeps_serving(index_root):
    """Two real processes: the first serves; the second says the port is in use, exit 2, and says
    nothing about serving."""
    port = _free_port()
    command = [sys.executable, "run.py", "serve", "--index", str(index_root), "--port", str(port)]
    with subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as first:
        try:
            assert first.stdout.readline().startswith(f"Serving pprnet-search on http://127.0.0.1:{port}")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as health:
                assert json.load(health)["posts"] == 6
            second = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=120)
            assert second.returncode == 2 and second.stdout == ""
            assert f"port {port} is in use" in _one_line_error(second.stderr)
            assert first.poll() is None
        finally:
            first.terminate()


def test_a_corpus_without_posts_says_whether_an_index_was_kept(tmp_path, index_copy, capsys):
    empty = tmp_path / "pages"
    empty.mkdir()
    status, _, err = _run(["index", "--corpus", str(empty), "--index", str(tmp_path / "new")], capsys)
    assert status == 1 and _one_line_error(err).startswith(f"error: no posts found in {empty}, so no index was built")
    before = current_build(index_copy)
    status, _, err = _run(["index", "--corpus", str(empty), "--index", str(index_copy)], capsys)
    assert status == 1 and f"so the index in {index_copy} is unchanged" in _one_line_error(err)
    assert current_build(index_copy) == before
