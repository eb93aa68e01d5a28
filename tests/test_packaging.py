"""What a wheel ships: every subpackage of seqcore (an editable install
would hide a missing one, since it reads the source tree)."""
import fnmatch
import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_every_subpackage_is_packaged():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [".".join(init.parent.relative_to(ROOT).parts)
                for init in (ROOT / "seqcore").rglob("__init__.py")]
    assert "seqcore.layers" in packages and "seqcore.engine" in packages
    missing = [p for p in packages
               if not any(fnmatch.fnmatch(p, pat) for pat in patterns)]
    assert missing == []
