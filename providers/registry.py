"""The vendors Assay can connect to, and how to build a provider for a connection.

Adding a vendor is one provider module defining ``SPEC`` (found here by looking)
and one sandbox module; nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil

import providers
from providers.base import ConnectionConfig, Provider, VendorSpec

SANDBOX_REGION = "sandbox"
CUSTOM_REGION = "custom"
SANDBOX_LABEL = "Sandbox (Assay's built-in vendor sandbox)"
CUSTOM_LABEL = "Custom base URL"


def _discover() -> dict[str, VendorSpec]:
    specs = {}
    for info in pkgutil.iter_modules(providers.__path__):
        if info.ispkg or info.name in ("base", "http", "registry"):
            continue
        spec = getattr(importlib.import_module(f"providers.{info.name}"), "SPEC", None)
        if isinstance(spec, VendorSpec):
            specs[spec.key] = spec
    return dict(sorted(specs.items(), key=lambda item: item[1].display_name))


VENDORS: dict[str, VendorSpec] = _discover()


def region_choices(spec: VendorSpec) -> dict[str, str]:
    """Every region a connection to the vendor can be in, key to the label an admin reads
    (the sandbox first, a custom URL last)."""
    return {
        SANDBOX_REGION: SANDBOX_LABEL,
        **{region.key: region.label for region in spec.regions},
        CUSTOM_REGION: CUSTOM_LABEL,
    }


def region_label(spec: VendorSpec, region: str) -> str:
    """The label an admin picked ``region`` by in the connect dialog (a region the vendor no longer
    lists, by its key)."""
    return region_choices(spec).get(region, region)


def region_base_url(spec: VendorSpec, region: str, *, sandbox_url: str, custom_url: str = "") -> str:
    """The base URL a connection in ``region`` talks to.

    Raises:
        ValueError: An unknown region, or a custom URL that is not http(s).
    """
    if region == SANDBOX_REGION:
        return sandbox_url.rstrip("/") + spec.sandbox_prefix
    if region == CUSTOM_REGION:
        if not custom_url.startswith(("http://", "https://")):
            raise ValueError("A custom base URL must start with http:// or https://.")
        return custom_url.rstrip("/")
    for known in spec.regions:
        if known.key == region:
            return known.base_url
    raise ValueError(f"{spec.display_name} has no region {region!r}.")


def build_provider(vendor: str, config: ConnectionConfig) -> Provider:
    """A provider for one connection."""
    return VENDORS[vendor].provider(config)
