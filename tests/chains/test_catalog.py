"""A catalog built per chain: the builder offers the chains, and a chain keeps the projects on its links."""
from crm.models import CatalogBuild
from crm.services.brochures import brochure_data
from tests import factories
from tests.chains import factories as cf


def test_a_catalog_per_chain_holds_the_projects_on_its_links(client, login, settings):
    chain = cf.chain(name="项目册测试链", links=("甲", "乙"))
    on_chain = [factories.project(name=f"链上项目{i}") for i in range(2)]
    factories.project(name="链外项目")
    cf.attach(chain.links[0], on_chain[0])
    cf.attach(chain.links[1], on_chain[1])
    assert brochure_data.count_projects({"chain": str(chain.id)}) == 2
    sheets = brochure_data.sheets_for({"chain": str(chain.id)}, settings)
    assert sorted(s.id for s in sheets) == sorted(p.id for p in on_chain)

    login("staff")
    assert "项目册测试链" in client.get("/brochures/catalog").get_data(as_text=True)
    resp = client.post("/brochures/catalog", data={"lang": "zh", "pool": "1", "chain": str(chain.id), "year": "2026",
                                                   "stages": ["planned", "contact"]})
    assert resp.status_code == 302
    assert CatalogBuild.query.one().filters == {"pool": "1", "chain": str(chain.id), "stages": ["planned", "contact"]}


def test_a_chain_without_projects_gives_no_empty_catalog(client, login):
    chain = cf.chain(name="无项目测试链", links=("甲",))
    factories.project(name="别处的项目")
    login("staff")
    html = client.post("/brochures/catalog", data={"lang": "zh", "pool": "1", "chain": str(chain.id), "year": "2026",
                                                   "stages": ["planned", "contact"]}
                       ).get_data(as_text=True)
    assert "没有符合筛选条件的项目，请放宽条件。" in html
    assert CatalogBuild.query.count() == 0


def test_a_chain_catalog_opens_with_the_chain_map(app, settings, users):
    import io
    import re

    from pypdf import PdfReader

    from crm.extensions import db
    from crm.services.brochures import catalog_builds
    chain = cf.chain(name="开篇测试链", plan_quote="延伸黑木耳产业链", links=("木耳种植", "即食木耳"))
    cf.attach(chain.links[0], cf.local_firm(), factories.project(name="开篇测试项目"))
    build = catalog_builds.request_build(users["staff"], lang="zh", filters={"chain": str(chain.id)}, title=None,
                                         year=2026, preface=None)
    db.session.commit()
    build = catalog_builds.run_build(build.id, settings)
    db.session.commit()
    pdf = PdfReader(io.BytesIO(catalog_builds.file_path(build, settings).read_bytes()))
    pages = [re.sub(r"\s+", "", page.extract_text()) for page in pdf.pages]
    opening = pages[1]  # after the cover
    assert "开篇测试链" in opening and "延伸黑木耳产业链" in opening
    assert "木耳种植" in opening and "即食木耳" in opening and "有本地企业" in opening and "空白" in opening
    assert build.project_count == 1


def test_the_chain_map_offers_its_catalog_with_the_chain_chosen(client, login):
    chain = cf.chain(name="入口测试链")
    login("staff")
    html = client.get(f"/chains/{chain.id}").get_data(as_text=True)
    assert f'href="/brochures/catalog?chain={chain.id}"' in html
    form = client.get(f"/brochures/catalog?chain={chain.id}").get_data(as_text=True)
    assert f'<option selected value="{chain.id}">入口测试链</option>' in form
    login("leader")
    assert "/brochures/catalog?chain=" not in client.get(f"/chains/{chain.id}").get_data(as_text=True)
