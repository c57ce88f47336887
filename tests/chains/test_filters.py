"""The chain filter on the enterprise list (and its export), the project list and the board."""
import io

from openpyxl import load_workbook

from tests import factories
from tests.chains import factories as cf


def _setup():
    herbs = cf.chain(name="中药测试链", links=("种植", "加工"))
    other = cf.chain(name="其他测试链", links=("甲",))
    attached = cf.target_firm(name="链上目标药业有限公司")
    investor = cf.local_firm(name="链上投资药业有限公司")
    outsider = cf.target_firm(name="链外饲料有限公司")
    on_chain = factories.project(name="链上中药加工项目", investors=[investor])
    off_chain = factories.project(name="链外饲料项目", investors=[outsider])
    cf.attach(herbs.links[0], attached)
    cf.attach(herbs.links[1], on_chain)
    cf.attach(other.links[0], off_chain, outsider)
    return herbs


def test_the_enterprise_list_and_its_export_keep_the_chains_firms(client, login):
    herbs = _setup()
    login("staff")
    html = client.get(f"/enterprises/?chain={herbs.id}").get_data(as_text=True)
    assert "链上目标药业有限公司" in html and "链上投资药业有限公司" in html  # attached, and investing
    assert "链外饲料有限公司" not in html
    assert "中药测试链" in html  # the filter's choices
    assert "链外饲料有限公司" in client.get("/enterprises/").get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(client.get(f"/enterprises/export.xlsx?chain={herbs.id}").data)).active
    names = {row[1] for row in sheet.iter_rows(min_row=4, values_only=True)}  # 编号 first, then the name
    assert {"链上目标药业有限公司", "链上投资药业有限公司"} <= names and "链外饲料有限公司" not in names


def test_the_project_list_and_the_board_keep_the_chains_projects(client, login):
    herbs = _setup()
    login("officer")
    for url in (f"/projects/?chain={herbs.id}", f"/pipeline/?chain={herbs.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "链上中药加工项目" in html and "链外饲料项目" not in html, url
        assert f'<option value="{herbs.id}" selected' in html, url
    assert "链外饲料项目" in client.get("/projects/").get_data(as_text=True)


def test_an_unknown_or_malformed_chain_filters_nothing_in_and_breaks_nothing(client, login):
    _setup()
    login("staff")
    assert "链上中药加工项目" not in client.get("/projects/?chain=999999").get_data(as_text=True)
    assert "链外饲料项目" in client.get("/projects/?chain=abc").get_data(as_text=True)
    assert client.get("/enterprises/?chain=abc").status_code == 200
