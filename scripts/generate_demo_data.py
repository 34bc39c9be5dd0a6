"""Write the demo import files (and optionally the jieba dictionary files).

python scripts/generate_demo_data.py [--seed 2026] [--out data/demo]
    [--societies 120 --experts 3600 --enterprises 1200 --needs 2400] [--dict data/dict]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from matcher.demo.dictionary import write_dictionary_files
from matcher.demo.generator import DEFAULT_SIZES, write_demo_files
from matcher.errors import MatcherError

REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "data" / "demo")
    for name, default in DEFAULT_SIZES.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--dict", type=Path, default=None, help="also rewrite the dictionary here")
    parser.add_argument("--dict-only", action="store_true", help="only rewrite the dictionary")
    args = parser.parse_args(argv)
    if args.dict or args.dict_only:
        for path in write_dictionary_files(args.dict or REPO_ROOT / "data" / "dict").values():
            print(f"wrote {path}")
        if args.dict_only:
            return
    started = time.perf_counter()
    sizes = {name: getattr(args, name) for name in DEFAULT_SIZES}
    try:
        paths = write_demo_files(args.out, seed=args.seed, **sizes)
    except MatcherError as exc:
        raise SystemExit(f"错误 / error: {exc}") from None
    for path in paths.values():
        print(f"wrote {path}")
    print(f"done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
