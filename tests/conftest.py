import pathlib
import sys

# The golden-value cases live beside the tests.
sys.path.insert(0, str(pathlib.Path(__file__).parent / "reference"))


def pytest_terminal_summary(terminalreporter, config):
    """Where the browser tests left their screenshots, and the heaviest pages (tests/test_site.py)."""
    lines = getattr(config, "book_site_summary", None)
    if lines:
        terminalreporter.section("website")
        for line in lines:
            terminalreporter.write_line(line)
