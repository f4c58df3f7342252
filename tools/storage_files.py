"""Write the storage format's published files: JSON Schemas and golden documents.

``python tools/storage_files.py`` (``make schemas``) writes
``docs/schemas/<type>.schema.json`` from the attrs classes.
``python tools/storage_files.py --golden`` (``make golden``) also writes
``tests/golden/v<SCHEMA_VERSION>/<type>.json`` from ``tests/storage_values.py``
(its ``GOLDEN_VALUES`` of that version): run it once per schema version, then keep
the files forever (later versions must load them). ``tests/test_serialization.py`` checks both against the code.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from storage_values import GOLDEN_VALUES  # noqa: E402 - after the path is set
from subscription_rules.serialization import (  # noqa: E402
    DOCUMENT_TYPES,
    SCHEMA_VERSION,
    dumps,
    json_schema,
)


def schema_text(name: str) -> str:
    """The published text of a document type's JSON Schema."""
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"


def golden_text(value: object) -> str:
    """The published text of a golden document."""
    return dumps(value, indent=2) + "\n"


def main() -> None:
    """Write the schemas, and the golden documents when asked."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--golden", action="store_true", help="also write the golden documents")
    args = parser.parse_args()
    schemas = ROOT / "docs" / "schemas"
    schemas.mkdir(parents=True, exist_ok=True)
    for name in DOCUMENT_TYPES:
        (schemas / f"{name}.schema.json").write_text(schema_text(name), encoding="utf-8")
    print(f"wrote {len(DOCUMENT_TYPES)} schemas to {schemas.relative_to(ROOT)}")
    if args.golden:
        golden = ROOT / "tests" / "golden" / f"v{SCHEMA_VERSION}"
        golden.mkdir(parents=True, exist_ok=True)
        for name, value in GOLDEN_VALUES[SCHEMA_VERSION]().items():
            (golden / f"{name}.json").write_text(golden_text(value), encoding="utf-8")
        print(f"wrote {len(DOCUMENT_TYPES)} golden documents to {golden.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
