"""get_file: a file from Keras's cache folder. seqcore never downloads:
a file that is not there yet gets an error naming where to put it."""
import hashlib
import os
import tarfile
import urllib.parse
import zipfile


def keras_home():
    """$KERAS_HOME, else ~/.keras (Keras's cache folder)."""
    return os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras")


def _hash(path, algorithm, expected):
    if algorithm == "auto":
        algorithm = "sha256" if len(expected) == 64 else "md5"
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return algorithm, digest.hexdigest()


def _extract(archive, target, archive_format):
    """Extract a tar or zip archive into `target`, refusing members that
    would land outside it. True if it was an archive of an allowed kind."""
    formats = {"auto": ("tar", "zip"), "tar": ("tar",), "zip": ("zip",),
               None: ()}[archive_format if not isinstance(
                   archive_format, (list, tuple)) else "auto"]
    root = os.path.realpath(target)
    if "tar" in formats and tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                dest = os.path.realpath(os.path.join(target, member.name))
                if not dest.startswith(root + os.sep) and dest != root or \
                        member.issym() or member.islnk():
                    raise ValueError(f"get_file: archive member "
                                     f"{member.name!r} would be written "
                                     f"outside {target}")
            tar.extractall(target)
        return True
    if "zip" in formats and zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                dest = os.path.realpath(os.path.join(target, name))
                if not dest.startswith(root + os.sep) and dest != root:
                    raise ValueError(f"get_file: archive member {name!r} "
                                     f"would be written outside {target}")
            zf.extractall(target)
        return True
    return False


def get_file(fname=None, origin=None, untar=False, md5_hash=None,
             file_hash=None, cache_subdir="datasets", hash_algorithm="auto",
             extract=False, archive_format="auto", cache_dir=None,
             force_download=False):
    """The path of a file in Keras's cache (`cache_dir`, default
    $KERAS_HOME or ~/.keras, then `cache_subdir`), with Keras's names.

    seqcore has no network access at run time: when the file is absent (or
    `force_download` is set, or its hash does not match) a FileNotFoundError
    names the path to copy it to and the `origin` it comes from. With
    `extract`/`untar`, a present archive is extracted as Keras extracts it
    and the extraction folder is returned.
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the '
                         'file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = os.path.join(os.path.expanduser(cache_dir or keras_home()),
                           cache_subdir)
    given = fname is not None and str(fname) != ""
    fname = os.fspath(fname) if given else \
        os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"Can't parse the file name from the origin "
                         f"provided: '{origin}'. Please specify the `fname` "
                         f"argument.")
    if os.sep in fname:
        raise ValueError(f"Paths are no longer accepted as the `fname` "
                         f"argument. To specify the file's parent directory, "
                         f"use the `cache_dir` argument. Received: "
                         f"fname={fname}")
    extraction_dir = None
    if extract or untar:
        if given and "." in fname:
            target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir,
                                          f"{fname[:fname.find('.')]}"
                                          f"_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            target = os.path.join(datadir, f"{fname}_archive")
    else:
        target = os.path.join(datadir, fname)
    problem = None
    if force_download:
        problem = "force_download=True asks for a fresh download"
    elif not os.path.exists(target):
        problem = "it is not there"
    elif file_hash is not None:
        algorithm, digest = _hash(target, hash_algorithm, file_hash)
        if digest != file_hash:
            problem = (f"its {algorithm} hash {digest} does not match "
                       f"{file_hash}")
    if problem is not None:
        raise FileNotFoundError(
            f"get_file: seqcore does not download files; {target!r} is "
            f"needed but {problem}. Download {origin} and save it as "
            f"{target} (or set KERAS_HOME / cache_dir).")
    if extraction_dir is not None:
        if not os.path.isdir(extraction_dir):
            os.makedirs(extraction_dir, exist_ok=True)
            if not _extract(target, extraction_dir,
                            "tar" if untar else archive_format):
                raise ValueError(f"get_file: {target} is not a tar or zip "
                                 f"archive")
        return extraction_dir
    return target
