#!/usr/bin/env python
from observatoire.cli import main

if __name__ == "__main__":
    main()
