"""Turn pytest-benchmark JSON runs into compact side-by-side tables (terminal) or the README table.

    python -m pytest bench/ --benchmark-only --benchmark-json=pass1.json   # run it 3 times
    python bench/report.py pass1.json pass2.json pass3.json             # one table per area
    python bench/report.py --markdown pass*.json                        # the README table

For every operation (benchmark group) and row (official SDK, pubnub_fast pure, pubnub_fast
compiled) it takes the lowest median over the passes. The terminal form prints one narrow table
per area (the bench module: crypto, signing, envelope, filters…) with the compiled/official ratio
(or compiled/pure where there is no official row); everything else stays in the JSON.
``bench/conftest.py`` prints the same tables at the end of a ``pytest bench/`` run.
"""
import argparse
import collections
import json
import re
import sys

ROWS = ("official", "pure", "compiled")
WIDTH = 100  # the whole table, so that it fits a terminal


def _row(name):
    if "official" in name:
        return "official"
    if "pure" in name or "[py" in name:
        return "pure"
    if "compiled" in name or "[c" in name:
        return "compiled"
    return name


def _time(seconds):
    if seconds is None:
        return "—"
    if seconds < 1e-6:
        return "%.0f ns" % (seconds * 1e9)
    if seconds < 1e-5:
        return "%.2f µs" % (seconds * 1e6)
    if seconds < 1e-3:
        return "%.1f µs" % (seconds * 1e6)
    return "%.2f ms" % (seconds * 1e3)


def _area(bench):
    """The bench module a benchmark comes from: ``bench/test_bench_crypto.py::…`` → ``crypto``."""
    found = re.search(r"test_bench_([A-Za-z0-9_]+)\.py", bench.get("fullname", ""))
    return found.group(1) if found else "other"


def collect(runs):
    """``(medians, throughput, paired)``: ``medians[area][group][row]`` lists one median per pass;
    ``paired[group]`` the compiled row's ratios to the official client measured in interleaved
    rounds, ``(of the medians, of the best rounds)``, one per pass."""
    medians = collections.defaultdict(lambda: collections.defaultdict(dict))
    throughput = []
    paired = collections.defaultdict(list)
    for run in runs:
        for bench in run["benchmarks"]:
            group, name = bench["group"] or bench["name"], bench["name"]
            if group.startswith("filter-"):
                found = re.search(r"\[(E\d+[^\]]*?)-pubnub_fast", name)
                group = "%s %s" % (group, found.group(1) if found else name)
            if group == "aes-cbc-throughput":
                throughput.append(bench.get("extra_info", {}))
                continue
            medians[_area(bench)][group].setdefault(_row(name), []).append(bench["stats"]["median"])
            info = bench.get("extra_info") or {}
            if "x_vs_official_paired" in info and _row(name) == "compiled":
                paired[group].append((info["x_vs_official_paired"], info.get("x_vs_official_paired_best")))
    return medians, throughput, paired


def _paired_lines(paired, groups):
    """One line per group of ``groups`` with paired ratios (the best rounds' are the targets' basis)."""
    lines = []
    for group in groups:
        if paired.get(group):
            lines.append("  %s, compiled vs official in interleaved rounds — medians %s; best rounds %s" % (
                group, ", ".join("%.1f×" % median for median, _ in paired[group]),
                ", ".join("%.1f×" % best if best is not None else "—" for _, best in paired[group])))
    return lines


def _ratio(best):
    official, pure, compiled = (best.get(r) for r in ROWS)
    if official and compiled:
        return "%.1f×" % (official / compiled)
    if pure and compiled:
        return "%.1f× pure" % (pure / compiled)
    return "—"


def _fit(label, width):
    return label if len(label) <= width else label[:width - 1] + "…"


def compact_tables(runs, width=WIDTH):
    """The terminal report: one table per area, at most ``width`` columns wide."""
    medians, throughput, paired = collect(runs)
    lines = []
    heads = ("official", "pure", "compiled", "speed-up")
    cell = 10
    name_width = width - (cell + 1) * len(heads)
    for area in sorted(medians):
        lines.append("")
        lines.append("%-*s %s" % (name_width, area, " ".join("%*s" % (cell, h) for h in heads)))
        lines.append("-" * min(width, name_width + (cell + 1) * len(heads)))
        others = []
        for group in sorted(medians[area]):
            best = {row: min(values) for row, values in medians[area][group].items()}
            if not any(row in best for row in ROWS):  # rows of its own (e.g. the server's floor/plain)
                for row in sorted(best):
                    param = re.search(r"\[(.*)\]$", row)
                    others.append(("%s %s" % (group, param.group(1) if param else row), best[row]))
                continue
            cells = [_time(best.get(r)) for r in ROWS] + [_ratio(best)]
            lines.append("%-*s %s" % (name_width, _fit(group, name_width), " ".join("%*s" % (cell, c) for c in cells)))
        for label, median in others:
            lines.append("%-*s %*s" % (name_width, _fit(label, name_width), cell, _time(median)))
        lines.extend(_paired_lines(paired, sorted(medians[area])))
    for info in filter(None, throughput):
        lines.append("")
        lines.append("AES-256-CBC throughput: %s" % json.dumps(info, sort_keys=True))
    return "\n".join(lines[1:] if lines and lines[0] == "" else lines)


def markdown_table(runs):
    """The README's table (every area in one Markdown table) and the per-pass ratios."""
    medians, throughput, paired = collect(runs)
    out = ["| operation | official SDK | pubnub_fast pure | pubnub_fast compiled | compiled vs official |",
           "|---|---:|---:|---:|---:|"]
    flat = {group: rows for area in medians.values() for group, rows in area.items()}
    for group in sorted(flat):
        best = {row: min(values) for row, values in flat[group].items()}
        official, pure, compiled = (best.get(r) for r in ROWS)
        if official and compiled:
            ratio = "%.1f×" % (official / compiled)
        elif pure and compiled:
            ratio = "(%.1f× vs pure)" % (pure / compiled)
        else:
            ratio = "—"
        out.append("| %s | %s | %s | %s | %s |" % (group, _time(best.get("official")), _time(best.get("pure")),
                                                   _time(best.get("compiled")), ratio))
    for info in throughput:
        out += ["", "AES-256-CBC throughput: %s" % json.dumps(info, sort_keys=True)]
    out += ["", "per-pass compiled/official ratios:"]
    for group in sorted(flat):
        values = flat[group]
        if "official" in values and "compiled" in values:
            out.append("  %s: %s" % (group, ", ".join("%.2f" % (o / c) for o, c in
                                                      zip(values["official"], values["compiled"]))))
    if paired:
        out += ["", "per-pass compiled/official ratios in interleaved rounds (the targets' basis):"]
        out += _paired_lines(paired, sorted(paired))
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="report.py",
        description="Side-by-side tables (official SDK / pubnub_fast pure / pubnub_fast compiled) from "
                    "pytest-benchmark JSON files written with --benchmark-json; the lowest median of the "
                    "passes is shown.",
    )
    parser.add_argument("runs", nargs="+", metavar="RUN.json",
                        help="JSON written by `pytest bench/ --benchmark-only --benchmark-json=RUN.json`")
    parser.add_argument("--markdown", action="store_true",
                        help="print the README's Markdown table and the per-pass ratios instead")
    args = parser.parse_args(argv)
    runs = []
    for path in args.runs:
        try:
            with open(path, encoding="utf-8") as handle:
                runs.append(json.load(handle))
        except (OSError, ValueError) as exc:
            parser.error("cannot read %s: %s" % (path, exc))
    print(markdown_table(runs) if args.markdown else compact_tables(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
