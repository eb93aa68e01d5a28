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


def test_sdist_manifest_carries_every_c_source_and_header():
    """setuptools adds an Extension's listed sources to the sdist, but not
    the headers they include: MANIFEST.in must name them (.ci/run also
    builds the sdist and installs it in a fresh venv)."""
    rules = (ROOT / "MANIFEST.in").read_text().splitlines()
    csrc_rule = next(line.split()[2:] for line in rules
                     if line.startswith("recursive-include csrc"))
    files = [p for p in (ROOT / "csrc").rglob("*") if p.is_file()]
    assert any(p.suffix == ".h" for p in files)
    unshipped = [str(p.relative_to(ROOT)) for p in files
                 if not any(fnmatch.fnmatch(p.name, pat) for pat in csrc_rule)]
    assert unshipped == []
    assert "include seqcore/_kernels.pyx seqcore/_kernels.pxd" in rules


def test_readme_links_point_to_files_in_the_repository():
    import re
    text = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)#:]+)\)", text)
    assert "docs/architecture.md" in text and targets
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert missing == []


def test_sdist_manifest_carries_every_bridge_file_the_pyx_includes():
    """_kernels.pyx includes one .pxi per kernel family: each must exist and
    be shipped in the sdist."""
    import re
    rules = (ROOT / "MANIFEST.in").read_text().splitlines()
    assert "recursive-include seqcore/_kernels *.pxi" in rules
    pyx = (ROOT / "seqcore" / "_kernels.pyx").read_text()
    included = re.findall(r'^include "([^"]+)"', pyx, re.M)
    assert len(included) >= 8
    on_disk = sorted(p.relative_to(ROOT / "seqcore").as_posix()
                     for p in (ROOT / "seqcore" / "_kernels").glob("*.pxi"))
    assert sorted(included) == on_disk
