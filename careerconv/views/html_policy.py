"""What a page that careerconv writes may load: nothing from outside itself.

Progress reports, the index of a report batch, the HR page and the one-page
conversation summaries are opened from disk, mailed and archived. Every one of
them is self-contained (styles inline, charts as ``data:`` images, no script),
so opening one tells no third party about it and it looks the same offline.

:data:`PAGE_CSP` makes that a rule the browser enforces: even if a future
template or output slipped in a ``<script src=https://…>``, a stylesheet link,
a web font or a remote image, the browser would refuse to fetch it. Each page
carries it as a ``<meta http-equiv>`` tag (:data:`CSP_META`) at the top of its
``<head>``. Links between the files careerconv wrote (index to report) are
navigation, which the policy leaves alone.
"""

from __future__ import annotations

__all__ = ["PAGE_CSP", "CSP_META"]

PAGE_CSP = "; ".join([
    "default-src 'none'",         # no script, font, frame, media, connection …
    "img-src data:",              # charts and the template's icons are embedded
    "style-src 'unsafe-inline'",  # <style> blocks and style attributes of the page itself
    "base-uri 'none'",
    "form-action 'none'",
])

# The policy holds no character that needs escaping in a double-quoted attribute.
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{PAGE_CSP}">'
