import pathlib
import sys

# The golden-value cases live beside the tests.
sys.path.insert(0, str(pathlib.Path(__file__).parent / "reference"))
