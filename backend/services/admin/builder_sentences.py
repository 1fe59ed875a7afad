"""The written policy beside the builder, sentence by sentence: which rules implement each sentence.

    split(text)           -> [sentence]
    sentences(written, policy_text) -> {"sentences": [{"index", "text", "rules": [{"ref", "id", "title"}]}],
                                        "rules": [{"ref", "id", "title"}], "implemented", "total"}

A sentence is implemented by a rule whose `text` contains it, or is contained in it (whitespace, case
and curly quotes aside). Nothing is guessed beyond that: the merchant links the other sentences by hand.

Sentences are split by hand, not with a sentence-segmentation package: policy pages are short, plain
prose, and the cases that matter here (abbreviations such as "U.S." and "P.O.", list items on their own
lines) are few and written down below; a segmentation model would be a large dependency for this.
"""
from __future__ import annotations

import re


from backend.services.admin import builder_doc as doc_

# Words ending in a dot that do not end a sentence.
_ABBREVIATIONS = {"u.s", "p.o", "e.g", "i.e", "etc", "jr", "sr", "st", "mr", "mrs", "ms", "dr", "no", "vs",
                  "approx", "inc", "ltd", "co", "u.k", "a.m", "p.m"}
_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9$])")
MAX_CHARS = 50_000
_NAMES = {"policy.delivery_fallback": "Delivery never confirmed (fallback)"}


def split(text: str) -> list[str]:
    out = []
    for block in re.split(r"\n\s*(?:[-*•]\s+)?", text[:MAX_CHARS]):
        block = " ".join(block.split())
        start = 0
        for found in _END.finditer(block):
            word = block[:found.start()].rsplit(" ", 1)[-1].lower().strip("(\"'“")
            if word in _ABBREVIATIONS:
                continue
            out.append(block[start:found.end()].strip())
            start = found.end()
        if block[start:].strip():
            out.append(block[start:].strip())
    return [s for s in out if re.search(r"[A-Za-z]", s)]


def _norm(text: str) -> str:
    text = text.translate(str.maketrans("“”‘’", "\"\"''")).lower()
    return " ".join(text.split()).strip(" .")


def rules_of(policy_text: str) -> list[dict]:
    try:
        document = doc_.parse(policy_text)
    except doc_.Unreadable:
        return []
    out = []
    for ref, table in doc_.tables(document):
        text = table.get("text") if hasattr(table, "get") else None
        if isinstance(text, str):
            public = {k: v for k, v in ref.items() if not k.startswith("_")}
            out.append({"ref": public, "id": public.get("id") or ref["table"],
                        "title": str(table.get("title") or _NAMES.get(ref["table"], ref["table"])), "text": str(text)})
    return out


def sentences(written: str, policy_text: str) -> dict:
    rules = rules_of(policy_text)
    normalized = [(_norm(r["text"]), r) for r in rules]
    found = []
    for i, sentence in enumerate(split(written)):
        mine = _norm(sentence)
        linked = [{"ref": r["ref"], "id": r["id"], "title": r["title"]} for text, r in normalized
                  if mine and text and (mine in text or text in mine)]
        found.append({"index": i, "text": sentence, "rules": linked})
    return {"sentences": found, "rules": [{"ref": r["ref"], "id": r["id"], "title": r["title"]} for r in rules],
            "implemented": sum(1 for s in found if s["rules"]), "total": len(found)}
