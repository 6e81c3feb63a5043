"""A local imitation of every vendor's API, candidate page and webhooks, with fault injection.

Assay runs against it out of the box, and the tests and benchmarks drive it over
real HTTP. Each vendor's imitation is one module; ``server.build_app`` mounts them.
"""
