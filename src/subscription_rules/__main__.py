"""Run the command line as ``python -m subscription_rules``; see :mod:`subscription_rules.cli`."""

from subscription_rules.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
