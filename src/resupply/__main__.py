"""`python -m resupply` runs the command line."""

from resupply.cli import main

main()
