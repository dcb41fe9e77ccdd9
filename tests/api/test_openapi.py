import re

from starlette.routing import Route
from starlette.testclient import TestClient


def test_openapi_matches_the_routes(app_client: TestClient) -> None:
    doc = app_client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    served = set()
    for route in app_client.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, Route) or not route.path.startswith("/api/v1/"):
            continue
        if route.path in ("/api/v1/openapi.json",):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        served |= {(path, m) for m in (route.methods or set()) if m != "HEAD"}
    assert documented == served
    for path, ops in doc["paths"].items():
        for op in ops.values():
            assert op["summary"] and op["responses"], path
            for name in re.findall(r"\{(\w+)\}", path):
                assert name in {p["name"] for p in op.get("parameters", [])}


def test_openapi_schemas_resolve(app_client: TestClient) -> None:
    doc = app_client.get("/api/v1/openapi.json").json()
    text = str(doc)
    for ref in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert ref in doc["components"]["schemas"], ref
