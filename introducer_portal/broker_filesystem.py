"""kombu's filesystem transport, made safe for several worker processes.

The stock transport writes a message in place, so a consumer in another process can pick the
file up half-written and fail on an empty body. Here a message is written under a name no
consumer looks for and renamed into place (atomic on one filesystem), and a consumer claims a
file by renaming it into the broker's own processed folder before reading it, so exactly one
process gets each message.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

TRANSPORT = "introducer_portal.broker_filesystem:Transport"


def transport_options(folder) -> dict:
    """Celery's broker options for a broker folder (created here); 50 ms polling."""
    from pathlib import Path

    folder = Path(folder)
    (folder / "processed").mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
        "polling_interval": 0.05,
    }


def lane_queues(prefix: str) -> dict:
    """The two lanes' queue names and the routes that send a task to its lane's queue."""
    interactive, background = f"{prefix}interactive", f"{prefix}background"
    return {
        "CELERY_QUEUE_INTERACTIVE": interactive,
        "CELERY_QUEUE_BACKGROUND": background,
        "CELERY_TASK_DEFAULT_QUEUE": background,
        # A task's name says its lane: proposals.interactive.* or proposals.background.*.
        "CELERY_TASK_ROUTES": {
            "proposals.interactive.*": {"queue": interactive},
            "proposals.background.*": {"queue": background},
        },
    }


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f"partial-{uuid.uuid4()}.tmp")
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add message {name!r} to the broker folder") from exc

    def _get(self, queue):
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(self.processed_folder, f"{name}.{os.getpid()}")
            try:
                os.replace(os.path.join(self.data_folder_in, name), claimed)
            except FileNotFoundError:
                continue  # another process claimed it first
            try:
                with open(claimed, "rb") as handle:
                    payload = handle.read()
            finally:
                if not self.store_processed:
                    os.remove(claimed)
            return loads(bytes_to_str(payload))
        raise filesystem.Empty()


class Transport(filesystem.Transport):
    Channel = Channel
