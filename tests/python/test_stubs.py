# SPDX-License-Identifier: MIT
# The type stubs of the extension module (rapport/_rapport.pyi) name exactly what it defines: every
# class, function and exception, and every method and property of Index and Writer; the package's
# public names carry docstrings.
import ast
import inspect
import pathlib

import rapport
from rapport import _rapport


def public(names):
    return {n for n in names if not n.startswith("_")}


def stub_tree():
    path = pathlib.Path(rapport.__file__).with_name("_rapport.pyi")
    assert path.exists(), f"{path} is not installed beside the module"
    return ast.parse(path.read_text(encoding="utf-8"))


def test_stub_names_match_the_module():
    tree = stub_tree()
    stubbed = {node.name for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))}
    assert public(stubbed) == public(dir(_rapport)) - {"annotations"}
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    for name in ("Index", "Writer"):
        members = {n.name for n in classes[name].body if isinstance(n, ast.FunctionDef)}
        assert public(members) == public(dir(getattr(_rapport, name))), name


def test_stub_exceptions_have_the_module_bases():
    classes = {node.name: node for node in stub_tree().body if isinstance(node, ast.ClassDef)}
    for name, cls in inspect.getmembers(_rapport, lambda c: isinstance(c, type) and issubclass(c, BaseException)):
        bases = {ast.unparse(b) for b in classes[name].bases}
        assert bases == {b.__name__ for b in cls.__bases__}, name


def test_public_api_has_docstrings():
    for name in rapport.__all__:
        obj = getattr(rapport, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name
    for cls in (rapport.Index, rapport.Writer):
        for name, member in vars(cls).items():
            if not name.startswith("_") and (inspect.isfunction(member) or isinstance(member, (classmethod, property))):
                assert inspect.getdoc(member), f"{cls.__name__}.{name}"
    for name in rapport.eval.__all__:
        assert inspect.getdoc(getattr(rapport.eval, name)), f"rapport.eval.{name}"
