"""When a community next changes by the mere passing of time.

Figures and visits change without anyone doing anything when a penalty ends
(people suspended), a temporary credential ends (active credentials, once
expired), and when a visit's approval deadline, expected window or pass
ends (visitors on site, overdue cards). :func:`next_change` gives the
earliest such moment, so the caller can schedule one refresh there instead
of polling.
"""

from __future__ import annotations

from datetime import datetime

from .community import Community
from .visitors import VisitorDesk


def next_change(community: Community, after: datetime) -> datetime | None:
    """Return the earliest time-dependent change of ``community``, or None.

    Penalty ends count only if later than ``after`` (an ended penalty needs
    nothing more). A credential or visit end may be at or before ``after``:
    that one is due now (its expiry or sweep has not run yet).

    Cost: the penalties in force and the active visits (a few hundred at
    most), and the top of the index's heap of credential ends.
    """
    index = community.index
    moments = [
        end
        for penalties in (index.suspended, index.restricted)
        for end in penalties.values()
        if end is not None and end > after
    ]
    if (credential_end := index.next_credential_end()) is not None:
        moments.append(credential_end)
    moments.extend(
        due
        for visit in community.visits.values()
        if (due := VisitorDesk.due_at(visit)) is not None
    )
    return min(moments, default=None)
