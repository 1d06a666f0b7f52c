"""The benchmark's report: the targets a run checks, the Markdown tables, the chart and the files.

The report opens with the table of issue 20 ("Speed and size that must hold"): measure, ours,
reference, ratio, target, met. A target is checked only at the size it names (1,000 or 10,000
posts); a run at other sizes shows its numbers with the target unchecked ("–"). The targets of issue
12 follow, then the build, latency, per-class, HTTP and profile tables.
"""
from __future__ import annotations

import json
from pathlib import Path

BLOG = 1_000
LARGE = 10_000

# The targets of issue 12, checked where this run has the numbers (100k figures are reported only).
TARGETS = {
    "p95_ms_1k": 10.0,
    "p50_ratio_1k": 1.0,
    "p50_ms_10k": 30.0,
    "p95_ms_10k": 100.0,
    "p50_ratio_10k": 1.0,
    "docs_per_s": 200.0,
    "http_p95_ms_seed": 25.0,
    "worker_rss_mb_10k": 300.0,
}

# The targets of issue 20: measure -> limit (a ratio, seconds, MB or lines).
ISSUE20 = {
    "tantivy_p50_1k": 1.2,
    "tantivy_p50_10k": 1.5,
    "tantivy_p95_10k": 2.0,
    "fts5_p50_1k": 1.0,
    "fts5_p50_10k": 0.5,
    "one_shot_ratio": 1.5,
    "web_app_s": 0.3,
    "html_index_s": 60.0,
    "engine_rss_mb_10k": 200.0,
    "search_lines": 3_600,
}


