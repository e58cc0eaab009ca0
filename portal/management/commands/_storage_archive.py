"""A storage's files into a tar archive and back, through the storage API, so a backup holds
the private files (meeting papers, report PDFs, checked imports) wherever they live: a folder
outside MEDIA_ROOT (PRIVATE_MEDIA_ROOT) or an object store."""

import io
import tarfile
from collections.abc import Iterator
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import Storage


def storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in the storage, folders first walked depth-first."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # an empty file storage has no folder yet
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from storage_files(storage, f"{folder}/{sub}" if folder else sub)


def archive_storage(storage: Storage, archive_path, prefix: str) -> int:
    """Write the storage's files into a gzip tar under `prefix/`; returns how many."""
    count = 0
    with tarfile.open(archive_path, "w:gz") as archive:
        for name in storage_files(storage):
            with storage.open(name, "rb") as handle:
                content = handle.read()
            member = tarfile.TarInfo(f"{prefix}/{name}")
            member.size = len(content)
            archive.addfile(member, io.BytesIO(content))
            count += 1
    return count


def restore_storage(storage: Storage, archive_path, prefix: str) -> int:
    """Put the archive's files back under their own names; returns how many."""
    count = 0
    with tarfile.open(archive_path) as archive:
        for member in archive:
            path = PurePosixPath(member.name)
            # Only plain files under the prefix; no absolute paths, no "..", no links.
            if not member.isfile() or path.parts[:1] != (prefix,) or ".." in path.parts:
                continue
            name = str(PurePosixPath(*path.parts[1:]))
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, ContentFile(archive.extractfile(member).read()))
            if saved != name:
                raise RuntimeError(f"{name} was restored as {saved}")
            count += 1
    return count
