"""Chain coverage over time: the daily job records each chain's links covered / total once a day,
and the goals dashboard shows today's figure beside the history, in a constant number of statements."""
from datetime import date

import sqlalchemy as sa

from crm.extensions import db
from crm.models import ChainCoverage
from crm.services.chains import coverage
from tests.chains import factories as cf
from workers.jobs import JOBS


def rows(chain):
    return db.session.execute(sa.select(ChainCoverage.taken_on, ChainCoverage.covered, ChainCoverage.total)
                              .where(ChainCoverage.chain_id == chain.id).order_by(ChainCoverage.taken_on)).all()


def test_the_daily_job_records_coverage_once_a_day_and_corrects_that_day(app):
    chain = cf.chain()
    JOBS["chains.coverage"](now="2026-11-01T23:45")
    db.session.commit()
    cf.attach(chain.links[0], cf.local_firm())
    JOBS["chains.coverage"](now="2026-11-02T23:45")
    JOBS["chains.coverage"](now="2026-11-02T23:50")  # a second run the same day corrects, adds nothing
    db.session.commit()
    cf.attach(chain.links[1], cf.local_firm())
    JOBS["chains.coverage"](now="2026-11-02T23:55")
    db.session.commit()
    assert rows(chain) == [(date(2026, 11, 1), 0, 3), (date(2026, 11, 2), 2, 3)]


def test_the_dashboard_shows_coverage_now_and_the_earliest_record(client, login, statements):
    chain = cf.chain(name="覆盖率测试链")
    coverage.record(date(2026, 10, 1))
    db.session.commit()
    cf.attach(chain.links[0], cf.local_firm())
    login("leader")
    html = client.get("/dashboard").get_data(as_text=True)
    row = html.split(f'data-chain="{chain.id}"')[1].split("</tr>")[0]
    assert "覆盖率测试链" in row and "1 / 3" in row and "0 / 3" in row and "2026-10-01" in row
    assert 'id="chain-coverage-data"' in html

    db.session.commit()  # as after the growth below: the signed-in user is read again
    with statements() as few:
        client.get("/dashboard")
    for day in range(2, 20):
        cf.chain()
        coverage.record(date(2026, 10, day))
    db.session.commit()
    with statements() as many:
        client.get("/dashboard")
    assert len(many) == len(few)


def test_without_chains_the_dashboard_has_no_chain_section(client, login):
    login("staff")
    assert 'id="chain-coverage"' not in client.get("/dashboard").get_data(as_text=True)


def test_coverage_now_is_counted_from_plain_rows(app):
    chain = cf.chain(name="明细链")
    cf.attach(chain.links[0], cf.local_firm())
    db.session.commit()
    chain_id = chain.id
    db.session.expunge_all()
    found = {item.chain.id: item for item in coverage.current()}
    assert (found[chain_id].chain.label(), found[chain_id].covered, found[chain_id].total) == ("明细链", 1, 3)
    assert len(db.session.identity_map) == 0  # no Chain or ChainLink objects built for two numbers