def _ms(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def _x(value) -> str:
    return "–" if value is None else f"{value:.2f}x"


def _met(flags: list[bool | None]) -> str:
    """'yes', '**no**', or '–' when the run did not measure at the target's size."""
    if not flags or any(flag is None for flag in flags):
        return "–"
    return "yes" if all(flags) else "**no**"


def _within(value, limit: float, checked: bool) -> bool | None:
    return None if value is None or not checked else value <= limit


def _overall(report: dict, size: int | None) -> dict | None:
    return report["sizes"][str(size)]["queries"]["all"] if size is not None else None


def _ratio(overall: dict | None, reference: str, stat: str):
    if overall is None:
        return None
    return overall["ratio"].get(reference, {}).get(f"{stat}_ratio")


def _stat(overall: dict | None, engine: str, stat: str):
    if overall is None or f"{engine}_ms" not in overall:
        return None
    return overall[f"{engine}_ms"].get(stat)


def issue20_table(report: dict) -> list[dict]:
    """The rows of issue 20's table for this run: measure, ours, reference, ratio, target, met."""
    sizes = sorted(int(size) for size in report["sizes"])
    blog = min(sizes, key=lambda size: (abs(size - BLOG), size)) if sizes else None
    large = min(sizes, key=lambda size: (abs(size - LARGE), -size)) if sizes else None
    small, big = _overall(report, blog), _overall(report, large)
    rows = []

    def row(measure: str, ours: str, reference: str, ratio: str, target: str, met: list[bool | None]) -> None:
        rows.append({"measure": measure, "ours": ours, "reference": reference, "ratio": ratio, "target": target,
                     "met": _met(met)})

    if blog is not None:
        value = _ratio(small, "tantivy", "p50")
        row(f"full call p50, ours / tantivy, {blog:,} posts", f"{_ms(_stat(small, 'ours', 'p50'))} ms",
            f"{_ms(_stat(small, 'tantivy', 'p50'))} ms", _x(value), f"<= {ISSUE20['tantivy_p50_1k']}x",
            [_within(value, ISSUE20["tantivy_p50_1k"], blog == BLOG)])
        p50, p95 = _ratio(big, "tantivy", "p50"), _ratio(big, "tantivy", "p95")
        row(f"full call p50 / p95, ours / tantivy, {large:,} posts",
            f"{_ms(_stat(big, 'ours', 'p50'))} / {_ms(_stat(big, 'ours', 'p95'))} ms",
            f"{_ms(_stat(big, 'tantivy', 'p50'))} / {_ms(_stat(big, 'tantivy', 'p95'))} ms", f"{_x(p50)} / {_x(p95)}",
            f"<= {ISSUE20['tantivy_p50_10k']}x / <= {ISSUE20['tantivy_p95_10k']}x",
            [_within(p50, ISSUE20["tantivy_p50_10k"], large == LARGE), _within(p95, ISSUE20["tantivy_p95_10k"], large == LARGE)])
        first, second = _ratio(small, "fts5", "p50"), _ratio(big, "fts5", "p50")
        row(f"full call p50, ours / FTS5, {blog:,} and {large:,} posts" if large != blog else
            f"full call p50, ours / FTS5, {blog:,} posts (twice: one size run)",
            f"{_ms(_stat(small, 'ours', 'p50'))} / {_ms(_stat(big, 'ours', 'p50'))} ms",
            f"{_ms(_stat(small, 'fts5', 'p50'))} / {_ms(_stat(big, 'fts5', 'p50'))} ms", f"{_x(first)} / {_x(second)}",
            f"<= {ISSUE20['fts5_p50_1k']}x / <= {ISSUE20['fts5_p50_10k']}x",
            [_within(first, ISSUE20["fts5_p50_1k"], blog == BLOG), _within(second, ISSUE20["fts5_p50_10k"], large == LARGE)])

    start = report.get("startup")
    if start:
        shot, app = start["one_shot"], start["web_app"]
        row(f"one-shot `pprnet-search search --json -- {shot['word']}` (as `python run.py`), {start['posts']:,} posts,"
            f" wall (median of"
            f" {shot['runs']}), against a plain script: Whoosh `open_dir` + `searcher.search`",
            f"{shot['ours_median_s']:.2f} s (CPU {shot['ours_median_cpu_s']:.2f} s)",
            f"{shot['plain_median_s']:.2f} s (CPU {shot['plain_median_cpu_s']:.2f} s)",
            f"{_x(shot['ratio'])} (CPU {_x(shot['cpu_ratio'])})",
            f"<= {ISSUE20['one_shot_ratio']}x", [_within(shot["ratio"], ISSUE20["one_shot_ratio"], start["posts"] == BLOG)])
        row(f"web app: open a {start['posts']:,}-post index (`create_app`, home page) and answer a first"
            f" search (median of {app['runs']}; importing the app's modules before it: {app['import_s']:.2f} s)",
            f"{app['open_s']:.2f} s + {app['first_search_s'] * 1000:.0f} ms = {app['total_s']:.2f} s"
            f" (CPU {app['total_cpu_s']:.2f} s)", "–", "–",
            f"<= {ISSUE20['web_app_s']} s", [_within(app["total_s"], ISSUE20["web_app_s"], start["posts"] == BLOG)])

    built = report.get("html_index")
    if built:
        split = ""
        if built.get("extraction_s") is not None:
            split = f"; extraction {built['extraction_s']:.1f} s, writing {built['writing_s']:.1f} s"
        row(f"`index` from HTML pages, {built['synthetic_posts']:,} posts ({built['pages']:,} pages), end to end",
            f"{built['seconds']:.1f} s ({built['posts_per_s']:.0f} posts/s, CPU {built['cpu_s']:.0f} s{split})", "–", "–",
            f"<= {ISSUE20['html_index_s']:.0f} s",
            [_within(built["seconds"], ISSUE20["html_index_s"], built["synthetic_posts"] == LARGE)])

    if large is not None:
        rss = report["sizes"][str(large)]["engine_rss_mb"]["after_workload"]
        row(f"engine RSS at {large:,} posts (our engine alone, after warm-up and workload)", f"{_ms(rss)} MB", "–", "–",
            f"<= {ISSUE20['engine_rss_mb_10k']:.0f} MB", [_within(rss, ISSUE20["engine_rss_mb_10k"], large == LARGE)])
    lines = report["search_lines"]["lines"]
    row("`search/` lines (`cat search/*.py \\| wc -l`)", f"{lines:,}", "–", "–", f"<= {ISSUE20['search_lines']:,}",
        [lines <= ISSUE20["search_lines"]])
    return rows


def check_targets(report: dict) -> list[dict]:
    """Issue 12's targets this run can check: what was wanted, what was measured, met or not."""
    checks = []

    def check(name: str, measured, limit: float, *, at_least: bool = False) -> None:
        if measured is None:
            return
        met = measured >= limit if at_least else measured <= limit
        checks.append({"target": name, "limit": limit, "measured": measured, "met": met})

    for key, result in report["sizes"].items():
        size = int(key)
        overall = result["queries"]["all"]
        build = result["build"]["ours"]
        check(f"{size} posts: build >= 200 posts/s", build["docs_per_s"], TARGETS["docs_per_s"], at_least=True)
        if size == 1_000:
            check("1k posts: p95 <= 10 ms", overall["ours_ms"].get("p95"), TARGETS["p95_ms_1k"])
            check("1k posts: p50 no slower than FTS5", _ratio(overall, "fts5", "p50"), TARGETS["p50_ratio_1k"])
        if size == 10_000:
            check("10k posts: p50 <= 30 ms", overall["ours_ms"].get("p50"), TARGETS["p50_ms_10k"])
            check("10k posts: p95 <= 100 ms", overall["ours_ms"].get("p95"), TARGETS["p95_ms_10k"])
            check("10k posts: p50 no slower than FTS5", _ratio(overall, "fts5", "p50"), TARGETS["p50_ratio_10k"])
            check("10k posts: engine process RSS < 300 MB", result["engine_rss_mb"]["after_workload"],
                  TARGETS["worker_rss_mb_10k"])
    for http in report.get("http") or []:
        for endpoint, result in http["endpoints"].items():
            if "failed" in result:
                continue
            if http["posts"] <= 500:
                check(f"{http['posts']} posts: HTTP {endpoint} p95 <= 25 ms", result["latency_ms"].get("p95"),
                      TARGETS["http_p95_ms_seed"])
            if http["posts"] == 10_000:
                check(f"10k posts: web worker RSS < 300 MB ({endpoint} run)", result["max_worker_rss_mb"],
                      TARGETS["worker_rss_mb_10k"])
    return checks


_ENGINE_NAMES = {"ours": "ours", "fts5": "FTS5", "tantivy": "tantivy"}


def _engines(report: dict) -> list[str]:
    return ["ours", *report["config"].get("references", ["fts5"])]


def markdown(report: dict) -> str:
    machine = report["machine"]
    config = report["config"]
    references = config.get("references", ["fts5"])
    lines = [
        f"# pprnet-search benchmark, {report['date']}",
        "",
        f"Machine: {machine.get('cpu', '?')}, {machine['usable_cores']} usable cores of {machine['cores']}, "
        f"{machine.get('memory_gb', '?')} GB; Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"Whoosh-Reloaded {machine.get('whoosh', '?')}, tantivy {machine.get('tantivy', 'not installed')}."
        f" Load average {machine['loadavg_start']} at the start, {machine.get('loadavg_end')} at the end.",
        f"Code: {report['git']['commit'][:12] or '?'}"
        + (f" with uncommitted changes in {', '.join(report['git']['uncommitted_engine_files'])}"
           if report["git"]["uncommitted_engine_files"] else "") + ".",
        f"Workload: {config['queries']} queries ({', '.join(f'{n} {c}' for c, n in config['class_counts'].items())}),"
        f" page 1 of {config['page_size']}; {config['warmup_queries']} warm-up queries of another seed first."
        f" Synthetic corpus seed {config['corpus_seed']}. Run took {report['elapsed_s']:.0f} s.",
    ]
    if "tantivy" not in references:
        lines.append("tantivy is not installed (`pip install -e '.[bench]'`): no tantivy reference in this run.")
    lines += [
        "",
        "## Speed and size that must hold (issue 20)",
        "",
        "| measure | ours | reference | ratio | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in report.get("issue20", []):
        lines.append(f"| {row['measure']} | {row['ours']} | {row['reference']} | {row['ratio']} | {row['target']} |"
                     f" {row['met']} |")
    lines += [
        "",
        "Ratios are ours / the reference's, from this run. Full call: ours is `SearchEngine.search` (parse, rank,"
        " disjunctive counts of five facets, highlights of the 10 hits, spelling check); FTS5 and tantivy do the"
        " same job (top 10 by BM25 with our field weights, snippets of summary and implications, counts of the"
        " five facets over all matches, the total, a vocabulary look-up). A target is checked only at the size it"
        " names (–: not measured at that size).",
    ]
    if report.get("targets"):
        lines += ["", "## Targets of issue 12 this run checks", "", "| target | measured | met |", "|---|---:|---|"]
        for check in report["targets"]:
            lines.append(f"| {check['target']} | {check['measured']} | {'yes' if check['met'] else '**no**'} |")
    lines += _start_and_index_tables(report)
    lines += [
        "",
        "## Build",
        "",
        "| posts | engine | s | docs/s | MB | peak RSS MB |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for result in report["sizes"].values():
        for engine in _engines(report):
            build = result["build"][engine]
            lines.append(f"| {result['posts']:,} | {_ENGINE_NAMES[engine]} | {build['seconds']:.1f} |"
                         f" {build['docs_per_s']:.0f} | {build['bytes'] / 2**20:.1f} | {build['peak_rss_mb']:.0f} |")
    lines += [
        "",
        "Docs/s leave out the time spent generating the synthetic posts. Peak RSS is the build process's"
        " (Whoosh's own writer, one process; tantivy with one indexing thread).",
        "",
        "## Query latency, ms (the full search call, warm)",
        "",
        "| posts | engine | p50 | p95 | p99 | mean | ours / it: median per query | p50 | p95 | without facet counts p50 / p95 |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result in report["sizes"].values():
        overall = result["queries"]["all"]
        for engine in _engines(report):
            stats = overall[f"{engine}_ms"]
            ratio = overall["ratio"].get(engine, {})
            bare = overall.get(f"{engine}_without_facets_ms")
            lines.append(
                f"| {result['posts']:,} | {_ENGINE_NAMES[engine]} | {_ms(stats.get('p50'))} | {_ms(stats.get('p95'))} |"
                f" {_ms(stats.get('p99'))} | {_ms(stats.get('mean'))} | {ratio.get('median_of_ratios', '–')} |"
                f" {ratio.get('p50_ratio', '–')} | {ratio.get('p95_ratio', '–')} |"
                + (f" {_ms(bare.get('p50'))} / {_ms(bare.get('p95'))} |" if bare else " – |")
            )
    lines += [
        "",
        "FTS5: MATCH into a temp table, total, top 10 by `bm25()` with `snippet()` of two columns, five `GROUP BY`"
        " facet counts, vocabulary look-up. tantivy: a boolean query of per-field term and phrase queries boosted"
        " by our weights, top 10 with `SnippetGenerator` snippets of two fields, terms aggregations for the facets,"
        " `doc_freq` look-ups. Only queries every engine answered count.",
        "",
        "Memory: " + "; ".join(
            f"{result['posts']:,} posts: our engine alone {_ms(result['engine_rss_mb']['after_workload'])} MB after the"
            f" workload (first search {result['engine_alone']['first_search_ms']:.0f} ms after opening), the measuring"
            f" process with every engine {_ms(result['measuring_process_rss_mb']['all_engines_after_workload'])} MB"
            for result in report["sizes"].values()) + ".",
        "",
        "## By query class",
        "",
        "| posts | class | n | " + " | ".join(f"{_ENGINE_NAMES[engine]} p50 / p95" for engine in _engines(report))
        + " | " + " | ".join(f"ours / {_ENGINE_NAMES[name]} p50" for name in references)
        + " | mean hits " + " / ".join(_ENGINE_NAMES[engine] for engine in _engines(report))
        + " | top-10 overlap with " + " / ".join(_ENGINE_NAMES[name] for name in references) + " |",
        "|---:|---|---:|" + "---:|" * (2 * len(references) + 3),
    ]
    for result in report["sizes"].values():
        for cls, row in result["queries"].items():
            lines.append(
                f"| {result['posts']:,} | {cls} | {row['n']} | "
                + " | ".join(f"{_ms(row[f'{engine}_ms'].get('p50'))} / {_ms(row[f'{engine}_ms'].get('p95'))}"
                             for engine in _engines(report))
                + " | " + " | ".join(str(row["ratio"].get(name, {}).get("p50_ratio", "–")) for name in references)
                + " | " + " / ".join(str(row["mean_total"].get(engine)) for engine in _engines(report))
                + " | " + " / ".join(str(row["mean_top10_overlap"].get(name)) for name in references) + " |"
            )
    lines += _http_tables(report)
    profile = report.get("profile")
    if profile:
        lines += [
            "",
            f"## Profile ({profile['queries']} queries at {profile['posts']:,} posts, cProfile,"
            f" {profile['seconds_profiled']:.2f} s under the profiler)",
            "",
            "| function | calls | own s | cumulative s |",
            "|---|---:|---:|---:|",
        ]
        for entry in profile["by_tottime"][:15]:
            lines.append(f"| `{entry['function']}` | {entry['ncalls']} | {entry['tottime_s']:.3f} |"
                         f" {entry['cumtime_s']:.3f} |")
    return "\n".join(lines) + "\n"


def _start_and_index_tables(report: dict) -> list[str]:
    lines = []
    start = report.get("startup")
    if start:
        shot, app = start["one_shot"], start["web_app"]
        lines += [
            "",
            f"## Fresh processes ({start['posts']:,} posts)",
            "",
            "| measure | runs, wall s | median wall s | median CPU s |",
            "|---|---|---:|---:|",
            f"| `{shot['ours_command']}` (hits: {shot['ours_total']}) | {', '.join(map(str, shot['ours_s']))} |"
            f" {shot['ours_median_s']:.3f} | {shot['ours_median_cpu_s']:.3f} |",
            f"| plain Whoosh script (hits: {shot['plain_total']}) | {', '.join(map(str, shot['plain_s']))} |"
            f" {shot['plain_median_s']:.3f} | {shot['plain_median_cpu_s']:.3f} |",
            f"| web app: `import webui` | {', '.join(str(s['import_s']) for s in app['samples'])} |"
            f" {app['import_s']:.3f} | |",
            f"| web app: `create_app` | {', '.join(str(s['create_s']) for s in app['samples'])} |"
            f" {app['create_s']:.3f} | |",
            f"| web app: home page (opens the index) | {', '.join(str(s['home_s']) for s in app['samples'])} |"
            f" {app['home_s']:.3f} | |",
            f"| web app: first `/search?q={app['word']}` | {', '.join(str(s['first_search_s']) for s in app['samples'])} |"
            f" {app['first_search_s']:.3f} | |",
            f"| web app: the last three | | {app['total_s']:.3f} | {app['total_cpu_s']:.3f} |",
            "",
            "One-shot: wall time of each whole process (interpreter start included), after one unmeasured run of each;"
            " CPU is the process's user + system time. Web app: timed inside the process (interpreter start left out)."
            " On a busy machine wall time grows with the load and CPU time much less: compare CPU when the load"
            " average is above the number of cores.",
        ]
    built = report.get("html_index")
    if built:
        lines += [
            "",
            "## `index` from HTML pages",
            "",
            f"{built['synthetic_posts']:,} synthetic posts written as {built['pages_written']:,} listing pages"
            f" ({built['posts_per_page']} posts a page, {built['pages_bytes'] / 2**20:.1f} MB, written in"
            f" {built['generate_s']:.1f} s, not counted), then `{built['command']}` in a fresh process:"
            f" {built['seconds']:.1f} s for {built['posts']:,} posts from {built['pages']:,} pages"
            f" ({built['posts_per_s']:.0f} posts/s; {built['cpu_s']:.1f} s of CPU)."
            + (f" Inside it: corpus fingerprint {built['fingerprint_s']:.1f} s, extraction {built['extraction_s']:.1f} s,"
               f" writing the index {built['writing_s']:.1f} s, the rest (start-up, imports) {built['rest_s']:.1f} s."
               if built.get("extraction_s") is not None else ""),
        ]
    return lines


def _http_tables(report: dict) -> list[str]:
    lines = []
    for http in report.get("http") or []:
        lines += [
            "",
            f"## Through HTTP ({http['posts']:,} posts, gunicorn, {http['workers']} sync workers, loopback,"
            " one client)",
            "",
            "| endpoint | n | p50 ms | p95 ms | p99 ms | errors | worker RSS MB | start-up s |",
            "|---|---:|---:|---:|---:|---:|---|---:|",
        ]
        for endpoint, result in http["endpoints"].items():
            if "failed" in result:
                lines.append(f"| `{endpoint}` | failed: {result['failed'][:200]} | | | | | | |")
                continue
            latency = result["latency_ms"]
            rss = ", ".join(_ms(status.get("vmrss_mb")) for status in result["worker_rss_mb"].values())
            lines.append(
                f"| `{endpoint}` | {latency.get('n', 0)}{' (cut by deadline)' if result['truncated'] else ''} |"
                f" {_ms(latency.get('p50'))} | {_ms(latency.get('p95'))} | {_ms(latency.get('p99'))} |"
                f" {result['errors']} | {rss} | {result['startup_s']} |"
            )
    return lines


def draw_chart(report: dict, path: Path) -> bool:
    """p95 (and p50) latency against corpus size, every engine, log axes. False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib import ticker
    except ImportError:
        return False
    sizes = [result["posts"] for result in report["sizes"].values()]
    colours = {"ours": "tab:blue", "fts5": "tab:orange", "tantivy": "tab:green"}
    labels = {"ours": "pprnet-search (Whoosh)", "fts5": "SQLite FTS5 reference", "tantivy": "tantivy reference"}
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for engine in _engines(report):
        for stat, style in (("p95", "-"), ("p50", ":")):
            values = [result["queries"]["all"][f"{engine}_ms"].get(stat) for result in report["sizes"].values()]
            axes.plot(sizes, values, style, marker="o", color=colours[engine], label=f"{labels[engine]} {stat}")
            if stat == "p95":
                for size, value in zip(sizes, values):
                    axes.annotate(f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms", (size, value),
                                  textcoords="offset points", xytext=(6, 4), fontsize=8, color=colours[engine])
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks(sizes)
    axes.set_xticklabels([f"{size:,}" for size in sizes])
    axes.xaxis.set_minor_formatter(ticker.NullFormatter())
    axes.yaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    axes.yaxis.set_minor_formatter(ticker.NullFormatter())
    axes.set_xlabel("corpus size (synthetic posts)")
    axes.set_ylabel("latency of the full search call (ms)")
    axes.set_title(f"Search latency against corpus size, {report['date']}")
    axes.grid(True, which="both", alpha=0.3)
    axes.margins(x=0.15)
    axes.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return True


def write_outputs(report: dict, out: Path, *, chart: bool = True) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    stem = report["date"]
    files = {"json": str(out / f"{stem}.json"), "markdown": str(out / f"{stem}.md"), "chart": None}
    if chart and draw_chart(report, out / f"{stem}-p95.png"):
        files["chart"] = str(out / f"{stem}-p95.png")
    report["files"] = files
    if report.get("profile"):
        (out / f"{stem}-profile.txt").write_text(
            report["profile"]["by_tottime_text"] + "\n" + report["profile"]["by_cumulative_text"], encoding="utf-8")
        files["profile"] = str(out / f"{stem}-profile.txt")
    Path(files["markdown"]).write_text(markdown(report), encoding="utf-8")
    Path(files["json"]).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return files
