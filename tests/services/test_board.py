"""The board's cards as plain rows: the same cards, order and investors, no ORM objects."""
from datetime import date, datetime
from decimal import Decimal

from crm.extensions import db
from crm.services.board import board_cards
from tests import factories


def test_board_cards_keep_the_most_recently_moved_per_stage(app):
    for day in (1, 5, 3):
        factories.project(name=f"洽谈{day}", stage="contact", stage_on=date(2025, 1, day))
    factories.project(name="谋划", stage="planned")
    cards = board_cards([], per_stage=2)
    assert [p.display_name for p in cards["contact"]] == ["洽谈5", "洽谈3"]
    assert [p.display_name for p in cards["planned"]] == ["谋划"]


def test_a_card_holds_what_the_card_shows_with_investors_in_enterprise_order(app):
    second, first = factories.enterprise(name="乙贸易有限公司"), factories.enterprise(name="甲贸易有限公司")
    park = factories.park("zbq", short_name="综保区")
    project = factories.project(name="食用菌加工项目", stage="signed", park=park, investors=[first, second],
                                is_key=True, key_level="city", total_investment=Decimal("12000.50"),
                                last_interaction_at=datetime(2026, 1, 2, 3, 4))
    bare = factories.project(name="无园区项目", stage="signed", total_investment=None)

    cards = {card.id: card for card in board_cards([], per_stage=5)["signed"]}

    card = cards[project.id]
    assert (card.display_name, card.is_key, card.key_level, card.sector, card.park) == (
        "食用菌加工项目", True, "city", "生物医药", "综保区")
    assert card.total_investment == Decimal("12000.50") and card.last_interaction_at == datetime(2026, 1, 2, 3, 4)
    assert [(i.id, i.display_name) for i in card.investors] == sorted(
        [(second.id, "乙贸易有限公司"), (first.id, "甲贸易有限公司")])
    other = cards[bare.id]
    assert (other.park, other.total_investment, other.investors, other.last_interaction_at) == (None, None, [], None)


def test_board_cards_load_no_orm_objects(app):
    factories.project(stage="contact", investors=[factories.enterprise()])
    db.session.expunge_all()
    assert board_cards([], per_stage=12)["contact"]
    assert len(db.session.identity_map) == 0
