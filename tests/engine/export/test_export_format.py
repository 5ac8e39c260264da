"""The in-process formatter lays code out exactly as ``ruff format`` does, for the shapes exports use."""

from __future__ import annotations

import ast
import random

import pytest

from engine.export.format import Arg, Atom, call, comment, imports, module, statement, string, subscript, value, width
from tests.engine.export.ruff_check import format_problems, lint_problems, write_all


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("plain", '"plain"'),
        ("it's", '"it\'s"'),
        ('say "hi"', "'say \"hi\"'"),
        ("back\\slash", '"back\\\\slash"'),
        ("new\nline", '"new\\nline"'),
        ("naïve ünïcode", '"naïve ünïcode"'),
        ("", '""'),
    ],
)
def test_string_literal_prefers_double_quotes_unless_that_needs_escapes(text, literal):
    assert string(text) == literal
    assert ast.literal_eval(literal) == text


def test_string_literal_with_both_quote_kinds_round_trips():
    for text in ["a'b\"c", "a''b\"c", 'a\'b""c']:
        assert ast.literal_eval(string(text)) == text


def test_wide_characters_count_twice_like_ruff():
    assert width("ab") == 2
    assert width("東京") == 4


def test_statement_stays_on_one_line_when_it_fits():
    assert statement("x = ", call("F", Arg(value(1), "a"))) == ["x = F(a=1)"]


def test_statement_hugs_the_arguments_on_one_indented_line_when_they_fit():
    expr = call("SomeCredential", Arg(value("a" * 30), "first"), Arg(value("b" * 30), "second"))
    assert statement("credential = ", expr) == [
        "credential = SomeCredential(",
        f'    first="{"a" * 30}", second="{"b" * 30}"',
        ")",
    ]


def test_statement_puts_one_argument_per_line_with_a_trailing_comma_when_they_do_not_fit():
    expr = call("F", *(Arg(value("x" * 30), f"k{i}") for i in range(3)))
    lines = statement("credential = ", expr)
    assert lines[0] == "credential = F("
    assert lines[1:-1] == [f'    k{i}="{"x" * 30}",' for i in range(3)]
    assert lines[-1] == ")"


def test_a_list_with_several_items_is_exploded_rather_than_hugged():
    lines = statement("x = ", call("F", Arg(value(["a" * 40, "b" * 40]), "tenants")))
    assert lines == ["x = F(", "    tenants=[", f'        "{"a" * 40}",', f'        "{"b" * 40}",', "    ]", ")"]


def test_comment_wraps_at_the_line_length():
    lines = comment("word " * 40)
    assert all(len(line) <= 88 and line.startswith("# ") for line in lines)
    assert len(lines) > 1


def test_imports_put_the_standard_library_first_and_wrap_long_from_imports():
    names = [f"VeryLongCredentialName{i}" for i in range(6)]
    lines = imports({"os", "asyncio"}, {"azure.identity": names}, stdlib={"os", "asyncio"})
    assert lines[:3] == ["import asyncio", "import os", ""]
    assert lines[3] == "from azure.identity import ("
    assert lines[4:-1] == [f"    {n}," for n in sorted(names)]


def test_module_separates_function_definitions_with_two_blank_lines():
    text = module(["import x"], ["y = 1"], ["def f():", "    pass"], ["f()"])
    assert text == "import x\n\ny = 1\n\n\ndef f():\n    pass\n\n\nf()\n"


def _random_expr(rng: random.Random, depth: int = 0):
    kind = rng.choice(["str", "num", "bool", "none", "list", "dict", "env", "call"] if depth < 2 else ["str", "num"])
    if kind == "str":
        return value("".join(rng.choice("abcdef-0123456789.:/'\"") for _ in range(rng.randint(0, 60))))
    if kind == "num":
        return value(rng.choice([1, 10, 30, 2.5, 300]))
    if kind == "bool":
        return value(rng.choice([True, False]))
    if kind == "none":
        return value(None)
    if kind == "list":
        return value(["t" * rng.randint(1, 40) for _ in range(rng.randint(0, 4))])
    if kind == "dict":
        return value({f"key{i}": "v" * rng.randint(1, 40) for i in range(rng.randint(1, 3))})
    if kind == "env":
        return subscript("os.environ", value("VAR_" + "X" * rng.randint(1, 70)))
    return call(
        rng.choice(["AzureCliCredential", "ManagedIdentityCredential", "F"]),
        *(Arg(_random_expr(rng, depth + 1), f"option_{i}" * rng.randint(1, 2)) for i in range(rng.randint(0, 4))),
    )


def test_random_statements_are_laid_out_exactly_as_ruff_format_would(tmp_path):
    rng = random.Random(20240607)
    sources = {}
    for n in range(400):
        expr = call("ChainedTokenCredential", *(Arg(_random_expr(rng)) for _ in range(rng.randint(1, 4))))
        depth = rng.choice([0, 0, 1, 2])
        lines = statement("credential = ", expr, depth=depth)
        body = "\n".join(lines) + "\n"
        if depth:
            body = "".join("    " * (d) + f"if x{d}:\n" for d in range(depth)) + body
        sources[f"case{n}"] = "import os\n\n" + body
    write_all(tmp_path, sources)
    assert format_problems(tmp_path) == ""


def test_atoms_that_do_not_fit_are_left_long_like_ruff(tmp_path):
    lines = statement("credential = ", call("F", Arg(Atom('"' + "z" * 120 + '"'))))
    write_all(tmp_path, {"long": "def F(x):\n    return x\n\n\n" + "\n".join(lines) + "\n"})
    assert format_problems(tmp_path) == ""
    assert lint_problems(tmp_path) == ""
