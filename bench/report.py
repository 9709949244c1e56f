"""Turn pytest-benchmark JSON runs into the side-by-side table of the README.

    python -m pytest bench/ --benchmark-only --benchmark-json=pass1.json   # run it 3 times
    python bench/report.py pass1.json pass2.json pass3.json

For every operation (benchmark group) and row (official SDK, pubnub_fast pure, pubnub_fast
compiled) it takes the lowest median over the passes, and prints a Markdown table with the
compiled/official ratio, plus the AES throughput figures and the per-pass ratios.
"""
import collections
import json
import re
import sys


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


def main(paths):
    medians = collections.defaultdict(dict)
    throughput = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            run = json.load(handle)
        for bench in run["benchmarks"]:
            group, name = bench["group"], bench["name"]
            if group.startswith("filter-"):
                found = re.search(r"\[(E\d+[^\]]*?)-pubnub_fast", name)
                group = "%s %s" % (group, found.group(1) if found else name)
            if group == "aes-cbc-throughput":
                throughput.append(bench.get("extra_info", {}))
                continue
            medians[group].setdefault(_row(name), []).append(bench["stats"]["median"])
    print("| operation | official SDK | pubnub_fast pure | pubnub_fast compiled | compiled vs official |")
    print("|---|---:|---:|---:|---:|")
    for group in sorted(medians):
        best = {row: min(values) for row, values in medians[group].items()}
        official, pure, compiled = best.get("official"), best.get("pure"), best.get("compiled")
        if official and compiled:
            ratio = "%.1f×" % (official / compiled)
        elif pure and compiled:
            ratio = "(%.1f× vs pure)" % (pure / compiled)
        else:
            ratio = "—"
        print("| %s | %s | %s | %s | %s |" % (group, _time(official), _time(pure), _time(compiled), ratio))
    for info in throughput:
        print()
        print("AES-256-CBC throughput: %s" % json.dumps(info, sort_keys=True))
    print()
    print("per-pass compiled/official ratios:")
    for group in sorted(medians):
        values = medians[group]
        if "official" in values and "compiled" in values:
            print("  %s: %s" % (group, ", ".join("%.2f" % (o / c) for o, c in
                                                 zip(values["official"], values["compiled"]))))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main(sys.argv[1:])
