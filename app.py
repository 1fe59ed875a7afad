from backend import create_app
from backend.services.decisions.warmup import freeze_heap

app = create_app(warm_up=True)  # each web worker loads this module: it is warmed before it serves
freeze_heap()  # ... and its warmed heap is left out of garbage collections (services/decisions/warmup.py)
