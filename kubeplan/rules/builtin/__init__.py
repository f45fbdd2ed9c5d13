"""The built-in rule pack: one module per category; metadata rows in ../data/<category>.yaml."""
