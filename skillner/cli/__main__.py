"""`python -m skillner.cli`, as the `skillner` command."""

from skillner.cli import main

main()
