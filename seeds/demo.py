"""The first-run demo: invented users, firms, contacts and a few months of pipeline activity.

Everything here is fictitious (people, firms, credit codes, phone numbers, stories), made up so
that a new install shows a living pipeline.  None of it is the plan's own data: that is
seeds/plan.json, loaded by seeds/seeding.py, and it is kept apart so the plan loader
holds only what the plan says.  load() adds demo users (password DEMO_PASSWORD, demo only), a
dozen more target enterprises with contacts, ~120 interactions over the last five months and
stage moves made through the pipeline rules, then the routines (demo_routines) and a few drawn
placeholder brochure pictures (demo_pictures).  Given the same
random.Random it is deterministic; seeding.load_demo() is the entry point that runs it once.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from crm.extensions import db
from crm.models import Contact, Department, Enterprise, Interaction, Project, Sector, User
from crm.services import creditcode
from crm.services.core import audit
from crm.services.core.clock import local_today, to_utc_naive
from crm.services.core.money import format_wan
from crm.services.enterprises import normalize_name
from crm.services.pipeline import move_stage
from seeds import demo_pictures, demo_routines

DEMO_PASSWORD = "demo1234"
PICTURED_PROJECTS = 3  # demo projects given drawn placeholder pictures (seeds/demo_pictures.py)

# username, display name, role, department, 职务, leader rank, phone
DEMO_USERS = (
    ("admin", "王建国", "admin", "经合中心", "经合中心主任", None, "0453-3922001"),
    ("staff", "李娜", "staff", "经合中心", "招商科科长", None, "0453-3922016"),
    ("staff2", "刘洋", "staff", "经合中心", "招商科科员", None, "0453-3922018"),
    ("officer", "赵强", "officer", "工信科局", "工信科局产业发展股股长", None, "0453-3925106"),
    ("officer2", "孙丽", "officer", "农业农村局", "农业农村局产业化科科长", None, "0453-3927212"),
    ("leader", "陈志远", "leader", None, "副市长", 2, None),
    ("leader2", "周立群", "leader", None, "市长", 1, None),
)
# The logins a new user is shown (README and `seed first-run`).
DEMO_LOGINS = ("admin", "staff", "officer", "leader")


@dataclass(frozen=True)
class DemoFirm:
    name: str
    short: str
    country: str
    region: str
    sector: str
    channel: str
    tags: tuple = ()
    credit17: str | None = None  # first 17 characters; the check character is computed
    description: str = ""
    contacts: tuple = ()  # (name, title, phone, wechat)


# Foreign firms' own names (English, Russian), by short name: the English UI and the en/ru
# brochures show them instead of the Chinese rendering.
DEMO_FOREIGN_NAMES = {
    "滨海蜂业": ("Primorsky Honey LLC", "ООО «Приморский мёд»"),
    "阿穆尔农业": ("Amur Agrocomplex LLC", "ООО «Амурский агрокомплекс»"),
    "东方海产": ("Vostok-More LLC", "ООО «Восток-Море»"),
    "西伯利亚草药": ("Siberian Herbs LLC", "ООО «Сибирские травы»"),
    "清原生物": ("Cheongwon Bio Co., Ltd.", None),
}


# Plausible but invented target firms: names, codes and people are fictitious.
DEMO_FIRMS = (
    DemoFirm("东莞市精诚齿科材料有限公司", "精诚齿科", "中国", "广东省东莞市", "biomed", "东莞对口合作",
             ("高新技术企业", "专精特新"), "91441900MA4WK3BT2",
             "口腔种植体、正畸托槽及义齿材料生产企业，东莞对口合作推荐，可为口腔器材生产基地配套。",
             (("黄志明", "总经理", "13809261458", "hzm_dental"), ("梁晓敏", "投资发展部经理", "13925847160", None))),
    DemoFirm("东莞市穗丰饲料有限公司", "穗丰饲料", "中国", "广东省东莞市", "biomanufacturing", "东莞对口合作",
             ("龙头企业",), "91441900MA51PQ7X8",
             "华南地区配合饲料生产企业，计划在北方建设以进口俄罗斯大豆、玉米为原料的饲料加工基地。",
             (("陈伟雄", "董事长", "13602378815", "chenweixiong"),)),
    DemoFirm("哈尔滨康宁中药饮片有限公司", "康宁中药", "中国", "黑龙江省哈尔滨市", "biomed", "以商招商",
             ("高新技术企业",), "91230103MA1BQ4LN7",
             "中药饮片生产和中药材贸易企业，长期从俄罗斯远东采购野生中药材。",
             (("王淑芬", "副总经理", "13504519273", "wsf_kangning"),)),
    DemoFirm("牡丹江森宝菌业有限公司", "森宝菌业", "中国", "黑龙江省牡丹江市", "bioagriculture", "以商招商",
             ("专精特新",), "91231000MA1C2R8H5",
             "黑木耳、银耳菌包生产及食用菌精深加工企业，有对俄出口经验。",
             (("孟繁军", "总经理", "13945327761", "mengfanjun_sb"),)),
    DemoFirm("吉林省玉禾生物化工有限公司", "玉禾生化", "中国", "吉林省长春市", "biomanufacturing", "展会",
             ("龙头企业", "高新技术企业"), "91220101MA17X6WD3",
             "玉米淀粉、果糖和聚乳酸原料生产企业，寻求靠近俄罗斯玉米产区的新基地。",
             (("刘国栋", "战略投资部总监", "13843125588", None), ("张雪", "项目经理", "13756098412", "zhangxue_yh"))),
    DemoFirm("江苏清源水务工程有限公司", "清源水务", "中国", "江苏省宜兴市", "bioenvironment", "以商招商",
             ("高新技术企业", "专精特新"), "91320282MA1NK8PJ4",
             "市政污水处理工程总承包及运营企业，擅长AAO工艺提标改造。",
             (("钱永刚", "北方区域总经理", "13915328807", "qyg_water"),)),
    DemoFirm("龙江绿能生物质能源有限公司", "龙江绿能", "中国", "黑龙江省哈尔滨市", "bioenergy", "以商招商",
             (), "91230199MA1D7UY26",
             "秸秆成型燃料生产和生物质锅炉供热服务企业。",
             (("赵立新", "总经理", "13199882046", "zhaolixin_ln"),)),
    DemoFirm("滨海蜂业有限责任公司（ООО «Приморский мёд»）", "滨海蜂业", "俄罗斯", "俄罗斯滨海边疆区乌苏里斯克",
             "biomanufacturing", "对俄合作", (), None,
             "滨海边疆区椴树蜜收购和出口企业，年出口中国蜂蜜约800吨。",
             (("伊万·彼得罗夫（Иван Петров）", "总经理", "+7 914 702 3381", None),
              ("娜塔莉亚（Наталья Ким）", "中国市场经理", "+7 924 235 1107", "natalia_pm"))),
    DemoFirm("阿穆尔农业综合体有限责任公司（ООО «Амурский агрокомплекс»）", "阿穆尔农业", "俄罗斯",
             "俄罗斯阿穆尔州布拉戈维申斯克", "biomanufacturing", "对俄合作", (), None,
             "阿穆尔州非转基因大豆、油菜籽种植和收储企业，拥有自有粮库和铁路专用线。",
             (("谢尔盖·伊万诺夫（Сергей Иванов）", "董事长", "+7 416 252 4410", None),)),
    DemoFirm("东方海产有限责任公司（ООО «Восток-Море»）", "东方海产", "俄罗斯", "俄罗斯滨海边疆区符拉迪沃斯托克",
             "biomanufacturing", "对俄合作", (), None,
             "远东海参、帝王蟹和鱼类捕捞加工企业，拥有冷链运输车队。",
             (("安德烈·索科洛夫（Андрей Соколов）", "商务总监", "+7 423 279 5563", "andrei_vm"),)),
    DemoFirm("西伯利亚草药有限责任公司（ООО «Сибирские травы»）", "西伯利亚草药", "俄罗斯", "俄罗斯新西伯利亚州",
             "biomed", "对俄合作", (), None,
             "野生中药材（赤芍、黄芪、五味子等）采收和出口企业。",
             (("奥莉加·斯米尔诺娃（Ольга Смирнова）", "总经理", "+7 383 311 0874", None),)),
    DemoFirm("韩国清原生物株式会社（Cheongwon Bio Co., Ltd.）", "清原生物", "韩国", "韩国忠清北道清州市", "biomed",
             "日韩", ("高新技术企业",), None,
             "胶原蛋白肽和海洋保健食品原料生产企业，产品销往韩国、日本市场。",
             (("金敏俊（김민준）", "海外事业部部长", "+82 43 218 7754", "kimminjun_cw"),)),
)

# Contacts for the plan's own investors and targets (invented people).
PLAN_FIRM_CONTACTS = {
    "域外百草": ("郭长海", "董事长", "13845366120"), "中大方宏": ("杜明轩", "投资总监", "13910426653"),
    "佳美口腔": ("唐文博", "战略发展中心总经理", "13801157349"), "中麻科技": ("韩振宇", "总经理", "13674517208"),
    "维多宝": ("于春梅", "总经理", "13946307715"), "润宏经贸": ("崔广发", "法定代表人", "13904531862"),
    "兴盛农业": ("白玉林", "总经理", "13845315097"), "国泰": ("吕树森", "总经理", "13796322548"),
    "北科生物": ("方俊", "招商合作部经理", "13923874415"), "大北农": ("宋立华", "东北区域总监", "13611032289"),
    "丰原集团": ("许光明", "投资发展部部长", "13855207816"),
}


@dataclass(frozen=True)
class Story:
    """One project's demo history: the firms met, where it ends up, and its subject and talking points."""
    column: int
    seq: int
    firms: tuple  # short names; the first is the lead firm
    stage: str  # contact | signed | started | paused
    subject: str
    points: tuple
    amount: int | None = None  # 签约金额, 万元
    key_level: str | None = None
    liaison: str | None = None  # demo leader username
    reason: str | None = None  # 暂缓原因


