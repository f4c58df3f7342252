"""The package works outside the repository: built as a wheel, installed in a fresh venv.

``make dist`` builds the sdist and the wheel; this test builds the wheel the same
way (``python -m build --no-isolation``, with the pinned ``hatchling``), installs
it with the ``storage`` extra into a new virtual environment (dependencies pinned
by ``requirements-dev.txt`` as constraints), and runs the command and an import
there, from a directory outside the repository, so nothing is read from ``src/``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import subscription_rules

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str | Path, cwd: Path) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    done = subprocess.run(  # noqa: S603 - our own interpreter and the venv's executables
        [str(part) for part in command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel (and its storage extra) installed; its bin/."""
    work = tmp_path_factory.mktemp("wheel")
    _run(
        sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", work, ROOT, cwd=work
    )
    (wheel,) = work.glob("subscription_rules-*.whl")
    environment = work / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    bin_dir = environment / "bin"
    _run(
        bin_dir / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-c",
        ROOT / "requirements-dev.txt",
        f"{wheel}[storage]",
        cwd=work,
    )
    return bin_dir


def test_the_wheel_installs_and_its_command_runs_outside_the_repository(installed: Path) -> None:
    outside = installed.parent.parent
    version = _run(installed / "subscription-rules", "--version", cwd=outside)
    assert version == f"subscription-rules {subscription_rules.__version__}\n"
    demo = _run(installed / "subscription-rules", "demo", cwd=outside)
    assert "USD" in demo
    assert demo == _run(sys.executable, "-m", "subscription_rules", "demo", cwd=ROOT)


def test_the_installed_package_is_the_wheel_typed_and_stores_values(installed: Path) -> None:
    outside = installed.parent.parent
    script = (
        "import pathlib, subscription_rules as sr\n"
        "from subscription_rules.serialization import dumps, loads\n"
        "from datetime import datetime, UTC\n"
        "d = sr.start_subscription('s', 'c', 'personal', sr.MONTHLY,\n"
        "    datetime(2026, 11, 1, tzinfo=UTC), catalog=sr.default_catalog(),\n"
        "    policy=sr.SEED_POLICY)\n"
        "assert loads(dumps(d.subscription)) == d.subscription\n"
        "package = pathlib.Path(sr.__file__).parent\n"
        "print(sr.__version__, package.parent.name, (package / 'py.typed').exists())\n"
    )
    printed = _run(installed / "python", "-c", script, cwd=outside)
    assert printed == f"{subscription_rules.__version__} site-packages True\n"
