"""Domain signals: services announce what happened; workers subscribe to write outbox rows.

Handlers run inside the caller's transaction, so a job is queued exactly when the change
commits (the outbox pattern) and views never need to know which jobs exist.
"""
from blinker import Namespace

_signals = Namespace()

project_saved = _signals.signal("project-saved")  # sender=project, changes=dict
stage_moved = _signals.signal("stage-moved")  # sender=project, event=StageEvent
interaction_logged = _signals.signal("interaction-logged")  # sender=interaction
