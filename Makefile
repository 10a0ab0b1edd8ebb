# The two commands a new user needs (see README): `make run` and `make test`.
.PHONY: run test bench eval setup screenshots

setup:
	bash scripts/bootstrap.sh

run: setup
	HF_HUB_OFFLINE=1 .venv/bin/python app.py --host 127.0.0.1 --port 7860

test:
	bash scripts/bootstrap.sh --browser
	HF_HUB_OFFLINE=1 .venv/bin/python -m pytest -q -rs

eval: setup
	HF_HUB_OFFLINE=1 .venv/bin/assistant eval

bench: setup
	HF_HUB_OFFLINE=1 .venv/bin/assistant bench

# Refreshes the tracked docs/screenshot-*.png (tests only write to the untracked test-artifacts/).
screenshots:
	bash scripts/bootstrap.sh --browser
	HF_HUB_OFFLINE=1 .venv/bin/python scripts/screenshots.py --docs
