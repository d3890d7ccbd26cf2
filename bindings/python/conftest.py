"""Prints, after the tests, how many of README.md's ```python blocks ran, each with only the names its
`# given:` line lists (test_readme_snippets.py)."""

BLOCK_TEST = "test_readme_snippets.py::test_readme_python_block_runs_verbatim["


def pytest_terminal_summary(terminalreporter) -> None:
    outcome_of = {}  # node id -> its worst outcome
    for outcome in ("passed", "skipped", "failed", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if BLOCK_TEST in getattr(report, "nodeid", ""):
                outcome_of[report.nodeid] = outcome
    if not outcome_of:
        return
    ran = sum(outcome == "passed" for outcome in outcome_of.values())
    others = sorted({o for o in outcome_of.values() if o != "passed"})
    rest = "".join(f", {sum(v == o for v in outcome_of.values())} {o}" for o in others)
    terminalreporter.write_line(
        f"README.md python blocks: {ran} of {len(outcome_of)} ran and synthesized, each with only the names "
        f"its `# given:` line lists{rest}"
    )
