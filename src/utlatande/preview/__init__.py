"""The preview (`utlatande serve`): each answer shown as its PDF's pages, redrawn when the
answer, its theme, its profile or an appendix is saved.

Threads: the HTTP server's (one a request; an open page holds one for its event stream),
the watcher (polls the watched files' stamps), the dispatcher (renders one answer at a time)
and a short-lived render thread per render. A save while a render runs bumps the answer's
generation and interrupts the render thread with `Superseded` (an asynchronous exception,
so even WeasyPrint's layout stops at once); a result whose generation is no longer current
is dropped. WeasyPrint is imported once, before the threads start, so every render is warm.
"""


HOST = "127.0.0.1"
DEFAULT_PORT = 8765

# pages.py renders an answer's pages through the pipeline, state.py keeps each answer's
# state and runs the watcher and the render threads, server.py serves them over HTTP.
# This module stays light: the command line reads HOST and DEFAULT_PORT from it.
