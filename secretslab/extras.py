"""The optional parts of secretslab and what each needs: ``pip install secretslab`` is the core
(the evaluator, the analyses and the CLI); ``[notebook]`` adds the figures and apps (matplotlib,
ipywidgets, JupyterLab), ``[aws]`` boto3 for ``secretslab import``, ``[standin]`` the embedded
AWS stand-in (moto) for ``secretslab demo-aws``, ``[apps]`` Voilà and ``[workshop]`` all of them.

Code that needs an optional package imports it with ``require``, so that a missing one is one
sentence naming the extra to install (``MissingExtra``), never a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType

__all__ = ["MissingExtra", "require"]


class MissingExtra(ImportError):
    """An optional package secretslab needs for what was asked is not installed; ``extra`` is the
    extra that installs it (``pip install 'secretslab[aws]'``). An ``ImportError``, so code that
    already handles one keeps working."""

    def __init__(self, package: str, extra: str, missing: str | None = None) -> None:
        self.package, self.extra, self.missing = package, extra, missing or package
        because = f" ({self.missing} is not installed)" if self.missing != package else ""
        super().__init__(f"this needs {package}{because}; install secretslab[{extra}]", name=self.missing)

    def __reduce__(self) -> tuple[type[MissingExtra], tuple[str, str, str]]:
        return MissingExtra, (self.package, self.extra, self.missing)


def require(module: str, *, extra: str, package: str | None = None) -> ModuleType:
    """``module``, imported; ``MissingExtra`` naming ``package`` (default: the module's top-level
    name) and ``extra`` when it, or something it imports, is not installed."""
    # a package that fails to import may warn first (moto: "install moto[server]"): our sentence
    # replaces its warnings then; when it imports, they are shown as they would have been
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        try:
            loaded = importlib.import_module(module)
        except ImportError as exc:
            top = module.partition(".")[0]
            missing = (exc.name or top).partition(".")[0]
            raise MissingExtra(package or top, extra, missing if missing != top else None) from exc
    for w in said:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    return loaded
