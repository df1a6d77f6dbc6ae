"""Formulas over indicators (e.g. a share: ``level4_ops / operations * 100``), parsed safely.

A formula is never ``eval``-ed: Python's ``ast`` parses it and only a whitelist of nodes is
accepted — numbers, indicator codes, ``+ - * /``, parentheses, a leading minus, and
``prior(code)`` (the same indicator over the same period a year earlier, for growth rates). Any
other construct (attributes, calls of other names, comparisons, subscripts, …) is refused with the
construct named.

A formula is evaluated on its operands *aggregated over the unit and the period* (each by its own
aggregation), never cell by cell and then averaged: a share of a branch's year is the branch's
yearly numerator over its yearly denominator.

:func:`find_cycle` names a formula that refers to itself, directly or through others.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

from django.utils.translation import gettext as _

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PRIOR = "prior"
MAX_LENGTH = 300


class FormulaError(ValueError):
    """The formula cannot be used; the message is shown to the user."""


@dataclass(frozen=True)
class Formula:
    text: str
    tree: ast.Expression
    codes: frozenset[str]  # every indicator the formula reads
    prior_codes: frozenset[str]  # those read a year earlier too

    def evaluate(self, value: Callable[[str, bool], Decimal | None]) -> Decimal | None:
        """The formula's value; ``value(code, prior)`` gives an operand's aggregate (None: no data).

        None when an operand has no data or a division by zero happens.
        """
        return _eval(self.tree.body, value)


_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)


def parse(text: str) -> Formula:
    """Parse and check a formula; raises FormulaError naming what is not allowed."""
    text = (text or "").strip()
    if not text:
        raise FormulaError(_("The formula is empty."))
    if len(text) > MAX_LENGTH:
        raise FormulaError(_("The formula is longer than %(n)d characters.") % {"n": MAX_LENGTH})
    # Chinese punctuation typed by habit: full-width brackets and operators.
    normalized = (
        text.replace("（", "(").replace("）", ")").replace("×", "*").replace("÷", "/").replace("－", "-")
    )
    try:
        tree = ast.parse(normalized, mode="eval")
    except SyntaxError:
        raise FormulaError(
            _("“%(text)s” is not a formula: use indicator codes, numbers, + - * / and brackets.")
            % {"text": text}
        ) from None
    codes: set[str] = set()
    prior: set[str] = set()
    _check(tree.body, codes, prior)
    if not codes:
        raise FormulaError(_("The formula refers to no indicator."))
    return Formula(text, tree, frozenset(codes), frozenset(prior))


def _refuse(node) -> None:
    names = {
        ast.Attribute: _("attributes (“.”)"),
        ast.Subscript: _("subscripts (“[]”)"),
        ast.Compare: _("comparisons"),
        ast.BoolOp: _("and / or"),
        ast.Pow: "**",
        ast.Mod: "%",
        ast.FloorDiv: "//",
        ast.Lambda: "lambda",
        ast.IfExp: "if … else",
    }
    what = names.get(type(node)) or type(node).__name__
    raise FormulaError(_("A formula may not contain %(what)s.") % {"what": what})


def _check(node, codes: set, prior: set) -> None:
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, _OPS):
            _refuse(node.op)
        _check(node.left, codes, prior)
        _check(node.right, codes, prior)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            _refuse(node)
        _check(node.operand, codes, prior)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(
                _("Only numbers may be written in a formula, not “%(v)s”.") % {"v": node.value}
            )
    elif isinstance(node, ast.Name):
        if not CODE_RE.match(node.id) or node.id == PRIOR:
            raise FormulaError(_("“%(code)s” is not an indicator code.") % {"code": node.id})
        codes.add(node.id)
    elif isinstance(node, ast.Call):
        if (
            not isinstance(node.func, ast.Name)
            or node.func.id != PRIOR
            or len(node.args) != 1
            or node.keywords
            or not isinstance(node.args[0], ast.Name)
        ):
            raise FormulaError(
                _("The only function is prior(code): the indicator over the same period a year earlier.")
            )
        name = node.args[0].id
        if not CODE_RE.match(name) or name == PRIOR:
            raise FormulaError(_("“%(code)s” is not an indicator code.") % {"code": name})
        codes.add(name)
        prior.add(name)
    else:
        _refuse(node)


def _eval(node, value) -> Decimal | None:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        return value(node.id, False)
    if isinstance(node, ast.Call):
        return value(node.args[0].id, True)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, value)
        if operand is None:
            return None
        return -operand if isinstance(node.op, ast.USub) else operand
    left, right = _eval(node.left, value), _eval(node.right, value)
    if left is None or right is None:
        return None
    op = node.op
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    try:
        return left / right
    except (DivisionByZero, InvalidOperation, ZeroDivisionError):
        return None


def find_cycle(code: str, refs: Mapping[str, frozenset[str] | set[str]]) -> list[str] | None:
    """A chain ``[code, …, code]`` when ``code``'s formula refers back to itself, else None.

    ``refs``: each formula indicator's code → the codes its formula reads (``code`` included with
    its proposed formula).
    """
    path: list[str] = []
    on_path: set[str] = set()
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for nxt in sorted(refs.get(node, ())):
            if nxt == code:
                return [*path, code]
            if nxt in on_path or nxt in done:
                continue
            found = visit(nxt)
            if found:
                return found
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    return visit(code)
