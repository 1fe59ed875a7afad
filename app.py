from backend import create_app

app = create_app(warm_up=True)  # each web worker loads this module: it is warmed before it serves
