"""Deterministic synthetic data for the benchmark, bulk-inserted.

A fixed seed gives the same rows every time (dates are relative to the `today` the build is
given, recorded in the bench_meta table).  Rows go in through SQLAlchemy Core executemany in
chunks, or COPY on PostgreSQL, never through the ORM unit of work: a province build is ~1.1M
rows.  The plan's own reference data (sectors, parks, departments, task forces, its 25
projects) is loaded first with seeds.seeding.load_plan, so every filter of the app has
real values to work on.

Denormalised columns are set consistently here, as the services would have set them:
enterprise/project.last_interaction_at (the newest interaction), the first-date milestone
columns (contacted_on … operating_on, signed_amount) and stage_on, which match the stage events.
"""
from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from bench import chains as bench_chains
from bench import instructions as bench_instructions
from bench import pg_load
from crm.extensions import db
from crm.models import (
    Contact,
    Department,
    Enterprise,
    EnterpriseTag,
    Interaction,
    Notification,
    Park,
    Problem,
    Project,
    Sector,
    StageEvent,
    TaskForce,
    User,
)
from crm.models.chain import Chain, ChainLink, chain_link_enterprises, chain_link_projects
from crm.models.enterprise import ENTERPRISE_TAGS, INTERACTION_KINDS, SOURCE_CHANNELS
from crm.models.liaison import Instruction, InstructionReply, instruction_units
from crm.models.project import project_departments, project_investors
from crm.services import creditcode
from crm.services.core import audit, namekeys, pinyin
from crm.services.core.clock import to_utc_naive
from crm.services.enterprises import normalize_name
from crm.services.pipeline import STAGE_LABELS
from crm.services.routines.reminders import WORDS
from seeds.seeding import load_plan

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
SEED = 20221014  # the plan's date
PASSWORD = "bench-pass"
CHUNK = 5_000
DATA_VERSION = 10  # bump when the generator changes, so cached databases are rebuilt
LIAISON_CAP = 8  # liaison projects per leader (see Generator._assign_liaison)
NOTICE_DAYS, NOTICES_PER_USER = 90, 63  # each user's notifications: ~0.7 a day (Generator.notifications)


@dataclass(frozen=True)
class Scale:
    enterprises: int
    projects: int
    interactions: int
    users: int


SCALES = {
    "smoke": Scale(200, 20, 2_000, 10),
    "city": Scale(2_000, 200, 20_000, 50),
    "province": Scale(100_000, 10_000, 1_000_000, 500),
    # Ten provinces: PostgreSQL only in practice (bench/pg_load.py; see README "National scale").
    "national": Scale(1_000_000, 100_000, 10_000_000, 5_000),
}

# --- vocabulary -----------------------------------------------------------------------------------

CITIES = ("哈尔滨", "齐齐哈尔", "牡丹江", "佳木斯", "大庆", "鸡西", "双鸭山", "伊春", "七台河", "鹤岗", "黑河",
          "绥化", "大兴安岭", "绥芬河", "东宁", "穆棱", "海林", "宁安", "五常", "尚志")
OTHER_REGIONS = ("广东省东莞市", "广东省深圳市", "浙江省杭州市", "江苏省苏州市", "山东省济南市", "北京市",
                 "上海市", "辽宁省大连市", "吉林省长春市", "天津市")
FOREIGN = (("俄罗斯", "滨海边疆区符拉迪沃斯托克"), ("俄罗斯", "哈巴罗夫斯克"), ("日本", "东京都"),
           ("韩国", "首尔"))
# Foreign firms' own names (the English UI, the brochures and search show them): Russian
# partners have a Russian and an English name, Japanese and Korean ones an English name.
FOREIGN_BRANDS = {"俄罗斯": (("Primorye", "Приморье"), ("Amur", "Амур"), ("Vostok", "Восток"), ("Ussuri", "Уссури"),
                           ("Baikal", "Байкал"), ("Taiga", "Тайга"), ("Sibir", "Сибирь"), ("Khingan", "Хинган")),
                  "日本": (("Hokkai", None), ("Sakura", None), ("Kyowa", None), ("Nippon Green", None)),
                  "韩国": (("Hanil", None), ("Daehan", None), ("Seorak", None), ("Hana Bio", None))}
