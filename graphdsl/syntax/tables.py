"""What the fast engine runs: the LALR(1) automaton and the lexer's terminals, as Lark computes them.

`build_tables(grammar)` asks Lark for everything the fast engine needs to parse exactly the
language the grammar defines, and nothing the grammar does not say:

- the terminals in the order Lark's basic lexer tries them, with each one's regular expression
  (and its text, for a string terminal);
  the string terminals a regular one matches wholly (the keywords, matched by NAME) are resolved
  after the match, as Lark's basic lexer does; the `%ignore`d terminals;
- the LALR(1) automaton for `start`: per terminal, the action in each state (shift to a state,
  reduce by a rule, or None: an error), and per nonterminal, the goto from each state;
- per rule: its origin, the callback's name (alias or origin), its length, which children are
  kept (terminals starting with `_` are dropped), and how Lark shapes the tree (`?rule` inlined
  when it has one child, `_rule` and `x*` helpers spliced into their parent: whether the rule is
  one, and which of its children are).

`scripts/gen_parser.py` writes them to `_tables.py`; `tables()` loads that module when it was made
from the grammar file as it is now, and otherwise builds them with Lark at run time (so a changed
grammar is never run with stale tables). This module imports Lark only inside `build_tables`.
"""

from __future__ import annotations

import os
import re

START = "start"


def grammar_path() -> str:
    """Where the grammar file is: inside the installed package, or in the source checkout."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for candidate in (
        os.path.join(package, "grammar", "graphdsl.lark"),
        os.path.join(os.path.dirname(package), "grammar", "graphdsl.lark"),
    ):
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError("graphdsl.lark not found beside the graphdsl package")


def grammar_text() -> str:
    with open(grammar_path(), encoding="utf-8") as fh:
        return fh.read()


def build_tables(grammar: str) -> dict:
    """Compute the automaton and the lexer's terminals from `grammar` with Lark."""
    import lark  # noqa: PLC0415 - only when the tables are (re)generated

    parser = lark.Lark(grammar, parser="lalr", lexer="basic", start=START)
    table = parser.parser.parser.parser.parse_table

    # ---- the lexer: Lark's order, and the keywords resolved after a match (Lark's "unless") ----
    lexer = parser.parser.lexer
    ordered = list(lexer.terminals)  # Lark's basic lexer sorts them: priority, max width, length, name
    keywords: dict[str, dict[str, str]] = {}
    embedded = set()
    for regular in ordered:
        if regular.pattern.type != "re":
            continue
        for literal in ordered:
            if literal.pattern.type != "str" or literal.priority != regular.priority:
                continue
            word = literal.pattern.value
            match = re.match(regular.pattern.to_regexp(), word)
            if match and match.group(0) == word:
                keywords.setdefault(regular.name, {})[word] = literal.name
                if literal.pattern.flags <= regular.pattern.flags:
                    embedded.add(literal.name)
    scanned = [
        (t.name, t.pattern.to_regexp(), t.pattern.value if t.pattern.type == "str" else None)
        for t in ordered
        if t.name not in embedded
    ]

    # ---- the automaton ----
    rules = list(parser.rules)
    rule_index = {id(rule): i for i, rule in enumerate(rules)}
    nonterminals = {str(rule.origin.name) for rule in rules}
    # Lark numbers states in set-iteration order, which changes with the hash seed; renumber them
    # breadth-first from the start state so the generated file is the same on every run.
    order: dict = {}
    queue = [table.start_states[START]]
    while queue:
        state = queue.pop(0)
        if state in order:
            continue
        order[state] = len(order)
        queue += [arg for _sym, (act, arg) in sorted(table.states[state].items(), key=lambda kv: kv[0])
                  if act.name == "Shift"]
    for state in table.states:  # states reachable only through gotos of the end state (none expected)
        order.setdefault(state, len(order))
    terminals = sorted({sym for row in table.states.values() for sym in row if sym not in nonterminals})
    actions: dict[str, list[int | None]] = {term: [None] * len(order) for term in terminals}
    gotos: dict[str, dict[int, int]] = {}
    for state, row in table.states.items():
        for sym, (act, arg) in row.items():
            if sym in nonterminals:
                gotos.setdefault(sym, {})[order[state]] = order[arg]
            elif act.name == "Shift":
                actions[sym][order[state]] = order[arg]
            else:
                actions[sym][order[state]] = -1 - rule_index[id(arg)]
    rule_rows = []
    for rule in rules:
        keep = tuple(
            not (sym.is_term and sym.filter_out) and not (sym.is_term and sym.name.startswith("_"))
            for sym in rule.expansion
        )
        origin = str(rule.origin.name)
        rule_rows.append(
            (
                origin,
                str(rule.alias) if rule.alias else origin,
                len(rule.expansion),
                keep,
                bool(rule.options.expand1) and not rule.alias,
                origin.startswith("_"),
                tuple(not sym.is_term and sym.name.startswith("_") for sym in rule.expansion),
            )
        )
    return {
        "grammar": grammar,  # the tables are stale unless the grammar file is exactly this
        "terminals": scanned,
        "keywords": keywords,
        "ignore": sorted(parser.ignore_tokens),
        "actions": actions,
        "gotos": dict(sorted(gotos.items())),
        "rules": rule_rows,
        "start": order[table.start_states[START]],
        "accept": order[table.end_states[START]],
    }


_TABLES: dict | None = None


def tables() -> dict:
    """The tables for the grammar file as it is now (generated, or built with Lark if stale)."""
    global _TABLES
    if _TABLES is None:
        grammar = grammar_text()
        try:
            from . import _tables  # noqa: PLC0415

            _TABLES = _tables.TABLES if _tables.TABLES.get("grammar") == grammar else None
        except ImportError:
            _TABLES = None
        if _TABLES is None:
            _TABLES = build_tables(grammar)
    return _TABLES
