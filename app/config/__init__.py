"""Where the app keeps its files, its settings and profiles, and how it reaches the vendor for a profile."""
