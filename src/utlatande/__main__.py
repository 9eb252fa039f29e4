"""python -m utlatande."""

from .cli import main

main()
