"""The package builds on its `snowflake` target, against fakesnow (Snowflake emulated on DuckDB).

Runs scripts/snowflake_emulator_check.py as CI does: seeds, every SQL model twice, every
data test and unit test, and the compile check of the Python model. No Snowflake account
and no network: the script patches the Snowflake connector in its own process.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "snowflake_emulator_check.py"
SUMMARY = re.compile(
    r"^SUMMARY status=(?P<status>\w+) models_passed=(?P<models>\d+) "
    r"tests_passed=(?P<tests>\d+)",
    re.MULTILINE,
)


def test_snowflake_target_builds_on_the_emulator(tmp_path: Path) -> None:
    missing = [name for name in ("fakesnow", "dbt.adapters.snowflake") if not _installed(name)]
    assert not missing, f"not installed: {', '.join(missing)} (pip install -e '.[dev]')"

    # The warehouse, dbt's target/ and logs/ stay in pytest's tmp_path for a failure's autopsy.
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--keep", str(tmp_path / "emulator")],
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-8000:]
    summary = SUMMARY.search(completed.stdout)
    assert summary, output[-4000:]
    assert summary["status"] == "passed"
    assert int(summary["models"]) > 0
    assert int(summary["tests"]) > 0


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False
