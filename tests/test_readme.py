"""README.md's two commands are the ones CI and users run."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def readme_commands():
    """The commands of the first code block of README.md."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", text, re.S).group(1)
    return [line for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_readme_starts_with_install_demo_and_test_commands():
    install_and_demo, test = readme_commands()
    assert "pip install" in install_and_demo
    assert "python -m seqcore demo" in install_and_demo
    assert "pytest" in test


def test_ci_runs_the_readme_test_command():
    ci_lines = [line.strip() for line in
                (ROOT / ".ci" / "run").read_text().splitlines()]
    assert readme_commands()[1].strip() in ci_lines
