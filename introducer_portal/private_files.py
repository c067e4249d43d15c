"""Files under ``var/`` (the SQLite database, secrets, uploads) are for the portal's user only.

The directory is made 0o700 and each SQLite file 0o600, whatever the umask, so another account
on the machine can read neither the database nor the development secrets.
"""

import os
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def private_dir(path: Path) -> None:
    """Create ``path`` if needed and close it to others; a directory we do not own is left."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        if path.stat().st_uid == os.getuid():
            path.chmod(PRIVATE_DIR_MODE)
    except OSError:  # a read-only or foreign mount: nothing more we may do
        pass


def private_sqlite_files(database_name) -> None:
    """Close the SQLite database file and its WAL/SHM companions to others."""
    name = str(database_name or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for suffix in SQLITE_SUFFIXES:
        candidate = Path(name + suffix)
        try:
            if candidate.exists() and candidate.stat().st_uid == os.getuid():
                candidate.chmod(PRIVATE_FILE_MODE)
        except OSError:
            pass


def on_connection_created(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: SQLite creates its file on the first connection."""
    if connection.vendor == "sqlite":
        private_sqlite_files(connection.settings_dict.get("NAME"))