FOREIGN_TRADES = (("Agro", "Агро"), ("Bio", "Био"), ("Pharma", "Фарма"), ("Forest", "Лес"), ("Grain", "Зерно"),
                  ("Trade", "Трейд"))
SYLLABLES = ("龙", "江", "华", "北", "兴", "安", "泰", "瑞", "丰", "盛", "康", "宏", "远", "达", "鑫", "源", "恒",
             "信", "德", "昌", "隆", "新", "天", "云", "海", "山", "林", "松", "雪", "金", "银", "宝", "嘉", "和",
             "博", "正", "中", "禾", "农", "谷", "绿", "森", "寒", "地", "百", "草", "参", "芝", "晟", "辉", "益",
             "健", "万", "通", "佳", "润", "泽", "曜", "凯", "科")
INDUSTRIES = {
    "biomed": ("生物医药", "药业", "中药饮片", "生物制药", "医疗器械", "健康产业", "制药"),
    "biomanufacturing": ("生物科技", "新材料", "生物制造", "发酵科技", "酶制剂", "生物基材料"),
    "bioagriculture": ("农业发展", "食品", "种业", "粮油", "生态农业", "畜牧", "菌业", "饲料"),
    "bioenergy": ("能源", "新能源", "生物质能源", "燃气", "热电"),
    "bioenvironment": ("环保科技", "环境工程", "生态环境", "水处理", "固废处置"),
}
SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司")
PRODUCTS = {
    "biomed": ("中药饮片", "中药提取物", "生物制剂", "医用敷料", "保健食品", "人参皂苷"),
    "biomanufacturing": ("聚乳酸", "生物基塑料", "氨基酸", "益生菌", "酶制剂", "胶原蛋白"),
    "bioagriculture": ("有机肥", "大豆蛋白", "食用菌", "绿色大米", "肉牛", "蓝莓深加工"),
    "bioenergy": ("生物质颗粒燃料", "生物天然气", "秸秆热电联产", "燃料乙醇"),
    "bioenvironment": ("污水处理", "餐厨垃圾处理", "土壤修复", "秸秆综合利用"),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志宏海波宁"
TITLES = ("总经理", "董事长", "副总经理", "投资总监", "项目经理", "办公室主任", "财务总监")
KIND_WEIGHTS = (3, 2, 5, 2, 1, 1, 4)
SUMMARIES = ("双方就{p}投资意向进行了深入交流。", "对方介绍了企业在{p}领域的布局，表示有意考察绥芬河。",
             "介绍了园区用地、水电汽价格及优惠政策，对方关注对俄物流成本。", "对方到现场踏勘，了解{p}项目选址条件。",
             "电话沟通合同条款，对方法务将于近期反馈意见。", "推介会上介绍{p}产业链招商方向，对方留下联系方式。",
             "微信沟通项目进展，对方补充了可研报告。")
OUTCOMES = ("对方投资意向明确，待董事会研究。", "对方提出需进一步核算成本。", "双方就主要条款达成初步共识。", None)
NEXT_STEPS = ("整理用地、水电汽价格资料发给对方", "协调牵头部门答复对方提出的问题", "安排下一次实地考察", None)
PROBLEMS = ("项目用地规划调整尚未完成", "企业融资到位进度滞后", "电力增容需协调供电公司", "环评审批材料需补充",
            "对俄原料进口通关手续待简化")
# Stage mix of the pool: most ideas are still being worked on.
STAGE_WEIGHTS = {"planned": 30, "contact": 30, "signed": 14, "started": 10, "operating": 7, "paused": 6,
                 "dropped": 3}
MAIN_ORDER = ("planned", "contact", "signed", "started", "operating")


def _utc(day: date, minutes: int) -> datetime:
    """A local office-hours moment on `day`, stored as naive UTC.  The day's 08:30 is converted
    once (ten million contact logs fall on ~1,100 days); the minutes are added in UTC, which is
    the same moment: Asia/Shanghai has had no clock change within a day since 1991."""
    return _office_opens(day) + timedelta(minutes=minutes)


@lru_cache(maxsize=8192)
def _office_opens(day: date) -> datetime:
    return to_utc_naive(datetime.combine(day, time(8, 30)))


def duplicate_keys(row: dict) -> dict:
    """An enterprise row's likely-duplicate keys (models/enterprise.py derived columns), given with
    the row for the same reason as pinyin_keys."""
    return {"name_key": namekeys.name_key(row["name"]), "short_key": namekeys.short_key(row["short_name"]),
            "credit_key": namekeys.credit_key(row["credit_code"])}


def pinyin_keys(name: str) -> dict:
    """A row's name_pinyin and name_initials, given with the row: COPY (PostgreSQL) applies no
    Python-side column defaults, and on SQLite the defaults would compute the same keys."""
    full, initials = pinyin.keys(name)
    return {"name_pinyin": full, "name_initials": initials}


class Generator:
    """Builds one scale's rows; ids are assigned here so child rows can refer to them."""

    def __init__(self, scale: Scale, today: date, seed: int = SEED):
        self.scale, self.today, self.rng = scale, today, random.Random(seed)
        self.now = to_utc_naive(datetime.combine(today, time(9, 0)))

    # -- helpers -----------------------------------------------------------------------------------
    @staticmethod
    def _to_generate(total: int, from_plan: int) -> int:
        """Rows to add to the plan's own: up to the scale's total (a tiny scale still gets its own)."""
        return total - from_plan if total > 2 * from_plan else total

    def day_ago(self, max_days: int, skew: float = 1.6) -> date:
        """A past date, more often recent (activity grows over time)."""
        return self.today - timedelta(days=int(max_days * self.rng.random() ** skew))

    def age_in_days(self, span: int) -> int:
        """Age of a contact log: activity grows linearly over the span (the newest day is three
        times as busy as the oldest), so a week holds ~1.5× the average week's logs."""
        u = self.rng.random()
        return int(span * (1.5 - math.sqrt(2.25 - 2 * u)))

    def person(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

    # -- reference data -------------------------------------------------------------------------------
    def load_reference(self, session) -> None:
        self.sectors = session.execute(sa.select(Sector.id, Sector.code).order_by(Sector.id)).all()
        self.parks = session.scalars(sa.select(Park.id).order_by(Park.id)).all()
        self.departments = session.scalars(sa.select(Department.id).order_by(Department.id)).all()
        self.task_forces = dict(session.execute(
            sa.select(TaskForce.sector_id, TaskForce.id).where(TaskForce.sector_id.is_not(None))).all())
        self.first_enterprise = (session.scalar(sa.select(sa.func.max(Enterprise.id))) or 0) + 1
        self.first_project = (session.scalar(sa.select(sa.func.max(Project.id))) or 0) + 1
        self.plan_enterprises = session.scalar(sa.select(sa.func.count(Enterprise.id)))
        self.plan_projects = session.scalar(sa.select(sa.func.count(Project.id)))
        self.used_names = set(session.scalars(sa.select(Enterprise.name_norm)))

    # -- users -----------------------------------------------------------------------------------------
    def users(self) -> list[dict]:
        n = self.scale.users
        n_admin = max(1, n // 50)
        n_leader = max(2, n // 5)
        n_staff = max(3, (n * 2) // 5)
        roles = ["admin"] * n_admin + ["leader"] * n_leader + ["staff"] * n_staff
        roles += ["officer"] * (n - len(roles))
        password_hash = generate_password_hash(PASSWORD)
        rows = []
        for i, role in enumerate(roles, start=1):
            person = self.person()
            rows.append({
                "id": i, "username": f"bench_{role}_{i:04d}", "display_name": person, **pinyin_keys(person),
                "email": f"bench{i:04d}@example.gov.cn", "phone": f"0453-39{i:05d}",
                "title": {"leader": "副市长", "admin": "领导小组办公室主任", "staff": "招商专员"}.get(role, "股长"),
                "role": role, "leader_rank": (1 if i <= n_admin + 2 else 2) if role == "leader" else None,
                "department_id": self.rng.choice(self.departments) if role == "officer" else None,
                "password_hash": password_hash, "is_enabled": True, "created_at": self.now,
                "updated_at": self.now})
        self.staff = [r["id"] for r in rows if r["role"] == "staff"]
        self.leaders = [r["id"] for r in rows if r["role"] == "leader"]
        return rows

    # -- enterprises -------------------------------------------------------------------------------
    def enterprise_name(self, sector: str) -> tuple[str, str]:
        rng = self.rng
        for attempt in range(20):
            brand = rng.choice(SYLLABLES) + rng.choice(SYLLABLES)
            name = f"{rng.choice(CITIES)}{brand}{rng.choice(INDUSTRIES[sector])}{rng.choice(SUFFIXES)}"
            if attempt >= 10:  # a crowded name space: a branch office keeps it realistic and unique
                name = name.replace("有限公司", f"第{attempt + rng.randrange(1000)}分公司")
            if normalize_name(name) not in self.used_names:
                self.used_names.add(normalize_name(name))
                return name, brand
        raise RuntimeError("could not find a unique enterprise name")

    @staticmethod
    def foreign_names(country: str, enterprise_id: int) -> dict:
        """name_en / name_ru of a foreign firm (its own generator: the main one's sequence, and
        so the rest of the data, stays as it was before foreign names were generated)."""
        if country not in FOREIGN_BRANDS:
            return {"name_en": None, "name_ru": None}
        rng = random.Random(enterprise_id)
        (brand_en, brand_ru), (trade_en, trade_ru) = rng.choice(FOREIGN_BRANDS[country]), rng.choice(FOREIGN_TRADES)
        if brand_ru:
            return {"name_en": f"{brand_en} {trade_en} LLC", "name_ru": f"ООО «{brand_ru} {trade_ru}»"}
        return {"name_en": f"{brand_en} {trade_en} Co., Ltd.", "name_ru": None}

    def credit_code(self, enterprise_id: int) -> str:
        digits, value = [], enterprise_id * 7919 + 104729  # a bijection keeps codes unique
        for _ in range(9):
            value, rest = divmod(value, 31)
            digits.append(creditcode.ALPHABET[rest])
        return creditcode.complete("91231081" + "".join(reversed(digits)))

    def enterprises(self):
        """(enterprise rows, tag rows, contact rows)."""
        rng, count = self.rng, self._to_generate(self.scale.enterprises, self.plan_enterprises)
        rows, tags, contacts = [], [], []
        self.enterprise_sector = {}
        for eid in range(self.first_enterprise, self.first_enterprise + max(count, 0)):
            sector_id, code = self.sectors[(eid + rng.randrange(3)) % len(self.sectors)]  # every sector used
            name, brand = self.enterprise_name(code)
            roll = rng.random()
            if roll < 0.04:
                country, region = rng.choice(FOREIGN)
            else:
                country = "中国"
                region = rng.choice(OTHER_REGIONS) if roll < 0.25 else f"黑龙江省{name[:2] if name[:3] not in CITIES else name[:3]}市"
            created = _utc(self.day_ago(1500, 1.0), rng.randrange(480))
            rows.append({
                "id": eid, "name": name, "name_norm": normalize_name(name), **pinyin_keys(name),
                "short_name": brand + name[-6:-4],
                "credit_code": self.credit_code(eid) if country == "中国" and rng.random() < 0.9 else None,
                "country": country, "region": region, "sector_id": sector_id, **self.foreign_names(country, eid),
                "source_channel": rng.choice(SOURCE_CHANNELS), "owner_id": rng.choice(self.staff),
                "status": rng.choice(("prospect", "prospect", "engaged", "engaged", "invested", "dormant")),
                "role": "investor" if rng.random() < 0.1 else "target",
                "website": None, "address": None, "description": None, "last_interaction_at": None,
                "created_at": created, "updated_at": created})
            rows[-1].update(duplicate_keys(rows[-1]))
            self.enterprise_sector[eid] = sector_id
            if rng.random() < 0.3:
                for tag in rng.sample(ENTERPRISE_TAGS, rng.choice((1, 1, 2))):
                    tags.append({"enterprise_id": eid, "tag": tag})
            if rng.random() < 0.5:
                contacts.append({"enterprise_id": eid, "name": self.person(), "title": rng.choice(TITLES),
                                 "phone": f"13{rng.randrange(10**9):09d}", "created_at": created,
                                 "updated_at": created})
        self.enterprise_ids = [r["id"] for r in rows] or [self.first_enterprise]
        self.owner_of = {r["id"]: r["owner_id"] for r in rows}
        return rows, tags, contacts

    # -- projects -----------------------------------------------------------------------------------
    def _milestones(self, stage: str) -> tuple[list[tuple[str | None, str, date]], dict]:
        """The stage events leading to `stage` (dates never run backward) and the first dates."""
        rng = self.rng
        path = MAIN_ORDER[:MAIN_ORDER.index(stage) + 1] if stage in MAIN_ORDER else \
            MAIN_ORDER[:rng.randrange(1, 4)] + (stage,)
        day = self.day_ago(1400, 1.0) - timedelta(days=60 * (len(path) - 1))
        events, previous = [], None
        for index, to in enumerate(path):
            if index:
                day = min(day + timedelta(days=rng.randrange(20, 200)), self.today)
            events.append((previous, to, day))
            previous = to
        first = {to: day for _from, to, day in events}
        return events, first

    def projects(self):
        """(project rows, investor links, department links, stage events, problems)."""
        rng, count = self.rng, self._to_generate(self.scale.projects, self.plan_projects)
        stages = [s for s, w in STAGE_WEIGHTS.items() for _ in range(w)]
        rows, investors, departments, events, problems = [], [], [], [], []
        self.project_investor = {}
        for pid in range(self.first_project, self.first_project + max(count, 0)):
            stage = rng.choice(stages)
            sector_id, code = self.sectors[pid % len(self.sectors)]
            investor = rng.choice(self.enterprise_ids)
            amount = Decimal(int(math.exp(rng.uniform(math.log(300), math.log(300_000)))))
            product = rng.choice(PRODUCTS[code])
            size = rng.choice((1, 2, 3, 5, 10, 20, 30))
            history, first = self._milestones(stage)
            signed_amount = (amount * Decimal(rng.choice((60, 80, 100))) / 100).quantize(Decimal("0.01")) \
                if "signed" in first else None
            is_key = amount >= 50_000 or rng.random() < 0.08
            created = _utc(history[0][2], rng.randrange(480))
            name = f"年产{size}万吨{product}项目（{pid}）"
            rows.append({
                "id": pid, "name": name, **pinyin_keys(name),
                "description": f"建设{product}生产线及配套仓储、研发设施，达产后年产{product}{size}万吨。",
                "site": "绥芬河市", "sector_id": sector_id, "park_id": self.parks[pid % len(self.parks)],
                "total_investment": amount, "fixed_investment": (amount * Decimal("0.7")).quantize(Decimal("0.01")),
                "funding_sources": "企业自筹、银行贷款", "capacity": f"年产{product}{size}万吨",
                "land_mu": Decimal(rng.randrange(20, 800)), "jobs": rng.randrange(20, 600),
                "lead_department_id": rng.choice(self.departments[:11]),
                "task_force_id": self.task_forces.get(sector_id),
                "liaison_leader_id": None, "owner_id": self.owner_of.get(investor) or rng.choice(self.staff),
                "is_key": is_key, "key_level": rng.choice(("province", "city")) if is_key else None,
                "in_pool": stage not in ("operating", "dropped"), "stage": stage, "stage_on": history[-1][2],
                "priority": rng.choice((1, 2, 2, 3)),
                "contacted_on": first.get("contact"), "signed_on": first.get("signed"),
                "signed_amount": signed_amount, "started_on": first.get("started"),
                "operating_on": first.get("operating"), "last_interaction_at": None,
                "created_at": created, "updated_at": created})
            self.project_investor[pid] = investor
            investors.append({"project_id": pid, "enterprise_id": investor})
            for dept in rng.sample(self.departments[:11], rng.randrange(0, 3)):
                if dept != rows[-1]["lead_department_id"]:
                    departments.append({"project_id": pid, "department_id": dept})
            for from_stage, to_stage, day in history[1:]:
                events.append({"project_id": pid, "from_stage": from_stage, "to_stage": to_stage,
                               "occurred_on": day, "is_override": False,
                               "contract_amount": signed_amount if to_stage == "signed" else None,
                               "evidence": "合同及会议纪要" if to_stage == "signed" else None,
                               "reason": "企业调整投资计划" if to_stage in ("paused", "dropped") else None,
                               "recorded_at": _utc(day, 600), "recorded_by_id": rows[-1]["owner_id"]})
            if rng.random() < 0.2:
                raised = self.day_ago(300)
                resolved = rng.random() < 0.5
                problems.append({
                    "project_id": pid, "department_id": rows[-1]["lead_department_id"],
                    "description": rng.choice(PROBLEMS), "raised_on": raised,
                    "deadline": raised + timedelta(days=30), "status": "resolved" if resolved else "open",
                    "resolved_on": raised + timedelta(days=20) if resolved else None, "escalation_level": 0,
                    "source": "project", "created_at": _utc(raised, 60), "updated_at": _utc(raised, 60)})
        self._assign_liaison(rows)
        self.project_ids = [r["id"] for r in rows] or [self.first_project]
        return rows, investors, departments, events, problems

    def _assign_liaison(self, rows: list[dict]) -> None:
        """Key and large projects get a liaison leader, fewest-first with a cap, as the rules do.

        A city leader 包联 a handful of projects, however many cities the province has: the same
        cap at both scales (city: 10 leaders × 8 ≤ its ~90 key projects), so the busiest
        leader's page shows the same load and the city/province comparison is like for like.
        """
        cap, load = LIAISON_CAP, {leader: 0 for leader in self.leaders}
        wanted = sorted((r for r in rows if r["is_key"] or r["total_investment"] >= 10_000),
                        key=lambda r: (-r["total_investment"], r["id"]))
        for row in wanted:
            leader = min(load, key=lambda lid: (load[lid], lid))
            if load[leader] >= cap:
                break
            row["liaison_leader_id"] = leader
            load[leader] += 1

    # -- interactions ------------------------------------------------------------------------------
    def interactions(self):
        """Chunks of interaction rows; fills self.last_enterprise / self.last_project on the way."""
        rng, today = self.rng, self.today
        kinds = [k for k, w in zip(INTERACTION_KINDS, KIND_WEIGHTS) for _ in range(w)]
        last_e: dict[int, datetime] = {}
        last_p: dict[int, datetime] = {}
        n_ent, n_proj = len(self.enterprise_ids), len(self.project_ids)
        summaries = {code: [s.format(p=p) for s in SUMMARIES for p in PRODUCTS[code]]
                     for code in PRODUCTS}
        sector_code = dict(self.sectors)
        chunk = []
        for _ in range(self.scale.interactions):
            if rng.random() < 0.35:
                pid = self.project_ids[int(n_proj * rng.random())]
                eid = self.project_investor.get(pid, self.enterprise_ids[0])
            else:
                pid = None
                eid = self.enterprise_ids[int(n_ent * rng.random() ** 1.5)]  # some firms are busier
            day = today - timedelta(days=self.age_in_days(1095))
            at = _utc(day, int(600 * rng.random()))
            follow = None
            done = False
            if rng.random() < 0.25:
                follow = day + timedelta(days=7 + int(30 * rng.random()))
                # Staff close most follow-ups; a few stay open, fewer the older they are.
                done = follow < today - timedelta(days=7) and rng.random() < (0.93 if follow > today - timedelta(days=90)
                                                                             else 0.995)
            author = self.owner_of.get(eid) if rng.random() < 0.7 else None
            code = sector_code.get(self.enterprise_sector.get(eid), "biomed")
            chunk.append({
                "occurred_at": at, "kind": kinds[int(len(kinds) * rng.random())], "enterprise_id": eid,
                "project_id": pid, "our_participants": "经合中心招商科", "their_participants": None,
                "summary": summaries[code][int(len(summaries[code]) * rng.random())],
                "outcome": OUTCOMES[int(4 * rng.random())], "next_step": NEXT_STEPS[int(4 * rng.random())],
                "next_follow_up": follow, "follow_up_done": done,
                "created_by_id": author or self.staff[int(len(self.staff) * rng.random())],
                "created_at": at, "updated_at": at})
            if at > last_e.get(eid, datetime.min):
                last_e[eid] = at
            if pid is not None and at > last_p.get(pid, datetime.min):
                last_p[pid] = at
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk
        self.last_enterprise, self.last_project = last_e, last_p

    # -- notifications ------------------------------------------------------------------------------
    def notifications(self, projects: list[dict]) -> list[dict]:
        """Each user's notifications of the last NOTICE_DAYS days, as the daily scan leaves them:
        "项目久未联系" about projects gone quiet (NOTICES_PER_USER each).  Most users read theirs within
        three days, so only the newest are unread; one in ten never reads, and the bell counts
        their whole backlog.  Its own random stream: the other rows stay as they were.
        Needs an app context (the texts are the scan's own, in Chinese)."""
        rng = random.Random(SEED + 1)
        words = {key: str(WORDS[key]) for key in ("stale.title", "stale.body", "stale.since")}
        stages = {stage: str(label) for stage, label in STAGE_LABELS.items()}  # translated once, not per row
        rows = []
        for user_id in range(1, self.scale.users + 1):
            never_reads = rng.random() < 0.1
            for _ in range(NOTICES_PER_USER):
                project = projects[int(len(projects) * rng.random())]
                day = self.today - timedelta(days=int(NOTICE_DAYS * rng.random()))
                at = _utc(day, 30)  # the scan runs at 09:00
                since = words["stale.since"] % {"day": (day - timedelta(days=30 + rng.randrange(60))).isoformat()}
                read = None if never_reads or day > self.today - timedelta(days=3) else \
                    min(at + timedelta(hours=rng.randrange(1, 72)), self.now)
                rows.append({
                    "user_id": user_id, "kind": "reminder.stale",
                    "title": words["stale.title"] % {"name": project["name"]},
                    "body": words["stale.body"] % {"stage": stages[project["stage"]], "since": since},
                    "url": f"/projects/{project['id']}", "target_type": "Project", "target_id": project["id"],
                    "created_at": at, "read_at": read})
        return rows


# --- loading --------------------------------------------------------------------------------------

def _insert(conn, table, rows, chunk: int = CHUNK) -> None:
    if conn.dialect.name == "postgresql":
        _copy(conn, table, rows)
        return
    for start in range(0, len(rows), chunk):
        conn.execute(table.insert(), rows[start:start + chunk])


def _copy(conn, table, rows) -> None:
    """PostgreSQL: the rows through COPY … FROM STDIN, in the connection's transaction.

    An executemany INSERT spent its time in Python and round trips: 59 s of a province build's
    97 s went to the million interactions, 42 s now, nearly all of it the server's.  COPY applies
    no Python-side column defaults: the generator gives every column that has one (a NOT NULL
    one left out fails the build; tests/bench compares the rows with the SQLite build's).
    """
    if not rows:
        return
    names = list(rows[0])  # the rows of one call share their keys, as an executemany's must
    quote = conn.dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in names)
    with conn.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {quote.format_table(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row[name] for name in names))


def _bulk_session_settings(conn) -> None:
    if conn.dialect.name == "sqlite":
        # Load-time only: a crash mid-build just means building again.
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql("PRAGMA cache_size=-262144")
    else:
        conn.exec_driver_sql("SET synchronous_commit TO OFF")


META = sa.Table("bench_meta", sa.MetaData(), sa.Column("key", sa.String(40), primary_key=True),
                sa.Column("value", sa.String(200)))


def schema_fingerprint() -> str:
    """A digest of the app's tables, columns and migrations: a cached database built for another
    schema (a migration added a column, an index or raw search DDL since) is rebuilt rather than
    failing or timing the old indexes."""
    shape = sorted((t.name, c.name, str(c.type)) for t in db.metadata.sorted_tables for c in t.columns)
    revisions = sorted(path.name for path in MIGRATIONS.glob("*.py"))
    return hashlib.sha256(repr((shape, revisions)).encode()).hexdigest()[:16]


def read_meta(engine) -> dict[str, str]:
    try:
        with engine.connect() as conn:
            return dict(conn.execute(sa.select(META.c.key, META.c.value)).all())
    except sa.exc.DBAPIError:
        return {}


def build(scale_name: str, today: date, log=print) -> dict[str, float]:
    """Drop and rebuild the app's tables with `scale_name` data; returns seconds per step.

    Needs an app context.  The plan's reference data goes in first through load_plan.
    """
    import time as _time
    scale = SCALES[scale_name]
    timings: dict[str, float] = {}
    started = _time.perf_counter()

    def step(name: str, since: float) -> float:
        now = _time.perf_counter()
        timings[name] = round(now - since, 2)
        log(f"  {name}: {timings[name]:.1f} s")
        return now

    engine = db.engine
    META.drop(engine, checkfirst=True)
    db.drop_all()
    db.create_all()
    with audit.disabled(db.session):
        load_plan()
    db.session.commit()
    gen = Generator(scale, today)
    gen.load_reference(db.session)
    db.session.close()
    t = step("schema + plan", started)
    with engine.begin() as conn:
        _bulk_session_settings(conn)
        deferred = pg_load.defer(conn) if conn.dialect.name == "postgresql" else None
        users = gen.users()
        _insert(conn, User.__table__, users)
        enterprises, tags, contacts = gen.enterprises()
        _insert(conn, Enterprise.__table__, enterprises)
        _insert(conn, EnterpriseTag.__table__, tags)
        _insert(conn, Contact.__table__, contacts)
        t = step(f"users + {len(enterprises):,} enterprises", t)
        del enterprises, tags, contacts  # a national build's million rows: the ids are kept in gen
        projects, investors, departments, events, problems = gen.projects()
        _insert(conn, Project.__table__, projects)
        _insert(conn, project_investors, investors)
        _insert(conn, project_departments, departments)
        _insert(conn, StageEvent.__table__, events)
        _insert(conn, Problem.__table__, problems)
        orders, units, replies = bench_instructions.rows(SEED, projects, users, today)
        for table, table_rows in ((Instruction.__table__, orders), (instruction_units, units),
                                  (InstructionReply.__table__, replies)):
            _insert(conn, table, table_rows)
        t = step(f"{len(projects):,} projects, {len(orders):,} 批示", t)
        for chunk in gen.interactions():
            _insert(conn, Interaction.__table__, chunk)
        t = step(f"{scale.interactions:,} interactions", t)
        notifications = gen.notifications(projects)
        _insert(conn, Notification.__table__, notifications)
        t = step(f"{len(notifications):,} notifications", t)
        _set_last_interaction(conn, Enterprise.__table__, gen.last_enterprise)
        _set_last_interaction(conn, Project.__table__, gen.last_project)
        t = step("counters", t)
        chains, links, link_firms, link_projects = bench_chains.rows(
            conn, gen.rng, gen.enterprise_ids, gen.project_ids, _utc(today, 0))
        for table, table_rows in ((Chain.__table__, chains), (ChainLink.__table__, links),
                                  (chain_link_enterprises, link_firms), (chain_link_projects, link_projects)):
            _insert(conn, table, table_rows)
        t = step(f"{len(chains)} chains, {len(links)} links", t)
        if deferred:
            pg_load.restore(conn, deferred, log)
            t = step("keys, indexes, search table", t)
    # Planner statistics and (PostgreSQL) the visibility map for index-only scans, as autovacuum
    # (or SQLite's PRAGMA optimize) keeps them on a database in use.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE")
    with engine.begin() as conn:
        META.create(conn)
        conn.execute(META.insert(), [{"key": "scale", "value": scale_name}, {"key": "today", "value": today.isoformat()},
                                     {"key": "version", "value": str(DATA_VERSION)},
                                     {"key": "schema", "value": schema_fingerprint()}])
    step("analyze", t)
    timings["total"] = round(_time.perf_counter() - started, 2)
    return timings


def _set_last_interaction(conn, table, latest: dict[int, datetime]) -> None:
    """One executemany UPDATE per chunk (SQLite).  PostgreSQL: a COPY into a temporary table and
    one UPDATE … FROM, before the indexes are rebuilt (pg_load.set_latest): a million round
    trips would be most of the updates' cost at national scale."""
    if conn.dialect.name == "postgresql":
        pg_load.set_latest(conn, table, latest)
        return
    statement = sa.update(table).where(table.c.id == sa.bindparam("row_id")).values(
        last_interaction_at=sa.bindparam("at"))
    rows = [{"row_id": key, "at": value} for key, value in sorted(latest.items())]
    for start in range(0, len(rows), CHUNK):
        conn.execute(statement, rows[start:start + CHUNK])
