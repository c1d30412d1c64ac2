"""Archive copies of approved minutes (PDF/A + Noark 5 arkivmelding)."""


def store_minutes_pdf(minutes) -> None:
    """Render the approved minutes once and keep the bytes with their checksum.

    Implemented in the archive work (PDF/A rendering); called by minutes_approve when the
    last attending agency approves.
    """
    raise NotImplementedError
