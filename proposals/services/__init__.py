"""Use cases: the only code that writes models or calls the SieSmart client."""


class PortalError(Exception):
    """A use case refused: the message is for the person who asked."""
