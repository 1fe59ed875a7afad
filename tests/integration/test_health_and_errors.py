"""/health and the one JSON error envelope, on SQLite and PostgreSQL."""
from backend import create_app


def test_health_answers_ok_after_a_database_round_trip(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_health_is_503_with_the_reason_when_the_database_is_down(tmp_path):
    app = create_app({"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
                      "huey_immediate": True, "testing": True})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "unavailable"
    assert error["message"] == "database unreachable"
    assert error["details"]["reason"]


def test_unknown_path_is_a_json_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_a_json_405_that_names_the_allowed_ones(client):
    response = client.post("/health")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_an_unhandled_exception_is_a_json_500_without_a_traceback(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals /home/app/backend/x.py line 3")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "Traceback" not in body and "secret internals" not in body
