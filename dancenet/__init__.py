"""DanceNet, the course: the library behind the chapters.

Each module holds one idea of the pipeline, in reading order:
``profiles`` → ``stage`` → ``video`` → ``background`` → ``vae`` (with ``estimators``) → ``mdn`` →
``sequence`` → ``choreography``; ``artifacts`` caches what each chapter makes for the next,
``widgets`` and ``plotting`` draw, ``cli`` is the ``dancenet`` command.
"""

__version__ = "0.1.0"
