"""Contact reminders (placeholder until the reminders engineer lands the scan)."""
from __future__ import annotations

from crm.services import outbox, signals


@signals.interaction_logged.connect
def _queue_interaction_job(interaction, **kw) -> None:
    outbox.enqueue("interactions.logged", interaction_id=interaction.id)
