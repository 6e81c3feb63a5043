"""Vendors: one module per vendor speaking its wire protocol, the common contract, the sandbox."""