STORIES = (
    Story(1, 5, ("佳美口腔", "精诚齿科"), "signed", "口腔器材生产基地",
          ("厂房选址和边合区标准化厂房租赁条件", "7亿元国有基金出资方式和退出机制", "种植体、正畸耗材首期产品线",
           "医疗器械注册证办理", "技术工人招聘和职业院校定向培养"),
          amount=100000, key_level="province", liaison="leader2"),
    Story(1, 1, ("域外百草",), "started", "中草药进口加工项目",
          ("俄罗斯中药材进口检疫准入品种", "综保区保税加工政策", "年研发生产中药16.5吨的生产线设备选型",
           "中药饮片GMP认证时间表", "电商展示中心装修方案"),
          amount=8000, key_level="city", liaison="leader"),
    Story(2, 5, ("阿穆尔农业",), "signed", "俄粮油脂化工厂",
          ("俄罗斯非转基因大豆、油菜籽货源", "边合区用地和环评", "粗加工工艺和豆粕销路", "铁路口岸换装和仓储能力"),
          amount=10000, key_level="city", liaison="leader"),
    Story(3, 2, ("润宏经贸", "森宝菌业"), "started", "食用菌加工基地",
          ("黑木耳、银耳原料收购价格", "加工车间选址和冷库建设", "3000万元投资资金到位计划", "菌农订单收购模式",
           "产品出口俄罗斯的检验检疫"),
          amount=3000),
    Story(2, 4, ("滨海蜂业",), "signed", "进口蜂蜜提纯分装项目",
          ("俄罗斯椴树蜜进口批次和检验", "提纯分装设备引进", "1000万元投资分期安排", "国内销售渠道和品牌注册"),
          amount=1000),
    Story(1, 2, ("中大方宏",), "paused", "工业大麻CBD萃取项目",
          ("工业大麻种植和加工许可办理", "5000至10000亩种植基地选址", "1万平方米厂房建设", "CBD出口市场和合规"),
          reason="工业大麻加工许可政策收紧，企业决定待省级许可政策明确后再推进。"),
    Story(1, 3, ("康宁中药", "西伯利亚草药"), "contact", "对俄中药材进口加工产业园",
          ("民营企业与地方国企“混改合作”股权比例", "样品检测中心建设", "俄罗斯中药材进口通关", "配送物流和仓储布局")),
    Story(1, 6, ("中麻科技",), "contact", "工业大麻加工项目",
          ("租用交投集团综保区厂房的条件", "大麻素提取设备和工艺", "出口资质办理", "与交投集团的合作协议框架")),
    Story(2, 1, ("清原生物", "东方海产"), "contact", "保健食品（俄料）加工项目",
          ("俄罗斯海参、鱼皮原料供应", "150吨胶原蛋白肽生产线", "保健食品注册和备案", "韩国市场销售渠道")),
    Story(2, 2, ("穗丰饲料",), "contact", "农产品加工制造园区",
          ("进口俄罗斯大豆、小麦、玉米的饲料配方", "饲料加工车间和库房规划", "东莞对口合作支持政策", "园区水电汽配套")),
    Story(2, 3, ("东方海产",), "contact", "海产品加工项目",
          ("互贸区免税政策适用范围", "数控冷库和暂养池建设", "活鲜海产品通关时效", "预包装和冷链配送")),
    Story(2, 6, ("玉禾生化",), "contact", "玉米深加工提炼项目",
          ("俄罗斯玉米进口和原料收储", "淀粉、果糖、聚乳酸产品方案", "燃料乙醇资质", "用地、用水和蒸汽供应")),
    Story(3, 1, ("维多宝",), "contact", "维多宝绿色植物生产加工二期",
          ("冬暖式蔬菜大棚150亩建设进度", "草莓采摘日光温室30亩", "带动500户农民就业方案", "观光农业生态园规划")),
    Story(4, 2, ("龙江绿能",), "contact", "生物质燃料销售项目",
          ("年40万吨生物质燃料的原料来源", "秸秆收储运体系", "生物质成型燃料对俄出口", "与热气电联产项目衔接")),
    Story(5, 2, ("清源水务",), "contact", "自贸区污水处理厂扩建和提标改造工程",
          ("日处理3万吨、一级A标准的工艺路线", "AAOA生物池改造方案", "EPC合作模式", "施工期间的过渡运行方案")),
)

