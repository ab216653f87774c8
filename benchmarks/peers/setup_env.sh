#!/usr/bin/env bash
# Creates benchmarks/.peers-venv with FLAML and AutoGluon (the peers of benchmarks/quality.py).
# shipml itself is not installed here: AutoGluon caps pandas<2.4 and pyarrow<25 while shipml
# needs pandas>=3, so the harness runs shipml from the project's .venv and each peer from this
# venv, each in its own subprocess. Usage: bash benchmarks/peers/setup_env.sh [PYTHON]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$(dirname "$here")"
venv="$bench/.peers-venv"
python="${1:-${PYTHON:-python3}}"

if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --upgrade pip
# torch first, pinned: the CPU build; otherwise a dependency resolves a CUDA torch of several GB.
"${pip[@]}" "torch==2.13.0"
"${pip[@]}" -r "$here/requirements.txt"

# Record why shipml runs from its own .venv: resolving shipml together with the peers fails
# (AutoGluon: pandas<2.4, pyarrow<25; shipml: pandas>=3). Informational only.
if "$venv/bin/python" -m pip install --dry-run --quiet -r "$here/requirements.txt" \
    -e "$(dirname "$bench")" >/dev/null 2>&1; then
    echo "note: shipml would resolve in the peers venv too (the harness still uses .venv)"
else
    echo "note: shipml conflicts with the peers (pandas/pyarrow caps): it runs from .venv"
fi

"$venv/bin/python" - <<'PY'
import importlib.metadata as md

import torch

for name in ("flaml", "autogluon.tabular", "torch", "lightgbm", "pandas", "scikit-learn"):
    print(f"{name}=={md.version(name)}")
assert not torch.cuda.is_available() and "+cpu" in torch.__version__, torch.__version__
PY
touch "$venv/.installed"
echo "peers venv ready: $venv"
