"""Decontamination against the pinned BFCL wheel: CI gate of 0 exact name and question overlaps."""

from __future__ import annotations

import json

from toolgym.data.decontam import decontam_report, normalize_name, overlap_report


def test_normalize_name_sanitizes_dots_and_case():
    assert normalize_name("Math.Factorial") == normalize_name("math_factorial") == "math_factorial"


def test_catalog_has_no_exact_overlap_with_bfcl():
    report = decontam_report(per_template=1)
    assert report["bfcl_names"] > 1000 and report["bfcl_questions"] > 1000
    assert report["exact_name_overlap"] == 0, report["exact_name_examples"]
    assert report["exact_question_overlap"] == 0, report["exact_question_examples"]
    assert report["ngram_overlap_rate"] < 0.05


def test_overlap_is_detected_when_present():
    report = overlap_report(["Math.Factorial", "my_own_tool"],
                            ["Calculate the factorial of 5 using math functions.", "something new"])
    assert report["exact_name_overlap"] == 1
    assert report["exact_question_overlap"] == 1
    assert report["questions_with_ngram_overlap"] > 0


def test_dataset_folder_is_read_from_jsonl(tmp_path):
    rec = {"messages": [{"role": "user", "content": "Calculate the factorial of 5 using math functions."}],
           "tools": [{"type": "function", "function": {"name": "math.factorial", "parameters": {}}}]}
    (tmp_path / "train.jsonl").write_text(json.dumps(rec) + "\n")
    report = decontam_report(tmp_path)
    assert report["source"] == "dataset"
    assert report["exact_name_overlap"] == 1 and report["exact_question_overlap"] == 1
