"""Item models of the desktop app: thin adapters over the core's objects, with named roles."""
