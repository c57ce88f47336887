"""Every `next` parameter stays on this site: login, the contact log's done button, the quick log form."""
import pytest

from tests import factories
from tests.factories import PASSWORD

EVIL = [
    "/%09/evil.example",        # the tab is dropped by browsers: //evil.example
    "/%0a/evil.example",
    "%20//evil.example",
    "//evil.example",
    "/%5Cevil.example",         # /\evil.example: a backslash reads as a slash in browsers
    "https://evil.example/",
    "javascript:alert(1)",
    "%09https://evil.example",
]


@pytest.mark.parametrize("target", EVIL)
def test_login_next_never_leaves_the_site(client, users, target):
    resp = client.post(f"/auth/login?next={target}", data={"username": "staff", "password": PASSWORD})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


def test_login_next_with_a_line_break_is_not_a_server_error(client, users):
    resp = client.post("/auth/login?next=/projects/%0d%0aSet-Cookie:%20x=y",
                       data={"username": "staff", "password": PASSWORD})
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert "\r" not in location and "\n" not in location and location.startswith("/projects/")
    assert "x=y" not in resp.headers.get("Set-Cookie", "").split(";")[0]


def test_login_next_keeps_a_path_with_its_query(client, users):
    resp = client.post("/auth/login?next=/projects/%3Fstage%3Dsigned",
                       data={"username": "staff", "password": PASSWORD})
    assert resp.headers["Location"] == "/projects/?stage=signed"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\r\n/evil.example", "//evil.example"])
def test_contact_log_done_button_next_stays_on_the_site(client, login, target):
    login("admin")
    interaction = factories.interaction()
    resp = client.post(f"/interactions/{interaction.id}/done", data={"next": target})
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/enterprises/{interaction.enterprise_id}"


def test_quick_log_form_does_not_carry_a_foreign_next(client, login):
    login("staff")
    html = client.get("/interactions/new?next=/%09/evil.example").get_data(as_text=True)
    assert "evil.example" not in html
