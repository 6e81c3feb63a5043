"""``python -m providers.sandbox --port 8700 --state-file .assay/sandbox.json``."""

import argparse

import uvicorn

from providers.sandbox.server import build_app

parser = argparse.ArgumentParser(description="Assay's vendor sandbox")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8700)
parser.add_argument("--state-file", default=None)
parser.add_argument("--public-url", default=None, help="where candidates' browsers reach the sandbox")
args = parser.parse_args()
app = build_app(state_file=args.state_file, public_url=args.public_url or f"http://{args.host}:{args.port}")
uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
