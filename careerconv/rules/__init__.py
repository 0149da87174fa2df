"""rules: Pure rules over the records: follow-up (action-item states, the last completed conversation,
natural id order), progress towards targets, cadence (who is due), privacy (minimum group sizes) and
option kinds. Functions of frames and dicts, no I/O: they may import records.schema only, never the
store.
"""