# Contacts not tied to a story: (firm, kind, days ago, project (专栏, 序号) or None, summary).
LOOSE_CONTACTS = (
    ("北科生物", "expo", 120, None,
     "在东北亚博览会上与北科生物方俊经理洽谈，介绍综保区政策，对方对在综保区布局细胞制剂和生物样本库业务表示兴趣。"),
    ("北科生物", "phone", 15, None, "电话联系方俊经理，商定对方赴绥考察时间，初定下月中旬。"),
    ("大北农", "visit_out", 75, None, "赴北京拜访大北农，与宋立华东北区域总监面谈在绥建设饲料和动保产品对俄出口基地的设想。"),
    ("大北农", "wechat", 38, None, "微信向宋立华总监发送我市进口俄罗斯玉米、大豆的到货量和价格数据。"),
    ("丰原集团", "video", 36, (2, 7),
     "与丰原集团许光明部长召开视频会议，介绍新型生物基纤维制品研发中心及生产基地项目，讨论聚乳酸原料保障。"),
    ("丰原集团", "email", 34, (2, 7), "邮件发送新型生物基纤维制品研发中心及生产基地项目推介书（中英文）。"),
    ("省农科院", "visit_out", 125, None,
     "赴哈尔滨拜访省农科院，商谈共建生物农业科技成果转化基地，请对方推荐适合边境地区的食用菌、大豆新品种。"),
    ("兴盛农业", "visit_in", 60, (4, 3), "兴盛农业白玉林总经理到经合中心座谈，介绍钾肥进口仓储项目铁路专用线和库房改造方案。"),
    ("国泰", "phone", 70, (5, 1), "电话联系国泰吕树森总经理，了解阜宁镇生物有机肥项目废旧菌袋回收量和前期手续进展。"),
)

