"""`sandglass report` read back with Python's standard csv module: every CSV parses, its numbers
are the results' numbers rounded as the headers say, and they equal the Markdown tables' cells."""
import csv
import json
import subprocess
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "SandglassReportTests" / "Fixtures"


@pytest.fixture(scope="module")
def report(sandglass, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    subprocess.run([str(sandglass), "report", str(FIXTURES / "fixture-alpha.jsonl"), str(FIXTURES / "fixture-widths.jsonl"),
                    "--out", str(out)], check=True, capture_output=True)
    return out


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert all(len(r) == len(header) for r in body), path
    return [dict(zip(header, r)) for r in body]


def markdown_rows(path):
    """Rows of every Markdown table in the file, as dicts keyed by header."""
    rows, header, lines = [], None, Path(path).read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if header is None:
            header = cells
        elif not set(line) <= set("|-: "):
            rows.append(dict(zip(header, cells)))
    return rows


def points(name):
    with open(FIXTURES / name, encoding="utf-8") as f:
        return [r for r in map(json.loads, f) if r["type"] == "point"]


def rounded(x, places):
    return f"{x:.{places}f}"


def test_every_csv_parses(report):
    files = sorted(report.rglob("*.csv"))
    assert len(files) >= 5
    for path in files:
        rows = read_csv(path)
        assert rows, path


def test_table7_csv_holds_the_results_numbers(report):
    rows = read_csv(report / "table7.csv")
    # The later file wins for the point both fixtures hold.
    latest = {p["id"]: p for p in points("fixture-alpha.jsonl") + points("fixture-widths.jsonl")}
    assert [r["alpha"] for r in rows] == ["1", "1/2", "1/3", "1/6"] * 2
    for r in rows:
        p = latest[r["point_id"]]
        assert r["latency_median_ms"] == rounded(p["latencyMs"]["median"], 3)
        assert r["latency_ci_low_ms"] == rounded(p["latencyMs"]["ciLow"], 3)
        assert r["latency_p90_ms"] == rounded(p["latencyMs"]["p90"], 3)
        assert int(r["shortcut_adds"]) == p["totals"]["shortcutAdds"]
        assert r["madds_m"] == rounded(p["totals"]["madds"] / 1e6, 2)
        assert r["memory_traffic_mb"] == rounded((p["totals"]["bytesRead"] + p["totals"]["bytesWritten"]) / 1e6, 2)
    assert [r["paper_pixel4xl_latency_ms"] for r in rows[:4]] == ["211", "196", "195", "188"]
    assert rows[3]["paper_latency_relative_to_alpha_1"] == rounded(188 / 211, 3)


def test_markdown_and_csv_carry_the_same_numbers(report):
    csv_rows = read_csv(report / "table7.csv")
    md_rows = markdown_rows(report / "table7.md")
    assert len(md_rows) == len(csv_rows)
    for m, c in zip(md_rows, csv_rows):
        assert m["Latency median (ms)"] == c["latency_median_ms"]
        assert m["95% CI of median (ms)"] == f"[{c['latency_ci_low_ms']}, {c['latency_ci_high_ms']}]"
        assert m["Latency vs α = 1 (×)"] == c["latency_relative_to_alpha_1"]
        assert m["Memory traffic (MB per inference)"] == c["memory_traffic_mb"]


def test_adds_versus_mac_arithmetic(report):
    for r in read_csv(report / "add-vs-mac.csv"):
        adds = int(r["shortcut_adds"])
        # Identity: 4 bytes per add; fusing saves the branch read and the sum's write, 8 bytes per add.
        assert r["identity_kb"] == rounded(adds * 4 / 1e3, 1)
        assert abs(float(r["mac_saved_by_fusing_mb"]) - adds * 8 / 1e6) <= 0.0051
        assert float(r["mac_separate_mb"]) > float(r["mac_fused_mb"])
