"""Backups of the files in object storage (S3): every object of the media and private
storages into one archive, and back into an empty bucket.

Works through Django's storage API, so an archive made from S3 can also be restored onto disk
(or the other way round) by pointing the settings elsewhere. Files on local disk stay in
`media.tar.gz` as before; this covers the storages that are not on the local disk.
"""

import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

ALIASES = ("default", "private")
ARCHIVE_NAME = "objects.tar.gz"


def object_storages() -> dict[str, Storage]:
    return {
        alias: storages[alias]
        for alias in ALIASES
        if not isinstance(storages[alias], FileSystemStorage)
    }


def walk(storage: Storage, folder: str = "") -> Iterator[str]:
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from walk(storage, f"{folder}/{sub}" if folder else sub)


def archive(folder: Path) -> int:
    """Writes folder/objects.tar.gz; returns how many objects it holds (0: nothing written)."""
    chosen = object_storages()
    if not chosen:
        return 0
    count = 0
    with tarfile.open(folder / ARCHIVE_NAME, "w:gz") as tar:
        for alias, storage in chosen.items():
            for name in walk(storage):
                # Spooled to disk above a few MB: papers may be large, memory is shared.
                with storage.open(name, "rb") as source, tempfile.TemporaryFile() as copy:
                    for chunk in iter(lambda source=source: source.read(1024 * 1024), b""):
                        copy.write(chunk)
                    info = tarfile.TarInfo(f"{alias}/{name}")
                    info.size = copy.tell()
                    copy.seek(0)
                    tar.addfile(info, copy)
                count += 1
    return count


class NotEmpty(Exception):
    pass


def restore(archive_path: Path) -> int:
    """Puts every object back under its own name; refuses a storage that already holds files."""
    with tarfile.open(archive_path) as tar:
        members = [member for member in tar.getmembers() if member.isfile()]
        targets = {}
        for member in members:
            alias, _, name = member.name.partition("/")
            path = PurePosixPath(name)
            if alias not in ALIASES or not name or path.is_absolute() or ".." in path.parts:
                raise ValueError(f"unexpected entry in the archive: {member.name}")
            targets[alias] = storages[alias]
        for alias, storage in targets.items():
            if any(True for _ in walk_existing(storage)):
                raise NotEmpty(f"the {alias} storage is not empty; restore only into a new one")
        for member in members:
            alias, _, name = member.name.partition("/")
            handle = tar.extractfile(member)
            targets[alias].save(name, File(handle, name=name))
    return len(members)


def walk_existing(storage: Storage) -> Iterator[str]:
    try:
        yield from walk(storage)
    except FileNotFoundError:  # a folder on disk not created yet: empty
        return
