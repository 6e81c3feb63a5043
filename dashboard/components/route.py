"""The page's own address, read in the browser the moment it changes.

A page's state outlives the page: following a link from one application to the next, the new
page drew the previous application (same layout, its data) until the server answered the
page's load, and a click in that moment (a walk's "Move to stage") acted on the wrong one. The
route's id, read from the router on the client, lets a page draw only data that is its own.
"""

from __future__ import annotations

from reflex.utils.imports import ImportVar
from reflex.vars import Var, VarData


def route_id(name: str) -> Var[str]:
    """The dynamic segment ``[name]`` of the page's address, as the browser has it now ("" if none)."""
    return Var(
        _js_expr=f'(routeParams["{name}"] ?? "")',
        _var_type=str,
        _var_data=VarData(
            imports={"react-router": [ImportVar(tag="useParams")]},
            hooks={"const routeParams = useParams();": None},
        ),
    ).to(str)