EXPOS = {"俄罗斯": ("中国—俄罗斯博览会", "绥芬河中俄经贸洽谈会"), "东莞对口合作": ("东莞对口合作招商推介会",),
         "": ("哈尔滨国际经济贸易洽谈会", "东北亚博览会", "绥芬河中俄经贸洽谈会")}
SUMMARIES = {
    "visit_in": ("{who}来绥考察{subject}，实地察看拟建地块，双方重点就{point}进行了交流。",
                 "{firm}{who}到经合中心座谈，围绕{subject}的{point}深入沟通。"),
    "visit_out": ("赴{region}拜访{firm}，与{who}面谈{subject}，推介我市开放平台政策，沟通{point}。",),
    "phone": ("电话联系{who}，了解{subject}内部决策进展，对方表示{point}仍在论证。",
              "电话回访{who}，就{point}答复对方疑问。"),
    "video": ("与{firm}召开视频会议，{who}参会，讨论{subject}的{point}。",),
    "expo": ("在{expo}上与{firm}洽谈，推介{subject}，对方对{point}表示关注。",),
    "wechat": ("微信向{who}发送{point}相关政策材料，对方已确认收到并转交决策层。",),
    "email": ("邮件发送{subject}推介材料及{point}说明，请对方书面反馈投资意向。",),
}
# After signing the talk is about delivery, not persuasion.
SUMMARIES_SIGNED = {
    "phone": ("电话对接{who}，协调{point}的落实进度。",),
    "visit_out": ("到项目现场与{who}研究{point}，梳理需要市里协调的事项。",),
    "wechat": ("微信与{who}沟通{point}，对方反馈进展顺利。",),
}
OUTCOMES = ("对方投资意向明确，待董事会研究。", "对方提出需进一步核算成本。", "双方就主要条款达成初步共识。",
            "对方希望我方提供更详细的用地和配套资料。", "对方表示下月派技术团队来绥考察。")
