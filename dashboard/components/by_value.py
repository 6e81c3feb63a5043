"""``@rx.memo(wrapper=BY_VALUE)``: a memoised component that re-renders only when its props' values change.

A board reloads whole when anything on its job changes; with this, only the cards
whose data changed are rendered again (``by_value.jsx`` beside this module).
"""

from __future__ import annotations

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars import FunctionStringVar, VarData

_LIBRARY = "$/public/" + rx.asset("by_value.jsx", shared=True)

BY_VALUE = FunctionStringVar.create(
    "memoByValue", _var_data=VarData(imports={_LIBRARY: [ImportVar(tag="memoByValue")]})
)
