"""`make bench` (`python -m bench`): one command per figure, each printed beside its target. May import:
backend and devshop (the simulator)."""