NEXT_STEPS = ("整理用地、水电汽价格资料发给对方", "协调牵头部门答复对方提出的问题", "安排下一次实地考察",
              "起草合作框架协议", "请示分管领导确定接待规格")
KINDS = ("visit_in", "visit_out", "phone", "video", "expo", "wechat", "email")
KIND_WEIGHTS = (3, 2, 5, 2, 1, 4, 1)


def load(today: date, rng: random.Random) -> dict:
    """Add the demo users and a few months of activity; returns how many of each it added."""
    return _Demo(today, rng).run()


class _Demo:
    """Builds the demo step by step; the rng is consumed in a fixed order, so output is deterministic."""

    def __init__(self, today: date, rng: random.Random):
        self.today = today
        self.rng = rng
        self.users: dict[str, User] = {}
        self.firms: dict[str, Enterprise] = {}  # by short name
        self.new_firms: list[Enterprise] = []
        self.projects: dict[tuple, Project] = {}
        self.interactions: list[Interaction] = []
        self.stage_events = []

    def run(self) -> dict:
        with audit.disabled(db.session):
            self._add_users()
            self._add_firms()
            db.session.flush()
        # A project someone has already moved keeps its real history.
        plans = [(story, self._timeline(story)) for story in STORIES
                 if self.projects[(story.column, story.seq)].stage == "planned"
                 and not self.projects[(story.column, story.seq)].stage_events]
        for story, dates in plans:
            self._move(story, dates)
        with audit.acting_as(self.users["admin"]):
            self._mark_key_projects([story for story, _ in plans])
            db.session.flush()
        with audit.disabled(db.session):
            for story, dates in plans:
                self._story_interactions(story, dates)
            self._loose_interactions()
            self._follow_ups()
            self._touch_last_contacts()
            for event in self.stage_events:  # recorded the day it happened, not today
                event.recorded_at = to_utc_naive(datetime.combine(event.occurred_on, time(17, 30)))
            db.session.add_all(self.interactions)
            db.session.flush()
        routines = demo_routines.load(self.users, self.today, self.rng)  # audited, like the office's own
        pictured = [self.projects[(story.column, story.seq)] for story in STORIES[:PICTURED_PROJECTS]]
        drawn = demo_pictures.load(self.users["staff"], current_app.extensions["settings"], pictured,
                                   random.Random(self.rng.random()))
        return {"pictures": drawn, "users": len(self.users), "enterprises": len(self.new_firms),
                "contacts": sum(len(f.contacts) for f in self.new_firms),
                "interactions": len(self.interactions), "stage_events": len(self.stage_events), **routines}

    # people and firms

    def _add_users(self) -> None:
        departments = {d.name: d for d in db.session.scalars(sa.select(Department))}
        password_hash = generate_password_hash(DEMO_PASSWORD)  # one hash: same demo password for all
        for username, display, role, dept, title, rank, phone in DEMO_USERS:
            user = User(username=username, display_name=display, role=role, department=departments.get(dept),
                        title=title, leader_rank=rank, phone=phone, email=f"{username}@example.gov.cn",
                        password_hash=password_hash)
            db.session.add(user)
            self.users[username] = user

    def _owner_for(self, sector: Sector | None) -> User:
        """李娜 covers medicine and manufacturing, 刘洋 agriculture, energy and environment."""
        code = sector.code if sector else None
        return self.users["staff" if code in ("biomed", "biomanufacturing") else "staff2"]

    def _add_firms(self) -> None:
        sectors = {s.code: s for s in db.session.scalars(sa.select(Sector))}
        # Only fill what is missing: `seed demo` may run on a database people already use.
        existing = {firm.name_norm: firm for firm in db.session.scalars(sa.select(Enterprise))}
        for firm in existing.values():
            self.firms[firm.short_name] = firm
            if firm.owner is None:
                firm.owner = self._owner_for(firm.sector) if firm.role != "partner" else self.users["admin"]
            if firm.short_name in PLAN_FIRM_CONTACTS and not firm.contacts:
                name, title, phone = PLAN_FIRM_CONTACTS[firm.short_name]
                firm.contacts.append(Contact(name=name, title=title, phone=phone))
        for f in DEMO_FIRMS:
            if normalize_name(f.name) in existing:
                self.firms[f.short] = existing[normalize_name(f.name)]
                continue
            name_en, name_ru = DEMO_FOREIGN_NAMES.get(f.short, (None, None))
            firm = Enterprise(
                name=f.name, name_norm=normalize_name(f.name), short_name=f.short, country=f.country,
                name_en=name_en, name_ru=name_ru,
                region=f.region, sector=sectors[f.sector], source_channel=f.channel, role="target",
                credit_code=creditcode.complete(f.credit17) if f.credit17 else None, description=f.description,
                owner=self._owner_for(sectors[f.sector]),
                contacts=[Contact(name=n, title=t, phone=p, wechat=w) for n, t, p, w in f.contacts])
            firm.tags = f.tags
            db.session.add(firm)
            self.firms[f.short] = firm
            self.new_firms.append(firm)
        for project in db.session.scalars(sa.select(Project)):
            self.projects[(project.column_no, project.column_seq)] = project
            project.owner = project.owner or self._owner_for(project.sector)

    # stage moves

    def _timeline(self, story: Story) -> dict[str, date]:
        """The day each milestone happened, counted back from today (all within ~5 months)."""
        rng, today = self.rng, self.today
        if story.stage in ("signed", "started"):
            first = today - timedelta(days=rng.randint(120, 150))
        elif story.stage == "paused":
            first = today - timedelta(days=rng.randint(100, 140))
        else:
            first = today - timedelta(days=rng.randint(30, 140))
        dates = {"contact": first}
        if story.stage in ("signed", "started"):
            dates["signed"] = first + timedelta(days=rng.randint(35, 55))
        if story.stage == "started":
            dates["started"] = dates["signed"] + timedelta(days=rng.randint(20, 35))
        if story.stage == "paused":
            dates["paused"] = first + timedelta(days=rng.randint(35, 50))
        return dates

    def _move(self, story: Story, dates: dict[str, date]) -> None:
        project = self.projects[(story.column, story.seq)]
        actor = project.owner
        evidence = {"contact": f"首次接洽：{self.firms[story.firms[0]].short_name}",
                    "signed": f"投资合作协议 JHZX-{dates.get('signed', self.today):%Y}-{story.column}{story.seq:02d}",
                    "started": "开工仪式现场照片及施工许可证"}
        for stage, on in dates.items():
            if stage == "paused":
                actor = self.users["admin"]
            event = move_stage(project, stage, actor=actor, occurred_on=on, today=self.today,
                               contract_amount=Decimal(story.amount) if stage == "signed" else None,
                               evidence=evidence.get(stage), reason=story.reason if stage == "paused" else None)
            self.stage_events.append(event)
        with audit.acting_as(actor):
            for short in story.firms:
                if self.firms[short].status == "prospect":
                    self.firms[short].status = "engaged"
            lead = self.firms[story.firms[0]]
            if story.stage in ("signed", "started"):
                lead.status = "invested"
                if lead not in project.investors:
                    project.investors.append(lead)
            db.session.flush()

    def _mark_key_projects(self, stories: list[Story]) -> None:
        for story in stories:
            if story.key_level:
                project = self.projects[(story.column, story.seq)]
                project.is_key, project.key_level, project.priority = True, story.key_level, 1
                project.liaison_leader = self.users[story.liaison]

    # interactions

    def _at(self, day: date) -> datetime:
        """A working-hours moment of a local day, stored as naive UTC."""
        moment = time(self.rng.randint(8, 16), self.rng.choice((0, 10, 15, 20, 30, 40, 45, 50)))
        return to_utc_naive(datetime.combine(day, moment))

    def _log(self, firm: Enterprise, day: date, kind: str, summary: str, *, project: Project | None = None,
             outcome: str | None = None, next_step: str | None = None, ours: str | None = None) -> None:
        owner = (project.owner if project else None) or firm.owner
        contact = firm.contacts[0] if firm.contacts else None
        self.interactions.append(Interaction(
            occurred_at=self._at(day), kind=kind, enterprise=firm, project=project, summary=summary,
            outcome=outcome, next_step=next_step, created_by=owner, our_participants=ours or owner.display_name,
            their_participants=f"{contact.name}（{contact.title}）" if contact else None))

    def _summary(self, kind: str, firm: Enterprise, subject: str, point: str, signed: bool) -> str:
        contact = firm.contacts[0] if firm.contacts else None
        who = f"{contact.name.split('（')[0]}{contact.title}" if contact else "企业负责人"
        local = "绥芬河" in (firm.region or "")
        # A local firm does not "come to Suifenhe": pick the templates that fit.
        templates = [t for t in (SUMMARIES_SIGNED if signed else SUMMARIES)[kind] if not (local and "来绥" in t)]
        expos = EXPOS.get(firm.country) or EXPOS.get(firm.source_channel) or EXPOS[""]
        return self.rng.choice(templates).format(
            who=who, firm=firm.short_name, subject=subject, point=point, expo=self.rng.choice(expos),
            region="企业生产现场" if local else firm.region or "企业总部")

    def _first_kind(self, firm: Enterprise) -> str:
        local = "绥芬河" in (firm.region or "")
        return "visit_out" if local else self.rng.choice(("visit_in", "expo"))

    def _story_interactions(self, story: Story, dates: dict[str, date]) -> None:
        rng = self.rng
        project = self.projects[(story.column, story.seq)]
        end = dates.get("paused", self.today - timedelta(days=1))
        first = dates["contact"]
        days = sorted(first + timedelta(days=rng.randint(1, (end - first).days - 1))
                      for _ in range(rng.randint(5, 7)))
        for n, day in enumerate([first] + days):
            firm = self.firms[story.firms[0] if n == 0 or rng.random() < 0.7 else rng.choice(story.firms)]
            signed = "signed" in dates and day > dates["signed"]
            if n == 0:
                kind = self._first_kind(firm)
            elif signed:
                kind = rng.choice(tuple(SUMMARIES_SIGNED))
            else:
                kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
            summary = self._summary(kind, firm, story.subject, rng.choice(story.points), signed)
            self._log(firm, day, kind, summary, project=project, outcome=None if signed else rng.choice(OUTCOMES),
                      next_step=rng.choice(NEXT_STEPS))
        self._milestone_interactions(story, dates, project)

    def _milestone_interactions(self, story: Story, dates: dict[str, date], project: Project) -> None:
        lead = self.firms[story.firms[0]]
        if "signed" in dates:
            leader = self.users[story.liaison or "leader"]
            ours = f"{leader.display_name}{leader.title}、{project.owner.display_name}"
            self._log(lead, dates["signed"], "visit_in",
                      f"{lead.short_name}与绥芬河市人民政府签订{story.subject}投资合作协议，签约金额{format_wan(story.amount)}，"
                      f"{leader.display_name}{leader.title}出席签约仪式。", project=project, outcome="正式签约。",
                      next_step="成立项目服务专班，协调办理立项、用地、环评等前期手续", ours=ours)
        if "started" in dates:
            self._log(lead, dates["started"], "visit_out",
                      f"{story.subject}举行开工仪式，现场协调施工用电、道路和用工问题。", project=project,
                      outcome="项目正式开工。", next_step="按月跟踪投资完成情况，督促报送月度调度")
        if "paused" in dates:
            self._log(lead, dates["paused"], "phone", f"电话沟通得知：{story.reason}", project=project,
                      outcome="项目暂缓。", next_step="每季度电话回访，关注许可政策变化")

    def _loose_interactions(self) -> None:
        for short, kind, days_ago, key, summary in LOOSE_CONTACTS:
            day = self.today - timedelta(days=days_ago + self.rng.randint(0, 4))
            self._log(self.firms[short], day, kind, summary, project=self.projects.get(key),
                      outcome=self.rng.choice(OUTCOMES), next_step=self.rng.choice(NEXT_STEPS))

    def _follow_ups(self) -> None:
        """Earlier contacts were followed up by the next one; each firm's latest is due soon or overdue."""
        by_firm = defaultdict(list)
        for item in sorted(self.interactions, key=lambda i: i.occurred_at):
            by_firm[item.enterprise.short_name].append(item)
        for n, items in enumerate(by_firm.values()):
            for item, after in zip(items, items[1:]):
                item.next_follow_up = local_today(after.occurred_at)
                item.follow_up_done = True
            last = items[-1]
            if last.project is not None and last.project.stage == "paused":
                continue
            day = local_today(last.occurred_at)
            overdue = day + timedelta(days=self.rng.randint(3, 10))
            upcoming = self.today + timedelta(days=self.rng.randint(0, 14))
            last.next_follow_up = overdue if n % 3 == 0 and overdue < self.today else upcoming

    def _touch_last_contacts(self) -> None:
        for item in self.interactions:
            for target in (item.enterprise, item.project):
                if target is not None and (target.last_interaction_at or datetime.min) < item.occurred_at:
                    target.last_interaction_at = item.occurred_at
