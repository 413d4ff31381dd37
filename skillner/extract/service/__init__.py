"""The HTTP service and its page (`skillner serve`); needs the `serve` extra (FastAPI, uvicorn)."""
