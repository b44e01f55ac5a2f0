"""What counts as the same content."""

from __future__ import annotations

from isms.content import changed_fields, same, text_of


def test_layout_and_whitespace_are_not_content():
    assert same({"a": "one  two\nthree ", "b": [1, 2]}, {"b": [1, 2], "a": "one two three"})
    assert same({"x": {"en": "A", "zh": "甲"}}, {"x": {"zh": "甲", "en": "A"}})


def test_types_and_order_of_lists_are_content():
    assert not same(True, 1)
    assert not same("1", 1)
    assert not same([1, 2], [2, 1])
    assert not same(None, "")
    assert same(1, 1.0)


def test_changed_fields():
    old = {"kind": "policy", "text": "A", "version": "1.0.0", "gone": 1}
    new = {"kind": "policy", "text": "B", "version": "1.0.0", "added": None}
    assert changed_fields(old, new) == ("added", "gone", "text")
    assert changed_fields(old, new, skip=("text", "gone")) == ("added",)


def test_text_of():
    assert text_of({"zh": "中文", "en": "English  text"}, ("en", "zh")) == "English text"
    assert text_of({"zh": "中文"}, ("en",)) == "中文"
    assert text_of("plain", ()) == "plain"
    assert text_of(None) == "" and text_of(["x"]) == ""
