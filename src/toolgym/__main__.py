"""`python -m toolgym`: the same entry point as the installed `toolgym` script."""

from toolgym.cli import main

if __name__ == "__main__":
    main()
