"""The weekly digest preview (crm/digest/): an administrator picks a recipient and sees this
week's digest as it would be mailed, its HTML part framed from our own page and its chart."""
from __future__ import annotations

from crm.services.liaison import digest


def test_the_preview_lists_recipients_and_frames_the_chosen_one_s_digest(client, login, users):
    login("admin")
    page = client.get("/admin/digest/preview")
    assert page.status_code == 200
    assert users["staff"].display_name in page.get_data(as_text=True)
    chosen = client.get(f"/admin/digest/preview?user_id={users['staff'].id}").get_data(as_text=True)
    assert f"/admin/digest/preview/{users['staff'].id}/email.html" in chosen
    html = client.get(f"/admin/digest/preview/{users['staff'].id}/email.html")
    assert html.status_code == 200 and f"/admin/digest/preview/{users['staff'].id}/chart.png" in html.get_data(
        as_text=True)
    chart = client.get(f"/admin/digest/preview/{users['staff'].id}/chart.png")
    assert chart.status_code == 200 and chart.mimetype == "image/png" and chart.data.startswith(b"\x89PNG")


def test_only_digest_recipients_can_be_previewed(client, login, users):
    login("admin")
    outsiders = [u for u in users.values() if u.role not in digest.RECIPIENT_ROLES]
    for user in outsiders:
        assert client.get(f"/admin/digest/preview?user_id={user.id}").status_code == 404
    assert client.get("/admin/digest/preview?user_id=999999").status_code == 404


def test_the_admin_home_links_the_preview_and_lights_the_admin_menu_on_it(client, login):
    login("admin")
    assert "/admin/digest/preview" in client.get("/admin/").get_data(as_text=True)
    page = client.get("/admin/digest/preview").get_data(as_text=True)
    assert 'aria-current="page" href="/admin/"' in page
