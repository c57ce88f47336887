"""Likely duplicate enterprises: finding them (finder), merging two into one (merge) and undoing a
merge from its audit record (undo).  An administrator decides; nothing here merges by itself."""
