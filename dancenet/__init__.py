"""DanceNet, the course: the library behind the chapters.

Each module holds one idea of the pipeline, in reading order:
``profiles`` → ``stage`` → ``video`` → ``background`` → ``artifacts`` → ``widgets`` / ``plotting``.
"""

__version__ = "0.1.0"
